"""Where the AllNC claims apply, as data."""

from __future__ import annotations

import math

from nctheory.claims.base import Requires
from nctheory.claims.conditions import minority_pair, two_size_clusters
from nctheory.claims.sources.allnc.formulas import two_clusters
from nctheory.model import Bias, Classifier, Constraint, Features


def counterpart_in_collapse(problem) -> list[str]:
    """The learned model being repaired (same sizes, λ_W, λ_H) is in its minority-collapse regime."""
    if problem.lambda_w <= 0:
        return ["lambda_w: must be > 0 (the weight decay the classifier had before it was fixed; it "
                "defines the learned model being repaired)"]
    if two_clusters(problem) is not None and problem.lam * problem.N < math.sqrt(min(problem.sizes)):
        return ["lambda_w: the learned model must be in its minority-collapse regime "
                f"(lambda N = {problem.lam * problem.N:.4g} < sqrt(n_B) = {math.sqrt(min(problem.sizes)):.4g}): "
                "there is nothing to repair"]
    return []


#: allnc/mean-squeeze: the CE UFM with a learned classifier (any d), two clusters, >= 2 minority classes.
SQUEEZE_REQUIRES = Requires.ufm("ce", conditions=(two_size_clusters, minority_pair))

#: allnc/fixed-etf-repair: the same instance with the classifier fixed to a simplex ETF (weight decay on H).
REPAIR_REQUIRES = Requires(loss=("ce",), bias=(Bias.NONE,), features=(Features.FREE,),
                           classifier=(Classifier.FIXED_ETF,), constraint=(Constraint.PENALTY,),
                           conditions=(two_size_clusters, minority_pair, counterpart_in_collapse))
