"""Tolerances and bands of the Hong & Ling claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance
from nctheory.claims.common import ACCURACY, BIAS_TOLERANCE, REGULARIZED_BIAS_TOLERANCE

#: Relative band around a threshold inside which a collapse/zero bool is not predicted: the
#: within-cluster singular value grows linearly, ~(1 - λ/λ*)·O(1), so at 1e-3 it is ~1e-3
#: times the logit scale, far above the accuracy of certified logits, while inside the band the
#: observed bool would depend on solver precision rather than on the claim.
THRESHOLD_BAND = 1e-3

#: An observed squared within-cluster spread (relative to the largest squared norm) at or below
#: this counts as collapsed.  Measured on 758 random certified solves (default rel gap 1e-10,
#: λ between 1e-3 and 0.5 relative from λ*): collapsed ≤ 8.5e-9, separated ≥ 1.2e-2; 1e-5 sits
#: well between them.
COLLAPSE_TOL = 1e-5

#: Normalised Gram distances above this count as "different" / "not ETF".  Balanced instances
#: showed distances up to 8.8e-5 at the default rel gap 1e-10 (solver noise); the distance grows
#: like ~0.33·(max n / min n − 1), so with DIFFER_MIN_RATIO it is ≳ 6e-3 where a bool is predicted.
DIFFER_TOL = 1e-3

#: The "differ / non-ETF" bools are predicted only when max n_k / min n_k ≥ this (or balanced):
#: below it the expected difference is under the solver's resolution.
DIFFER_MIN_RATIO = 1.02

#: Cosines are predicted only when the squared norms (in natural units, formulas.natural_units)
#: exceed this: below it the certified logits' error (up to ~1e-5 at tiny λ) is no longer small
#: relative to the vectors and the observed angle is noise.
COSINE_MIN_SQNORM = 1e-3

#: A per-sample feature / logit (NC1) or a Gram (no-etf, block) of 1e-8 in natural units counts as zero
#: in the denominators of relative residuals (exact zeros are returned in the zero regime).
ZERO_FLOOR = 1e-8


def near(x: float, x0: float, band: float = THRESHOLD_BAND) -> bool:
    """``|x/x0 − 1| < band``: too close to a threshold to predict a bool."""
    return abs(x / x0 - 1.0) < band


NC1_TOLERANCES = {"*": Tolerance(1e-4, 0.0, "cvxpy/Clarabel full-sample solves reach ~1e-8 in the objective; "
                                            "features are recovered from an SVD, so relative deviations of "
                                            "~sqrt(1e-8) = 1e-4 are solver noise, not a violation of NC1")}

NO_ETF_TOLERANCES = {
    "*": Tolerance(1e-6, 0.0, "the factor identities hold for any balanced factorisation of the solver's own Y: "
                              "they are exact up to rounding (measured 3e-8); 1e-6 still catches a wrong "
                              "(λ_W/λ_H)^{1/4} split, which changes them by O(1)"),
    "gram_distance": Tolerance(1.5e-4, 0.0, ACCURACY + "4.8e-5 for balanced instances"),
}

BLOCK_TOLERANCES = {
    "*": Tolerance(1.5e-4, 0.0, ACCURACY + "4.8e-5 in a relative block residual (block_residual_H; Z̄ 3.4e-5, "
                                "WWᵀ 9.8e-6)"),
    "bias_cluster_spread": BIAS_TOLERANCE,
}

ANGLES_TOLERANCES = {
    "*": Tolerance(2e-4, 6e-4, "KKT roots are solved to residual 1e-11; " + ACCURACY
                   + "7.3e-5 on a value ≈ 0.16, 6.0e-4 on one ≈ 2.9 and 1.7e-3 on one ≈ 51 (all with a "
                     "free bias at λ ≈ 2e-5); 2e-4 + 6e-4·|pred| keeps a ≥ 3x margin"),
    "bias_gap": BIAS_TOLERANCE, "b_A": REGULARIZED_BIAS_TOLERANCE, "b_B": REGULARIZED_BIAS_TOLERANCE,
}

THRESHOLD_TOLERANCES = {"*": Tolerance(0.0, 0.0, "booleans: must match exactly (not predicted within 1e-3 of a "
                                                 "threshold)")}

ASYMPTOTIC_TOLERANCES = {"*": Tolerance(0.0, 0.0, "booleans: must match exactly (not predicted within 1e-3 of ε₀)")}
