"""Validation of solver options: bad input raises ValueError naming the option first."""

from __future__ import annotations

import math

import numpy as np


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def positive_float(name: str, value, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a real number, got a bool")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: must be finite and {bound}, got {value!r}")
    return v


def init_scales(value, restarts: int) -> list[float]:
    """``None`` -> 1 for every restart; a number -> that for every restart; a sequence -> one per restart."""
    if value is None:
        return [1.0] * restarts
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != restarts:
            raise ValueError(f"init_scale: a sequence needs one scale per restart ({restarts}), got {len(value)}")
        return [positive_float("init_scale", v) for v in value]
    return [positive_float("init_scale", value)] * restarts


def boolean(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: must be True or False, got {value!r}")
    return bool(value)
