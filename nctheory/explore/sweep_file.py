r"""The sweep's JSON-lines file: a header line, then one record per finished point.

::

    {"format": "nctheory-sweep", "version": 1}
    {"key": "3f2a...", "ratio": 2.0, "lambda": 0.001, ..., "status": "optimal", ...}
    ...

Every record is written as one ``write`` of a complete line and flushed, so the only damage an
interruption (SIGKILL, power loss) can leave is an **unterminated last line**; that, and only that, is
repaired (cut off) when the sweep resumes.  Anything else is refused with the line number and nothing is
changed in the file:

* a file that is not a sweep file (its first line is not the header, or -- for files written before the
  header existed -- not a record), e.g. ``sweep --out README.md``;
* a terminated line that is not valid UTF-8, not JSON, not a JSON object, or whose ``key``/``status``
  are not strings (something other than ``nctheory sweep`` wrote it);
* a line longer than :data:`MAX_LINE_BYTES` (the file is read line by line with that cap, never whole).

Records whose status is ``"error"`` are not counted as done: a resumed sweep retries them.
"""

from __future__ import annotations

import json
import os

from nctheory.present.serialize import dumps

HEADER = {"format": "nctheory-sweep", "version": 1}
HEADER_LINE = (json.dumps(HEADER) + "\n").encode()
#: Longest line accepted.  A record holds O(K) numbers (norms per class): K = 10^5 classes write about
#: 5 MB; a longer line is not one of ours.
MAX_LINE_BYTES = 16 * 2**20


def _bad(field: str, path: str, lineno: int, why: str) -> ValueError:
    return ValueError(f"{field}: line {lineno} of {path!r} {why}; the file was not written by 'nctheory sweep' "
                      "or was edited since (fix or remove that line, or choose another --out)")


def _not_sweep(field: str, path: str, why: str) -> ValueError:
    return ValueError(f"{field}: {path!r} is not a sweep file ({why}); nothing was changed, choose another --out")


def _record(line: bytes, field: str, path: str, lineno: int) -> dict:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(field, path, lineno, f"is not valid UTF-8 (byte {exc.start})") from None
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(field, path, lineno, f"is not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(rec, dict):
        raise _bad(field, path, lineno, f"is a JSON {type(rec).__name__}, not a record")
    return rec


def _check_record(rec: dict, field: str, path: str, lineno: int) -> None:
    if not isinstance(rec.get("key"), str) or not rec["key"]:
        raise _bad(field, path, lineno, f"has no string 'key' (got {rec.get('key')!r})")
    if not isinstance(rec.get("status"), str):
        raise _bad(field, path, lineno, f"has no string 'status' (got {rec.get('status')!r})")


def scan(path: str, field: str = "out") -> tuple[dict[str, dict], int | None, bool]:
    """Read a sweep file: ``(done records by key, offset of an unterminated last line or None, has header)``.

    Raises ValueError ``<field>: ...`` for anything but a sweep file (module doc).  Reads line by line.
    """
    done: dict[str, dict] = {}
    if not os.path.exists(path):
        return done, None, False
    has_header = False
    pos = 0
    lineno = 0
    with open(path, "rb") as fh:
        while True:
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                return done, None, has_header
            lineno += 1
            if len(line) > MAX_LINE_BYTES:
                if lineno == 1:
                    raise _not_sweep(field, path, f"its first line is longer than {MAX_LINE_BYTES} bytes")
                raise _bad(field, path, lineno, f"is longer than {MAX_LINE_BYTES} bytes")
            if not line.endswith(b"\n"):
                # the process died while writing this line: cut it off (the header itself, if it was that)
                if lineno == 1 and not HEADER_LINE.startswith(line):
                    raise _not_sweep(field, path, "its only line is neither the sweep header nor a record")
                return done, pos, has_header
            if lineno == 1:
                if line == HEADER_LINE or line.rstrip(b"\r\n") == HEADER_LINE.rstrip(b"\n"):
                    has_header = True
                    pos += len(line)
                    continue
                try:
                    first = _record(line, field, path, 1)
                except ValueError:
                    raise _not_sweep(field, path, "its first line is not the sweep header") from None
                if first.get("format") == HEADER["format"]:
                    raise _not_sweep(field, path, f"sweep file version {first.get('version')!r}, this nctheory "
                                                  f"reads version {HEADER['version']}")
                if not {"key", "problem", "status"} <= set(first):  # a record from before the header existed
                    raise _not_sweep(field, path, "its first line is not the sweep header")
            pos += len(line)
            if not line.strip():
                continue
            rec = _record(line, field, path, lineno)
            _check_record(rec, field, path, lineno)
            if rec["status"] != "error":
                done[rec["key"]] = rec


def open_for_append(path: str, field: str = "out"):
    """Validate ``path`` (:func:`scan`), cut an unterminated last line, write the header to a new file;
    returns ``(done records by key, file handle open for appending)``."""
    done, cut_at, has_header = scan(path, field)
    if cut_at is not None:
        with open(path, "r+b") as fh:
            fh.truncate(cut_at)
    fh = open(path, "ab")
    if fh.tell() == 0:
        fh.write(HEADER_LINE)
        fh.flush()
    return done, fh


def append(fh, record: dict) -> None:
    """Write one record as one complete line (strict JSON: non-finite numbers become null) and flush."""
    fh.write((dumps(record) + "\n").encode("utf-8"))
    fh.flush()


def read_done(path: str, field: str = "out") -> dict[str, dict]:
    """Finished records of a sweep file by key, after repairing an unterminated last line (module doc)."""
    done, cut_at, _ = scan(path, field)
    if cut_at is not None:
        with open(path, "r+b") as fh:
            fh.truncate(cut_at)
    return done
