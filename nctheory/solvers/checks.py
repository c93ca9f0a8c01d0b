"""Checks of solver options shared by every solver family: bad input raises ValueError naming the option first."""

from __future__ import annotations

import math

import numpy as np

from nctheory.model.reals import real_number

__all__ = ["positive_int", "positive_float", "boolean"]


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (not a bool); ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    """A finite real number > 0 (>= 0 with ``allow_zero``); ValueError naming ``name`` otherwise."""
    v = real_number(name, value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: must be finite and {bound}, got {value!r}")
    return v


def boolean(name: str, value) -> bool:
    """``True`` or ``False`` (Python or numpy bool); ValueError naming ``name`` otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: must be True or False, got {value!r}")
    return bool(value)
