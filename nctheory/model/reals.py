"""A user's number as a float64, or a ValueError naming the field: the one conversion every option check uses."""

from __future__ import annotations

import numpy as np

__all__ = ["real_number"]


def real_number(name: str, value) -> float:
    """``float(value)``; ValueError starting with ``name`` for a bool (Python or numpy), a value that is not a
    number, or one too large for float64.  Range checks (finite, sign, limits) are the caller's."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected a real number, got a bool")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name}: {value!r} is too large for float64") from None
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real number, got {value!r}") from None
