r"""Neural-collapse metrics NC1–NC4 and collapse measures (catalogue §8), in float64.

Conventions: features :math:`H \in \mathbb R^{d\times N}` (columns are samples) with integer
``labels`` in ``0..K-1``; class means :math:`\bar H = [\bar h_1 \dots \bar h_K] \in
\mathbb R^{d\times K}`; classifier :math:`W \in \mathbb R^{K\times d}` (rows :math:`w_k`); bias
:math:`b \in \mathbb R^K`.  Every metric that needs only class means also works on a
reduced solution (``Solution.H_mean``); NC1 of class means alone is 0 by definition
(:func:`nc1_from_means`).

Bad input raises :class:`ValueError` whose message starts with the argument's name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import pdist

from nctheory.geometry import (
    ZERO_TOL,
    as_float_array,
    etf_gram,
    gram,
    gram_distance,
    paired_cosines,
)

#: Relative eigenvalue cutoff for :math:`\Sigma_B^+` in NC1: eigenvalues
#: :math:`\le` ``NC1_RCOND`` :math:`\cdot\lambda_{\max}(\Sigma_B)` count as zero.  It equals a
#: cutoff of 1e-6 on the singular values of the centred class means; rounding puts the
#: spurious ones near :math:`\varepsilon\cdot`\ (size of the means, including any common
#: offset), far below this unless the offset exceeds the spread by ~1e9.
NC1_RCOND = 1e-12

WEIGHTINGS = ("sample", "class")


# --------------------------------------------------------------------------- validation
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
    counts = np.bincount(lab, minlength=K)
    empty = np.flatnonzero(counts == 0)
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


def _center(M: np.ndarray, center) -> np.ndarray:
    if center is False or center is None:
        return M
    if center is True:
        return M - M.mean(axis=1, keepdims=True)
    c = as_float_array("center", center, ndim=1)
    if c.size != M.shape[0]:
        raise ValueError(f"center: has {c.size} entries but the features have dimension {M.shape[0]}")
    return M - c[:, None]


def _target(target, K: int) -> np.ndarray:
    if isinstance(target, str):
        if target == "etf":
            return etf_gram(K)
        if target == "orthogonal":
            return np.eye(K)
        raise ValueError(f"target: must be 'etf', 'orthogonal' or a K x K array, got {target!r}")
    T = as_float_array("target", target, ndim=2)
    if T.shape != (K, K):
        raise ValueError(f"target: expected shape {(K, K)}, got {T.shape}")
    return T


# --------------------------------------------------------------------------- class means, NC1
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


def nc1(H, labels, K: int | None = None, weighting: str = "sample", rcond: float = NC1_RCOND) -> float:
    r"""NC1 :math:`= \operatorname{tr}(\Sigma_W \Sigma_B^+)/K` (catalogue §8).

    ``weighting="sample"`` (default; Papyan et al., catalogue §8 exactly):

    .. math::

        \Sigma_W = \frac1N \sum_k\sum_{i\in k} (h_i - \bar h_k)(h_i - \bar h_k)^\top,\quad
        \Sigma_B = \frac1K \sum_k (\bar h_k - h_G)(\bar h_k - h_G)^\top,\quad
        h_G = \frac1N\sum_i h_i .

    ``weighting="class"`` gives every class equal weight whatever its size:
    :math:`\Sigma_W = \frac1K\sum_k \frac1{n_k}\sum_{i\in k}(\cdot)(\cdot)^\top`,
    :math:`h_G = \frac1K\sum_k \bar h_k`, same :math:`\Sigma_B`.

    :math:`\Sigma_B^+` is the pseudo-inverse on the eigenvalues :math:`\lambda_j >` ``rcond``
    :math:`\cdot\lambda_{\max}(\Sigma_B)` only (truncated eigendecomposition).  The eigenpairs
    come from the SVD of the centred means :math:`B = [\bar h_k - h_G]`
    (:math:`\Sigma_B = BB^\top/K`, :math:`\lambda_j = s_j^2/K`, eigenvectors :math:`u_j`), and
    the trace is summed as :math:`\sum_j u_j^\top\Sigma_W u_j/\lambda_j` with
    :math:`u_j^\top\Sigma_W u_j` a weighted sum of squares, so the result is never negative.

    Returns
    -------
    float
        NC1 >= 0; 0 iff there is no within-class spread along the span of the class means.

    Raises
    ------
    ValueError
        Bad shapes/labels/non-finite entries; ``H`` if all class means coincide
        (:math:`\Sigma_B = 0`, NC1 undefined).
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting: must be 'sample' or 'class', got {weighting!r}")
    if isinstance(rcond, bool) or not isinstance(rcond, (int, float, np.floating)) or not (0.0 <= rcond < 1.0):
        raise ValueError(f"rcond: must be a real number in [0, 1), got {rcond!r}")
    H = as_float_array("H", H, ndim=2)
    lab, K = _check_labels(labels, H.shape[1], K)
    N = lab.size
    means = _means(H, lab, K)
    counts = np.bincount(lab, minlength=K).astype(np.float64)
    if weighting == "sample":
        h_G = means @ (counts / N)
        sample_w = np.full(N, 1.0 / N)
    else:
        h_G = means.mean(axis=1)
        sample_w = 1.0 / (K * counts[lab])
    B = means - h_G[:, None]
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    lam = s * s / K
    if lam.size == 0 or lam[0] == 0.0:
        raise ValueError("H: all class means coincide (Sigma_B = 0); NC1 is undefined")
    keep = lam > rcond * lam[0]
    C = H - means[:, lab]  # within-class deviations h_i - hbar_{y_i}
    P = U[:, keep].T @ C  # projections u_j^T (h_i - hbar_{y_i})
    within = (P * P) @ sample_w  # u_j^T Sigma_W u_j, sums of squares: >= 0
    return float(np.sum(within / lam[keep]) / K)


def nc1_from_means(H_mean) -> float:
    r"""NC1 of a solution given by class means only: 0 by definition.

    A reduced solution places every sample at its class mean (:math:`h_{k,i} = \bar h_k`,
    reduction R2), so :math:`\Sigma_W = 0`.  The means are still validated, and NC1 is
    undefined (ValueError naming ``H_mean``) when they all coincide, exactly as in :func:`nc1`.
    """
    M = _check_means(H_mean)
    if np.all(M == M[:, :1]):
        raise ValueError("H_mean: all class means coincide (Sigma_B = 0); NC1 is undefined")
    return 0.0


# --------------------------------------------------------------------------- NC2, NC3
def nc2_w(W, target="etf") -> float:
    r"""NC2 of the classifier: :func:`~nctheory.geometry.gram_distance` of :math:`WW^\top` to ``target``.

    ``target``: ``"etf"`` (:math:`\tfrac{K}{K-1}S`), ``"orthogonal"`` (:math:`I_K`) or a K×K
    array (e.g. a claim's predicted Gram, ``seli_grams(sizes)["WW"]``).
    """
    W = _check_W(W)
    return gram_distance(gram(W, "rows"), _target(target, W.shape[0]), names=("W", "target"))


def nc2_h(H_mean, target="etf", center=False) -> float:
    r"""NC2 of the class means: distance of :math:`\bar H_c^\top \bar H_c` to ``target``.

    ``center``: ``False`` (default, catalogue §8: the raw means), ``True`` (subtract the
    average of the class means, :math:`\frac1K\sum_k\bar h_k`) or a length-d vector to
    subtract (e.g. the sample global mean, as in Papyan et al.).
    """
    M = _center(_check_means(H_mean), center)
    return gram_distance(gram(M, "cols"), _target(target, M.shape[1]), names=("H_mean", "target"))


def nc3(W, H_mean, target="etf", center=False) -> float:
    r"""Distance of :math:`W\bar H_c` (K×K; column k = class k's mean logit without bias) to ``target``.

    With self-duality and an ETF, :math:`W\bar H \propto S \propto` the ETF Gram, so the
    default target is ``"etf"``; SELI's prediction is ``S`` itself (``seli_grams(...)["WH"]``).
    ``center`` as in :func:`nc2_h`.
    """
    W, M = _check_pair(W, H_mean)
    M = _center(M, center)
    return gram_distance(W @ M, _target(target, W.shape[0]), names=("W @ H_mean", "target"))


def self_duality_distance(W, H_mean, center=False) -> float:
    r"""NC3 self-duality: :math:`\big\|W/\|W\|_F - \bar H_c^\top/\|\bar H_c\|_F\big\|_F` (0 iff :math:`W \propto \bar H_c^\top`)."""
    W, M = _check_pair(W, H_mean)
    M = _center(M, center)
    return gram_distance(W, M.T, names=("W", "H_mean"))


# --------------------------------------------------------------------------- NC4
def nc4(H, labels, W, b=None, means=None) -> float:
    r"""NC4: fraction of samples on which the classifier agrees with the nearest class centre.

    Classifier decision :math:`\arg\max_k (Wh_i + b)_k`; nearest-centre decision
    :math:`\arg\min_k \|h_i - \bar h_k\|`.  Ties resolve to the lowest class index in both.

    Parameters
    ----------
    H : array_like, shape (d, N)
    labels : array_like of int, shape (N,) or None
        Used to compute the centres (class means of H); may be None when ``means`` is given.
    W : array_like, shape (K, d)
    b : array_like, shape (K,), optional
    means : array_like, shape (d, K), optional
        Class centres to use instead of the class means of ``H`` (e.g. training means when
        ``H`` holds test features).

    Returns
    -------
    float in [0, 1]
    """
    H = as_float_array("H", H, ndim=2)
    W = _check_W(W)
    K = W.shape[0]
    if W.shape[1] != H.shape[0]:
        raise ValueError(f"W: has {W.shape[1]} columns but the features have dimension {H.shape[0]}")
    if means is None:
        if labels is None:
            raise ValueError("labels: required to compute class centres when means is not given")
        lab, _ = _check_labels(labels, H.shape[1], K)
        M = _means(H, lab, K)
    else:
        M = _check_means(means, "means")
        if M.shape != (H.shape[0], K):
            raise ValueError(f"means: expected shape {(H.shape[0], K)}, got {M.shape}")
    logits = W @ H
    if b is not None:
        bb = as_float_array("b", b, ndim=1)
        if bb.size != K:
            raise ValueError(f"b: has {bb.size} entries but W has K = {K} rows")
        logits = logits + bb[:, None]
    pred = np.argmax(logits, axis=0)
    # squared distances up to the per-sample constant ||h_i||^2
    dist = np.sum(M * M, axis=0)[:, None] - 2.0 * (M.T @ H)
    ncc = np.argmin(dist, axis=0)
    return float(np.mean(pred == ncc))


# --------------------------------------------------------------------------- collapse diagnostics
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


def minority_collapse(W, H_mean, cluster) -> MinorityCollapse:
    r"""Largest pairwise distance inside ``cluster`` for classifiers and class means, absolute and relative.

    Distances are computed from the differences themselves (not from Grams), so an exact
    collapse gives exactly 0.  Use this, not cosines, to detect collapse: collapsed
    vectors can be exactly zero (catalogue §6).

    Parameters
    ----------
    W : array_like, shape (K, d)
    H_mean : array_like, shape (d, K)
    cluster : sequence of int
        At least two distinct class indices in 0..K-1.
    """
    W, M = _check_pair(W, H_mean)
    K = W.shape[0]
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

    def spread(V: np.ndarray) -> tuple[float, float, float]:
        dmax = float(np.max(pdist(V)))
        scale = float(np.mean(np.linalg.norm(V, axis=1)))
        rel = 0.0 if scale == 0.0 else dmax / scale
        return dmax, scale, rel

    wd, ws, wr = spread(W[idx])
    hd, hs, hr = spread(M[:, idx].T)
    return MinorityCollapse(tuple(idx), wd, hd, ws, hs, wr, hr)


@dataclass(frozen=True)
class SelfDualityAngles:
    r"""Per-class angle between :math:`w_k` and :math:`\bar h_k`.

    Attributes
    ----------
    angles : ndarray, shape (K,)
        Radians in [0, π]; NaN exactly where ``defined`` is False.
    cosines : ndarray, shape (K,)
        :math:`\cos\angle(w_k, \bar h_k)`; NaN exactly where ``defined`` is False.
    defined : ndarray of bool, shape (K,)
        False where :math:`w_k` or :math:`\bar h_k` is zero (see ``zero_tol``).
    zero_w, zero_h : tuple of int
        Classes whose classifier / class mean counts as zero.
    zero_tol : float
        :math:`w_k` is zero when :math:`\|w_k\| \le \text{zero\_tol}\cdot\max_j\|w_j\|`;
        :math:`\bar h_k` likewise within the class means.
    """

    angles: np.ndarray
    cosines: np.ndarray
    defined: np.ndarray
    zero_w: tuple
    zero_h: tuple
    zero_tol: float

    @property
    def all_defined(self) -> bool:
        return bool(np.all(self.defined))

    def require(self) -> np.ndarray:
        """``angles`` if all are defined, else a ValueError naming the zero vectors."""
        if not self.all_defined:
            raise ValueError(
                f"angles: undefined for zero classifiers {list(self.zero_w)} / zero class means {list(self.zero_h)}"
            )
        return self.angles


def self_duality_angles(W, H_mean, zero_tol: float = ZERO_TOL) -> SelfDualityAngles:
    r"""Angles :math:`\angle(w_k, \bar h_k)` per class; undefined (and flagged) where either vector is zero."""
    W, M = _check_pair(W, H_mean)
    c = paired_cosines(W, M.T, zero_tol=zero_tol)
    angles = np.full(c.values.shape, np.nan)
    angles[c.defined] = np.arccos(c.values[c.defined])
    return SelfDualityAngles(
        angles=angles,
        cosines=c.values,
        defined=c.defined,
        zero_w=c.zero[0],
        zero_h=c.zero[1],
        zero_tol=c.zero_tol,
    )


__all__ = [
    "NC1_RCOND",
    "MinorityCollapse",
    "SelfDualityAngles",
    "class_means",
    "minority_collapse",
    "nc1",
    "nc1_from_means",
    "nc2_h",
    "nc2_w",
    "nc3",
    "nc4",
    "self_duality_angles",
    "self_duality_distance",
]
