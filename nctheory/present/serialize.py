"""One conversion to JSON for everything the toolkit writes (CLI output, sweep records), and the
versioned envelope every ``--json`` output carries.

Strict JSON (RFC 8259) has no NaN or Infinity, which Python's ``json`` would otherwise write: every
non-finite float becomes ``null``.  numpy arrays and scalars, enums and objects with a ``to_json()`` are
converted on the way; dict keys become strings.

The contract
------------
Every object a command prints with ``--json`` (and every sweep record) starts with

* ``schema_version`` -- :data:`SCHEMA_VERSION`, the version of the JSON contract (not of the package): it
  changes only when a field is removed, renamed or changes meaning; new fields may appear without a new
  version;
* ``nctheory_version`` -- the version of the package that wrote it;
* ``command`` -- the command that wrote it (which names its schema, ``nctheory/present/schema/<command>.json``).

The schemas (JSON Schema draft 2020-12) ship in the package: :func:`schema` loads one, :data:`SCHEMAS` names
them, ``docs/json.rst`` lists their fields.
"""

from __future__ import annotations

import enum
import json
import math
from importlib import resources

import numpy as np

#: Version of the JSON contract (module doc).  "1" was the unversioned output before it.
SCHEMA_VERSION = "2"

#: The schema files (``nctheory/present/schema/<name>.json``): one per command output, the sweep record, and
#: ``common`` with the definitions they share.
SCHEMAS = ("claims", "solve", "predict", "verify", "check", "threshold", "search", "sweep", "diagnose", "gallery",
           "sweep-record", "common")

#: The base of the schemas' ``$id``: a name, not an address (``.invalid`` is reserved never to resolve).
SCHEMA_BASE = f"https://nctheory.invalid/schema/{SCHEMA_VERSION}/"


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


def stamp(command: str) -> dict:
    """The envelope fields (module doc) for output written by ``command``."""
    from nctheory import __version__

    return {"schema_version": SCHEMA_VERSION, "nctheory_version": __version__, "command": command}


def envelope(command: str, body: dict) -> dict:
    """``body`` with the envelope fields first (module doc).  ``body`` must be a dict: a list has no place for
    the version, so a command that writes several items wraps them in an object."""
    if not isinstance(body, dict):
        raise TypeError(f"a versioned JSON output is an object, got {type(body).__name__}")
    clash = sorted(set(body) & {"schema_version", "nctheory_version", "command"})
    if clash:
        raise ValueError(f"{clash[0]}: reserved for the envelope of the JSON output")
    return {**stamp(command), **body}


def schema(name: str) -> dict:
    """The JSON Schema ``name`` (one of :data:`SCHEMAS`) as shipped in the package; ValueError ``name: ...``."""
    if name not in SCHEMAS:
        raise ValueError(f"name: unknown schema {name!r}; known: {', '.join(SCHEMAS)}")
    text = resources.files("nctheory.present").joinpath("schema", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
