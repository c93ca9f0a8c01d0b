"""Clusters of classes: reading a user's cluster specification, or grouping classes of equal size."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def parse_clusters(clusters, K: int, counts: np.ndarray | None = None) -> list[tuple[int, ...]]:
    """Clusters as lists of class indices.

    ``None``: classes grouped by equal sample count when counts are known (largest first), else one
    cluster of all classes.  A length-K sequence of integers is read as a cluster id per class; a
    sequence of sequences as explicit index lists.
    """
    if clusters is None:
        if counts is None:
            return [tuple(range(K))]
        sizes = sorted(set(counts.tolist()), reverse=True)
        return [tuple(int(k) for k in np.flatnonzero(counts == s)) for s in sizes]
    if isinstance(clusters, (str, bytes)) or not isinstance(clusters, (Sequence, np.ndarray)):
        raise ValueError("clusters: expected a sequence of class-index lists or one cluster id per class, "
                         f"got {clusters!r}")
    items = list(clusters)
    if not items:
        raise ValueError("clusters: is empty")
    is_scalar = [np.ndim(c) == 0 for c in items]
    if all(is_scalar):
        if len(items) != K:
            raise ValueError(f"clusters: a flat list is read as one cluster id per class and needs K = {K} entries, "
                             f"got {len(items)}")
        ids = np.asarray(items)
        if ids.dtype.kind not in "iu":
            raise ValueError("clusters: cluster ids must be integers")
        return [tuple(int(k) for k in np.flatnonzero(ids == c)) for c in dict.fromkeys(ids.tolist())]
    if any(is_scalar):
        raise ValueError("clusters: mixes class indices and lists; give either one id per class or lists of indices")
    out = []
    for j, c in enumerate(items):
        idx = list(c)
        if not idx:
            raise ValueError(f"clusters: cluster {j} is empty")
        if not all(isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) for i in idx):
            raise ValueError(f"clusters: cluster {j} has non-integer class indices {idx!r}")
        if min(idx) < 0 or max(idx) >= K or len(set(idx)) != len(idx):
            raise ValueError(f"clusters: cluster {j} = {idx} must hold distinct indices in 0..{K - 1}")
        out.append(tuple(int(i) for i in idx))
    return out
