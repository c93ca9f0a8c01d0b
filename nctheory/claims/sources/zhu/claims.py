"""The claim ``zhu/balanced-ce`` (catalogue §6): statement, prediction and observation."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from nctheory.claims.base import Claim, Prediction
from nctheory.claims.common import CE_UFM, CERTIFIED_OPTIONS
from nctheory.claims.sources.zhu.accuracy import TOLERANCES, ZERO_BAND
from nctheory.claims.sources.zhu.formulas import zhu_closed_form
from nctheory.claims.sources.zhu.symbolic import forms, numeric
from nctheory.explore.onsets.experiment import onset_experiment
from nctheory.geometry import centering
from nctheory.model import Problem
from nctheory.claims.common import centred_grams, centred_logits, centring_of
from nctheory.observe import H_of, ZERO_LOGIT_TOL, bias_of, centred_classifier, is_grouped
from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K
from nctheory.solvers.certified.groups import GroupStructure

SOURCE = "Zhu et al., 'A geometric analysis of neural collapse with unconstrained features', arXiv 2105.02375"


def _predict(problem: Problem) -> Prediction:
    K, n = problem.K, problem.sizes[0]
    f = zhu_closed_form(K, n, problem.lambda_w, problem.lambda_h)
    # K × K predictions as grouped matrices (one group) beyond DENSE_MAX_K classes
    S = centering(K) if K <= DENSE_MAX_K else centring_of(GroupStructure.from_problem(problem))
    scaled = (lambda M, c: c * M) if K <= DENSE_MAX_K else (lambda M, c: M.scaled(c))
    q: dict = {
        "rho": f["rho"],
        "w_sq_norm": np.full(K, f["w_sq"]),
        "h_sq_norm": np.full(K, f["h_sq"]),
        "gram_W": scaled(S, f["w_sq"] * K / (K - 1)),
        "gram_H": scaled(S, f["h_sq"] * K / (K - 1)),
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
    # the ETF point with b = 0 is feasible and has this objective (without a bias penalty term at b = 0)
    return Prediction("zhu/balanced-ce", problem, q, "; ".join(notes), objective=f["objective"])


def _observe_grouped(problem: Problem, solution) -> dict:
    """The same quantities from a compact (symmetric-solver) solution, through traces of grouped matrices."""
    GW, GH = centred_grams(solution)
    Z = centred_logits(solution)
    counts = solution.structure.counts.astype(float)
    tr = lambda M: float(counts @ M.diagonal)  # noqa: E731 (trace of a grouped matrix)
    alpha = math.sqrt(problem.lambda_w / (problem.lambda_h * problem.sizes[0]))
    floor = 1e-8 * (problem.lambda_w / problem.lambda_h) ** 0.25
    resid_sq = max(tr(GH) - 2 * alpha * tr(Z) + alpha * alpha * tr(GW), 0.0)  # ‖H̄ − αWᵀ‖² with W centred
    b = bias_of(solution)
    out = {
        "rho": tr(Z) / problem.K,
        "w_sq_norm": solution.structure.expand(GW.diagonal),
        "h_sq_norm": solution.structure.expand(GH.diagonal),
        "gram_W": GW,
        "gram_H": GH,
        "self_duality_residual": math.sqrt(resid_sq) / max(math.sqrt(max(tr(GH), 0.0)), floor),
        "b_spread": float(np.ptp(b)),
        "zero_solution": bool(Z.max_abs() <= ZERO_LOGIT_TOL),
    }
    if problem.bias != "free":
        out["b_norm"] = float(np.linalg.norm(b))
    return out


def _observe(problem: Problem, solution) -> dict:
    if is_grouped(solution):
        return _observe_grouped(problem, solution)
    # centred classifier: Σ_k w_k = 0 at the optimum; the solver's mean classifier is flat-direction noise
    W = centred_classifier(solution)
    H = H_of(solution)
    Z = W @ H
    GW, GH = W @ W.T, H.T @ H
    alpha = math.sqrt(problem.lambda_w / (problem.lambda_h * problem.sizes[0]))
    # floor: a feature matrix of norm 1e-8·(natural feature unit) counts as zero
    floor = 1e-8 * (problem.lambda_w / problem.lambda_h) ** 0.25
    b = bias_of(solution)
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


BALANCED_CE = Claim(
    id="zhu/balanced-ce",
    source=SOURCE,
    provenance=("recalled", "derived"),
    statement=(
        "Balanced CE (K classes of n samples), any bias (the source: bias with λ_b > 0), d ≥ K−1. "
        "s := √(nλ_Wλ_H). If Ks ≥ 1 the unique minimiser is 0. Else ρ* = ((K−1)/K)log((1−(K−1)s)/s), "
        "‖w_k‖² = √(nλ_H/λ_W)ρ*, ‖h_k‖² = √(λ_W/(nλ_H))ρ*, WWᵀ = ‖w‖²(K/(K−1))S (simplex ETF), "
        "h_{k,i} = √(λ_W/(λ_H n)) w_k (self-duality, residual ‖H̄ − αWᵀ‖/‖H̄‖ predicted 0), b = 0 "
        "(free bias: b only up to a constant shift, so its spread is 0). Canonical convention: Zhu et al. also sum the "
        "feature penalty (λ_H/2)‖H‖² over samples (their w = √(nλ_H/λ_W) h holds only so; no conversion). "
        "Not checked here: the landscape statement (no spurious local minima for d > K) [recalled]."
    ),
    requires=replace(CE_UFM, balanced=True),
    predict=_predict,
    observe=_observe,
    reference=("auto",),  # the exact solver: dense, or symmetric (one group) for many classes
    defaults=_defaults,
    tolerances=TOLERANCES,
    symbolic=forms,
    numeric=numeric,
    solver_options=CERTIFIED_OPTIONS,
    experiments=(onset_experiment("zhu/balanced-ce", "lambda"),),  # λ* = 1/(K√n) located by certified bisection
)
