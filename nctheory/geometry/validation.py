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


def real_number(name: str, value, expected: str, *, allow_bool: bool = False) -> float:
    """``float(value)``, or a ValueError ``"<name>: expected <expected>, got <value>"``.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    value : object
        Anything ``float`` accepts (a number, a numeric string, a numpy scalar).
    expected : str
        What the argument should be, for the message (``"a positive real number"``).
    allow_bool : bool
        Accept ``True``/``False`` as 1.0/0.0 (by default a bool is refused: it is almost always a mistake).
    """
    if isinstance(value, bool) and not allow_bool:
        raise ValueError(f"{name}: expected {expected}, got a bool")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {expected}, got {value!r}") from None


def positive_real(name: str, value, expected: str = "a positive real number", *, unit: str = "",
                  allow_bool: bool = False) -> float:
    r"""``value`` as a float :math:`v` with :math:`0 < v < \infty`, or a ValueError naming ``name``.

    ``expected`` and ``allow_bool`` are those of :func:`real_number`; ``unit`` is appended to the bound in the
    message (``" seconds"``: ``"must be finite and > 0 seconds"``).
    """
    v = real_number(name, value, expected, allow_bool=allow_bool)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name}: must be finite and > 0{unit}, got {value!r}")
    return v


def one_of(name: str, value, allowed: tuple) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError ``"<name>: must be 'a' or 'b', got ..."``."""
    if value not in allowed:
        raise ValueError(f"{name}: must be {' or '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def _check_scale(scale) -> float:
    return positive_real("scale", scale)


def _check_tol(name: str, tol) -> float:
    t = real_number(name, tol, "a real number in [0, 1)")
    if not (0.0 <= t < 1.0):
        raise ValueError(f"{name}: must be in [0, 1), got {tol!r}")
    return t


def _check_axis(axis) -> str:
    return one_of("axis", axis, _AXES)


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
