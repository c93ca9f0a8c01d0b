r"""Policies shared by the claims about the CE unconstrained feature model (Zhu et al., Hong & Ling, AllNC).

* :data:`CE_UFM` -- where they apply: CE, learned classifier, depth 1, free features, penalties, d >= K-1.
* :data:`CERTIFIED_OPTIONS` -- their reference solves: the certified solver at relative gap 1e-12.
* :data:`BIAS_TOLERANCE`, :data:`REGULARIZED_BIAS_TOLERANCE` -- bias quantities, with the rigorous
  certificate allowance :math:`\|b - b^*\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}` for a regularized bias.
* :data:`ACCURACY` -- the measurement behind their position tolerances (text for ``why=``).
"""

from __future__ import annotations

import math

from nctheory.claims.base import Requires, Tolerance, bias_distance_bound
from nctheory.claims.conditions import dim_at_least_k_minus_1

#: The CE UFM (reduction R2 exact).
CE_UFM = Requires.ufm("ce", conditions=(dim_at_least_k_minus_1,))
#: The CE UFM at any d (statements about every d, e.g. NC1).
CE_UFM_ANY_DIM = Requires.ufm("ce")

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
