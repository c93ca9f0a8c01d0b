"""AllNC 2024 (arXiv 2408.07253, abstract only): all-around Neural Collapse's premises in the UFM (catalogue §7).

Package layout: :mod:`.formulas` (the squeeze threshold = Hong & Ling's, moving along λ), :mod:`.squeeze` (the
spread measurement), :mod:`.symbolic`, :mod:`.accuracy`, :mod:`.requirements`, :mod:`.claims`,
:mod:`.experiments` (the two onsets located separately).
"""

from nctheory.claims.sources.allnc.accuracy import NC1_TOL, SELF_DUALITY_TOL, SQUEEZE_SQ_TOL  # noqa: F401
from nctheory.claims.sources.allnc.claims import FIXED_ETF_REPAIR, MEAN_SQUEEZE, SOURCE  # noqa: F401
from nctheory.claims.sources.allnc.experiments import SqueezeOnsets, squeeze_onsets  # noqa: F401
from nctheory.claims.sources.allnc.formulas import (learned_counterpart, threshold_lambda, two_clusters,  # noqa: F401
                                                    with_lambda)
from nctheory.claims.sources.allnc.squeeze import relative_spread_sq, squeeze_state  # noqa: F401

CLAIMS = [MEAN_SQUEEZE, FIXED_ETF_REPAIR]
