r"""Weighted losses of logit columns, as cvxpy expressions and as numpy values.

For logits :math:`L \in \mathbb R^{K\times m}` (column j belongs to class
:math:`y_j`) and weights :math:`c_j \ge 0`:

.. math::

    \mathcal L(L) = \sum_j c_j\,\ell(L_{:,j}, y_j), \qquad
    \ell_{\rm CE}(z, k) = \log\sum_c e^{z_c} - z_k, \qquad
    \ell_{\rm MSE}(z, k) = \tfrac12\|z - e_k\|^2 .

Both are convex in :math:`L` (log-sum-exp is convex, the rest is affine or a
convex quadratic), which is what makes every formulation in this package convex.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
from scipy.special import logsumexp

LOSSES = ("ce", "mse")


def _one_hot(labels: np.ndarray, K: int) -> np.ndarray:
    E = np.zeros((K, labels.size))
    E[labels, np.arange(labels.size)] = 1.0
    return E


def loss_expression(logits, labels: np.ndarray, weights: np.ndarray, loss: str):
    r"""cvxpy expression of :math:`\sum_j c_j \ell(L_{:,j}, y_j)`.

    Parameters
    ----------
    logits : cvxpy expression, shape (K, m)
    labels : int array, shape (m,)
    weights : float array, shape (m,), the :math:`c_j`
    loss : {"ce", "mse"}
    """
    K = logits.shape[0]
    E = _one_hot(np.asarray(labels), K)
    c = np.asarray(weights, dtype=np.float64)
    if loss == "ce":
        true_logit = cp.sum(cp.multiply(E, logits), axis=0)
        return c @ cp.log_sum_exp(logits, axis=0) - c @ true_logit
    if loss == "mse":
        return 0.5 * cp.sum_squares(cp.multiply(logits - E, np.sqrt(c)[None, :]))
    raise ValueError(f"loss: unknown option {loss!r}; allowed: {', '.join(LOSSES)}")


def loss_value(logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, loss: str) -> float:
    """The same weighted loss evaluated in float64 numpy (see :func:`loss_expression`)."""
    L = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    c = np.asarray(weights, dtype=np.float64)
    cols = np.arange(labels.size)
    if loss == "ce":
        return float(c @ (logsumexp(L, axis=0) - L[labels, cols]))
    if loss == "mse":
        R = L - _one_hot(labels, L.shape[0])
        return float(0.5 * c @ np.einsum("ij,ij->j", R, R))
    raise ValueError(f"loss: unknown option {loss!r}; allowed: {', '.join(LOSSES)}")


def add_bias(logits, b, m: int):
    """``logits + b 1ᵀ`` for a cvxpy vector ``b`` of length K (``b=None``: no bias)."""
    if b is None:
        return logits
    return logits + cp.reshape(b, (logits.shape[0], 1), order="F") @ np.ones((1, m))
