r"""Claims of Yang et al. 2022, "Inducing Neural Collapse in Imbalanced Learning: Do We Really Need a
Learnable Classifier at the End of Deep Neural Network?" (arXiv 2203.09081), catalogue §5.

The classifier is **fixed** to a simplex ETF with row norms :math:`\sqrt{E_W}`:
:math:`W^*W^{*\top} = E_W\,\tfrac{K}{K-1}\,S`.  Only the features are optimised.

* ``yang/etf-ce`` — per-sample constraint :math:`\|h_{k,i}\|^2 \le E_H`, CE: for any class sizes every
  global minimiser is :math:`h_{k,i} = \sqrt{E_H/E_W}\,w^*_k`.
* ``yang/etf-dr`` — the dot-regression loss
  :math:`(w_c^{*\top}h - \sqrt{E_WE_H})^2/(2\sqrt{E_WE_H})` has the same unique minimiser (loss 0);
  its gradient at :math:`\|h\| = \sqrt{E_H}` is :math:`-(1-\cos\angle(h,w^*_c))\,w^*_c` (pull only;
  :func:`nctheory.diagnostics.feature_gradient_pull_push`).
* ``yang/etf-variants`` — weight decay on H instead of the constraint: :math:`\bar h_k = c\,w^*_k`
  with c independent of :math:`n_k`; Fang's average constraint: directions align, lengths depend on
  :math:`n_k` (derived here exactly; longer for larger classes).

Every prediction is stated with gauge-invariant quantities (Grams, norms, cosines with the
solution's own fixed classifier), so it can be read off any solver's answer.

Derivations (all per sample, since the fixed classifier decouples the samples).  For
:math:`h = c\,w^*_k` the logits are :math:`cE_W` (own) and :math:`-cE_W/(K-1)` (others), so the CE is

.. math::

    g(c) = \log\!\big(1 + (K-1)\,e^{-\kappa c}\big),\qquad \kappa = E_W\frac{K}{K-1},
    \qquad g'(c) = -\frac{K E_W}{e^{\kappa c} + K - 1}.

The loss restricted to a sphere :math:`\|h\| = r` is minimised uniquely at :math:`h \parallel w^*_k`
(the CE is strictly convex on the range of :math:`W^{*\top}` and symmetric under the permutations
fixing k), so each variant reduces to a problem in the scalars :math:`c_k`:

* per-sample: the constraint is active, :math:`c = \sqrt{E_H/E_W}`;
* penalty :math:`\frac1N\sum\ell + \frac{\lambda_H}2\|H\|^2`: :math:`\frac1N g'(c) + \lambda_H c E_W = 0`, i.e.
  :math:`c\,(e^{\kappa c} + K - 1) = K/(N\lambda_H)` — one root, the same for every class;
* average constraint :math:`\frac1K\sum_k c_k^2E_W = E_H`: :math:`\pi_k g'(c_k) + \frac{2\mu}{K}c_kE_W = 0`,
  i.e. :math:`c_k(e^{\kappa c_k} + K - 1) = \pi_k\,t` with one multiplier t fixed by the budget.
  :math:`c\mapsto c(e^{\kappa c}+K-1)` is increasing, so :math:`c_k` increases strictly with :math:`n_k`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.model import Problem

SOURCE = "Yang et al. 2022, arXiv 2203.09081"

#: Default row norm² of the fixed ETF when ``Problem.e_w`` is None (see nctheory.model.problem).
DEFAULT_E_W = 1.0


# =========================================================================== math
def etf_e_w(problem: Problem) -> float:
    """:math:`E_W` of the fixed classifier (``problem.e_w``, default 1)."""
    return DEFAULT_E_W if problem.e_w is None else float(problem.e_w)


def etf_gram(K: int, e_w: float) -> np.ndarray:
    r""":math:`W^*W^{*\top} = E_W\frac{K}{K-1}S`."""
    return e_w * K / (K - 1.0) * (np.eye(K) - 1.0 / K)


def ce_at_scale(c, K: int, e_w: float):
    r""":math:`g(c) = \log(1 + (K-1)e^{-\kappa c})`, the CE of :math:`h = c\,w^*_k` (κ = E_W K/(K−1))."""
    kappa = e_w * K / (K - 1.0)
    return np.log1p((K - 1.0) * np.exp(-kappa * np.asarray(c, dtype=float)))


def _phi(c: float, kappa: float, K: int) -> float:
    """:math:`c\\,(e^{\\kappa c} + K - 1)` (increasing in c >= 0)."""
    return c * (math.exp(kappa * c) + K - 1.0)


def _phi_inverse(y: float, kappa: float, K: int) -> float:
    """The c >= 0 with :math:`c(e^{\\kappa c} + K - 1) = y` (y >= 0)."""
    if y <= 0.0:
        return 0.0
    # phi(c) >= K c, so the root is at most y / K; phi(y/K) >= y.
    hi = y / K
    # phi also >= c e^{kappa c}: tighten the bracket when y is huge (keeps exp finite)
    if kappa * hi > 700.0:
        hi = min(hi, (math.log(y) + 1.0) / kappa + 1.0)
    return brentq(lambda c: _phi(c, kappa, K) - y, 0.0, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)


def penalty_scale(K: int, N: int, lambda_h: float, e_w: float) -> float:
    r"""The c of the weight-decay variant: the root of :math:`c\,(e^{\kappa c} + K - 1) = K/(N\lambda_H)`."""
    if lambda_h <= 0:
        raise ValueError(f"lambda_h: the penalty variant needs lambda_h > 0, got {lambda_h!r}")
    return _phi_inverse(K / (N * lambda_h), e_w * K / (K - 1.0), K)


def average_scales(weights, e_w: float, e_h: float) -> np.ndarray:
    r"""The :math:`c_k` of the average-constraint variant (:math:`\bar h_k = c_k w^*_k`).

    Solves :math:`c_k(e^{\kappa c_k} + K - 1) = \pi_k t` with t > 0 chosen so that
    :math:`\frac1K\sum_k c_k^2 E_W = E_H` (the budget is active: the loss decreases in every c_k).
    """
    pi = np.asarray(weights, dtype=float)
    K = pi.size
    kappa = e_w * K / (K - 1.0)
    target = K * e_h / e_w  # sum_k c_k^2

    def cs(log_t: float) -> np.ndarray:
        t = math.exp(log_t)
        return np.array([_phi_inverse(p * t, kappa, K) for p in pi])

    def excess(log_t: float) -> float:
        return float(np.sum(cs(log_t) ** 2) - target)

    lo, hi = 0.0, 1.0
    while excess(lo) > 0:
        lo -= 4.0
    while excess(hi) < 0:
        hi += 4.0
    log_t = brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return cs(log_t)


def predicted_scales(problem: Problem) -> np.ndarray:
    r"""Per class, the c_k with :math:`\bar h_k = c_k w^*_k` at the global minimiser (any constraint type)."""
    e_w = etf_e_w(problem)
    K = problem.K
    if problem.constraint == "per-sample":
        return np.full(K, math.sqrt(problem.e_h / e_w))
    if problem.constraint == "penalty":
        return np.full(K, penalty_scale(K, problem.N, problem.lambda_h, e_w))
    return average_scales(problem.weights, e_w, problem.e_h)


def predicted_objective(problem: Problem, c: np.ndarray) -> float:
    r"""Objective at :math:`h_{k,i} = c_k w^*_k`: :math:`\sum_k\pi_k g(c_k)`
    (+ :math:`\frac{\lambda_H}2\sum_k n_k c_k^2E_W`
    for the penalty variant; the fixed classifier's constant :math:`\frac{\lambda_W}2\|W^*\|^2` is not part of it,
    as in ``convex.solve_fixed_etf``: W is not optimised)."""
    e_w = etf_e_w(problem)
    loss = float(problem.weights @ ce_at_scale(c, problem.K, e_w))
    if problem.constraint == "penalty":
        loss += 0.5 * problem.lambda_h * float(problem.n @ (c * c)) * e_w
    return loss


# =========================================================================== observe helpers
def _fixed_etf_geometry(problem: Problem, solution) -> dict:
    """Gauge-invariant quantities of a fixed-classifier solution."""
    W = np.asarray(solution.W, dtype=float)
    M = np.asarray(solution.H_mean, dtype=float)
    wn2 = np.sum(W * W, axis=1)
    hn = np.linalg.norm(M, axis=0)
    proj = np.einsum("kd,dk->k", W, M)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(hn > 0, proj / (np.sqrt(wn2) * hn), np.nan)
    out = {
        "gram_HH": M.T @ M,
        "logits_mean": W @ M + np.asarray(solution.b, dtype=float)[:, None],
        "h_norms": hn,
        "cos_hw": cos,
        "scale_c": proj / wn2,
    }
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        out["max_within_class_deviation"] = float(np.max(np.linalg.norm(H - M[:, problem.labels], axis=0)))
    return out


def _predicted_geometry(problem: Problem, c: np.ndarray) -> dict:
    e_w = etf_e_w(problem)
    G = etf_gram(problem.K, e_w)
    return {
        "gram_HH": c[:, None] * G * c[None, :],
        "logits_mean": G * c[None, :],
        "h_norms": c * math.sqrt(e_w),
        "cos_hw": np.ones(problem.K),
        "scale_c": c.copy(),
        "max_within_class_deviation": 0.0,
    }


def _common_unmet(problem: Problem, loss: str = "ce") -> list[str]:
    unmet = []
    if problem.classifier != "fixed-etf":
        unmet.append("classifier: must be 'fixed-etf' (the classifier is frozen to a simplex ETF)")
    if problem.loss.name != loss:
        unmet.append(f"loss: must be {loss!r} (got {problem.loss.name!r})")
    if problem.bias != "none":
        unmet.append("bias: must be 'none' (Yang et al.'s model has no bias)")
    if problem.features != "free":
        unmet.append("features: must be 'free' (unconstrained features)")
    return unmet


# =========================================================================== yang/etf-ce
def _dr_assumptions(problem: Problem) -> list[str]:
    unmet = _common_unmet(problem, "dr")
    if problem.constraint != "per-sample":
        unmet.append("constraint: must be 'per-sample' (||h_{k,i}||^2 <= E_H for every sample)")
    return unmet


def _ce_assumptions(problem: Problem) -> list[str]:
    unmet = _common_unmet(problem)
    if problem.constraint != "per-sample":
        unmet.append("constraint: must be 'per-sample' (||h_{k,i}||^2 <= E_H for every sample)")
    return unmet


def _ce_predict(problem: Problem) -> Prediction:
    c = predicted_scales(problem)
    q = _predicted_geometry(problem, c)
    q["objective"] = predicted_objective(problem, c)
    return Prediction("yang/etf-ce", problem, q,
                      notes=f"h_(k,i) = sqrt(E_H/E_W) w*_k = {c[0]:.6g} w*_k for every sample")


def _ce_observe(problem: Problem, solution) -> dict:
    out = _fixed_etf_geometry(problem, solution)
    out["objective"] = float(solution.objective)
    return out


def _ce_sympy() -> dict:
    import sympy as sp

    K, E_W, E_H = sp.symbols("K E_W E_H", positive=True)
    c = sp.sqrt(E_H / E_W)
    kappa = E_W * K / (K - 1)
    return {
        "scale_c": c,
        "own_logit": c * E_W,
        "other_logit": -c * E_W / (K - 1),
        "objective": sp.log(1 + (K - 1) * sp.exp(-kappa * c)),
    }


_FIXED_TOL = {
    "*": Tolerance(1e-5, 1e-5, "convex:fixed-etf stops at relative gap 1e-11 .. 1e-10; each class's feature sits on "
                   "its active ball constraint, so its norm is exact (~1e-10) and its direction accurate to "
                   "~sqrt(gap): Gram/logit entries measured up to 2.4e-6 on 25 random instances, x4 margin"),
    "objective": Tolerance(1e-9, 1e-9, "interior-point objective accurate to its gap (measured <= 1.5e-11)"),
    "max_within_class_deviation": Tolerance(1e-5, 0.0, "per-sample features of a full-sample solve carry "
                                            "the solver's ~1e-6 direction error each"),
}


# =========================================================================== yang/etf-dr
def dr_objective(problem: Problem, solution) -> float:
    r"""Dot-regression objective :math:`\sum_k \pi_k (w_k^\top\bar h_k - \sqrt{E_WE_H})^2/(2\sqrt{E_WE_H})` at NC1
    (on all samples when the solution has them)."""
    e_w = etf_e_w(problem)
    t = math.sqrt(e_w * problem.e_h)
    W = np.asarray(solution.W, dtype=float)
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        proj = np.einsum("dn,nd->n", H, W[problem.labels])
        return float(np.mean((proj - t) ** 2) / (2 * t))
    proj = np.einsum("kd,dk->k", W, np.asarray(solution.H_mean, dtype=float))
    return float(problem.weights @ ((proj - t) ** 2) / (2 * t))


def _dr_predict(problem: Problem) -> Prediction:
    c = predicted_scales(problem)
    q = _predicted_geometry(problem, c)
    q["dr_objective"] = 0.0
    return Prediction("yang/etf-dr", problem, q,
                      notes="unique minimiser h = sqrt(E_H/E_W) w*_c with zero dot-regression loss")


def _dr_observe(problem: Problem, solution) -> dict:
    out = _fixed_etf_geometry(problem, solution)
    out["dr_objective"] = dr_objective(problem, solution)
    return out


def _dr_sympy() -> dict:
    import sympy as sp

    E_W, E_H, theta = sp.symbols("E_W E_H theta", positive=True)
    t = sp.sqrt(E_W * E_H)
    # w*_c^T h at ||h|| = sqrt(E_H), angle theta: sqrt(E_W) sqrt(E_H) cos(theta)
    proj = sp.sqrt(E_W) * sp.sqrt(E_H) * sp.cos(theta)
    return {
        "dr_loss_at_angle": (proj - t) ** 2 / (2 * t),
        # gradient = coefficient * w*_c; the claim: coefficient = -(1 - cos theta)
        "dr_gradient_coefficient": (proj - t) / t,
        "dr_gradient_coefficient_claimed": -(1 - sp.cos(theta)),
    }


_DR_TOL = {
    "*": Tolerance(3e-4, 3e-4, "the DR loss is flat at its minimiser (zero gradient, zero constraint multiplier), "
                   "so an objective accurate to eps ~ 2e-11 fixes w*_k^T h_k only to sqrt(2 sqrt(E_W E_H) eps / pi_k) "
                   "~ 4e-5 for pi_k ~ 0.04 (measured up to 4.2e-5 on 25 random instances), x7 margin"),
}
_DR_TOL["dr_objective"] = Tolerance(1e-8, 0.0, "the DR objective a solve reaches (measured <= 2.7e-11 on 25 random "
                                    "instances); 1e-8 admits the solver's fallback to Clarabel's default tolerances")


# =========================================================================== yang/etf-variants
def _variants_assumptions(problem: Problem) -> list[str]:
    unmet = _common_unmet(problem)
    if problem.constraint not in ("penalty", "average"):
        unmet.append("constraint: must be 'penalty' (weight decay on H) or 'average' (Fang's budget); "
                     "'per-sample' is yang/etf-ce")
    return unmet


def _length_order(problem: Problem, h_norms: np.ndarray) -> np.ndarray:
    """For every pair j, k with n_j > n_k: is ||h_j|| > ||h_k||? (flattened over those pairs, in index order)."""
    n = problem.n
    pairs = [(j, k) for j in range(problem.K) for k in range(problem.K) if n[j] > n[k]]
    return np.array([bool(h_norms[j] > h_norms[k]) for j, k in pairs], dtype=bool)


def _variants_predict(problem: Problem) -> Prediction:
    c = predicted_scales(problem)
    q = _predicted_geometry(problem, c)
    q["objective"] = predicted_objective(problem, c)
    if problem.constraint == "penalty":
        notes = f"penalty: h_k = c w*_k with c = {c[0]:.8g}, the same for every class"
    else:
        q["length_order"] = np.ones(len(_length_order(problem, np.zeros(problem.K))), dtype=bool)
        notes = "average constraint: h_k = c_k w*_k, c_k strictly increasing in n_k: " + \
            ", ".join(f"{x:.6g}" for x in c)
    return Prediction("yang/etf-variants", problem, q, notes=notes)


def _variants_observe(problem: Problem, solution) -> dict:
    out = _fixed_etf_geometry(problem, solution)
    out["objective"] = float(solution.objective)
    if problem.constraint == "average":
        out["length_order"] = _length_order(problem, out["h_norms"])
    return out


def _variants_sympy() -> dict:
    import sympy as sp

    K, N, lam_h, E_W, c, t, pi = sp.symbols("K N lambda_H E_W c t pi_k", positive=True)
    kappa = E_W * K / (K - 1)
    g = sp.log(1 + (K - 1) * sp.exp(-kappa * c))
    return {
        "ce_at_scale": g,
        # stationarity of (1/N) g(c) + (lambda_H/2) c^2 E_W in c (= 0 at the optimum), and its solved form
        "penalty_stationarity": sp.diff(g, c) / N + lam_h * c * E_W,
        "penalty_root_equation": c * (sp.exp(kappa * c) + K - 1) - K / (N * lam_h),
        # average constraint: c_k (e^{kappa c_k} + K - 1) = pi_k t
        "average_root_equation": c * (sp.exp(kappa * c) + K - 1) - pi * t,
    }


_VARIANTS_TOL = {
    "*": Tolerance(2e-4, 2e-4, "under the average budget a class of weight pi_k sits in a valley of curvature "
                   "pi_k g''(c_k) (~0.01 for weights ~0.02), so an objective accurate to ~1e-11 fixes its scale "
                   "only to sqrt(2 eps / (pi_k g'')) ~ 4e-5: measured up to 6e-5 (Gram) on 25 random instances, "
                   "x3 margin; the penalty variant is strongly convex and lands within 3e-6"),
    "objective": Tolerance(1e-8, 1e-8, "the solver may fall back to Clarabel's default 1e-8 tolerances "
                           "(measured <= 4.2e-10)"),
    "length_order": Tolerance(0.0, 0.0, "booleans must match exactly"),
}


# =========================================================================== registry
def _instances_ce() -> list[Problem]:
    return [
        Problem(sizes=(40, 10, 2), classifier="fixed-etf", constraint="per-sample", e_w=1.0, e_h=2.0,
                lambda_w=0.0, lambda_h=0.0),
        Problem(sizes=(30, 30, 5, 5), classifier="fixed-etf", constraint="per-sample", e_w=2.0, e_h=0.5,
                lambda_w=0.0, lambda_h=0.0),
    ]


def _instances_variants() -> list[Problem]:
    return [
        Problem(sizes=(40, 10, 2), classifier="fixed-etf", constraint="penalty", e_w=1.0,
                lambda_w=0.0, lambda_h=5e-3),
        Problem(sizes=(40, 10, 2, 2), classifier="fixed-etf", constraint="average", e_w=1.0, e_h=3.0,
                lambda_w=0.0, lambda_h=0.0),
    ]


CLAIMS = [
    Claim(
        id="yang/etf-ce",
        source=SOURCE,
        provenance=("recalled", "derived"),
        statement=(
            "Fixed simplex-ETF classifier W* (row norms sqrt(E_W)), per-sample constraint ||h_{k,i}||^2 <= E_H, "
            "CE loss: for ANY class sizes every global minimiser has h_{k,i} = sqrt(E_H/E_W) w*_k (NC holds under "
            "imbalance). Objective log(1 + (K-1) exp(-sqrt(E_W E_H) K/(K-1))). Canonical convention: loss averaged "
            "over the N samples, no penalties."
        ),
        requires=requires_from(_ce_assumptions),
        predict=_ce_predict,
        observe=_ce_observe,
        reference=("convex:fixed-etf", "factored"),
        defaults=_instances_ce,
        tolerances=_FIXED_TOL,
        symbolic=_ce_sympy,
    ),
    Claim(
        id="yang/etf-dr",
        source=SOURCE,
        provenance=("recalled", "derived"),
        statement=(
            "Dot-regression loss (w*_c^T h - sqrt(E_W E_H))^2 / (2 sqrt(E_W E_H)) with the fixed ETF and the "
            "per-sample constraint: the unique minimiser is h = sqrt(E_H/E_W) w*_c (loss 0), for any class sizes; "
            "at ||h|| = sqrt(E_H) the gradient is -(1 - cos(h, w*_c)) w*_c (pull only, no push). Verified by "
            "solving convex:fixed-etf with the dot-regression loss (Problem(loss='dr'), CLI --loss dr)."
        ),
        requires=requires_from(_dr_assumptions),
        predict=_dr_predict,
        observe=_dr_observe,
        reference=("convex:fixed-etf",),
        defaults=lambda: [p.with_(loss="dr") for p in _instances_ce()[:1]],
        tolerances=_DR_TOL,
        symbolic=_dr_sympy,
    ),
    Claim(
        id="yang/etf-variants",
        source=SOURCE,
        provenance=("derived",),
        statement=(
            "Fixed ETF classifier, CE. (a) Weight decay (lambda_H/2)||H||^2 instead of the constraint: "
            "h_{k,i} = c w*_k with c the root of c (exp(c E_W K/(K-1)) + K - 1) = K/(N lambda_H), independent of "
            "n_k. (b) Fang's average constraint (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H: h_{k,i} = c_k w*_k "
            "(directions align) with c_k (exp(c_k E_W K/(K-1)) + K - 1) = pi_k t, (1/K) sum c_k^2 E_W = E_H: "
            "lengths grow strictly with n_k."
        ),
        requires=requires_from(_variants_assumptions),
        predict=_variants_predict,
        observe=_variants_observe,
        reference=("convex:fixed-etf", "factored"),
        defaults=_instances_variants,
        tolerances=_VARIANTS_TOL,
        symbolic=_variants_sympy,
    ),
]
