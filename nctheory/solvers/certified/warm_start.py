r"""Reading a warm start ``x0`` given to a class-mean solver: the bias-free mean logits :math:`\bar Z` (and the bias
when x0 is an answer), checked.

Dense solvers take a (K, K) array of :math:`\bar Z` (column k = class k's mean logit) or a
:class:`~nctheory.solvers.result.Solution` (its ``logits_mean - b`` and ``b``); grouped ones a
:class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` of :math:`\bar Z` or a grouped answer (its
``gram_WH`` and ``beta``) with the problem's equal-size groups.  Bad input is a ValueError ``x0: ...``.  What a solver
makes of :math:`\bar Z` (its own coordinates, whether it uses the bias) is its own.
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.result import Solution

__all__ = ["dense_mean_logits", "grouped_mean_logits"]


def dense_mean_logits(x0, K: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``(Z̄, b)`` of a dense warm start (module doc; ``x0`` not None): b is None for an array."""
    if isinstance(x0, Solution):
        logits = np.asarray(x0.logits_mean, dtype=np.float64)
        b = np.asarray(x0.b, dtype=np.float64).reshape(-1)
        if logits.shape != (K, K) or b.shape != (K,):
            raise ValueError(f"x0: a Solution with logits_mean of shape ({K}, {K}) and b of shape ({K},) is needed")
        Z = logits - b[:, None]
    else:
        try:
            Z = np.array(x0, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"x0: expected a ({K}, {K}) array of mean logits or a Solution") from None
        b = None
        if Z.shape != (K, K):
            raise ValueError(f"x0: expected shape ({K}, {K}) (mean logits, column k = class k), got {Z.shape}")
    if not np.all(np.isfinite(Z)) or (b is not None and not np.all(np.isfinite(b))):
        raise ValueError("x0: entries must be finite")
    return Z, b


def grouped_mean_logits(x0, structure: GroupStructure) -> tuple[GroupedMatrix, np.ndarray | None]:
    """``(Z̄, β)`` of a grouped warm start (module doc; ``x0`` not None): β is None for a GroupedMatrix."""
    if isinstance(x0, GroupedMatrix):
        Z, beta = x0, None
    elif hasattr(x0, "gram_WH") and hasattr(x0, "beta"):
        Z, beta = x0.gram_WH, np.array(x0.beta, dtype=np.float64)
    else:
        raise ValueError(f"x0: expected a grouped solution or a GroupedMatrix of mean logits, got {type(x0).__name__}")
    st = Z.structure
    if not (np.array_equal(st.sizes, structure.sizes) and np.array_equal(st.counts, structure.counts)):
        raise ValueError(f"x0: its groups {st.describe()} differ from the problem's {structure.describe()}")
    if not (np.all(np.isfinite(Z.perp)) and np.all(np.isfinite(Z.core)) and (beta is None or np.all(np.isfinite(beta)))):
        raise ValueError("x0: entries must be finite")
    return Z, beta
