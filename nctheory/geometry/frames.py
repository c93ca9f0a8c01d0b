r"""Reference frames: the centering matrix, the simplex ETF (with its Gram and Helmert basis), the orthogonal frame.

Frames store their K vectors as the **rows** of a K×d matrix (catalogue §5).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.geometry.rotation import random_rotation
from nctheory.geometry.validation import _check_dim, _check_K, _check_scale


def centering(K: int) -> np.ndarray:
    r"""The centering matrix :math:`S = I_K - \tfrac1K 11^\top` (symmetric, idempotent, :math:`S1 = 0`)."""
    K = _check_K(K)
    return np.eye(K) - np.full((K, K), 1.0 / K)


def etf_gram(K: int, scale: float = 1.0) -> np.ndarray:
    r"""Gram of a simplex ETF with row norms ``scale``: :math:`\text{scale}^2\,\tfrac{K}{K-1} S`.

    Diagonal :math:`\text{scale}^2`, off-diagonal :math:`-\text{scale}^2/(K-1)`.
    """
    K = _check_K(K)
    s = _check_scale(scale)
    return (s * s * K / (K - 1)) * centering(K)


def helmert_basis(K: int) -> np.ndarray:
    r"""An orthonormal basis of :math:`1^\perp \subset \mathbb R^K`, as the columns of a K×(K−1) matrix B.

    Column j (1-based) is :math:`(1,\dots,1,-j,0,\dots,0)/\sqrt{j(j+1)}` with j ones (Helmert).
    :math:`B^\top B = I_{K-1}`, :math:`B^\top 1 = 0`, hence :math:`BB^\top = S`.
    """
    K = _check_K(K)
    B = np.zeros((K, K - 1))
    for j in range(1, K):
        B[:j, j - 1] = 1.0
        B[j, j - 1] = -float(j)
        B[:, j - 1] /= math.sqrt(j * (j + 1.0))
    return B


def simplex_etf(K: int, d: int | None = None, scale: float = 1.0, rng=None) -> np.ndarray:
    r"""The K vectors of a simplex equiangular tight frame, as the rows of a K×d matrix.

    Every row has norm ``scale`` and every pair has cosine :math:`-1/(K-1)`; the Gram is
    :math:`\text{scale}^2 \tfrac{K}{K-1} S` and the rows sum to zero.

    * ``d >= K`` (catalogue §5): :math:`M = \sqrt{K/(K-1)}\,U S` with
      :math:`U = [I_K; 0] \in \mathbb R^{d\times K}` (orthonormal columns); the rows returned
      are the columns of M, i.e. :math:`\sqrt{K/(K-1)}\,[S,\ 0]`.
    * ``d = K-1``: rows :math:`\sqrt{K/(K-1)}\,B` with B the Helmert orthonormal basis of
      :math:`1^\perp` (:func:`helmert_basis`), since :math:`BB^\top = S`.

    Parameters
    ----------
    K : int
        Number of vectors, K >= 2.
    d : int, optional
        Ambient dimension, d >= K-1 (default K).
    scale : float
        Common row norm (> 0).
    rng : None, int or numpy.random.Generator
        Deterministic output when None; otherwise the frame is multiplied on the right by a
        Haar-random d×d rotation drawn from this seed/generator (the Gram is unchanged).

    Returns
    -------
    ndarray, shape (K, d)
    """
    K = _check_K(K)
    d = _check_dim(d, K, K - 1, "a simplex ETF of K vectors spans K-1 dimensions")
    s = _check_scale(scale)
    c = s * math.sqrt(K / (K - 1.0))
    if d == K - 1:
        M = c * helmert_basis(K)
    else:
        M = np.zeros((K, d))
        M[:, :K] = c * centering(K)
    if rng is not None:
        M = M @ random_rotation(d, rng)
    return M


def orthogonal_frame(K: int, d: int | None = None, scale: float = 1.0, rng=None) -> np.ndarray:
    r"""K mutually orthogonal vectors of norm ``scale`` as rows of a K×d matrix (d >= K).

    Deterministically :math:`\text{scale}\,[I_K,\ 0]`; Gram :math:`\text{scale}^2 I_K`.  With
    ``rng`` the rows are rotated by a Haar-random d×d orthogonal matrix.
    """
    K = _check_K(K)
    d = _check_dim(d, K, K, "K orthogonal nonzero vectors need K dimensions")
    s = _check_scale(scale)
    M = np.zeros((K, d))
    M[:, :K] = s * np.eye(K)
    if rng is not None:
        M = M @ random_rotation(d, rng)
    return M
