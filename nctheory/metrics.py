r"""Neural-collapse metrics NC1–NC4 and collapse measures (catalogue §8), in float64.

Conventions: features :math:`H \in \mathbb R^{d\times N}` (columns are samples) with integer
``labels`` in ``0..K-1``; class means :math:`\bar H = [\bar h_1 \dots \bar h_K] \in
\mathbb R^{d\times K}`; classifier :math:`W \in \mathbb R^{K\times d}` (rows :math:`w_k`); bias
:math:`b \in \mathbb R^K`.  Every metric that needs only class means also works on a
reduced solution (``Solution.H_mean``); NC1 of class means alone is 0 by definition
(:func:`nc1_from_means`).

Defaults follow the literature (Papyan, Han & Donoho 2020; the rhubarbwu/neural-collapse and
felixsh/nc-toolbox libraries, catalogue §9):

* class means enter NC2 and NC3 **centred by the global mean** :math:`h_G`
  (``center="global"``; with ``counts`` the sample mean :math:`\sum_k n_k\bar h_k/N`, without
  them the mean of the class means, which is the same for balanced classes).  ``center="none"``
  gives the raw means -- the unconstrained feature model's own convention, which claims compare
  against;
* angles are in **degrees** (``unit="rad"`` for radians).

Bad input raises :class:`ValueError` whose message starts with the argument's name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import pdist, squareform

from nctheory.geometry import (
    ZERO_TOL,
    as_float_array,
    cosine_matrix,
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


#: Accepted ``center`` names (see :func:`centered_means`).
CENTERS = ("global", "class", "none")

#: Accepted angle units.
ANGLE_UNITS = ("deg", "rad")


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


def _check_unit(unit) -> str:
    if unit not in ANGLE_UNITS:
        raise ValueError(f"unit: must be 'deg' or 'rad', got {unit!r}")
    return unit


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


def _nc1_setup(H, labels, K, weighting: str, rcond) -> dict:
    """Shared pieces of the NC1 family: validated H and labels, means, h_G and Sigma_B's eigenpairs."""
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
    return {"H": H, "lab": lab, "K": K, "N": N, "means": means, "counts": counts, "B": B, "U": U[:, keep],
            "lam": lam[keep], "C": C, "sample_w": sample_w}


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
    For generic data :math:`\Sigma_B` has rank K−1, and this equals both the Moore–Penrose
    pseudo-inverse form (rhubarbwu's ``"pinv"``) and the top-(K−1) SVD form (Han et al. 2022,
    rhubarbwu's ``"svd"``) in exact arithmetic.

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
    z = _nc1_setup(H, labels, K, weighting, rcond)
    P = z["U"].T @ z["C"]  # projections u_j^T (h_i - hbar_{y_i})
    within = (P * P) @ z["sample_w"]  # u_j^T Sigma_W u_j, sums of squares: >= 0
    return float(np.sum(within / z["lam"]) / z["K"])


def nc1_per_class(H, labels, K: int | None = None, weighting: str = "sample", rcond: float = NC1_RCOND) -> np.ndarray:
    r"""NC1 of each class: :math:`v_k = \operatorname{tr}(\Sigma_k\Sigma_B^+)/K` with
    :math:`\Sigma_k = \frac1{n_k}\sum_{i\in k}(h_i - \bar h_k)(h_i - \bar h_k)^\top`.

    :math:`\Sigma_B` (and its truncation) as in :func:`nc1` with the same ``weighting``, so NC1 is
    their average: :math:`\mathrm{NC1} = \sum_k \frac{n_k}{N} v_k` (``"sample"``) or
    :math:`\frac1K\sum_k v_k` (``"class"``).  Under imbalance it shows whether the minority
    classes are less collapsed than the majority.

    Returns
    -------
    ndarray, shape (K,), entries >= 0
    """
    z = _nc1_setup(H, labels, K, weighting, rcond)
    P = z["U"].T @ z["C"]
    per_sample = np.sum((P * P) / z["lam"][:, None], axis=0)  # (h_i - hbar)^T Sigma_B^+ (h_i - hbar)
    return np.bincount(z["lab"], weights=per_sample, minlength=z["K"]) / (z["counts"] * z["K"])


def nc1_quotient(H, labels, K: int | None = None, weighting: str = "sample") -> float:
    r"""Tirer, Huang & Niles-Weed (2023)'s NC1: :math:`\operatorname{tr}(\Sigma_W)/\operatorname{tr}(\Sigma_B)`.

    :math:`\Sigma_W, \Sigma_B` as in :func:`nc1` (same ``weighting``).  No inverse: it is defined
    whenever the class means are not all equal, and never negative.
    """
    z = _nc1_setup(H, labels, K, weighting, 0.0)
    tr_w = float(np.sum(z["C"] * z["C"], axis=0) @ z["sample_w"])
    tr_b = float(np.sum(z["B"] * z["B"]) / z["K"])
    return tr_w / tr_b


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

    .. math::

        \Big\|\frac{WW^\top}{\|WW^\top\|_F} - \frac{T}{\|T\|_F}\Big\|_F,

    ``target`` T: ``"etf"`` (:math:`\tfrac{K}{K-1}S`, normalised :math:`S/\sqrt{K-1}` as in Papyan
    et al. and rhubarbwu's ``simplex_etf_error``), ``"orthogonal"`` (:math:`I_K`) or a K×K array
    (e.g. a claim's predicted Gram, ``seli_grams(sizes)["WW"]``).  The classifier rows are not
    centred (as in Papyan et al.).
    """
    W = _check_W(W)
    return gram_distance(gram(W, "rows"), _target(target, W.shape[0]), names=("W", "target"))


def nc2_h(H_mean, target="etf", center="global", counts=None) -> float:
    r"""NC2 of the class means: distance of :math:`\tilde H^\top\tilde H` to ``target`` (as :func:`nc2_w`).

    :math:`\tilde H = [\bar h_k - h_G]` are the means centred by the global mean
    (:func:`centered_means`; ``center="none"`` for the raw means, the UFM convention).  With the
    default target this is rhubarbwu's ``simplex_etf_error`` (Kothapalli 2023).
    """
    M = _center(_check_means(H_mean), center, counts)
    return gram_distance(gram(M, "cols"), _target(target, M.shape[1]), names=("H_mean", "target"))


def nc3(W, H_mean, target="etf", center="global", counts=None) -> float:
    r"""Distance of :math:`W\tilde H` (K×K; entry (j, k) is :math:`\langle w_j, \bar h_k - h_G\rangle`) to ``target``.

    .. math::

        \Big\|\frac{W\tilde H}{\|W\tilde H\|_F} - \frac{T}{\|T\|_F}\Big\|_F .

    With self-duality and an ETF, :math:`W\tilde H \propto S \propto` the ETF Gram, so the
    default target is ``"etf"``; this is rhubarbwu's ``self_duality_error``.  SELI predicts
    ``S`` itself (``seli_grams(...)["WH"]``), the same target after normalisation.
    ``center``/``counts`` as in :func:`nc2_h`.
    """
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    return gram_distance(W @ M, _target(target, W.shape[0]), names=("W @ H_mean", "target"))


def self_duality_distance(W, H_mean, center="global", counts=None) -> float:
    r"""NC3 self-duality (Papyan et al. 2020; nc-toolbox's ``nc3_self_duality``):

    .. math::

        \Big\|\frac{W}{\|W\|_F} - \frac{\tilde H^\top}{\|\tilde H\|_F}\Big\|_F \in [0, 2],

    0 iff :math:`W \propto \tilde H^\top` (:math:`\tilde H` the centred means, as in :func:`nc2_h`).
    Some authors report its square.
    """
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    return gram_distance(W, M.T, names=("W", "H_mean"))


# --------------------------------------------------------------------------- NC2: norms and angles
def _vectors(X, axis: str, name: str) -> np.ndarray:
    if axis not in ("rows", "cols"):
        raise ValueError(f"axis: must be 'rows' or 'cols', got {axis!r}")
    X = as_float_array(name, X, ndim=2)
    V = X if axis == "rows" else X.T
    if V.shape[0] < 2:
        raise ValueError(f"{name}: needs at least two vectors along {axis}, got shape {X.shape}")
    return V


def equinorm(X, axis: str = "rows", name: str = "X") -> float:
    r"""Equinorm (NC2, Papyan et al. 2020 Fig. 2): coefficient of variation of the vector norms,

    .. math::

        \frac{\operatorname{std}_k\|v_k\|}{\operatorname{mean}_k\|v_k\|}\qquad
        (\text{population std, } \tfrac1K\text{ normalisation}).

    Apply it to W (``axis="rows"``) and to the centred means (``axis="cols"``,
    :func:`centered_means`).  0 iff all norms are equal.

    Raises
    ------
    ValueError
        ``name`` when every vector is zero.
    """
    V = _vectors(X, axis, name)
    nrm = np.linalg.norm(V, axis=1)
    mean = float(np.mean(nrm))
    if mean == 0.0:
        raise ValueError(f"{name}: every vector is zero; the equinorm ratio is undefined")
    return float(np.std(nrm) / mean)


def _pair_cosines(V: np.ndarray, name: str, zero_tol: float) -> np.ndarray:
    c = cosine_matrix(V, "rows", zero_tol=zero_tol)
    if not c.all_defined:
        raise ValueError(f"{name}: vectors {list(c.zero[0])} are zero; their cosines are undefined")
    return c.values[np.triu_indices(V.shape[0], k=1)]


def equiangularity(X, axis: str = "rows", name: str = "X", zero_tol: float = ZERO_TOL) -> float:
    r"""Equiangularity (NC2, Papyan et al. 2020 Fig. 3): :math:`\operatorname{std}_{j<k}\cos\angle(v_j, v_k)`.

    0 iff all pairs meet at the same angle (a simplex ETF, an orthogonal frame, or any equiangular
    set).  Population std over the :math:`K(K-1)/2` pairs.

    Raises
    ------
    ValueError
        ``name`` when a vector is zero (within ``zero_tol`` of the largest norm): its angles are
        undefined.
    """
    return float(np.std(_pair_cosines(_vectors(X, axis, name), name, zero_tol)))


def etf_angle_deviation(X, axis: str = "rows", name: str = "X", zero_tol: float = ZERO_TOL) -> float:
    r"""Distance of the angles from the simplex ETF's (NC2, Papyan et al. 2020 Fig. 4):

    .. math::

        \operatorname{mean}_{j<k}\Big|\cos\angle(v_j, v_k) + \frac1{K-1}\Big| .

    0 iff every pair has the ETF's cosine :math:`-1/(K-1)` (the largest equal angle K vectors can
    have).  Raises like :func:`equiangularity`.
    """
    V = _vectors(X, axis, name)
    return float(np.mean(np.abs(_pair_cosines(V, name, zero_tol) + 1.0 / (V.shape[0] - 1))))


# --------------------------------------------------------------------------- NC4
def _nc4_decisions(H, labels, W, b, means):
    H = as_float_array("H", H, ndim=2)
    W = _check_W(W)
    K = W.shape[0]
    if W.shape[1] != H.shape[0]:
        raise ValueError(f"W: has {W.shape[1]} columns but the features have dimension {H.shape[0]}")
    lab = None
    if labels is not None:
        lab, _ = _check_labels(labels, H.shape[1], K)
    if means is None:
        if lab is None:
            raise ValueError("labels: required to compute class centres when means is not given")
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
    return pred, ncc, lab, K


def nc4(H, labels, W, b=None, means=None) -> float:
    r"""NC4: fraction of samples on which the classifier agrees with the nearest class centre.

    Classifier decision :math:`\arg\max_k (Wh_i + b)_k`; nearest-centre decision
    :math:`\arg\min_k \|h_i - \bar h_k\|`.  Ties resolve to the lowest class index in both.
    Papyan et al. plot the mismatch, 1 minus this.

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
    pred, ncc, _, _ = _nc4_decisions(H, labels, W, b, means)
    return float(np.mean(pred == ncc))


def nc4_per_class(H, labels, W, b=None, means=None) -> np.ndarray:
    r"""NC4 agreement (:func:`nc4`) among the samples of each class: shape (K,), entries in [0, 1].

    ``labels`` are required (they define the classes); their sample-weighted average is :func:`nc4`.
    """
    if labels is None:
        raise ValueError("labels: required for the per-class agreement")
    pred, ncc, lab, K = _nc4_decisions(H, labels, W, b, means)
    return np.bincount(lab, weights=(pred == ncc).astype(np.float64), minlength=K) / np.bincount(lab, minlength=K)


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
    first with :func:`centered_means` for the literature's convention).

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


@dataclass(frozen=True)
class SelfDualityAngles:
    r"""Per-class angle between :math:`w_k` and its (centred) class mean :math:`\bar h_k - h_G`.

    Attributes
    ----------
    angles : ndarray, shape (K,)
        In ``unit`` (degrees in [0, 180] by default, radians in [0, π]); NaN exactly where
        ``defined`` is False.
    cosines : ndarray, shape (K,)
        :math:`\cos\angle(w_k, \bar h_k - h_G)`; NaN exactly where ``defined`` is False.
    defined : ndarray of bool, shape (K,)
        False where :math:`w_k` or the (centred) mean is zero (see ``zero_tol``).
    zero_w, zero_h : tuple of int
        Classes whose classifier / class mean counts as zero.
    zero_tol : float
        :math:`w_k` is zero when :math:`\|w_k\| \le \text{zero\_tol}\cdot\max_j\|w_j\|`;
        the means likewise among themselves.
    unit : str
        ``"deg"`` or ``"rad"``.
    center : str
        What was subtracted from the means (``"global"``, ``"class"``, ``"none"`` or ``"vector"``).
    """

    angles: np.ndarray
    cosines: np.ndarray
    defined: np.ndarray
    zero_w: tuple
    zero_h: tuple
    zero_tol: float
    unit: str = "deg"
    center: str = "global"

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


def center_name(center) -> str:
    """The name of a ``center`` value: ``"global"``, ``"class"``, ``"none"`` or ``"vector"``."""
    if center is True:
        return "class"
    if center is False or center is None:
        return "none"
    return center if isinstance(center, str) else "vector"


def self_duality_angles(W, H_mean, zero_tol: float = ZERO_TOL, *, center="global", counts=None,
                        unit: str = "deg") -> SelfDualityAngles:
    r"""Per-class self-duality angles (AllNC's per-class view of NC3):

    .. math::

        \angle(w_k, \bar h_k - h_G) = \arccos\frac{\langle w_k, \bar h_k - h_G\rangle}
                                               {\|w_k\|\,\|\bar h_k - h_G\|} .

    Undefined (and flagged) where either vector is zero.  ``center``/``counts`` as in
    :func:`centered_means` (``center="none"``: the raw means, the UFM convention); ``unit``
    ``"deg"`` (default) or ``"rad"``.  The arccos near 0° turns a rounding error ε of the cosine
    into :math:`\sqrt{2\varepsilon}` (~1e-6°), so angles below that are not resolved.
    """
    unit = _check_unit(unit)
    W, M = _check_pair(W, H_mean)
    M = _center(M, center, counts)
    c = paired_cosines(W, M.T, zero_tol=zero_tol)
    angles = np.full(c.values.shape, np.nan)
    rad = np.arccos(c.values[c.defined])
    angles[c.defined] = np.degrees(rad) if unit == "deg" else rad
    return SelfDualityAngles(
        angles=angles,
        cosines=c.values,
        defined=c.defined,
        zero_w=c.zero[0],
        zero_h=c.zero[1],
        zero_tol=c.zero_tol,
        unit=unit,
        center=center_name(center),
    )


__all__ = [
    "ANGLE_UNITS",
    "CENTERS",
    "NC1_RCOND",
    "MinorityCollapse",
    "SelfDualityAngles",
    "cdnv",
    "cdnv_matrix",
    "center_name",
    "centered_means",
    "class_means",
    "class_variances",
    "equiangularity",
    "equinorm",
    "etf_angle_deviation",
    "global_mean",
    "minority_collapse",
    "nc1",
    "nc1_from_means",
    "nc1_per_class",
    "nc1_quotient",
    "nc2_h",
    "nc2_w",
    "nc3",
    "nc4",
    "nc4_per_class",
    "relative_spread",
    "self_duality_angles",
    "self_duality_distance",
]
