r"""All-around Neural Collapse diagnostics (catalogue §7, §8) and pull/push gradient decompositions (§5).

Two tools that work on **any** classifier/feature pair — a solver's :class:`~nctheory.solvers.Solution`,
arrays from a trained network, or an ``.npz`` file:

* :func:`all_around` — NC1 (when samples are given), per-cluster *mean squeeze* and *classifier
  squeeze* (largest pairwise distance inside a cluster relative to the cluster's mean norm), and
  the *self-duality angle* :math:`\angle(w_k, \bar h_k - h_G)` per class and per cluster, in
  degrees.  The class means are centred by the global mean :math:`h_G` by default (the
  literature's convention, :func:`nctheory.metrics.centered_means`); ``center="none"`` keeps the
  raw means (the UFM's convention, which the claims use).  An angle with a zero vector is
  **undefined** and reported as ``None`` (never NaN).
* :func:`feature_gradient_pull_push` / :func:`classifier_gradient_pull_push` — the gradient of the
  cross-entropy (or Yang et al.'s dot-regression) loss split into the *pull* toward the own class
  and the *push* away from the others.

Conventions (catalogue §0): :math:`W \in \mathbb R^{K\times d}` has the class vectors as rows;
features :math:`H \in \mathbb R^{d\times N}` and class means :math:`\bar H \in \mathbb R^{d\times K}`
have them as columns; ``labels`` are integers ``0..K-1``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from nctheory.geometry import as_float_array
from nctheory.metrics import center_name, centered_means, class_means, minority_collapse, nc1, self_duality_angles

#: Relative agreement required between a given ``H_mean`` and the class means of the given ``H``.
#: Means recomputed in float64 agree to ~1e-15 relative; 1e-8 also admits means that were saved in
#: float64 after some arithmetic, but rejects a mismatched file (wrong labels, other epoch).
MEANS_MATCH_RTOL = 1e-8


# =========================================================================== all-around NC
@dataclass(frozen=True)
class ClusterReport:
    r"""Diagnostics of one cluster of classes.

    Attributes
    ----------
    classes : tuple of int
        Class indices of the cluster.
    classifier_spread, mean_spread : float or None
        :math:`\max_{j,k}\|w_j - w_k\|` and :math:`\max_{j,k}\|\bar h_j - \bar h_k\|` over the
        cluster; ``None`` for a one-class cluster (no pair).
    classifier_squeeze, mean_squeeze : float or None
        The spreads divided by the mean norm of the cluster's vectors (0.0 when the cluster's
        vectors are all exactly zero: collapsed exactly); for the means, the norms of the centred
        means :math:`\|\bar h_k - h_G\|`.  A simplex ETF of K vectors has relative spread
        :math:`\sqrt{2K/(K-1)}`; exact minority collapse gives 0.
    self_duality_angle : float or None
        Largest :math:`\angle(w_k, \bar h_k - h_G)` (in the report's ``angle_unit``) over the
        classes where it is defined; ``None`` if it is defined for none of them.
    undefined_angles : tuple of int
        Classes of the cluster whose angle is undefined (zero :math:`w_k` or :math:`\bar h_k`).
    """

    classes: tuple
    classifier_spread: float | None
    mean_spread: float | None
    classifier_squeeze: float | None
    mean_squeeze: float | None
    self_duality_angle: float | None
    undefined_angles: tuple

    def to_dict(self) -> dict:
        return {
            "classes": list(self.classes),
            "classifier_spread": self.classifier_spread,
            "mean_spread": self.mean_spread,
            "classifier_squeeze": self.classifier_squeeze,
            "mean_squeeze": self.mean_squeeze,
            "self_duality_angle": self.self_duality_angle,
            "undefined_angles": list(self.undefined_angles),
        }


@dataclass(frozen=True)
class AllAround:
    r"""The all-around NC report of one classifier/feature pair (see :func:`all_around`).

    Attributes
    ----------
    K : int
    nc1 : float or None
        :math:`\operatorname{tr}(\Sigma_W\Sigma_B^+)/K` (:func:`nctheory.metrics.nc1`); ``None``
        when no samples were given or all class means coincide (then ``nc1_note`` says why).
    nc1_note : str
    w_norms, h_norms : ndarray, shape (K,)
        :math:`\|w_k\|` and :math:`\|\bar h_k - h_G\|` (raw :math:`\|\bar h_k\|` with ``center="none"``).
    self_duality_angle : tuple of (float or None)
        Per class, :math:`\angle(w_k, \bar h_k - h_G)` in ``angle_unit``; ``None`` where undefined.
    self_duality_cosine : tuple of (float or None)
        Per class, :math:`\cos\angle(w_k, \bar h_k - h_G)`; ``None`` where undefined.
    clusters : tuple of ClusterReport
    center : str
        How the means were centred (``"global"``, ``"class"``, ``"none"`` or ``"vector"``).
    angle_unit : str
        ``"deg"`` or ``"rad"``.
    """

    K: int
    nc1: float | None
    nc1_note: str
    w_norms: np.ndarray
    h_norms: np.ndarray
    self_duality_angle: tuple
    self_duality_cosine: tuple
    clusters: tuple
    center: str = "global"
    angle_unit: str = "deg"

    def to_dict(self) -> dict:
        """JSON-ready dictionary (undefined values are ``None``)."""
        return {
            "K": self.K,
            "nc1": self.nc1,
            "nc1_note": self.nc1_note,
            "w_norms": self.w_norms.tolist(),
            "h_norms": self.h_norms.tolist(),
            "self_duality_angle": list(self.self_duality_angle),
            "self_duality_cosine": list(self.self_duality_cosine),
            "clusters": [c.to_dict() for c in self.clusters],
            "center": self.center,
            "angle_unit": self.angle_unit,
        }

    def summary(self) -> str:
        """A short human-readable table."""

        def fmt(x):
            return "undef" if x is None else f"{x:.4g}"

        lines = [f"K = {self.K}   NC1 = {fmt(self.nc1)}" + (f"  ({self.nc1_note})" if self.nc1_note else "")]
        head = f"max angle ({self.angle_unit})"
        lines.append(f"{'cluster':<24} {'w squeeze':>10} {'h squeeze':>10} {head:>16}")
        for c in self.clusters:
            name = ",".join(map(str, c.classes))
            name = name if len(name) <= 24 else name[:21] + "..."
            lines.append(f"{name:<24} {fmt(c.classifier_squeeze):>10} {fmt(c.mean_squeeze):>10} "
                         f"{fmt(c.self_duality_angle):>16}")
        return "\n".join(lines)


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


def load_arrays(source, *, allow_pickle: bool = False) -> dict:
    r"""Read W and features from an ``.npz`` file or a mapping of arrays.

    Parameters
    ----------
    source : str, os.PathLike or Mapping
        An ``.npz`` path or a dict-like object with keys ``W`` and either ``H_mean``, or ``H``
        with ``labels`` (both may be given; they are checked against each other by
        :func:`all_around`).  ``W`` is K×d (rows = classes), ``H`` is d×N (columns = samples),
        ``H_mean`` is d×K.
    allow_pickle : bool
        Passed to :func:`numpy.load` (keep False for untrusted files).

    Returns
    -------
    dict
        Keys ``W``, ``H_mean``, ``H``, ``labels`` (absent ones are ``None``), arrays as float64
        (labels as int64).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise ValueError(f"source: no such file {path!r}")
        try:
            with np.load(path, allow_pickle=allow_pickle) as data:
                if not hasattr(data, "files"):
                    raise ValueError(f"source: {path!r} is a single array, expected an .npz archive "
                                     "with keys W, H/H_mean")
                raw = {k: data[k] for k in data.files}
        except (OSError, EOFError) as exc:
            raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        raise ValueError(f"source: expected an .npz path or a mapping of arrays, got {type(source).__name__}")
    unknown = set(raw) - {"W", "H", "H_mean", "labels"}
    if unknown:
        raise ValueError(f"source: unknown key(s) {sorted(unknown)}; expected W, H, H_mean, labels")
    if "W" not in raw:
        raise ValueError("W: missing (the classifier, K x d)")
    if "H_mean" not in raw and "H" not in raw:
        raise ValueError("H_mean: missing; give H_mean (d x K) or H (d x N) with labels")
    if "H" in raw and "labels" not in raw:
        raise ValueError("labels: required with H")
    out = {"W": as_float_array("W", raw["W"], ndim=2), "H_mean": None, "H": None, "labels": None}
    if "H_mean" in raw:
        out["H_mean"] = as_float_array("H_mean", raw["H_mean"], ndim=2)
    if "H" in raw:
        out["H"] = as_float_array("H", raw["H"], ndim=2)
        lab = np.asarray(raw["labels"])
        if lab.ndim != 1 or lab.dtype.kind not in "iu":
            raise ValueError(f"labels: expected a 1-D integer array, got dtype {lab.dtype}, shape {lab.shape}")
        out["labels"] = lab.astype(np.int64)
    return out


def diagnose(source, *, clusters=None, weighting: str = "sample", center="global",
             angle_unit: str = "deg") -> AllAround:
    """Load solution-layout arrays with :func:`load_arrays` and run :func:`all_around` on them.

    For a trained network's arrays (``features`` N × d, one row per sample) use :func:`nctheory.diagnose`
    (:mod:`nctheory.present.diagnose`), which reports the full NC1-NC4 set.
    """
    a = load_arrays(source)
    return all_around(a["W"], a["H_mean"], H=a["H"], labels=a["labels"], clusters=clusters, weighting=weighting,
                      center=center, angle_unit=angle_unit)


# =========================================================================== pull / push
@dataclass(frozen=True)
class PullPush:
    r"""A gradient split into the pull toward the own class and the push from the others.

    ``gradient = pull + push`` exactly.
    """

    pull: np.ndarray
    push: np.ndarray

    @property
    def gradient(self) -> np.ndarray:
        return self.pull + self.push


def _softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def _check_label(label, K: int) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or not 0 <= label < K:
        raise ValueError(f"label: must be an integer class index in 0..{K - 1}, got {label!r}")
    return int(label)


def _dr_target(W: np.ndarray, c: int, e_h) -> float:
    if e_h is None:
        raise ValueError("e_h: the dot-regression loss needs the feature budget E_H")
    if isinstance(e_h, bool) or not np.isfinite(float(e_h)) or float(e_h) <= 0:
        raise ValueError(f"e_h: must be > 0, got {e_h!r}")
    e_w = float(W[c] @ W[c])
    if e_w == 0.0:
        raise ValueError(f"W: row {c} is zero; the dot-regression target sqrt(E_W E_H) is 0")
    return float(np.sqrt(e_w * float(e_h)))


def feature_loss(W, h, label, *, loss: str = "ce", e_h=None) -> float:
    r"""Loss of one feature ``h`` of class ``label`` under classifier W.

    * ``"ce"``: :math:`\operatorname{logsumexp}(Wh) - w_c^\top h`.
    * ``"dr"`` (dot regression, Yang et al. 2022, catalogue §5):
      :math:`(w_c^\top h - \sqrt{E_WE_H})^2 / (2\sqrt{E_WE_H})` with :math:`E_W = \|w_c\|^2`.
    """
    W = as_float_array("W", W, ndim=2)
    h = as_float_array("h", h, ndim=1)
    if h.size != W.shape[1]:
        raise ValueError(f"h: has {h.size} entries, W has d = {W.shape[1]} columns")
    c = _check_label(label, W.shape[0])
    if loss == "ce":
        z = W @ h
        m = float(np.max(z))
        return float(m + np.log(np.sum(np.exp(z - m))) - z[c])
    if loss == "dr":
        t = _dr_target(W, c, e_h)
        return float((W[c] @ h - t) ** 2 / (2.0 * t))
    raise ValueError(f"loss: must be 'ce' or 'dr', got {loss!r}")


def feature_gradient_pull_push(W, h, label, *, loss: str = "ce", e_h=None) -> PullPush:
    r"""Gradient of :func:`feature_loss` in ``h``, split into pull and push (Yang et al. 2022, §5).

    CE with :math:`p = \operatorname{softmax}(Wh)`:

    .. math::

        \nabla_h \ell = \underbrace{-(1 - p_c)\,w_c}_{\text{pull}}
                      + \underbrace{\textstyle\sum_{j\ne c} p_j\, w_j}_{\text{push}} .

    Dot regression: :math:`\nabla_h\ell = \frac{w_c^\top h - \sqrt{E_WE_H}}{\sqrt{E_WE_H}}\,w_c`, all
    pull, push = 0.  At :math:`\|h\| = \sqrt{E_H}` this is
    :math:`-(1 - \cos\angle(h, w_c))\,w_c` (catalogue §5, ETF-DR).
    """
    W = as_float_array("W", W, ndim=2)
    h = as_float_array("h", h, ndim=1)
    if h.size != W.shape[1]:
        raise ValueError(f"h: has {h.size} entries, W has d = {W.shape[1]} columns")
    c = _check_label(label, W.shape[0])
    if loss == "ce":
        p = _softmax(W @ h)
        pull = -(1.0 - p[c]) * W[c]
        q = p.copy()
        q[c] = 0.0
        return PullPush(pull=pull, push=W.T @ q)
    if loss == "dr":
        t = _dr_target(W, c, e_h)
        return PullPush(pull=((W[c] @ h - t) / t) * W[c], push=np.zeros_like(h))
    raise ValueError(f"loss: must be 'ce' or 'dr', got {loss!r}")


def mean_ce_loss(W, H, labels) -> float:
    r"""Average cross-entropy :math:`\frac1N\sum_i \ell_{CE}(Wh_i, y_i)` (no bias)."""
    W = as_float_array("W", W, ndim=2)
    H = as_float_array("H", H, ndim=2)
    lab = np.asarray(labels).astype(np.int64)
    Z = W @ H
    m = np.max(Z, axis=0)
    lse = m + np.log(np.sum(np.exp(Z - m), axis=0))
    return float(np.mean(lse - Z[lab, np.arange(lab.size)]))


def classifier_gradient_pull_push(W, H, labels, k) -> PullPush:
    r"""Gradient of :func:`mean_ce_loss` in the classifier row :math:`w_k`, split into pull and push.

    With :math:`p_i = \operatorname{softmax}(Wh_i)`:

    .. math::

        \nabla_{w_k} = \underbrace{-\frac1N\sum_{i: y_i = k}(1 - p_{i,k})\,h_i}_{\text{pull (own features)}}
                     + \underbrace{\frac1N\sum_{i: y_i\ne k} p_{i,k}\,h_i}_{\text{push (other classes)}} .

    Under imbalance a minority :math:`w_k` has few pull terms and many push terms — the
    gradient argument for minority collapse (catalogue §5).
    """
    W = as_float_array("W", W, ndim=2)
    H = as_float_array("H", H, ndim=2)
    K, d = W.shape
    if H.shape[0] != d:
        raise ValueError(f"H: has {H.shape[0]} rows, W has d = {d} columns")
    lab = np.asarray(labels)
    if lab.shape != (H.shape[1],) or lab.dtype.kind not in "iu":
        raise ValueError(f"labels: expected {H.shape[1]} integer labels, got shape {lab.shape}, dtype {lab.dtype}")
    k = _check_label(k, K)
    P = _softmax(W @ H, axis=0)
    N = H.shape[1]
    own = lab == k
    pull = -(H[:, own] @ (1.0 - P[k, own])) / N
    push = (H[:, ~own] @ P[k, ~own]) / N
    return PullPush(pull=pull, push=push)


__all__ = [
    "AllAround",
    "ClusterReport",
    "PullPush",
    "all_around",
    "classifier_gradient_pull_push",
    "diagnose",
    "feature_gradient_pull_push",
    "feature_loss",
    "from_solution",
    "load_arrays",
    "parse_clusters",
    "mean_ce_loss",
]
