"""JSON on stdout: every command writes through :func:`emit_json` (strict JSON, see
:mod:`nctheory.present.serialize`)."""

from __future__ import annotations

import sys

from nctheory.present.serialize import dumps, jsonable  # noqa: F401 (jsonable re-exported for commands)


def emit_json(obj, stream=None) -> None:
    """Write ``obj`` as indented strict JSON and a newline."""
    stream = stream or sys.stdout
    stream.write(dumps(obj, indent=2))
    stream.write("\n")
