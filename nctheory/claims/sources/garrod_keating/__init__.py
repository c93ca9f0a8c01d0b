"""Garrod & Keating (arXiv 2410.23169, NeurIPS 2025): low-rank bias of deep linear CE UFMs (catalogue §9, beside
``dang2023/ce-etf-deep`` of §3).

Package layout: :mod:`.formulas` (the symmetric candidates and their 1-D minimisation), :mod:`.experiments`
(rank along depth), :mod:`.rank_one` (the rank-1 competitor that bounds the claim's scope), :mod:`.symbolic`,
:mod:`.accuracy`, :mod:`.claims`.
"""

from nctheory.claims.sources.garrod_keating.claims import (CLAIMS, POLYTOPE_FAMILY_GENERAL,  # noqa: F401
                                                           POLYTOPE_MINIMIZER, RANK_VS_DEPTH, SOURCE)
from nctheory.claims.sources.garrod_keating.experiments import DepthSequence, rank_along_depth  # noqa: F401
from nctheory.claims.sources.garrod_keating.formulas import best_candidate, candidates, family  # noqa: F401
