r"""Losses on logits, with their gradients, weighted per column.

For a logit matrix :math:`Z \in \mathbb R^{K\times m}` (column :math:`j` = one sample or
one class mean), labels :math:`y_j` and column weights :math:`c_j \ge 0`,

.. math::

    L(Z) = \sum_j c_j\, \ell(z_j, y_j), \qquad
    \ell_{\rm CE}(z, y) = \operatorname{logsumexp}(z) - z_y, \qquad
    \ell_{\rm MSE}(z, y) = \tfrac12 \|z - e_y\|^2 .

Gradients: :math:`\partial L/\partial z_j = c_j(\operatorname{softmax}(z_j) - e_{y_j})` (CE),
:math:`c_j(z_j - e_{y_j})` (MSE).  The log-sum-exp is shifted by the column maximum, so
no exponential overflows.
"""

from __future__ import annotations

import numpy as np


def logits_loss(Z: np.ndarray, labels: np.ndarray, weights: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
    """Weighted loss :math:`L(Z)` and its gradient :math:`\\partial L/\\partial Z` (see module doc).

    Parameters
    ----------
    Z : ndarray, shape (K, m)
    labels : int ndarray, shape (m,)
    weights : ndarray, shape (m,)
    loss : {"ce", "mse"}

    Returns
    -------
    value : float
    grad : ndarray, shape (K, m)
    """
    cols = np.arange(Z.shape[1])
    if loss == "ce":
        zmax = Z.max(axis=0)
        E = np.exp(Z - zmax)
        total = E.sum(axis=0)
        lse = np.log(total) + zmax
        value = float(weights @ (lse - Z[labels, cols]))
        G = E / total
        G[labels, cols] -= 1.0
        G *= weights
        return value, G
    if loss == "mse":
        R = Z.copy()
        R[labels, cols] -= 1.0
        value = 0.5 * float(weights @ np.einsum("ij,ij->j", R, R))
        R *= weights
        return value, R
    raise ValueError(f"loss: unknown option {loss!r}; allowed: ce, mse")
