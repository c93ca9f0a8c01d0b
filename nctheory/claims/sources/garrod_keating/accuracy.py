"""Tolerances of the Garrod & Keating claims, each with the measurement behind it."""

from __future__ import annotations

from nctheory.claims.base import Tolerance

#: A singular value of the mean logits counts (for the rank) when it exceeds this fraction of the largest: factored
#: solves put the vanishing ones at <= 4e-15 relative (10 random instances, K in {4, 6}, M in 2..5), the kept ones
#: are >= 0.1 relative (the family's spectra are flat: equal nonzero singular values).
RANK_RTOL = 1e-6

SINGULAR_VALUES = Tolerance(1e-8, 1e-6, "factored L-BFGS solves (gtol 1e-10) reproduce the candidate's singular values "
                                        "of Z̄ to <= 9e-9 relative to the largest (10 random instances, K in {4, 6}, "
                                        "M in 2..5, n <= 19, λ in [3e-4, 5e-2]); 1e-6 leaves a factor 100",
                            scale="max")
OBJECTIVE = Tolerance(0.0, 1e-9, "the candidate's value comes from a 1-D minimisation to ~1e-14; factored solves reach "
                                 "it to <= 1e-16 (measured); value refutation margin as the engine's 1e-9")
GAP = Tolerance(1e-9, 0.0, "difference of two objectives each known to ~1e-14: 1e-9 absolute")

FAMILY_TOLERANCES = {"logit_singular_values": SINGULAR_VALUES, "objective": OBJECTIVE, "etf_gap": GAP}
