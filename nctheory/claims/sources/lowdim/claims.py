r"""The claim ``lowdim/polygon-d2``: balanced CE with d = 2 < K − 1 features (derivation in :mod:`.formulas`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.claims.base import Claim, Prediction, Requires, Tolerance
from nctheory.claims.sources.lowdim import symbolic
from nctheory.claims.sources.lowdim.formulas import polygon_closed_form
from nctheory.model import Bias, Problem
from nctheory.observe import ZERO_LOGIT_TOL

SOURCE = "derived here (d < K − 1: more classes than feature dimensions); no paper's statement is claimed"


def _plane(problem) -> list[str]:
    if problem.d != 2:
        return [f"d: the claim is about features in the plane (d = 2), got d = {problem.d}"]
    return []


REQUIRES = Requires.ufm("ce", balanced=True, bias=(Bias.NONE, Bias.REGULARIZED), min_classes=3, conditions=(_plane,))


def _sorted_cosines(G: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.maximum(np.diag(G), 1e-300))
    C = G / np.outer(d, d)
    K = C.shape[0]
    return np.sort(C[~np.eye(K, dtype=bool)].reshape(K, K - 1), axis=1)


def _predict(problem: Problem) -> Prediction:
    K, n = problem.K, problem.sizes[0]
    f = polygon_closed_form(K, n, problem.lambda_w, problem.lambda_h)
    q = {"zero_solution": f["zero"], "objective": f["value"], "logit_singular_values": f["singular_values"],
         "w_sq_norms": np.full(K, f["w_sq"]), "h_sq_norms": np.full(K, f["h_sq"])}
    if not f["zero"]:
        q["w_cosines_sorted"] = np.tile(f["cosines"], (K, 1))
        q["h_cosines_sorted"] = np.tile(f["cosines"], (K, 1))
    note = ("Ks >= 1: the zero solution" if f["zero"] else
            f"regular {K}-gon, Z̄ = aC with a* = {f['a']:.8g}; the ETF (rank {K - 1}) does not fit in d = 2")
    # the K-gon with b = 0 is a feasible point of the d = 2 model with this objective
    return Prediction("lowdim/polygon-d2", problem, q, note, objective=f["value"])


def _observe(problem: Problem, solution) -> dict:
    W = np.asarray(solution.W, dtype=np.float64)
    W = W - W.mean(axis=0, keepdims=True)  # CE ignores a common shift of the classifiers
    H = np.asarray(solution.H_mean, dtype=np.float64)
    Z = W @ H
    out = {"zero_solution": bool(np.abs(Z).max() <= ZERO_LOGIT_TOL), "objective": float(solution.objective),
           "logit_singular_values": np.linalg.svd(Z, compute_uv=False),
           "w_sq_norms": np.einsum("kd,kd->k", W, W), "h_sq_norms": np.einsum("dk,dk->k", H, H)}
    if not out["zero_solution"]:
        out["w_cosines_sorted"] = _sorted_cosines(W @ W.T)
        out["h_cosines_sorted"] = _sorted_cosines(H.T @ H)
    return out


@dataclass(frozen=True)
class RelaxationGap:
    lower_bound: float | None
    factored: float
    gap: float | None
    ok: bool
    certified: bool
    message: str


def relaxation_gap(problem: Problem) -> RelaxationGap:
    """The rank-free certified solve (a lower bound: status "relaxation" when its rank exceeds d) beside the
    predicted value: the prediction must not be below the bound; the gap is reported, and proves nothing."""
    from nctheory.solvers import solve

    f = polygon_closed_form(problem.K, problem.sizes[0], problem.lambda_w, problem.lambda_h)
    relax = solve(problem, method="certified", tol=1e-12)
    lb = relax.lower_bound
    if lb is None:
        return RelaxationGap(None, f["value"], None, False, False,
                             f"the rank-free certified solve gave no bound (status {relax.status.value})")
    gap = f["value"] - float(lb)
    ok = gap >= -1e-9 * max(1.0, abs(f["value"]))
    msg = (f"rank-free R2 (status {relax.status.value}, rank {relax.extra.get('rank')}) lower bound {float(lb):.8f}; "
           f"predicted K-gon value {f['value']:.8f}; relaxation gap {gap:.3e} ({gap / f['value']:.1%} of the value): "
           "R2 uses K − 1 dimensions, so the gap neither proves nor refutes the d = 2 optimum")
    return RelaxationGap(float(lb), f["value"], gap, bool(ok), False, msg)


CLAIM = Claim(
    id="lowdim/polygon-d2",
    source=SOURCE,
    provenance=("derived",),
    statement=(
        "Balanced CE UFM, depth 1, no bias (or a penalised one), features in the plane d = 2 < K − 1: the simplex ETF "
        "is infeasible; the global minimiser is the regular K-gon, Z̄ = a*C with C_jk = cos(2π(j−k)/K) (up to the "
        "labelling of the classes), a* minimising log Σ_j e^{−a(1−cos(2πj/K))} + Ks·a (s = √(nλ_Wλ_H)); zero iff "
        "Ks >= 1 (the ETF's threshold); ‖w_k‖² = √(nλ_H/λ_W)a*, ‖h̄_k‖² = √(λ_W/(nλ_H))a*, every class sees the "
        "cosines cos(2πj/K), j = 1..K−1, Z̄ has two singular values a*K/2. Reference: the factored solver's restarts "
        "(the d = 2 model is nonconvex: uncertified); the rank-free certified solve is a lower bound only, and its "
        "gap is reported by the sequence check relaxation_gap."
    ),
    requires=REQUIRES,
    predict=_predict,
    observe=_observe,
    reference=("factored",),
    defaults=lambda: [Problem(sizes=(5,) * 5, lambda_w=5e-3, lambda_h=5e-3, d=2),
                      Problem(sizes=(4,) * 7, lambda_w=1e-2, lambda_h=2e-2, d=2)],
    tolerances={"*": Tolerance(1e-7, 1e-6, "factored L-BFGS solves (gtol 1e-10) reproduce the K-gon's norms, cosines and "
                                            "singular values to <= 1.0e-7 relative to each quantity's largest entry "
                                            "(20 random instances: K in 3..8, n <= 29, λ in [3e-4, 6e-2], "
                                            "λ_H/λ_W in [0.1, 10]); 1e-6 relative (scaled with the largest entry of "
                                            "arrays) leaves a factor 10", scale="max"),
                "objective": Tolerance(0.0, 1e-9, "the K-gon value is a 1-D minimisation to ~1e-14; factored solves "
                                                  "reach it to <= 1.2e-16 relative (same 20 instances)")},
    experiments=(relaxation_gap,),
    symbolic=symbolic.forms,
    numeric=symbolic.numeric,
)

CLAIMS = [CLAIM]
