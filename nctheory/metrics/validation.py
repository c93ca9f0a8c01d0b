"""Argument checks shared by the NC metrics: labels, classifier, class means, counts, clusters, units.

Each check returns the cleaned value or raises :class:`ValueError` whose message starts with the
offending argument's name.
"""

from __future__ import annotations

import numpy as np

from nctheory.geometry.validation import _check_axis, as_float_array, one_of

#: Accepted angle units.
ANGLE_UNITS = ("deg", "rad")


def empty_classes(labels: np.ndarray, K: int) -> np.ndarray:
    r"""Indices :math:`k \in \{0, \dots, K-1\}` with no sample, :math:`\#\{i : y_i = k\} = 0` (ascending).

    Parameters
    ----------
    labels : ndarray of int, shape (N,)
        Class indices, already checked to lie in 0..K-1.
    K : int
        Number of classes.
    """
    return np.flatnonzero(np.bincount(labels, minlength=K) == 0)


def _check_labels(labels, N: int, K: int | None) -> tuple[np.ndarray, int]:
    """Integer labels of length N in 0..K-1 (K inferred as max+1 when None), every class non-empty."""
    lab = np.asarray(labels)
    if lab.ndim != 1:
        raise ValueError(f"labels: expected a 1-D array, got shape {lab.shape}")
    if lab.size != N:
        raise ValueError(f"labels: has {lab.size} entries but H has {N} columns (samples)")
    if lab.dtype.kind == "b" or lab.dtype.kind not in "iuf":
        raise ValueError(f"labels: expected integer class indices, got dtype {lab.dtype}")
    if lab.dtype.kind == "f":
        if not np.all(np.isfinite(lab)) or np.any(lab != np.round(lab)):
            raise ValueError("labels: expected integer class indices, got non-integer values")
    lab = lab.astype(np.int64)
    if lab.min() < 0:
        raise ValueError(f"labels: must be >= 0, got {int(lab.min())}")
    if K is None:
        K = int(lab.max()) + 1
    else:
        if isinstance(K, bool) or not isinstance(K, (int, np.integer)):
            raise ValueError(f"K: must be an integer >= 2, got {K!r}")
        K = int(K)
        if lab.max() >= K:
            raise ValueError(f"labels: value {int(lab.max())} is out of range for K = {K} classes")
    if K < 2:
        raise ValueError(f"K: need at least 2 classes, got K = {K}")
    empty = empty_classes(lab, K)
    if empty.size:
        raise ValueError(f"labels: class(es) {empty.tolist()} have no samples")
    return lab, K


def _check_W(W, K: int | None = None) -> np.ndarray:
    W = as_float_array("W", W, ndim=2)
    if W.shape[0] < 2:
        raise ValueError(f"W: needs K >= 2 rows (one per class), got shape {W.shape}")
    if K is not None and W.shape[0] != K:
        raise ValueError(f"W: has {W.shape[0]} rows but there are K = {K} classes")
    return W


def _check_means(H_mean, name: str = "H_mean") -> np.ndarray:
    M = as_float_array(name, H_mean, ndim=2)
    if M.shape[1] < 2:
        raise ValueError(f"{name}: needs K >= 2 columns (one mean per class), got shape {M.shape}")
    return M


def _check_pair(W, H_mean) -> tuple[np.ndarray, np.ndarray]:
    W = _check_W(W)
    M = _check_means(H_mean)
    if M.shape != (W.shape[1], W.shape[0]):
        raise ValueError(f"H_mean: shape {M.shape} does not match W's shape {W.shape} (expected {(W.shape[1], W.shape[0])})")
    return W, M


def _check_counts(counts, K: int) -> np.ndarray | None:
    if counts is None:
        return None
    c = as_float_array("counts", counts, ndim=1)
    if c.size != K:
        raise ValueError(f"counts: has {c.size} entries but there are K = {K} classes")
    if np.any(c <= 0):
        k = int(np.flatnonzero(c <= 0)[0])
        raise ValueError(f"counts: sample counts must be > 0, got {c[k]:g} for class {k}")
    return c


def _check_unit(unit) -> str:
    return one_of("unit", unit, ANGLE_UNITS)


def _vectors(X, axis: str, name: str) -> np.ndarray:
    axis = _check_axis(axis)
    X = as_float_array(name, X, ndim=2)
    V = X if axis == "rows" else X.T
    if V.shape[0] < 2:
        raise ValueError(f"{name}: needs at least two vectors along {axis}, got shape {X.shape}")
    return V


def _check_cluster(cluster, K: int) -> list[int]:
    try:
        items = list(cluster)
    except TypeError:
        raise ValueError(f"cluster: expected a sequence of class indices, got {cluster!r}") from None
    if not all(isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in items):
        raise ValueError(f"cluster: class indices must be integers, got {items!r}")
    idx = [int(i) for i in items]
    if len(set(idx)) != len(idx) or len(idx) < 2:
        raise ValueError(f"cluster: needs at least two distinct class indices, got {idx}")
    if min(idx) < 0 or max(idx) >= K:
        raise ValueError(f"cluster: indices must be in 0..{K - 1}, got {idx}")
    return idx
