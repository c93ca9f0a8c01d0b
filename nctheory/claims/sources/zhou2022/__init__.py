"""Label smoothing in the UFM (catalogue §9): Zhou et al., NeurIPS 2022 (arXiv 2210.02192) for the balanced
statement, and the imbalanced behaviour derived here.

Package layout: :mod:`.formulas` (derivations and closed forms), :mod:`.experiments` (the λ → 0 path),
:mod:`.symbolic`, :mod:`.accuracy`, :mod:`.claims`.
"""

from nctheory.claims.sources.zhou2022.claims import (CLAIMS, LS_BALANCED, LS_CLUSTER_GAP, LS_SMALL_LAMBDA,  # noqa: F401
                                                     SOURCE)
from nctheory.claims.sources.zhou2022.experiments import SmallLambdaPath, small_lambda_path  # noqa: F401
from nctheory.claims.sources.zhou2022.formulas import (balanced_closed_form, cluster_gap, cluster_threshold,  # noqa: F401
                                                       limit_margin, zero_threshold)
