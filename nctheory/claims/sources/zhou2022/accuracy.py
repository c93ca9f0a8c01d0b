"""Tolerances of the label-smoothing claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance
from nctheory.claims.common import CLOSED_FORM_TOLERANCES

#: Relative band around Ks + ε = 1 inside which the balanced zero/nonzero bool is not predicted (c* ~ (1 − Ks − ε)
#: there: the observed logits would be at solver precision).
ZERO_BAND = 1e-3
#: Relative band around a cluster or global-zero threshold inside which the booleans are not predicted.
THRESHOLD_BAND = 1e-3
#: An observed within-cluster softmax gap at or below this counts as a collapsed cluster.  Outside the threshold band
#: a separated cluster has a gap of at least ~1e-3·(1 − ε) >= 5e-4; collapsed clusters were measured at <= 5e-16.
COLLAPSED_GAP = 1e-5

_ACCURACY = ("certified rel gap 1e-12 fixes the minimiser to ~sqrt(gap/curvature) along flat directions; measured "
             "worst deviation ")

BALANCED_TOLERANCES = {
    "*": Tolerance(1e-7, 1e-4, _ACCURACY + "2.2e-5 relative on norms and Gram entries, 2.0e-6 on ρ*, over 60 random "
                               "balanced instances (K <= 6, n <= 40, λ in [1e-4, 0.1], λ_H/λ_W in [0.1, 10], "
                               "ε in [0, 0.6], every bias); the zero regime gives exact zeros"),
    "self_duality_residual": Tolerance(1.5e-4, 0.0, _ACCURACY + "4.5e-6 in ‖H̄ − αWᵀ‖/‖H̄‖ on the same instances"),
    **CLOSED_FORM_TOLERANCES,
}

GAP_TOLERANCES = {
    "cluster_gap": Tolerance(2e-6, 0.0, "softmax probabilities of certified logits (rel gap 1e-12): measured worst "
                                        "|gap − formula| 2.2e-7 over 112 random instances (two or three size "
                                        "clusters of 1-3 classes, λ in [1e-4, 0.05], λ_H/λ_W in [0.1, 10], "
                                        "ε in [0, 0.5], every bias); collapsed clusters <= 5e-16"),
}

PATH_TOLERANCES = {"*": Tolerance(0.0, 0.0, "sequence check: a boolean (the distances shrink as the derivation says)")}
