"""Output paths, checked before any work starts (a bad path is bad input: one line, exit 2).

A file output (``--junit FILE``, ``sweep --out FILE``) must be a regular file or not exist yet, in an
existing folder where a file can be created; a directory output (``report --out DIR``, ``gallery --out
DIR``) must be a directory or be creatable.  Writability is probed by creating (and removing) a
temporary file in the folder, and by opening an existing target for appending (which changes nothing),
so devices (``/dev/full``), pseudo-files (``/proc/...``) and read-only places are refused up front rather
than after minutes of solving.
"""

from __future__ import annotations

import os
import stat
import tempfile


def _probe_folder(field: str, folder: str) -> None:
    if not os.path.exists(folder):
        raise ValueError(f"{field}: the folder {folder!r} does not exist")
    if not os.path.isdir(folder):
        raise ValueError(f"{field}: {folder!r} is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".nctheory-probe-"):
            pass
    except OSError as exc:
        raise ValueError(f"{field}: cannot create files in {folder!r} ({exc.strerror or exc})") from None


def check_output_file(field: str, path: str) -> str:
    """Validate a file to be written (or appended to); returns the path.  ValueError ``<field>: ...``."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"{field}: expected a file path, got {path!r}")
    if "\x00" in path:
        raise ValueError(f"{field}: the path contains a NUL character")
    if os.path.isdir(path):
        raise ValueError(f"{field}: {path!r} is a directory; give a file path")
    if os.path.lexists(path):
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            raise ValueError(f"{field}: cannot use {path!r} ({exc.strerror or exc})") from None
        if not stat.S_ISREG(mode):
            raise ValueError(f"{field}: {path!r} is not a regular file (a device, pipe or socket)")
        try:
            with open(path, "ab"):
                pass
        except OSError as exc:
            raise ValueError(f"{field}: cannot write {path!r} ({exc.strerror or exc})") from None
    _probe_folder(field, os.path.dirname(os.path.abspath(path)))
    return path


def check_output_dir(field: str, path: str) -> str:
    """Validate a folder to be written into (created if missing, with its parents); returns the path."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"{field}: expected a folder path, got {path!r}")
    if "\x00" in path:
        raise ValueError(f"{field}: the path contains a NUL character")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{field}: {path!r} exists and is not a folder")
    if not os.path.isdir(path):
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"{field}: cannot create the folder {path!r} ({exc.strerror or exc})") from None
    _probe_folder(field, path)
    return path
