r"""The fixed simplex-ETF classifier (catalogue §5) for the factored solvers.

Rows :math:`w^*_k = \sqrt{E_W}\,\sqrt{K/(K-1)}\; u_k`, where the rows :math:`u_k \in \mathbb R^{K-1}`
of the Helmert matrix :math:`B` (:func:`~nctheory.geometry.frames.helmert_basis`) form an orthonormal
basis of :math:`\mathbf 1^\perp` written in coordinates (:math:`B^\top B = I_{K-1}`,
:math:`BB^\top = S = I - J/K`), padded with zeros to length :math:`d \ge K-1`.  Hence
:math:`W^*W^{*\top} = E_W\,\tfrac{K}{K-1} S`: unit-free rows of norm :math:`\sqrt{E_W}` with pairwise
cosine :math:`-1/(K-1)`.
"""

from __future__ import annotations

import numpy as np

from nctheory.geometry.frames import helmert_basis


def simplex_etf_classifier(K: int, d: int, e_w: float | None = None) -> np.ndarray:
    """Fixed ETF classifier :math:`W^* \\in \\mathbb R^{K\\times d}`, rows of norm :math:`\\sqrt{E_W}` (1 if None)."""
    if K < 2:
        raise ValueError(f"K: need at least 2 classes, got {K}")
    if d < K - 1:
        raise ValueError(f"d: a simplex ETF of {K} vectors needs d >= {K - 1}, got {d}")
    scale = np.sqrt((1.0 if e_w is None else float(e_w)) * K / (K - 1.0))
    W = np.zeros((K, d))
    W[:, : K - 1] = scale * helmert_basis(K)
    return W
