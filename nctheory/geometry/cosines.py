r"""Cosines between vectors, with an explicit record of where they are undefined (zero vectors)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.geometry.validation import _check_axis, _check_tol, as_float_array

#: Default relative zero tolerance for cosines: a vector whose norm is at most
#: ``ZERO_TOL`` times the largest norm in the same family counts as zero.  Rounding
#: errors of float64 sit near 1e-16 relative; 1e-12 leaves room for accumulated error
#: while still treating a vector 1e-12 times smaller than its peers as "no direction".
ZERO_TOL = 1e-12


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
