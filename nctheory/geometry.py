r"""Reference geometries (simplex ETF, orthogonal frame, SEL/SELI) and Gram/cosine helpers.

Notation (catalogue §0): K classes with sizes :math:`n_k`, :math:`D = \operatorname{diag}(n)`,
:math:`J = 11^\top`, :math:`S = I - J/K` (the centering matrix).  A classifier
:math:`W \in \mathbb R^{K\times d}` stores the class vectors as **rows**; class means
:math:`\bar H \in \mathbb R^{d\times K}` store them as **columns**.  Functions that take a
matrix of vectors say which with ``axis="rows"`` or ``axis="cols"``.

Everything is float64.  Bad input raises :class:`ValueError` whose message starts with the
offending argument's name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.model import validate_sizes

#: Default relative zero tolerance for cosines: a vector whose norm is at most
#: ``ZERO_TOL`` times the largest norm in the same family counts as zero.  Rounding
#: errors of float64 sit near 1e-16 relative; 1e-12 leaves room for accumulated error
#: while still treating a vector 1e-12 times smaller than its peers as "no direction".
ZERO_TOL = 1e-12

#: Relative tolerance on negative eigenvalues accepted (and clipped to 0) by :func:`psd_sqrt`.
PSD_NEG_TOL = 1e-10

_AXES = ("rows", "cols")


# --------------------------------------------------------------------------- validation
def _check_K(K, name: str = "K") -> int:
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)):
        raise ValueError(f"{name}: must be an integer >= 2, got {K!r}")
    if K < 2:
        raise ValueError(f"{name}: must be an integer >= 2 (at least two classes), got {K}")
    return int(K)


def _check_dim(d, K: int, minimum: int, why: str) -> int:
    if d is None:
        return K
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise ValueError(f"d: must be a positive integer or None, got {d!r}")
    if d < minimum:
        raise ValueError(f"d: {d} is too small; need d >= {minimum} ({why})")
    return int(d)


def _check_scale(scale) -> float:
    if isinstance(scale, bool):
        raise ValueError("scale: expected a positive real number, got a bool")
    try:
        s = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale: expected a positive real number, got {scale!r}") from None
    if not math.isfinite(s) or s <= 0:
        raise ValueError(f"scale: must be finite and > 0, got {scale!r}")
    return s


def _check_tol(name: str, tol) -> float:
    if isinstance(tol, bool):
        raise ValueError(f"{name}: expected a real number in [0, 1), got a bool")
    try:
        t = float(tol)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real number in [0, 1), got {tol!r}") from None
    if not (0.0 <= t < 1.0):
        raise ValueError(f"{name}: must be in [0, 1), got {tol!r}")
    return t


def _check_axis(axis) -> str:
    if axis not in _AXES:
        raise ValueError(f"axis: must be 'rows' or 'cols', got {axis!r}")
    return axis


def as_float_array(name: str, x, ndim: int | None = None) -> np.ndarray:
    """``x`` as a finite, non-empty float64 array (a copy), or a ValueError naming ``name``.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    x : array_like
    ndim : int, optional
        Required number of dimensions.
    """
    if np.iscomplexobj(x):
        raise ValueError(f"{name}: expected real numbers, got complex values")
    try:
        arr = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real numeric array, got {type(x).__name__}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains non-finite entries (nan or inf)")
    return arr


def _rng(rng) -> np.random.Generator | None:
    if rng is None:
        return None
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng: expected None, an integer seed or a numpy Generator, got {rng!r}")


def random_rotation(d: int, rng) -> np.ndarray:
    r"""A Haar-distributed orthogonal :math:`d\times d` matrix.

    QR of a standard Gaussian matrix, with the signs of R's diagonal moved into Q
    (Mezzadri 2007) so the distribution is exactly Haar.
    """
    gen = _rng(rng)
    if gen is None:
        raise ValueError("rng: a seed or Generator is required for a random rotation")
    g = gen.standard_normal((d, d))
    q, r = np.linalg.qr(g)
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return q * signs


# --------------------------------------------------------------------------- reference frames
def centering(K: int) -> np.ndarray:
    r"""The centering matrix :math:`S = I_K - \tfrac1K 11^\top` (symmetric, idempotent, :math:`S1 = 0`)."""
    K = _check_K(K)
    return np.eye(K) - np.full((K, K), 1.0 / K)


def etf_gram(K: int, scale: float = 1.0) -> np.ndarray:
    r"""Gram of a simplex ETF with row norms ``scale``: :math:`\text{scale}^2\,\tfrac{K}{K-1} S`.

    Diagonal :math:`\text{scale}^2`, off-diagonal :math:`-\text{scale}^2/(K-1)`.
    """
    K = _check_K(K)
    s = _check_scale(scale)
    return (s * s * K / (K - 1)) * centering(K)


def helmert_basis(K: int) -> np.ndarray:
    r"""An orthonormal basis of :math:`1^\perp \subset \mathbb R^K`, as the columns of a K×(K−1) matrix B.

    Column j (1-based) is :math:`(1,\dots,1,-j,0,\dots,0)/\sqrt{j(j+1)}` with j ones (Helmert).
    :math:`B^\top B = I_{K-1}`, :math:`B^\top 1 = 0`, hence :math:`BB^\top = S`.
    """
    K = _check_K(K)
    B = np.zeros((K, K - 1))
    for j in range(1, K):
        B[:j, j - 1] = 1.0
        B[j, j - 1] = -float(j)
        B[:, j - 1] /= math.sqrt(j * (j + 1.0))
    return B


def simplex_etf(K: int, d: int | None = None, scale: float = 1.0, rng=None) -> np.ndarray:
    r"""The K vectors of a simplex equiangular tight frame, as the rows of a K×d matrix.

    Every row has norm ``scale`` and every pair has cosine :math:`-1/(K-1)`; the Gram is
    :math:`\text{scale}^2 \tfrac{K}{K-1} S` and the rows sum to zero.

    * ``d >= K`` (catalogue §5): :math:`M = \sqrt{K/(K-1)}\,U S` with
      :math:`U = [I_K; 0] \in \mathbb R^{d\times K}` (orthonormal columns); the rows returned
      are the columns of M, i.e. :math:`\sqrt{K/(K-1)}\,[S,\ 0]`.
    * ``d = K-1``: rows :math:`\sqrt{K/(K-1)}\,B` with B the Helmert orthonormal basis of
      :math:`1^\perp` (:func:`helmert_basis`), since :math:`BB^\top = S`.

    Parameters
    ----------
    K : int
        Number of vectors, K >= 2.
    d : int, optional
        Ambient dimension, d >= K-1 (default K).
    scale : float
        Common row norm (> 0).
    rng : None, int or numpy.random.Generator
        Deterministic output when None; otherwise the frame is multiplied on the right by a
        Haar-random d×d rotation drawn from this seed/generator (the Gram is unchanged).

    Returns
    -------
    ndarray, shape (K, d)
    """
    K = _check_K(K)
    d = _check_dim(d, K, K - 1, "a simplex ETF of K vectors spans K-1 dimensions")
    s = _check_scale(scale)
    c = s * math.sqrt(K / (K - 1.0))
    if d == K - 1:
        M = c * helmert_basis(K)
    else:
        M = np.zeros((K, d))
        M[:, :K] = c * centering(K)
    if rng is not None:
        M = M @ random_rotation(d, rng)
    return M


def orthogonal_frame(K: int, d: int | None = None, scale: float = 1.0, rng=None) -> np.ndarray:
    r"""K mutually orthogonal vectors of norm ``scale`` as rows of a K×d matrix (d >= K).

    Deterministically :math:`\text{scale}\,[I_K,\ 0]`; Gram :math:`\text{scale}^2 I_K`.  With
    ``rng`` the rows are rotated by a Haar-random d×d orthogonal matrix.
    """
    K = _check_K(K)
    d = _check_dim(d, K, K, "K orthogonal nonzero vectors need K dimensions")
    s = _check_scale(scale)
    M = np.zeros((K, d))
    M[:, :K] = s * np.eye(K)
    if rng is not None:
        M = M @ random_rotation(d, rng)
    return M


# --------------------------------------------------------------------------- SEL / SELI
def _check_sizes(sizes) -> np.ndarray:
    # the one definition of valid class sizes lives in nctheory.model.problem
    return np.asarray(validate_sizes(sizes), dtype=np.float64)


def one_hot_labels(sizes) -> np.ndarray:
    r"""The K×N one-hot label matrix Y, :math:`Y_{k,i} = 1` iff sample i is in class k.

    Samples are ordered by class (the first :math:`n_1` columns are class 0, ...), as in
    :attr:`nctheory.model.problem.Problem.labels`.  :math:`YY^\top = D`.
    """
    n = _check_sizes(sizes).astype(int)
    labels = np.repeat(np.arange(n.size), n)
    Y = np.zeros((n.size, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def sel_matrix(sizes, per: str = "sample") -> np.ndarray:
    r"""The simplex-encoded-labels (SEL) matrix of Thrampoulidis et al. (catalogue §6).

    Parameters
    ----------
    sizes : sequence of int
        Class sizes :math:`n_k`.
    per : {"sample", "class", "weighted"}
        * ``"sample"``: :math:`\hat Z = S Y \in \mathbb R^{K\times N}`, with Y the K×N one-hot
          label matrix (columns grouped by class, :func:`one_hot_labels`).  Column i is
          :math:`e_{y_i} - 1/K`, the logit vector of sample i at the UF-SVM optimum.
        * ``"class"``: the class-mean version :math:`\hat Z Y^\top D^{-1} = S` (K×K; column k is
          the mean logit of class k).
        * ``"weighted"``: :math:`\hat Z Y^\top D^{-1/2} = S D^{1/2}` (K×K), the matrix
          :math:`\bar Z D^{1/2}` of reduction R2.  It has the same singular values and left
          singular vectors as :math:`\hat Z`, because :math:`Y^\top D^{-1/2}` has orthonormal
          columns.
    """
    n = _check_sizes(sizes)
    K = n.size
    S = centering(K)
    if per == "sample":
        return S @ one_hot_labels(n.astype(int))
    if per == "class":
        return S
    if per == "weighted":
        return S * np.sqrt(n)[None, :]
    raise ValueError(f"per: must be 'sample', 'class' or 'weighted', got {per!r}")


def psd_sqrt(A, name: str = "A", neg_tol: float = PSD_NEG_TOL) -> np.ndarray:
    r"""The symmetric PSD square root :math:`A^{1/2} = V \operatorname{diag}(\sqrt{\mu_+}) V^\top`.

    ``A`` is symmetrised (:math:`(A + A^\top)/2`) and diagonalised with ``eigh``.  Eigenvalues
    with :math:`|\mu| \le 4K\varepsilon\max|\mu|` are indistinguishable from 0 given eigh's
    backward error and are set to 0 (so an exactly singular A keeps an exact null space
    instead of picking up :math:`\sqrt{\varepsilon}`-sized noise); negative eigenvalues down to
    :math:`-\text{neg\_tol}\cdot\max|\mu|` are clipped to 0.

    Accuracy: the square root is not Lipschitz at 0, so a perturbation :math:`\delta` of A
    moves :math:`A^{1/2}` by up to :math:`\sqrt\delta`.  When A is a Gram :math:`FF^\top`,
    prefer the SVD of F (as :func:`seli_grams` does): it gives :math:`(FF^\top)^{1/2}` to
    :math:`\varepsilon` accuracy.

    Raises
    ------
    ValueError
        ``name`` is not square, not symmetric (relative asymmetry above ``neg_tol``), or has an
        eigenvalue below :math:`-\text{neg\_tol}\cdot\max|\mu|`.
    """
    A = as_float_array(name, A, ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name}: must be square, got shape {A.shape}")
    scale = np.max(np.abs(A))
    if scale == 0.0:
        return np.zeros_like(A)
    if np.max(np.abs(A - A.T)) > neg_tol * scale:
        raise ValueError(f"{name}: must be symmetric (max |A - A^T| = {np.max(np.abs(A - A.T)):.3g})")
    mu, V = np.linalg.eigh(0.5 * (A + A.T))
    top = np.max(np.abs(mu))
    if mu[0] < -neg_tol * top:
        raise ValueError(f"{name}: not positive semidefinite (eigenvalue {mu[0]:.3g}, largest {top:.3g})")
    mu = np.where(mu <= 4.0 * A.shape[0] * np.finfo(np.float64).eps * top, 0.0, mu)
    R = (V * np.sqrt(mu)) @ V.T
    return 0.5 * (R + R.T)


def seli_grams(sizes) -> dict[str, np.ndarray]:
    r"""The SELI geometry (catalogue §6): Grams of the UF-SVM solution for class sizes ``sizes``.

    With :math:`\hat Z = SY = U\Sigma V^\top` (:func:`sel_matrix`), the UF-SVM
    :math:`\min \tfrac12\|W\|^2 + \tfrac12\|H\|^2` s.t. margins has the balanced factors
    :math:`W = U\Sigma^{1/2}`, :math:`H = \Sigma^{1/2}V^\top` and class means
    :math:`\bar H = H Y^\top D^{-1}`.  This function returns their Grams **exactly, with that
    normalisation** (no free scale):

    .. math::

        WW^\top = (SDS)^{1/2},\qquad
        \bar H^\top \bar H = D^{-1/2}\,(D^{1/2} S D^{1/2})^{1/2}\,D^{-1/2},\qquad
        W\bar H = S .

    Consequently :math:`\operatorname{tr}(WW^\top) = \sum_k n_k\|\bar h_k\|^2 = \|\hat Z\|_*`.
    For equal sizes n: :math:`WW^\top = \sqrt n\,S`, :math:`\bar H^\top\bar H = S/\sqrt n` (ETF).

    Both square roots are computed from one SVD :math:`SD^{1/2} = P\Theta Q^\top`:
    :math:`(SDS)^{1/2} = P\Theta P^\top` and :math:`(D^{1/2}SD^{1/2})^{1/2} = Q\Theta Q^\top`.
    This avoids squaring (the matrices are singular: :math:`S1 = 0`), so the result is accurate
    to rounding, not to :math:`\sqrt\varepsilon`.

    Returns
    -------
    dict with keys ``"WW"``, ``"HH"``, ``"WH"`` (each K×K, float64).
    """
    n = _check_sizes(sizes)
    S = centering(n.size)
    sq = np.sqrt(n)
    P, theta, Qt = np.linalg.svd(S * sq[None, :])
    WW = (P * theta) @ P.T
    inner = (Qt.T * theta) @ Qt
    HH = inner / sq[:, None] / sq[None, :]
    return {"WW": 0.5 * (WW + WW.T), "HH": 0.5 * (HH + HH.T), "WH": S}


# --------------------------------------------------------------------------- Grams, norms, cosines
def gram(X, axis: str = "rows") -> np.ndarray:
    r"""Gram matrix of the vectors stored along ``axis``.

    ``axis="rows"``: :math:`XX^\top` (e.g. :math:`WW^\top`); ``axis="cols"``: :math:`X^\top X`
    (e.g. :math:`\bar H^\top \bar H`).  The result is symmetrised exactly.
    """
    axis = _check_axis(axis)
    X = as_float_array("X", X, ndim=2)
    G = X @ X.T if axis == "rows" else X.T @ X
    return 0.5 * (G + G.T)


def norms(X, axis: str = "rows") -> np.ndarray:
    """Euclidean norms of the vectors stored along ``axis`` (rows or columns of X)."""
    axis = _check_axis(axis)
    X = as_float_array("X", X, ndim=2)
    return np.linalg.norm(X, axis=1 if axis == "rows" else 0)


@dataclass(frozen=True)
class Cosines:
    r"""Cosines that may be undefined because a vector is (numerically) zero.

    Attributes
    ----------
    values : ndarray
        The cosines; **NaN exactly where** ``defined`` is False, never elsewhere.
    defined : ndarray of bool
        Same shape as ``values``.
    zero_tol : float
        Relative zero tolerance used: a vector counts as zero when its norm is at most
        ``zero_tol`` times the largest norm of its family.
    zero : tuple of tuple of int
        Indices of the zero vectors, one tuple per family (one family for
        :func:`cosine_matrix`, two for :func:`paired_cosines`).
    """

    values: np.ndarray
    defined: np.ndarray
    zero_tol: float
    zero: tuple

    @property
    def all_defined(self) -> bool:
        return bool(np.all(self.defined))

    def require(self) -> np.ndarray:
        """``values`` if every cosine is defined, else a ValueError naming the zero vectors."""
        if not self.all_defined:
            raise ValueError(f"cosines: undefined because of zero vectors at indices {self.zero}")
        return self.values

    def masked(self) -> np.ma.MaskedArray:
        """``values`` as a masked array (undefined entries masked)."""
        return np.ma.masked_array(self.values, mask=~self.defined)


def _zero_mask(nrm: np.ndarray, zero_tol: float) -> np.ndarray:
    top = float(np.max(nrm)) if nrm.size else 0.0
    return nrm <= zero_tol * top if top > 0 else np.ones(nrm.shape, dtype=bool)


def cosine(u, v, zero_tol: float = ZERO_TOL) -> float:
    r"""Cosine :math:`\langle u, v\rangle / (\|u\|\|v\|)` of two vectors, clipped to [-1, 1].

    A vector whose norm is at most ``zero_tol * max(‖u‖, ‖v‖)`` counts as zero (so does an
    exactly zero vector); the cosine with a zero vector is undefined and raises.

    Raises
    ------
    ValueError
        Naming ``u`` or ``v`` when it is zero, when shapes differ, or on non-finite entries.
    """
    zero_tol = _check_tol("zero_tol", zero_tol)
    u = as_float_array("u", u, ndim=1)
    v = as_float_array("v", v, ndim=1)
    if u.shape != v.shape:
        raise ValueError(f"v: shape {v.shape} does not match u's shape {u.shape}")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    top = max(nu, nv)
    if nu <= zero_tol * top or nu == 0.0:
        raise ValueError(f"u: is a zero vector (norm {nu:.3g}, tolerance {zero_tol:g} x {top:.3g}); cosine undefined")
    if nv <= zero_tol * top or nv == 0.0:
        raise ValueError(f"v: is a zero vector (norm {nv:.3g}, tolerance {zero_tol:g} x {top:.3g}); cosine undefined")
    c = float(np.dot(u / nu, v / nv))
    return min(1.0, max(-1.0, c))


def cosine_matrix(X, axis: str = "rows", zero_tol: float = ZERO_TOL, on_zero: str = "mask") -> Cosines:
    r"""All pairwise cosines of the vectors stored along ``axis`` of X.

    A vector whose norm is at most ``zero_tol`` times the **largest norm among the vectors
    of X** counts as zero (all vectors are zero if X = 0).  Every cosine involving a zero
    vector is undefined: with ``on_zero="mask"`` it is NaN in ``values`` and False in
    ``defined``; with ``on_zero="raise"`` a ValueError names the zero vectors.  The defined
    diagonal entries are exactly 1.

    Returns
    -------
    Cosines
        ``values`` is m×m for m vectors.
    """
    zero_tol = _check_tol("zero_tol", zero_tol)
    if on_zero not in ("mask", "raise"):
        raise ValueError(f"on_zero: must be 'mask' or 'raise', got {on_zero!r}")
    axis = _check_axis(axis)
    X = as_float_array("X", X, ndim=2)
    V = X if axis == "rows" else X.T
    nrm = np.linalg.norm(V, axis=1)
    zero = _zero_mask(nrm, zero_tol)
    if on_zero == "raise" and zero.any():
        raise ValueError(f"X: vectors {np.flatnonzero(zero).tolist()} along {axis} are zero; cosines undefined")
    U = np.zeros_like(V)
    U[~zero] = V[~zero] / nrm[~zero, None]
    C = np.clip(U @ U.T, -1.0, 1.0)
    C = 0.5 * (C + C.T)
    np.fill_diagonal(C, 1.0)
    defined = np.outer(~zero, ~zero)
    C[~defined] = np.nan
    return Cosines(values=C, defined=defined, zero_tol=zero_tol, zero=(tuple(np.flatnonzero(zero).tolist()),))


def paired_cosines(A, B, zero_tol: float = ZERO_TOL) -> Cosines:
    r"""Cosines :math:`\cos(a_k, b_k)` between matching rows of A and B (both m×d).

    Zero vectors are judged within each family: :math:`a_k` is zero when
    :math:`\|a_k\| \le \text{zero\_tol}\cdot\max_j\|a_j\|` (B likewise), so the two families may
    live on different scales (e.g. W and :math:`\bar H^\top` when :math:`\lambda_W \ne \lambda_H`).
    Undefined entries are NaN in ``values`` and False in ``defined``.
    """
    zero_tol = _check_tol("zero_tol", zero_tol)
    A = as_float_array("A", A, ndim=2)
    B = as_float_array("B", B, ndim=2)
    if A.shape != B.shape:
        raise ValueError(f"B: shape {B.shape} does not match A's shape {A.shape}")
    na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    za, zb = _zero_mask(na, zero_tol), _zero_mask(nb, zero_tol)
    defined = ~za & ~zb
    vals = np.full(A.shape[0], np.nan)
    dots = np.einsum("ij,ij->i", A[defined] / na[defined, None], B[defined] / nb[defined, None])
    vals[defined] = np.clip(dots, -1.0, 1.0)
    zero = (tuple(np.flatnonzero(za).tolist()), tuple(np.flatnonzero(zb).tolist()))
    return Cosines(values=vals, defined=defined, zero_tol=zero_tol, zero=zero)


def gram_distance(X, T, names: tuple[str, str] = ("X", "T")) -> float:
    r"""Normalised Frobenius distance :math:`\big\|X/\|X\|_F - T/\|T\|_F\big\|_F` (catalogue §8).

    Scale-invariant (positive rescaling of X or T leaves it unchanged); in [0, 2]; 0 iff X is
    a positive multiple of T.  Used for NC2/NC3 with X a Gram (:math:`WW^\top`,
    :math:`\bar H^\top\bar H`, :math:`W\bar H`) and T a target (ETF, orthogonal frame, a
    prediction), but it applies to any two matrices of equal shape.

    Raises
    ------
    ValueError
        If either matrix is exactly zero (it has no direction, the distance is undefined),
        shapes differ, or entries are non-finite.  ``names`` sets the argument names used
        in these messages.
    """
    X = as_float_array(names[0], X)
    T = as_float_array(names[1], T)
    if X.shape != T.shape:
        raise ValueError(f"{names[1]}: shape {T.shape} does not match {names[0]}'s shape {X.shape}")
    units = []
    for name, M in ((names[0], X), (names[1], T)):
        m = float(np.max(np.abs(M)))
        if m == 0.0:
            raise ValueError(f"{name}: is the zero matrix; its direction (X/||X||_F) is undefined")
        Ms = M / m  # pre-scaling avoids overflow/underflow in the norm
        units.append(Ms / np.linalg.norm(Ms))
    return float(np.linalg.norm(units[0] - units[1]))
