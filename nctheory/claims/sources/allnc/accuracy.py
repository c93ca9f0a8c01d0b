"""Tolerances and thresholds of the AllNC claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance

#: Relative squared spread :math:`\max_{j,k\in B}\|v_j - v_k\|^2 / \operatorname{mean}_{k}\|v_k\|^2` (mean over
#: **all** classes) at or below which a cluster counts as squeezed (collapsed).  The certified solver
#: soft-thresholds singular values, so a collapsed minority comes out with spread exactly 0 or at rounding
#: level (~1e-16 .. 1e-12 measured); a separated minority one part in 1e-6 away from the onset has a squared
#: spread ~1e-6 or more.  1e-8 separates the two.
SQUEEZE_SQ_TOL = 1e-8

#: Self-duality counts as broken when some class has :math:`1 - \cos\angle(w_k,\bar h_k)` above this.  The
#: fixed-ETF solves are accurate to ~1e-7 in the features, giving 1 - cos ~ 1e-12; a visible break in a
#: trained network is degrees (1 - cos(1°) = 1.5e-4).
SELF_DUALITY_TOL = 1e-6

#: NC1 counts as weakened above this.  Full-sample solves of the fixed-ETF model put every sample within
#: ~1e-8 of its class mean (measured), i.e. NC1 ~ 1e-16; trained networks report NC1 of 1e-3 .. 1.
NC1_TOL = 1e-8

SQUEEZE_TOLERANCES = {
    "minority_w_squeezed": Tolerance(0.0, 0.0, "boolean; instances within 1e-6 of the onset are ambiguous"),
    "minority_h_squeezed": Tolerance(0.0, 0.0, "boolean; instances within 1e-6 of the onset are ambiguous"),
    "*": Tolerance(SQUEEZE_SQ_TOL, 0.0, "a collapsed cluster comes out of the certified solver with singular "
                   "values soft-thresholded to exactly 0: spread at rounding level (<= 1e-12 measured)"),
}

REPAIR_TOLERANCES = {
    "minority_h_squeezed": Tolerance(0.0, 0.0, "boolean"),
    "self_duality_broken": Tolerance(0.0, 0.0, "boolean"),
    "nc1_weakened": Tolerance(0.0, 0.0, "boolean; observed only on full-sample solves (factored, on='samples')"),
}
