r"""Policies shared by the claims about the CE unconstrained feature model (Zhu et al., Hong & Ling, AllNC).

* :data:`CE_UFM`, :func:`ce_ufm` -- where they apply: CE, learned classifier, depth 1, free features, penalties,
  d >= K-1 (plus the conditions a claim adds).
* :data:`CERTIFIED_OPTIONS` -- their reference solves: the certified solver at relative gap 1e-12.
* :data:`BIAS_TOLERANCE`, :data:`REGULARIZED_BIAS_TOLERANCE` -- bias quantities, with the rigorous
  certificate allowance :math:`\|b - b^*\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}` for a regularized bias;
  :data:`CLOSED_FORM_TOLERANCES` -- those and the exact objective, for the balanced closed forms.
* :data:`ACCURACY` -- the measurement behind their position tolerances (text for ``why=``).
* :func:`centred_logits`, :func:`centred_grams` -- the gauge these claims observe in: the mean classifier
  removed (built from the shared readers of :mod:`nctheory.observe`).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Requires, Tolerance, bias_distance_bound
from nctheory.claims.conditions import dim_at_least_k_minus_1
from nctheory.observe import H_of, centred_classifier, is_grouped

#: The CE UFM (reduction R2 exact).
CE_UFM = Requires.ufm("ce", conditions=(dim_at_least_k_minus_1,))
#: The CE UFM at any d (statements about every d, e.g. NC1).
CE_UFM_ANY_DIM = Requires.ufm("ce")


def ce_ufm(*conditions, any_dim: bool = False, **fields) -> Requires:
    """:data:`CE_UFM` (or :data:`CE_UFM_ANY_DIM`) with further ``conditions`` and field overrides."""
    base = () if any_dim else (dim_at_least_k_minus_1,)
    return Requires.ufm("ce", conditions=base + tuple(conditions), **fields)


#: Target relative gap of the certified reference solves of these claims: reached with status "optimal" on all
#: 3200 random instances measured (1e-13 stopped "inaccurate" on 1 of 300, at rel gap 1.0003e-13).
REFERENCE_TOL = 1e-12
CERTIFIED_OPTIONS = {"certified": {"tol": REFERENCE_TOL}}

#: Where the position tolerances come from.  A certified solve fixes the objective to the relative gap, but
#: the minimiser only to ~sqrt(gap/curvature) along flat directions (large CE margins at small λ, the bias,
#: within-cluster directions).  Measured at rel gap 1e-12 over 1200 random instances per claim (K <= 6, sizes
#: <= 80, λ in [1e-5, 0.3], λ_H/λ_W in [0.03, 30], every bias) against the exact predictions.
ACCURACY = ("certified rel gap 1e-12 (REFERENCE_TOL) fixes the minimiser to ~sqrt(gap/curvature) in flat "
            "directions; over 1200 random instances (λ down to 1e-5, λ_H/λ_W in [0.03, 30], any bias) the worst "
            "deviation was ")

#: Floor for bias differences with a free bias (b is then fixed by stationarity in b alone, with curvature the
#: CE's p(1-p), ~e^{-margin} at large margins: no certificate bound exists).
FREE_BIAS_FLOOR = 2e-3


def bias_difference_bound(problem, solution) -> float:
    r"""Rigorous bound on a difference of two bias entries (or of two entry means, or a spread):
    :math:`|(b_i - b^*_i) - (b_j - b^*_j)| \le \sqrt 2\,\|b - b^*\| \le \sqrt 2\sqrt{2\,\mathrm{gap}/\lambda_b}`."""
    return math.sqrt(2.0) * bias_distance_bound(problem, solution)


#: Bias differences and spreads.
BIAS_TOLERANCE = Tolerance(FREE_BIAS_FLOOR, 0.0,
                           "free bias: weakly determined (curvature p(1-p) at large margins), worst 5.5e-4 measured "
                           "at rel gap 1e-12 over 1200 random instances (a spread at λ ≈ 1e-5), floor 2e-3; "
                           "regularized: + the certificate bound √2·√(2 gap/λ_b) (measured <= 0.9 of it)",
                           certificate=bias_difference_bound)

#: Bias values, predicted only without a bias or with a regularized one.
REGULARIZED_BIAS_TOLERANCE = Tolerance(3e-7, 0.0,
                                       "certificate bound √(2 gap/λ_b) on ‖b − b*‖ (measured <= 0.6 of it at rel gap "
                                       "1e-12); 3e-7 covers a gap that rounds to 0 (measured <= 9e-8 there)",
                                       certificate=bias_distance_bound)

#: The entries the balanced closed-form claims (Zhu et al., its label-smoothing extension) share: the exact objective
#: and the two bias readings.
CLOSED_FORM_TOLERANCES = {
    "objective": Tolerance(0.0, 1e-9, "the closed-form objective is exact to rounding; a certified solve fixes the "
                           "value to its relative gap (1e-12)"),
    "b_spread": BIAS_TOLERANCE,
    "b_norm": REGULARIZED_BIAS_TOLERANCE,
}


# ------------------------------------------------------------------------------ the observation gauge
def grouped_form(problem) -> bool:
    """Whether a claim predicts in grouped form (:class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix`
    values): exactly when a grouped reference solver answers -- the sizes fall into C <= K/2 equal-size groups and
    K >= the symmetric solvers' threshold -- so prediction and observation both stay O(C²)."""
    from nctheory.solvers.registry import SYMMETRIC_MIN_K

    return problem.K >= SYMMETRIC_MIN_K and 2 * len(set(problem.sizes)) <= problem.K


def centring_of(structure):
    r""":math:`S = I - J/K` as a :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` of ``structure``."""
    from nctheory.solvers.certified.grouped_matrix import GroupedMatrix

    C = structure.C
    return GroupedMatrix.from_entries(structure, np.ones(C), np.full((C, C), -1.0 / structure.K))


def centred_logits(solution) -> np.ndarray:
    r"""Bias-free mean logits with the mean classifier removed, :math:`SW\bar H` (K × K, column k = class k).

    At every global minimiser of the CE UFM :math:`\mathbf 1^\top\bar Z = 0` (centring the columns of
    :math:`\bar Z` lowers :math:`\|\bar ZD^{1/2}\|_*` and leaves CE unchanged), hence :math:`\sum_k w_k = 0`.
    A solver's departure from it lies in a direction where the objective is flat to second order (curvature
    ~λσ₁(Y)): a certified solve carries a mean classifier of size ~sqrt(gap/(λσ₁)) (measured ~5e-4 at rel gap
    1e-10, K = 2, λ = 1e-3).  Observing in this gauge projects that solver noise out instead of comparing it.
    On a compact (grouped) solution the result is the grouped matrix :math:`S\,W\bar H`.
    """
    if is_grouped(solution):
        return centring_of(solution.structure) @ solution.gram_WH
    return centred_classifier(solution) @ H_of(solution)


def centred_grams(solution) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`((SW)(SW)^\top, \bar H^\top\bar H)`, symmetrised (see :func:`centred_logits` for the gauge);
    grouped matrices for a compact solution."""
    if is_grouped(solution):
        S = centring_of(solution.structure)
        return S @ solution.gram_WW @ S, solution.gram_HH
    W = centred_classifier(solution)
    H = H_of(solution)
    GW, GH = W @ W.T, H.T @ H
    return 0.5 * (GW + GW.T), 0.5 * (GH + GH.T)
