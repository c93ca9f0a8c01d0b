r"""Class means and their centring by a global mean :math:`h_G` (the convention NC2/NC3 share)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nctheory.geometry.validation import as_float_array
from nctheory.metrics.validation import _check_counts, _check_labels, _check_means

#: Accepted ``center`` names (see :func:`centered_means`).
CENTERS = ("global", "class", "none")


def class_means(H, labels, K: int | None = None) -> np.ndarray:
    r"""Class means :math:`\bar h_k = \frac1{n_k}\sum_{i: y_i = k} h_i` as the columns of a d×K matrix.

    Parameters
    ----------
    H : array_like, shape (d, N)
    labels : array_like of int, shape (N,)
    K : int, optional
        Number of classes (default ``max(labels) + 1``).  Every class must have a sample.
    """
    H = as_float_array("H", H, ndim=2)
    lab, K = _check_labels(labels, H.shape[1], K)
    return _means(H, lab, K)


def _means(H: np.ndarray, lab: np.ndarray, K: int) -> np.ndarray:
    N = lab.size
    Y = sp.csr_matrix((np.ones(N), (lab, np.arange(N))), shape=(K, N))
    counts = np.bincount(lab, minlength=K).astype(np.float64)
    return np.asarray((Y @ H.T).T) / counts[None, :]


def global_mean(H_mean, center="global", counts=None) -> np.ndarray | None:
    r"""The vector :math:`h_G` that :func:`centered_means` subtracts (``None`` for ``center="none"``).

    * ``"global"`` (default): the global feature mean.  With ``counts`` :math:`n_k` it is the sample
      mean :math:`h_G = \sum_k n_k\bar h_k / N` (Papyan et al. 2020; nc-toolbox); without counts all
      classes weigh the same, :math:`h_G = \frac1K\sum_k\bar h_k` (equal for balanced classes).
    * ``"class"``: :math:`\frac1K\sum_k\bar h_k` whatever the counts (rhubarbwu/neural-collapse's
      unweighted accumulator).  ``True`` means the same (the earlier spelling).
    * ``"none"``, ``False`` or ``None``: no centring.
    * a length-d vector: that vector.

    Parameters
    ----------
    H_mean : array_like, shape (d, K)
    center : str, bool, None or array_like, shape (d,)
    counts : array_like, shape (K,), optional
        Per-class sample counts (positive).
    """
    M = _check_means(H_mean)
    return _global_mean(M, center, counts)


def _global_mean(M: np.ndarray, center, counts) -> np.ndarray | None:
    K = M.shape[1]
    if center is False or center is None or (isinstance(center, str) and center == "none"):
        return None
    if center is True or (isinstance(center, str) and center == "class"):
        return M.mean(axis=1)
    if isinstance(center, str):
        if center != "global":
            raise ValueError(f"center: must be one of {', '.join(CENTERS)}, a bool or a length-d vector, "
                             f"got {center!r}")
        c = _check_counts(counts, K)
        return M.mean(axis=1) if c is None else M @ (c / c.sum())
    v = as_float_array("center", center, ndim=1)
    if v.size != M.shape[0]:
        raise ValueError(f"center: has {v.size} entries but the features have dimension {M.shape[0]}")
    return v


def centered_means(H_mean, center="global", counts=None) -> np.ndarray:
    r"""Class means minus the global mean: :math:`\tilde H = [\bar h_k - h_G]_k` (d×K).

    ``center`` and ``counts`` as in :func:`global_mean`; ``center="none"`` returns a copy of the
    means.
    """
    M = _check_means(H_mean)
    return _center(M, center, counts)


def _center(M: np.ndarray, center, counts=None) -> np.ndarray:
    g = _global_mean(M, center, counts)
    return M.copy() if g is None else M - g[:, None]


def center_name(center) -> str:
    """The name of a ``center`` value: ``"global"``, ``"class"``, ``"none"`` or ``"vector"``."""
    if center is True:
        return "class"
    if center is False or center is None:
        return "none"
    return center if isinstance(center, str) else "vector"
