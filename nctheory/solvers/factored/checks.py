"""Validation of the factored solvers' options: bad input raises ValueError naming the option first.

The generic checks live in :mod:`nctheory.solvers.checks` (re-exported here); :func:`init_scales` is the
restarts' own.
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.checks import boolean, positive_float, positive_int

__all__ = ["positive_int", "positive_float", "boolean", "init_scales"]


def init_scales(value, restarts: int) -> list[float]:
    """``None`` -> 1 for every restart; a number -> that for every restart; a sequence -> one per restart."""
    if value is None:
        return [1.0] * restarts
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != restarts:
            raise ValueError(f"init_scale: a sequence needs one scale per restart ({restarts}), got {len(value)}")
        return [positive_float("init_scale", v) for v in value]
    return [positive_float("init_scale", value)] * restarts
