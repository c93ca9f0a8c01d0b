r"""A self-contained NC1 (catalogue §8), used when ``nctheory.metrics`` is not available.

.. math::

    \mathrm{NC1} = \tfrac1K \operatorname{tr}(\Sigma_W \Sigma_B^+),\quad
    \Sigma_W = \tfrac1N \sum_{k,i} (h_{k,i} - \bar h_k)(h_{k,i} - \bar h_k)^\top,\quad
    \Sigma_B = \tfrac1K \sum_k (\bar h_k - h_G)(\bar h_k - h_G)^\top,

:math:`h_G` the mean of all samples.  :math:`\Sigma_B^+` uses the eigendecomposition of
:math:`\Sigma_B` truncated at :math:`10^{-12}\lambda_{\max}` (a naive pseudo-inverse can make NC1
negative).  NaN when all class means coincide (undefined).  NC1 = 0 exactly when every sample sits on its class mean.
"""

from __future__ import annotations

import numpy as np


def nc1_simple(H: np.ndarray, labels: np.ndarray, K: int) -> float:
    """NC1 of features ``H`` (d×N) with integer ``labels`` in ``0..K-1`` (module doc)."""
    H = np.asarray(H, dtype=np.float64)
    counts = np.bincount(labels, minlength=K).astype(np.float64)
    sums = np.zeros((H.shape[0], K))
    np.add.at(sums.T, labels, H.T)
    means = sums / counts
    centred = H - means[:, labels]
    sigma_w = centred @ centred.T / H.shape[1]
    between = means - H.mean(axis=1, keepdims=True)
    sigma_b = between @ between.T / K
    vals, vecs = np.linalg.eigh(sigma_b)
    if vals[-1] <= 0.0:  # all class means coincide: NC1 undefined
        return float("nan")
    keep = vals > 1e-12 * vals[-1]
    V = vecs[:, keep]
    return float(np.trace(V.T @ sigma_w @ V / vals[keep]) / K)
