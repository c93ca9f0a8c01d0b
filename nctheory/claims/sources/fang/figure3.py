r"""Fang et al. 2021, Figure 3, at the authors' parameters, and the cosine their code plots.

Parameters (the authors' code, HornHehhf/LPM ``optimization.py``; catalogue §9): K = 10, :math:`K_A = K_B = 5`,
:math:`E_H = 5`, :math:`E_W = 1`, :math:`R = 10^{0.1i}`, i = 0..40.

Both cosines are read off the 2K×2K Gram :math:`X` of the stacked class means and classifiers (the SDP's variable;
any order of the stacked vectors):

* **true** minority-classifier cosine :math:`\cos(w_i, w_j) = X_{w_iw_j}/\sqrt{X_{w_iw_i}X_{w_jw_j}}`;
* **authors'** cosine :math:`1 - \text{cosine\_distance}(X_{w_i,\cdot}, X_{w_j,\cdot})`: the cosine between the
  **rows** of X belonging to :math:`w_i` and :math:`w_j`, i.e. between the vectors
  :math:`(\langle w_i, v\rangle)_v` over all 2K stacked vectors v.

Both are 1 at exact collapse (equal rows); before it they differ: the row of :math:`w_i` mixes its inner products
with every classifier and every mean, dominated by the large majority entries, so the row cosine sits far above
the true one.  The predicted X comes from the exact two-cluster reduction
(:func:`nctheory.claims.sources.fang.two_cluster_lpm`): :math:`X_{WW} = \gamma^2(ZZ^\top)^{1/2}`,
:math:`X_{HH} = \gamma^{-2}(Z^\top Z)^{1/2}`, :math:`X_{WH} = Z`, :math:`\gamma^2 = \sqrt{E_W/E_H}`.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.fang.reduction import two_cluster_lpm

K_A, K_B, E_H, E_W = 5, 5, 5.0, 1.0
#: The authors' grid exponents: R = 10^{0.1 i}.
I_VALUES = tuple(range(41))


def ratios(indices=I_VALUES) -> np.ndarray:
    """:math:`R = 10^{0.1i}` for the given i."""
    return 10.0 ** (0.1 * np.asarray(indices, dtype=np.float64))


def predicted_gram(R: float, K_A: int = K_A, K_B: int = K_B, e_w: float = E_W, e_h: float = E_H) -> np.ndarray:
    r"""The 2K×2K Gram X (class means first, then classifiers; majority classes first) from the reduction."""
    m = two_cluster_lpm(K_A, K_B, R, e_w * e_h).matrices()
    g2 = math.sqrt(e_w / e_h)
    K = K_A + K_B
    X = np.empty((2 * K, 2 * K))
    X[:K, :K] = m["sqrtZtZ"] / g2
    X[K:, K:] = g2 * m["sqrtZZt"]
    X[K:, :K] = m["Z"]
    X[:K, K:] = m["Z"].T
    return X


def true_cosine(X: np.ndarray, i: int, j: int) -> float:
    r""":math:`\cos(w_i, w_j)` from X (i, j: class indices; classifiers at rows K..2K−1)."""
    K = X.shape[0] // 2
    a, b = K + i, K + j
    return float(X[a, b] / math.sqrt(X[a, a] * X[b, b]))


def gram_row_cosine(X: np.ndarray, i: int, j: int) -> float:
    r"""The authors' plotted value: the cosine between the rows of X of classifiers i and j."""
    K = X.shape[0] // 2
    u, v = X[K + i], X[K + j]
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


__all__ = ["E_H", "E_W", "I_VALUES", "K_A", "K_B", "gram_row_cosine", "predicted_gram", "ratios", "true_cosine"]
