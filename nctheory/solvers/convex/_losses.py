r"""Loss terms of the cvxpy formulations: the loss's own cvxpy form and a bias column.

Every formulation writes its data term as ``problem.loss.cvxpy(logits, labels, weights)``
(the ``"cvxpy"`` capability of :class:`~nctheory.model.losses.Loss`; convex in the logits, which is what
makes every formulation here convex) and evaluates the same term in float64 with
:func:`loss_value`.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np


def loss_expression(logits, labels: np.ndarray, weights: np.ndarray, loss):
    r"""cvxpy expression of :math:`\sum_j c_j \ell(L_{:,j}, y_j)` for a Loss ``loss``."""
    return loss.cvxpy(logits, np.asarray(labels), np.asarray(weights, dtype=np.float64))


def loss_value(logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, loss) -> float:
    """The same weighted loss evaluated in float64 numpy."""
    values, _ = loss.value_grad(np.asarray(logits, dtype=np.float64), np.asarray(labels))
    return float(np.asarray(weights, dtype=np.float64) @ values)


def add_bias(logits, b, m: int):
    """``logits + b 1ᵀ`` for a cvxpy vector ``b`` of length K (``b=None``: no bias)."""
    if b is None:
        return logits
    return logits + cp.reshape(b, (logits.shape[0], 1), order="F") @ np.ones((1, m))
