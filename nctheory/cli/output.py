"""JSON on stdout: every command writes through :func:`emit_json` (strict JSON, see
:mod:`nctheory.present.serialize`), which puts the versioned envelope (``schema_version``,
``nctheory_version``, ``command``) in front of the command's fields."""

from __future__ import annotations

import sys

from nctheory.present.serialize import dumps, envelope, jsonable  # noqa: F401 (jsonable re-exported for commands)


def emit_json(obj, stream=None, *, command: str) -> None:
    """Write ``obj`` (a dict) with the envelope of ``command`` as indented strict JSON and a newline."""
    stream = stream or sys.stdout
    stream.write(dumps(envelope(command, obj), indent=2))
    stream.write("\n")
