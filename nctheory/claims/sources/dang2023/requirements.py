"""Where the Dang et al. 2023 claims apply (:class:`~nctheory.claims.base.Requires` with the conditions no field
expresses; each condition's messages start with the field name)."""

from __future__ import annotations

import numpy as np

from nctheory.claims.base import Requires
from nctheory.claims.conditions import dim_shortfall
from nctheory.claims.sources.dang2023.root import class_sigmas
from nctheory.model import Bias, Classifier, Constraint
from nctheory.model.problem import MAX_DEPTH


def _penalised_mse(problem) -> bool:
    """The MSE sigmas are defined (penalised learned classifier): otherwise other fields already report."""
    return (problem.loss.name == "mse" and problem.constraint == Constraint.PENALTY
            and problem.classifier == Classifier.LEARNED)


def dim_for_nonzero_classes(problem) -> list[str]:
    """d >= the number of nonzero classes (the diagonal solution needs that many directions)."""
    if not _penalised_mse(problem):
        return []
    nonzero = int(np.sum(class_sigmas(problem) > 0))
    return dim_shortfall(problem, nonzero, "d: {dim} < {need} nonzero classes; the diagonal solution needs d >= that")


def dim_for_balanced_rank(problem) -> list[str]:
    """d >= K (no bias) or K - 1 (free bias): the rank of the predicted balanced solution."""
    need = problem.K - 1 if problem.bias == Bias.FREE else problem.K
    return dim_shortfall(problem, need, "d: {dim} < {need}, the rank of the predicted solution")


def dim_for_simplex_etf(problem) -> list[str]:
    """d >= K - 1 (a simplex ETF of K vectors spans K - 1 dimensions)."""
    return dim_shortfall(problem, problem.K - 1, "d: {dim} < K-1 = {need}; a simplex ETF needs d >= K-1")


#: Deep linear UFM, MSE, bias-free, any sizes and depth.
MSE_IMBALANCED = Requires.ufm("mse", depth=None, bias=(Bias.NONE,), conditions=(dim_for_nonzero_classes,))
#: Deep linear UFM, MSE, balanced, no bias or a free one.
MSE_BALANCED = Requires.ufm("mse", depth=None, balanced=True, bias=(Bias.NONE, Bias.FREE),
                            conditions=(dim_for_balanced_rank,))
#: CE at depth 1, balanced, no bias or a penalised one (a free bias makes the logits' constant shift arbitrary).
CE_M1 = Requires.ufm("ce", balanced=True, bias=(Bias.NONE, Bias.REGULARIZED), conditions=(dim_for_simplex_etf,))
#: CE at depth M >= 2, balanced, bias-free.
CE_DEEP = Requires.ufm("ce", depth=(2, MAX_DEPTH), balanced=True, bias=(Bias.NONE,), conditions=(dim_for_simplex_etf,))
