"""Argument checks shared by the reference geometries: counts, dimensions, scales, tolerances, arrays.

Each check returns the cleaned value or raises :class:`ValueError` whose message starts with the
offending argument's name.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model import validate_sizes

_AXES = ("rows", "cols")


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


def _check_sizes(sizes) -> np.ndarray:
    # the one definition of valid class sizes lives in nctheory.model.problem
    return np.asarray(validate_sizes(sizes), dtype=np.float64)
