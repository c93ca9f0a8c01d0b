"""One conversion to JSON for everything the toolkit writes (CLI output, sweep records).

Strict JSON (RFC 8259) has no NaN or Infinity, which Python's ``json`` would otherwise write: every
non-finite float becomes ``null``.  numpy arrays and scalars, enums and objects with a ``to_json()`` are
converted on the way; dict keys become strings.
"""

from __future__ import annotations

import enum
import json
import math

import numpy as np


def jsonable(x):
    """A JSON-ready copy of ``x`` (module doc)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, enum.Enum):
        return jsonable(x.value)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else None
    if x is None or isinstance(x, (int, str)):
        return x
    if hasattr(x, "to_json"):
        return jsonable(x.to_json())
    return str(x)


def dumps(obj, *, indent: int | None = None) -> str:
    """Strict JSON text of ``obj`` (module doc)."""
    return json.dumps(jsonable(obj), indent=indent, allow_nan=False, ensure_ascii=False)
