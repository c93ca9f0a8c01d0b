r"""The onset claims of Hong & Ling (catalogue §2): ``hong-ling/threshold`` and ``hong-ling/asymptotic``."""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Prediction
from nctheory.claims.forms import closed_forms
from nctheory.claims.common import centred_logits
from nctheory.claims.sources.hong_ling import accuracy as acc
from nctheory.claims.sources.hong_ling import symbolic
from nctheory.claims.sources.hong_ling.experiments import epsilon_invariance, etf_direction_path
from nctheory.claims.sources.hong_ling.family import HONG_LING
from nctheory.claims.sources.hong_ling.formulas import (collapse_clusters, critical_epsilon, critical_majority_size,
                                                        critical_minority_size, epsilon, threshold_lambda,
                                                        two_clusters, zero_objective)
from nctheory.claims.sources.hong_ling.provenance import PITFALLS
from nctheory.claims.sources.hong_ling.requirements import THRESHOLD_REQUIRES, UFM_REQUIRES
from nctheory.claims.sources.hong_ling.structure import collapse_measure
from nctheory.explore.onsets.experiment import onset_experiment
from nctheory.model import Problem
from nctheory.observe import ZERO_LOGIT_TOL, max_abs


# =========================================================================== HL-threshold
def _threshold_predict(problem: Problem) -> Prediction:
    cl = collapse_clusters(problem)
    N = problem.N
    lam = problem.lam
    crit = np.array([threshold_lambda(problem.sizes[c[0]], N) for c in cl])
    q: dict = {"critical_lambda": crit}
    near = [bool(acc.near(lam, x)) for x in crit]
    notes = [f"cluster sizes {[int(problem.sizes[c[0]]) for c in cl]}: collapsed iff λN ≥ √n_c "
             f"(λN = {lam * N:.6g}, √n_c = {[round(math.sqrt(problem.sizes[c[0]]), 6) for c in cl]})"]
    if any(near):
        notes.append(f"λ within {acc.THRESHOLD_BAND:g} (relative) of a critical λ: collapse bools not predicted")
    else:
        q["cluster_collapsed"] = np.array([lam >= x for x in crit])
    pair = two_clusters(problem)
    if pair is not None and pair[1].size >= 2:
        A, B = pair
        nA, nB = problem.sizes[A[0]], problem.sizes[B[0]]
        cnb = critical_minority_size(nA, A.size, B.size, lam)
        if math.isfinite(cnb):
            q["critical_nB"] = cnb
        else:
            notes.append("4λ²K_AK_Bn_A ≥ 1: every minority size collapses at this n_A (no critical n_B)")
        q["critical_nA"] = critical_majority_size(nB, A.size, B.size, lam)
        if not any(near):
            q["minority_collapsed"] = bool(lam * N >= math.sqrt(nB))
    return Prediction("hong-ling/threshold", problem, q, "; ".join(notes))


def _threshold_observe(problem: Problem, solution) -> dict:
    measures = [collapse_measure(solution, c) for c in collapse_clusters(problem)]
    out = {"cluster_collapsed": np.array([m <= acc.COLLAPSE_TOL for m in measures])}
    pair = two_clusters(problem)
    if pair is not None and pair[1].size >= 2:
        out["minority_collapsed"] = bool(collapse_measure(solution, pair[1]) <= acc.COLLAPSE_TOL)
    return out


THRESHOLD = HONG_LING(
    id="hong-ling/threshold",
    statement=(
        "HL-threshold ('sharp threshold' in the abstract; formula derived): minority collapse (h̄_j = h̄_k and "
        "w_j = w_k for all j, k in the minority cluster B, K_B ≥ 2) ⇔ λN ≥ √n_B, i.e. N²λ_Wλ_H ≥ n_B; "
        "independent of K_A, λ_b and the bias. Equivalent forms: critical λ* = √n_B/N; at fixed n_A, collapse "
        "iff n_B ≤ [(1 − √(1 − 4λ²K_AK_Bn_A))/(2λK_B)]² (always if 4λ²K_AK_Bn_A ≥ 1); at fixed n_B, collapse "
        "iff n_A ≥ (√n_B/λ − K_Bn_B)/K_A. General rule: a cluster of ≥ 2 equal-size classes (size n_c) stays "
        "separated iff λN < √n_c. Observed collapse: max within-cluster ‖w_j−w_k‖²/max‖w‖² (and for h̄) ≤ 1e-5. "
        "locate_threshold_lambda() finds λ* by bisection on certified solves. Canonical convention (the "
        "authors' no-½ penalties give N²λ_Wλ_H ≥ n_B/4 in their symbols). " + PITFALLS
    ),
    requires=THRESHOLD_REQUIRES,
    predict=_threshold_predict,
    observe=_threshold_observe,
    # λN vs √n_B = √5 ≈ 2.236 (N = 115): λ = 0.015 → 1.73 (separated), λ = 0.025 → 2.88 (collapsed)
    defaults=lambda: [Problem(sizes=(50, 50, 5, 5, 5), lambda_w=0.015, lambda_h=0.015),
                      Problem(sizes=(50, 50, 5, 5, 5), lambda_w=0.025, lambda_h=0.025)],
    tolerances=acc.THRESHOLD_TOLERANCES,
    **closed_forms(symbolic, "threshold"),
    experiments=(onset_experiment("hong-ling/threshold", "lambda"),),  # λ* located by certified bisection
)


# =========================================================================== HL-asymptotic
def _asym_predict(problem: Problem) -> Prediction:
    eps = epsilon(problem)
    e0 = critical_epsilon(problem)
    q: dict = {"epsilon": eps, "critical_epsilon": e0, "zero_onset_N": (e0 / problem.lam) ** 2}
    objective = None
    if not acc.near(eps, e0):
        q["zero_solution"] = bool(eps >= e0)
        if q["zero_solution"]:
            objective = zero_objective(problem)  # W = 0, H = 0 with the optimal bias: a feasible point
    notes = ("per instance only the exact zero regime is checkable (Z̄ = 0 iff ε = λ√N ≥ ε₀(π, bias)); "
             "λ fixed, N → ∞ reaches it at N = zero_onset_N. The ε-invariance and the slow approach of Z̄'s "
             "columns to the ETF direction for λ = c/N relate several instances: check them with "
             "epsilon_family() / logit_etf_distance() along a sequence")
    return Prediction("hong-ling/asymptotic", problem, q, notes, objective=objective)


def _asym_observe(problem: Problem, solution) -> dict:
    return {"zero_solution": bool(max_abs(centred_logits(solution)) <= ZERO_LOGIT_TOL)}


ASYMPTOTIC = HONG_LING(
    id="hong-ling/asymptotic",
    statement=(
        "HL-asymptotic: with proportions π fixed only ε = λ√N matters (Z̄ and b are identical along "
        "epsilon_family, W and H̄ scale). λ fixed, N → ∞: Z̄ → 0 — in fact exactly 0 once ε ≥ ε₀ = "
        "‖(p1ᵀ − I)diag(√π)‖₂ (p = softmax of the optimal bias at Z̄ = 0). λ = c/N (ε → 0): the columns of Z̄ "
        "tend to the simplex-ETF direction, slowly (logarithmically), while W and H̄ stay non-ETF. Per "
        "instance the verifier checks the zero regime; the sequence statements are checked along given "
        "sequences (tests: monotone decrease of logit_etf_distance). Canonical convention. " + PITFALLS
    ),
    requires=UFM_REQUIRES,
    predict=_asym_predict,
    observe=_asym_observe,
    defaults=lambda: [Problem(sizes=(20, 20, 4, 4), lambda_w=0.05, lambda_h=0.05),
                      Problem(sizes=(20, 20, 4, 4), lambda_w=0.01, lambda_h=0.01)],
    tolerances=acc.ASYMPTOTIC_TOLERANCES,
    **closed_forms(symbolic, "asymptotic"),
    experiments=(epsilon_invariance, etf_direction_path),
)
