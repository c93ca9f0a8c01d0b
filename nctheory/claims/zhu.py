r"""Zhu et al. 2021 (arXiv 2105.02375): balanced CE in the unconstrained feature model.

Catalogue §6 (ZHU-balanced-CE), in the canonical convention (catalogue §0).  Zhu et al. write
the feature penalty averaged over samples, :math:`\frac{\lambda_H}{2N}\|H\|^2`; convert with
:meth:`nctheory.model.problem.Problem.from_averaged_feature_penalty` (canonical
:math:`\lambda_H = \lambda_H^{\rm src}/N`).  The closed form below is stated in canonical
symbols (its worked example K = 4, n = 5, all λ = 1e-2 gives ‖w‖² = 6.257099, ‖h‖² = 1.251420).

Derivation (R2 with :math:`D = nI`): by symmetry and convexity the optimum is
:math:`\bar Z = cS` (S = I − J/K) and b = 0, with
:math:`\min_c \log(1 + (K-1)e^{-c}) + s(K-1)c`, :math:`s = \lambda\sqrt n`.  Stationarity gives
:math:`e^{-c}/(1 + (K-1)e^{-c}) = s`, i.e. :math:`c = \log((1-(K-1)s)/s)`, positive iff
:math:`Ks < 1`; otherwise c = 0 (the zero solution).  With
:math:`\rho^* = \frac{K-1}K c` (the diagonal of :math:`\bar Z`) R1 gives
:math:`WW^\top = \sqrt{n\lambda_H/\lambda_W}\,cS`, so
:math:`\|w\|^2 = \sqrt{n\lambda_H/\lambda_W}\rho^*` and :math:`\|h\|^2 = \sqrt{\lambda_W/(n\lambda_H)}\rho^*`,
:math:`h_{k,i} = \sqrt{\lambda_W/(\lambda_H n)}\,w_k` (self-duality).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from nctheory.claims._assumptions import ufm_ce_unmet
from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.claims.hong_ling import (ACCURACY, BIAS_TOLERANCE, CERTIFIED_OPTIONS, REGULARIZED_BIAS_TOLERANCE,
                                      _centred_classifier)
from nctheory.model import Problem

SOURCE = "Zhu et al., 'A geometric analysis of neural collapse with unconstrained features', arXiv 2105.02375"

#: Relative band around Ks = 1 inside which the zero/nonzero bool is not predicted (ρ* ~ (1 − Ks)
#: there, so the observed logits would be at solver precision).
ZERO_BAND = 1e-3
#: Mean logits with max |Z̄| at or below this count as zero (the certified solver returns exact
#: zeros in that regime; outside the band ρ* ≳ 1e-3).
ZERO_LOGIT_TOL = 1e-7


def zhu_s(problem: Problem) -> float:
    r""":math:`s = \sqrt{n\lambda_W\lambda_H} = \lambda\sqrt n` (balanced size n, canonical convention)."""
    return problem.lam * math.sqrt(problem.sizes[0])


def zhu_closed_form(K: int, n: float, lambda_w: float, lambda_h: float) -> dict:
    r"""The closed form (module doc): ``s``, ``c`` (logit margin), ``rho`` (ρ*), ``w_sq``, ``h_sq``, ``alpha``.

    ``alpha`` = :math:`\sqrt{\lambda_W/(\lambda_H n)}` (self-duality factor :math:`h_k = \alpha w_k`).
    """
    s = math.sqrt(n * lambda_w * lambda_h)
    c = math.log((1.0 - (K - 1) * s) / s) if K * s < 1.0 else 0.0
    rho = (K - 1) / K * c
    return {
        "s": s,
        "c": c,
        "rho": rho,
        "w_sq": math.sqrt(n * lambda_h / lambda_w) * rho,
        "h_sq": math.sqrt(lambda_w / (n * lambda_h)) * rho,
        "alpha": math.sqrt(lambda_w / (lambda_h * n)),
    }


def _assumptions(problem: Problem) -> list[str]:
    unmet = ufm_ce_unmet(problem)
    if not problem.balanced:
        unmet.append(f"sizes: needs balanced classes (all n_k equal), got {problem.sizes}")
    return unmet


def _predict(problem: Problem) -> Prediction:
    K, n = problem.K, problem.sizes[0]
    f = zhu_closed_form(K, n, problem.lambda_w, problem.lambda_h)
    S = np.eye(K) - 1.0 / K
    q: dict = {
        "rho": f["rho"],
        "w_sq_norm": np.full(K, f["w_sq"]),
        "h_sq_norm": np.full(K, f["h_sq"]),
        "gram_W": f["w_sq"] * K / (K - 1) * S,
        "gram_H": f["h_sq"] * K / (K - 1) * S,
        "self_duality_residual": 0.0,
        "b_spread": 0.0,
    }
    if problem.bias != "free":
        q["b_norm"] = 0.0
    Ks = K * f["s"]
    notes = [f"Ks = {Ks:.6g}: " + ("zero solution (Ks ≥ 1)" if Ks >= 1 else f"ETF with ρ* = {f['rho']:.6g}")]
    if abs(Ks - 1.0) >= ZERO_BAND:
        q["zero_solution"] = bool(Ks >= 1.0)
    else:
        notes.append("within 1e-3 of the zero threshold Ks = 1: zero_solution not predicted")
    if problem.bias == "free":
        notes.append("free bias: b is determined only up to b + t·1, so only its spread is predicted (0)")
    return Prediction("zhu/balanced-ce", problem, q, "; ".join(notes))


def _observe(problem: Problem, solution) -> dict:
    # centred classifier: Σ_k w_k = 0 at the optimum; the solver's mean classifier is flat-direction
    # noise (see nctheory.claims.hong_ling._centred_classifier)
    W = _centred_classifier(solution)
    H = np.asarray(solution.H_mean, dtype=float)
    K = problem.K
    Z = W @ H
    GW = W @ W.T
    GH = H.T @ H
    alpha = math.sqrt(problem.lambda_w / (problem.lambda_h * problem.sizes[0]))
    # floor: a feature matrix of norm 1e-8·(natural feature unit) counts as zero
    floor = 1e-8 * (problem.lambda_w / problem.lambda_h) ** 0.25
    b = np.asarray(solution.b, dtype=float)
    out = {
        "rho": float(np.mean(np.diag(Z) - Z.mean(axis=0))),
        "w_sq_norm": np.diag(GW).copy(),
        "h_sq_norm": np.diag(GH).copy(),
        "gram_W": 0.5 * (GW + GW.T),
        "gram_H": 0.5 * (GH + GH.T),
        "self_duality_residual": float(np.linalg.norm(H - alpha * W.T) / max(np.linalg.norm(H), floor)),
        "b_spread": float(np.ptp(b)),
        "zero_solution": bool(np.abs(Z).max() <= ZERO_LOGIT_TOL),
    }
    if problem.bias != "free":
        out["b_norm"] = float(np.linalg.norm(b))
    return out


def _defaults() -> list[Problem]:
    return [
        # the catalogue's worked example: ‖w‖² = 6.257099, ‖h‖² = 1.251420
        Problem(sizes=(5, 5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, bias="regularized", lambda_b=1e-2),
        # zero regime: s = 0.2·√4 = 0.4, Ks = 1.2 ≥ 1
        Problem(sizes=(4, 4, 4), lambda_w=0.2, lambda_h=0.2),
    ]


def _sympy() -> dict:
    K, n, lw, lh = sp.symbols("K n lambda_W lambda_H", positive=True)
    s = sp.sqrt(n * lw * lh)
    rho = (K - 1) / K * sp.log((1 - (K - 1) * s) / s)
    return {
        "s": s,
        "rho_star": rho,
        "w_sq_norm": sp.sqrt(n * lh / lw) * rho,
        "h_sq_norm": sp.sqrt(lw / (n * lh)) * rho,
        "self_duality_factor": sp.sqrt(lw / (lh * n)),
        "zero_threshold": K * s - 1,  # ≥ 0 ⇔ the unique minimiser is 0
        "critical_lambda": 1 / (K * sp.sqrt(n)),  # λ = √(λ_Wλ_H) at Ks = 1
    }


BALANCED_CE = Claim(
    id="zhu/balanced-ce",
    source=SOURCE,
    provenance=("recalled", "derived"),
    statement=(
        "Balanced CE (K classes of n samples), any bias (the source: bias with λ_b > 0), d ≥ K−1. "
        "s := √(nλ_Wλ_H). If Ks ≥ 1 the unique minimiser is 0. Else ρ* = ((K−1)/K)log((1−(K−1)s)/s), "
        "‖w_k‖² = √(nλ_H/λ_W)ρ*, ‖h_k‖² = √(λ_W/(nλ_H))ρ*, WWᵀ = ‖w‖²(K/(K−1))S (simplex ETF), "
        "h_{k,i} = √(λ_W/(λ_H n)) w_k (self-duality, residual ‖H̄ − αWᵀ‖/‖H̄‖ predicted 0), b = 0 "
        "(free bias: b only up to a constant shift, so its spread is 0). Canonical convention; Zhu et al. "
        "average the feature penalty (λ_H/2N)‖H‖²: convert with Problem.from_averaged_feature_penalty. "
        "Not checked here: the landscape statement (no spurious local minima for d > K) [recalled]."
    ),
    requires=requires_from(_assumptions),
    predict=_predict,
    observe=_observe,
    reference=("certified",),
    defaults=_defaults,
    tolerances={
        "*": Tolerance(1e-7, 1e-3, ACCURACY + "3.4e-4 relative (a squared norm ≈ 0.033; 1.2e-4 on a Gram entry ≈ 1, "
                                   "5.2e-4 absolute on one ≈ 69); the zero regime gives exact zeros"),
        "self_duality_residual": Tolerance(1.5e-4, 0.0, ACCURACY + "4.0e-5 in ‖H̄ − αWᵀ‖/‖H̄‖"),
        "b_spread": BIAS_TOLERANCE,
        "b_norm": REGULARIZED_BIAS_TOLERANCE,
    },
    symbolic=_sympy,
    solver_options=CERTIFIED_OPTIONS,
)

CLAIMS: list[Claim] = [BALANCED_CE]
