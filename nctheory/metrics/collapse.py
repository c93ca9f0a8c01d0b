r"""Minority collapse: how far the classifiers and class means of a cluster of classes have merged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import pdist

from nctheory.metrics.validation import _check_cluster, _check_pair, _vectors


@dataclass(frozen=True)
class MinorityCollapse:
    r"""Spread of one cluster of classes (catalogue §6 FANG-LPM, §8).

    Attributes
    ----------
    cluster : tuple of int
    w_max_dist, h_max_dist : float
        :math:`\max_{j,k\in\text{cluster}} \|w_j - w_k\|` and :math:`\|\bar h_j - \bar h_k\|`.
    w_scale, h_scale : float
        Mean norm of the cluster's :math:`w_k` (resp. :math:`\bar h_k`).
    w_rel, h_rel : float
        ``max_dist / scale``.  A cluster of exactly zero vectors has scale 0 and is collapsed
        exactly: its relative spread is reported as 0.0 (its ``max_dist`` is 0 too).
    """

    cluster: tuple
    w_max_dist: float
    h_max_dist: float
    w_scale: float
    h_scale: float
    w_rel: float
    h_rel: float


def relative_spread(X, cluster, axis: str = "rows", name: str = "X") -> tuple[float, float, float]:
    r"""Spread of the vectors of ``cluster``: :math:`(d_{\max}, s, d_{\max}/s)` with

    .. math::

        d_{\max} = \max_{j,k\in C}\|v_j - v_k\|,\qquad s = \operatorname{mean}_{k\in C}\|v_k\| .

    Distances come from the differences (not from Grams), so an exact collapse gives exactly 0; a
    cluster of zero vectors has :math:`s = 0` and relative spread 0.0 (collapsed exactly).  The
    one definition behind :func:`minority_collapse` and the all-around cluster squeeze.
    """
    V = _vectors(X, axis, name)
    idx = _check_cluster(cluster, V.shape[0])
    sub = V[idx]
    dmax = float(np.max(pdist(sub)))
    scale = float(np.mean(np.linalg.norm(sub, axis=1)))
    return dmax, scale, (0.0 if scale == 0.0 else dmax / scale)


def minority_collapse(W, H_mean, cluster) -> MinorityCollapse:
    r"""Largest pairwise distance inside ``cluster`` for classifiers and class means, absolute and relative.

    Distances are computed from the differences themselves (not from Grams), so an exact
    collapse gives exactly 0.  Use this, not cosines, to detect collapse: collapsed
    vectors can be exactly zero (catalogue §6).  The means are used as given (centre them
    first with :func:`~nctheory.metrics.centered_means` for the literature's convention).

    Parameters
    ----------
    W : array_like, shape (K, d)
    H_mean : array_like, shape (d, K)
    cluster : sequence of int
        At least two distinct class indices in 0..K-1.
    """
    W, M = _check_pair(W, H_mean)
    idx = _check_cluster(cluster, W.shape[0])
    wd, ws, wr = relative_spread(W, idx, "rows", "W")
    hd, hs, hr = relative_spread(M, idx, "cols", "H_mean")
    return MinorityCollapse(tuple(idx), wd, hd, ws, hs, wr, hr)
