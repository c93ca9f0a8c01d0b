r"""All-around NC diagnostics (catalogue §7, §8): NC1, per-cluster squeezes and self-duality angles."""

from __future__ import annotations

import numpy as np

from nctheory.diagnostics.clusters import parse_clusters
from nctheory.diagnostics.reports import AllAround, ClusterReport
from nctheory.geometry.validation import as_float_array
from nctheory.metrics.collapse import minority_collapse
from nctheory.metrics.means import center_name, centered_means, class_means
from nctheory.metrics.within_class import nc1
from nctheory.metrics.self_duality import self_duality_angles


#: Relative agreement required between a given ``H_mean`` and the class means of the given ``H``.
#: Means recomputed in float64 agree to ~1e-15 relative; 1e-8 also admits means that were saved in
#: float64 after some arithmetic, but rejects a mismatched file (wrong labels, other epoch).
MEANS_MATCH_RTOL = 1e-8


def _cluster_report(W, M, idx, angles, cosines_defined) -> ClusterReport:
    undefined = tuple(k for k in idx if not cosines_defined[k])
    defined_angles = [angles[k] for k in idx if cosines_defined[k]]
    max_angle = float(max(defined_angles)) if defined_angles else None
    if len(idx) < 2:
        return ClusterReport(tuple(idx), None, None, None, None, max_angle, undefined)
    mc = minority_collapse(W, M, list(idx))
    return ClusterReport(tuple(idx), mc.w_max_dist, mc.h_max_dist, mc.w_rel, mc.h_rel, max_angle, undefined)


def all_around(W, H_mean=None, *, H=None, labels=None, clusters=None, weighting: str = "sample",
               center="global", counts=None, angle_unit: str = "deg") -> AllAround:
    r"""All-around NC diagnostics of a classifier and its features (catalogue §7–§8).

    Parameters
    ----------
    W : array_like, shape (K, d)
        Classifier rows :math:`w_k`.
    H_mean : array_like, shape (d, K), optional
        Class means :math:`\bar h_k` as columns.  Computed from ``H``/``labels`` when omitted; when
        both are given they must agree (relative ``MEANS_MATCH_RTOL``).
    H : array_like, shape (d, N), optional
        Sample features as columns (needed for NC1).
    labels : array_like of int, shape (N,), optional
        Required with ``H``.
    clusters : optional
        Groups of classes: a sequence of index lists, or one integer cluster id per class.
        Default: classes with equal sample counts form a cluster (when ``labels`` are given),
        otherwise one cluster holding every class.
    weighting : {"sample", "class"}
        NC1 weighting (:func:`nctheory.metrics.nc1`).
    center : {"global", "class", "none"} or array_like, shape (d,)
        Centring of the class means before the angles, the mean squeeze's scale and ``h_norms``
        (:func:`nctheory.metrics.centered_means`).  ``"global"``: the sample mean
        :math:`\sum_k n_k\bar h_k/N` when the counts are known (from ``labels`` or ``counts``),
        else the mean of the means.  ``"none"``: raw means (the UFM convention).
    counts : array_like, shape (K,), optional
        Per-class sample counts when no ``labels`` are given (e.g. a reduced solution's class
        sizes); they also set the default clusters.
    angle_unit : {"deg", "rad"}

    Returns
    -------
    AllAround
        With, per cluster C,

        .. math::

            \text{squeeze}_W(C) = \frac{\max_{j,k\in C}\|w_j - w_k\|}{\operatorname{mean}_{k\in C}\|w_k\|},
            \qquad
            \text{squeeze}_H(C) = \frac{\max_{j,k\in C}\|\bar h_j - \bar h_k\|}
                                       {\operatorname{mean}_{k\in C}\|\bar h_k\|},

        with :math:`\bar h_k` replaced by :math:`\bar h_k - h_G` when centring, and the self-duality
        angle :math:`\arccos\frac{\langle w_k,\bar h_k - h_G\rangle}{\|w_k\|\|\bar h_k - h_G\|}`
        per class (``None`` where a vector is zero: :func:`nctheory.metrics.self_duality_angles`).

    Raises
    ------
    ValueError
        Naming the offending argument (shapes, labels, clusters, missing inputs).
    """
    W = as_float_array("W", W, ndim=2)
    K, d = W.shape
    if K < 2:
        raise ValueError(f"W: needs K >= 2 rows (one per class), got shape {W.shape}")
    nc1_value, nc1_note = None, "no samples given (pass H and labels for NC1)"
    if H is not None:
        if labels is None:
            raise ValueError("labels: required when H (samples) is given")
        H = as_float_array("H", H, ndim=2)
        if H.shape[0] != d:
            raise ValueError(f"H: has {H.shape[0]} rows but W has d = {d} columns; H must be (d, N) "
                             "with samples as columns (transpose an (N, d) array)")
        means = class_means(H, labels, K)
        counts_from_labels = np.bincount(np.asarray(labels).astype(np.int64), minlength=K)
        if counts is not None and not np.array_equal(np.asarray(counts, dtype=float), counts_from_labels):
            raise ValueError(f"counts: {np.asarray(counts).tolist()} differ from the label counts "
                             f"{counts_from_labels.tolist()}")
        counts = counts_from_labels
        if H_mean is None:
            H_mean = means
        else:
            M_given = as_float_array("H_mean", H_mean, ndim=2)
            if M_given.shape != means.shape:
                raise ValueError(f"H_mean: shape {M_given.shape}, expected (d, K) = {means.shape}")
            scale = max(float(np.max(np.abs(means))), 1e-300)
            if float(np.max(np.abs(M_given - means))) > MEANS_MATCH_RTOL * scale:
                raise ValueError("H_mean: does not match the class means of H with these labels "
                                 f"(max difference {float(np.max(np.abs(M_given - means))):.3g})")
            H_mean = M_given
        try:
            nc1_value, nc1_note = nc1(H, labels, K, weighting=weighting), ""
        except ValueError as exc:
            if not str(exc).startswith("H: all class means coincide"):
                raise
            nc1_value, nc1_note = None, "undefined: all class means coincide (Sigma_B = 0)"
    elif labels is not None:
        raise ValueError("H: labels were given without the samples H")
    if H_mean is None:
        raise ValueError("H_mean: give the class means, or the samples H with labels")
    M = as_float_array("H_mean", H_mean, ndim=2)
    if M.shape != (d, K):
        raise ValueError(f"H_mean: shape {M.shape} does not match W's shape {W.shape} (expected {(d, K)})")
    if counts is not None and H is None:
        counts = np.asarray(counts)
        if counts.shape != (K,) or counts.dtype.kind not in "iuf" or np.any(counts <= 0):
            raise ValueError(f"counts: expected K = {K} positive sample counts, got {counts.tolist()!r}")
    Mc = centered_means(M, center, counts)
    sd = self_duality_angles(W, Mc, center="none", unit=angle_unit)
    angles = tuple(float(a) if ok else None for a, ok in zip(sd.angles, sd.defined))
    cosines = tuple(float(c) if ok else None for c, ok in zip(sd.cosines, sd.defined))
    groups = parse_clusters(clusters, K, counts)
    reports = tuple(_cluster_report(W, Mc, g, sd.angles, sd.defined) for g in groups)
    return AllAround(K=K, nc1=nc1_value, nc1_note=nc1_note,
                     w_norms=np.linalg.norm(W, axis=1), h_norms=np.linalg.norm(Mc, axis=0),
                     self_duality_angle=angles, self_duality_cosine=cosines, clusters=reports,
                     center=center_name(center), angle_unit=angle_unit)


def from_solution(solution, problem=None, *, clusters=None, center="global", angle_unit: str = "deg") -> AllAround:
    """:func:`all_around` of a solver's Solution.

    ``problem`` supplies labels (for NC1), the class counts (for the global mean) and the default
    clusters (classes of equal size).  A claim about the unconstrained feature model compares raw
    means: pass ``center="none"`` for that convention.
    """
    H = getattr(solution, "H", None)
    if problem is None:
        return all_around(solution.W, solution.H_mean, clusters=clusters, center=center, angle_unit=angle_unit)
    if H is not None and H.shape[1] == problem.N:
        return all_around(solution.W, None, H=H, labels=problem.labels, clusters=clusters, center=center,
                          angle_unit=angle_unit)
    return all_around(solution.W, solution.H_mean, clusters=clusters, center=center, counts=np.asarray(problem.sizes),
                      angle_unit=angle_unit)
