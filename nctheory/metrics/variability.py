r"""Per-class variances and the class-distance normalised variance (CDNV) of Galanti et al."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform

from nctheory.geometry.validation import as_float_array
from nctheory.metrics.means import _means
from nctheory.metrics.validation import _check_labels


def class_variances(H, labels, K: int | None = None, ddof: int = 0) -> np.ndarray:
    r"""Within-class variances :math:`\sigma_k^2 = \frac1{n_k - \text{ddof}}\sum_{i\in k}\|h_i - \bar h_k\|^2`.

    ``ddof=0`` is the expectation :math:`\mathbb E\|h - \bar h_k\|^2` of Galanti et al.;
    nc-toolbox divides by :math:`n_k - 1` (``ddof=1``; a class of one sample then raises).
    """
    if ddof not in (0, 1) or isinstance(ddof, bool):
        raise ValueError(f"ddof: must be 0 or 1, got {ddof!r}")
    H = as_float_array("H", H, ndim=2)
    lab, K = _check_labels(labels, H.shape[1], K)
    counts = np.bincount(lab, minlength=K).astype(np.float64)
    if ddof and np.any(counts < 2):
        raise ValueError(f"labels: ddof=1 needs two samples per class; class {int(np.argmin(counts))} has one")
    C = H - _means(H, lab, K)[:, lab]
    return np.bincount(lab, weights=np.sum(C * C, axis=0), minlength=K) / (counts - ddof)


def cdnv_matrix(H, labels, K: int | None = None, ddof: int = 0) -> np.ndarray:
    r"""Class-distance normalised variances (Galanti, György & Hutter 2022), pair by pair:

    .. math::

        V_{jk} = \frac{\sigma_j^2 + \sigma_k^2}{2\,\|\bar h_j - \bar h_k\|^2}\quad (j \ne k),

    :math:`\sigma_k^2` from :func:`class_variances`; the diagonal is NaN.  Two classes with the same
    mean give ``inf`` (their features cannot be told apart by their means).
    """
    H = as_float_array("H", H, ndim=2)
    lab, K = _check_labels(labels, H.shape[1], K)
    var = class_variances(H, lab, K, ddof=ddof)
    M = _means(H, lab, K)
    # squared distances from differences (not from Grams): exact zeros stay zero
    D2 = squareform(pdist(M.T, "sqeuclidean"))
    num = 0.5 * (var[:, None] + var[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        V = np.where(D2 > 0, num / np.where(D2 > 0, D2, 1.0), np.where(num > 0, np.inf, np.nan))
    np.fill_diagonal(V, np.nan)
    return V


def cdnv(H, labels, K: int | None = None, ddof: int = 0) -> float:
    r"""Average CDNV over the :math:`K(K-1)/2` pairs of classes (:func:`cdnv_matrix`; Galanti et al. 2022).

    Raises
    ------
    ValueError
        ``H`` when two classes share a mean (a pair with :math:`\|\bar h_j - \bar h_k\| = 0`).
    """
    V = cdnv_matrix(H, labels, K, ddof=ddof)
    vals = V[np.triu_indices(V.shape[0], k=1)]
    if not np.all(np.isfinite(vals)):
        j, k = (int(x[0]) for x in np.nonzero(np.triu(~np.isfinite(V), k=1)))
        raise ValueError(f"H: classes {j} and {k} have the same mean; their CDNV is undefined")
    return float(np.mean(vals))
