"""Tolerances of the Zhu claim, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance
from nctheory.claims.common import ACCURACY, BIAS_TOLERANCE, REGULARIZED_BIAS_TOLERANCE

#: Relative band around Ks = 1 inside which the zero/nonzero bool is not predicted (ρ* ~ (1 − Ks) there, so the
#: observed logits would be at solver precision).
ZERO_BAND = 1e-3

TOLERANCES = {
    "*": Tolerance(1e-7, 1e-3, ACCURACY + "3.4e-4 relative (a squared norm ≈ 0.033; 1.2e-4 on a Gram entry ≈ 1, "
                               "5.2e-4 absolute on one ≈ 69); the zero regime gives exact zeros"),
    "self_duality_residual": Tolerance(1.5e-4, 0.0, ACCURACY + "4.0e-5 in ‖H̄ − αWᵀ‖/‖H̄‖"),
    "objective": Tolerance(0.0, 1e-9, "the closed-form objective is exact to rounding; a certified solve fixes the "
                           "value to its relative gap (1e-12)"),
    "b_spread": BIAS_TOLERANCE,
    "b_norm": REGULARIZED_BIAS_TOLERANCE,
}
