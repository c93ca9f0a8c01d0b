r"""The fixed simplex-ETF classifier (catalogue §5), built privately for this solver.

Rows :math:`w^*_k = \sqrt{E_W}\,\sqrt{K/(K-1)}\; u_k`, where the rows :math:`u_k \in \mathbb R^{K-1}`
of :math:`B` form an orthonormal basis of :math:`\mathbf 1^\perp` written in coordinates
(:math:`B^\top B = I_{K-1}`, :math:`BB^\top = S = I - J/K`), padded with zeros to length
:math:`d \ge K-1`.  Hence :math:`W^*W^{*\top} = E_W\,\tfrac{K}{K-1} S`: unit-free rows of
norm :math:`\sqrt{E_W}` with pairwise cosine :math:`-1/(K-1)`.
"""

from __future__ import annotations

import numpy as np


def _centred_basis(K: int) -> np.ndarray:
    """Helmert basis: a K×(K−1) matrix with orthonormal columns orthogonal to the ones vector."""
    B = np.zeros((K, K - 1))
    for j in range(1, K):
        B[:j, j - 1] = 1.0
        B[j, j - 1] = -float(j)
        B[:, j - 1] /= np.sqrt(j * (j + 1.0))
    return B


def simplex_etf_classifier(K: int, d: int, e_w: float | None = None) -> np.ndarray:
    """Fixed ETF classifier :math:`W^* \\in \\mathbb R^{K\\times d}`, rows of norm :math:`\\sqrt{E_W}` (1 if None)."""
    if K < 2:
        raise ValueError(f"K: need at least 2 classes, got {K}")
    if d < K - 1:
        raise ValueError(f"d: a simplex ETF of {K} vectors needs d >= {K - 1}, got {d}")
    scale = np.sqrt((1.0 if e_w is None else float(e_w)) * K / (K - 1.0))
    W = np.zeros((K, d))
    W[:, : K - 1] = scale * _centred_basis(K)
    return W
