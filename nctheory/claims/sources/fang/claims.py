r"""The Fang et al. 2021 claims (catalogue §6, FANG-LPM): the layer-peeled model.

* ``fang/lpm-balanced``: balanced classes give the simplex ETF.
* ``fang/minority-collapse``: two clusters; the minority classifiers collapse exactly beyond a finite onset
  :math:`R_0` (derived here; Fang et al.'s Theorem 5 states R → ∞).
* ``fang/oversampling``: oversampling to balance restores the ETF.

References: the certified first-order solver ``certified:lpm`` (its grouped variant ``certified:lpm-symmetric`` at
K >= 50 with grouped sizes, where predictions and observations are grouped matrices: the claims run at K = 10⁵), then
the Gram SDP ``convex:lpm`` as an independent check.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nctheory.claims.base import Prediction, Requires
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.common import grouped_form
from nctheory.explore.onsets.experiment import onset_experiment
from nctheory.claims.conditions import two_size_clusters
from nctheory.claims.sources.fang import symbolic
from nctheory.claims.sources.fang.accuracy import COLLAPSE_SQ_TOL, LPM_TOLERANCES, OVERSAMPLING_TOLERANCES
from nctheory.claims.sources.fang.formulas import (balanced_prediction, budgets, clusters, oversample,
                                                   two_cluster_prediction)
from nctheory.claims.sources.fang.onset import predicted_onset
from nctheory.model import Bias, Constraint, Problem
from nctheory.observe import H_of, W_of, grams, is_grouped, zbar
from nctheory.solvers.certified.groups import GroupStructure

SOURCE = "Fang et al. 2021, arXiv 2101.12699"

#: The certified first-order layer-peeled solver (its own dual bound); at K >= 50 with grouped sizes the engine takes
#: its grouped variant ``certified:lpm-symmetric`` (so the claims run at K = 10⁵); the Gram SDP ``convex:lpm`` (R4,
#: Clarabel) is the second, independent reference (``--method convex:lpm``).
LPM_METHOD = "certified:lpm"


# ---------------------------------------------------------------------------------------- requirements
def minority_of_two(problem) -> list[str]:
    """With two size clusters, at least 2 minority classes (collapse is between minority classes)."""
    cl = clusters(problem)
    if cl is not None and not problem.balanced and cl[2] < 2:
        return ["sizes: need K_B >= 2 minority classes (collapse is between minority classes)"]
    return []


def oversampled(problem) -> list[str]:
    """The oversampled training set is balanced."""
    if not problem.balanced:
        return ["sizes: the claim is about the oversampled (balanced) training set; pass fang.oversample(problem)"]
    return []


#: The layer-peeled model: CE, learned classifier, free features, depth 1, no bias, the average norm budgets.
LPM = Requires.ufm("ce", constraint=(Constraint.AVERAGE,), bias=(Bias.NONE,))


# ---------------------------------------------------------------------------------------- observation
def lpm_observe(problem: Problem, solution) -> dict:
    """Grams, logits, objective and (two clusters, K_B >= 2) the squared minority spreads and collapse."""
    if is_grouped(solution):
        return _lpm_observe_grouped(problem, solution)
    W, M = W_of(solution), H_of(solution)
    gram_WW, gram_HH = grams(solution)
    out = {"gram_WW": gram_WW, "gram_HH": gram_HH, "logits_mean": zbar(solution),
           "objective": float(solution.objective)}
    cl = clusters(problem)
    if cl is not None and cl[2] >= 2:
        minority = np.flatnonzero(~cl[0])
        e_w, e_h = budgets(problem)
        dw = W[minority][:, None, :] - W[minority][None, :, :]
        dh = M[:, minority].T[:, None, :] - M[:, minority].T[None, :, :]
        out["minority_w_spread_sq"] = float(np.max(np.sum(dw * dw, axis=2))) / e_w
        out["minority_h_spread_sq"] = float(np.max(np.sum(dh * dh, axis=2))) / e_h
        out["minority_collapsed"] = bool(out["minority_w_spread_sq"] <= COLLAPSE_SQ_TOL)
    return out


def _lpm_observe_grouped(problem: Problem, solution) -> dict:
    r""":func:`lpm_observe` on a compact solution: inside an equal-size group every pair has
    :math:`\|w_j - w_k\|^2 = 2(G_{jj} - G_{jk})`, twice the group's within-group value (``perp``) of the Gram."""
    out = {"gram_WW": solution.gram_WW, "gram_HH": solution.gram_HH, "logits_mean": solution.gram_WH,
           "objective": float(solution.objective)}
    cl = clusters(problem)
    if cl is not None and cl[2] >= 2:
        minority = int(np.argmin(solution.structure.sizes))
        e_w, e_h = budgets(problem)
        out["minority_w_spread_sq"] = 2.0 * max(float(solution.gram_WW.perp[minority]), 0.0) / e_w
        out["minority_h_spread_sq"] = 2.0 * max(float(solution.gram_HH.perp[minority]), 0.0) / e_h
        out["minority_collapsed"] = bool(out["minority_w_spread_sq"] <= COLLAPSE_SQ_TOL)
    return out


def _min_pair_distance_sq(G) -> float:
    r""":math:`\min_{j \ne k}\|w_j - w_k\|^2` from a grouped Gram: :math:`2\,\mathrm{perp}_g` inside a group of
    two or more classes, :math:`G_{jj} + G_{kk} - 2G_{jk}` across groups."""
    st, d, B = G.structure, G.diagonal, G.block
    inside = [2.0 * G.perp[g] for g in range(st.C) if st.counts[g] >= 2]
    across = [d[h] + d[g] - 2.0 * B[h, g] for h in range(st.C) for g in range(h + 1, st.C)]
    return float(min(inside + across))


def _oversampling_observe(problem: Problem, solution) -> dict:
    out = lpm_observe(problem, solution)
    if is_grouped(solution):
        out["min_pair_w_dist_sq"] = _min_pair_distance_sq(solution.gram_WW) / float(problem.e_w)
        return out
    W = W_of(solution)
    D = np.sum((W[:, None, :] - W[None, :, :]) ** 2, axis=2)
    out["min_pair_w_dist_sq"] = float(np.min(D[np.triu_indices(problem.K, 1)])) / float(problem.e_w)
    return out


# ---------------------------------------------------------------------------------------- prediction
def _structure(problem: Problem):
    """The group structure when the claim predicts in grouped form (:func:`~nctheory.claims.common.grouped_form`)."""
    return GroupStructure.from_problem(problem) if grouped_form(problem) else None


def _balanced_predict(problem: Problem) -> Prediction:
    q = balanced_prediction(problem.K, *budgets(problem), structure=_structure(problem))
    # the ETF with both budgets active is feasible and has this objective
    return Prediction("fang/lpm-balanced", problem, q, notes="simplex ETF, h_k = sqrt(E_H/E_W) w_k",
                      objective=q["objective"])


def _collapse_predict(problem: Problem) -> Prediction:
    q, sol = two_cluster_prediction(problem, grouped=grouped_form(problem))
    e_w, e_h = budgets(problem)
    R0 = predicted_onset(sol.K_A, sol.K_B, e_w * e_h)
    state = "collapsed (s_B = 0)" if sol.minority_collapsed else f"separated (s_B = {sol.s_B:.4g})"
    # the symmetric Z meets the nuclear-norm budget to ~5e-14 relative (reduction module doc): a feasible point's value
    return Prediction("fang/minority-collapse", problem, q, notes=f"R = {sol.R:.6g}, onset R0 = {R0:.8g}: minority "
                      + state, objective=q["objective"])


def _oversampling_predict(problem: Problem) -> Prediction:
    e_w, e_h = budgets(problem)
    q = balanced_prediction(problem.K, e_w, e_h, structure=_structure(problem))
    q["min_pair_w_dist_sq"] = 2 * e_w * problem.K / (problem.K - 1) / e_w
    return Prediction("fang/oversampling", problem, q,
                      notes="oversampled to balance: the simplex ETF is restored (no class pair collapses)",
                      objective=q["objective"])


def _default_collapse() -> list[Problem]:
    # R0(2, 2, 1) = 3.3805 (predicted_onset; SDP bisection agrees to ~4e-6): one separated and one collapsed instance
    return [
        Problem(sizes=(20, 20, 10, 10), constraint="average", e_w=1.0, e_h=1.0, lambda_w=0.0, lambda_h=0.0),
        Problem(sizes=(50, 50, 5, 5), constraint="average", e_w=1.0, e_h=1.0, lambda_w=0.0, lambda_h=0.0),
    ]


# ---------------------------------------------------------------------------------------- claims
#: The LPM claims: read by :func:`lpm_observe`, solved by the certified LPM solver with ``convex:lpm`` as the check.
LPM_CLAIM = ClaimFamily(source=SOURCE, provenance=("recalled", "derived"), observe=lpm_observe,
                        reference=(LPM_METHOD, "convex:lpm"), tolerances=LPM_TOLERANCES)

LPM_BALANCED = LPM_CLAIM(
    id="fang/lpm-balanced",
    statement=(
        "Layer-peeled model (CE, (1/K) sum ||w_k||^2 <= E_W, (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H), "
        "balanced classes: the global minimiser is a simplex ETF with h_{k,i} = sqrt(E_H/E_W) w_k, "
        "WW^T = E_W K/(K-1) S; logits and objective depend on E_W E_H only."
    ),
    requires=replace(LPM, balanced=True),
    predict=_balanced_predict,
    defaults=lambda: [Problem(sizes=(5, 5, 5), constraint="average", e_w=2.0, e_h=0.5, lambda_w=0.0, lambda_h=0.0)],
    **closed_forms(symbolic, "balanced"),
)

MINORITY_COLLAPSE = LPM_CLAIM(
    id="fang/minority-collapse",
    statement=(
        "LPM with two clusters (K_A classes of n_A, K_B >= 2 of n_B, R = n_A/n_B): as R -> infinity the "
        "minority classifiers collapse, w_k - w_k' -> 0 (Fang et al. Theorem 5). Derived here: the collapse "
        "is exact at a finite onset R0(K_A, K_B, E_W E_H), where the multiplier mu of the nuclear-norm budget "
        "||WH||_* <= K sqrt(E_W E_H) reaches pi_B = 1/(K_A R + K_B); the Grams are gamma^2 (ZZ^T)^(1/2), "
        "(Z^T Z)^(1/2)/gamma^2 of a 4-parameter symmetric Z, gamma^2 = sqrt(E_W/E_H). Collapse is tested with "
        "squared distances ||w_k - w_k'||^2 / E_W, never cosines."
    ),
    requires=replace(LPM, conditions=(two_size_clusters, minority_of_two)),
    predict=_collapse_predict,
    defaults=_default_collapse,
    **closed_forms(symbolic, "collapse"),
    experiments=(onset_experiment("fang/minority-collapse", "R"),),  # R₀ located by certified bisection
)

OVERSAMPLING = LPM_CLAIM(
    id="fang/oversampling",
    statement=(
        "Oversampling the minority classes to balance (duplicates share their features) restores the "
        "simplex ETF in the LPM, whatever the original imbalance: in the LPM only the class weights change, "
        "and they become equal. The claim applies to the oversampled problem (fang.oversample(problem))."
    ),
    requires=replace(LPM, conditions=(oversampled,)),
    predict=_oversampling_predict,
    observe=_oversampling_observe,
    defaults=lambda: [oversample(_default_collapse()[1])],
    tolerances=OVERSAMPLING_TOLERANCES,
    **closed_forms(symbolic, "balanced"),
)

CLAIMS = [LPM_BALANCED, MINORITY_COLLAPSE, OVERSAMPLING]
