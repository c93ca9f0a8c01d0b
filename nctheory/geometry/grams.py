r"""Gram matrices, vector norms and the normalised Frobenius distance between matrices (catalogue §8)."""

from __future__ import annotations

import numpy as np

from nctheory.geometry.validation import _check_axis, as_float_array


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
