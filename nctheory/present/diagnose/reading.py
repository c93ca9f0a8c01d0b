"""Reading a network's arrays from an ``.npz`` archive, a folder or list of ``.npy`` files, or a mapping."""

from __future__ import annotations

import os
import zipfile
from typing import Mapping, Sequence

import numpy as np

from nctheory.present.diagnose.user_arrays import UserArrays, _pickle_refused, validate_arrays

#: The arrays this module reads, in order; the first two are required.
ARRAY_NAMES = ("features", "labels", "classifier", "bias")
REQUIRED = ("features", "labels")


def _check_keys(keys) -> dict:
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise ValueError(f"keys: expected a mapping like {{'features': 'feats'}}, got {type(keys).__name__}")
    out = {}
    for name, key in keys.items():
        if name not in ARRAY_NAMES:
            raise ValueError(f"keys: unknown array name {name!r}; the names are {', '.join(ARRAY_NAMES)}")
        if not isinstance(key, str) or not key:
            raise ValueError(f"keys: the key for {name!r} must be a non-empty string, got {key!r}")
        out[name] = key
    if len(set(out.values())) != len(out):
        raise ValueError(f"keys: two arrays read from the same key ({out})")
    return out


def _load_npy(path: str, name: str) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise _pickle_refused(name, repr(path)) from None
        raise ValueError(f"source: cannot read {path!r} as .npy ({exc})") from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"source: cannot read {path!r} as .npy ({exc})") from None
    if not isinstance(arr, np.ndarray):  # an .npz given where an .npy was expected
        arr.close()
        raise ValueError(f"source: {path!r} is an .npz archive; give it alone (not in a list of .npy files)")
    return arr


def _read_npz(path: str, keys: dict) -> tuple[dict, list]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ValueError(f"source: cannot read {path!r} ({exc.strerror or exc})") from None
    if head[:1] == b"\x80":  # the pickle protocol marker: numpy would unpickle it (run code) if allowed
        raise ValueError(f"source: {path!r} is a pickle, not an .npz archive; pickled data is refused")
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\x93NUMPY")):
        raise ValueError(f"source: cannot read {path!r}: not an .npz archive (zip) nor an .npy file")
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    if isinstance(data, np.ndarray):  # .npy content under another file name
        raise ValueError(f"source: {path!r} holds a single array (.npy format), not an .npz archive; name the files "
                         f"after the arrays ({', '.join(a + '.npy' for a in ARRAY_NAMES)}) and give them all")
    raw = {}
    with data:
        files = list(data.files)
        for name in ARRAY_NAMES:
            key = keys.get(name, name)
            if key in files:
                try:
                    raw[name] = data[key]
                except ValueError as exc:
                    if "pickle" in str(exc).lower():
                        raise _pickle_refused(name, f"key {key!r} of {path!r}") from None
                    raise ValueError(f"{name}: cannot read key {key!r} of {path!r} ({exc})") from None
                except (OSError, EOFError, zipfile.BadZipFile) as exc:
                    raise ValueError(f"source: {path!r} is damaged ({exc})") from None
    used = {keys.get(n, n) for n in raw}
    return raw, [f for f in files if f not in used]


def _stem(path: str) -> str:
    base = os.path.basename(os.fspath(path))
    return base[:-4] if base.lower().endswith(".npy") else base


def _read_npy_list(paths: Sequence[str], keys: dict) -> tuple[dict, list]:
    by_key = {}
    for p in paths:
        if not os.path.isfile(p):
            raise ValueError(f"source: no such file {p!r}")
        if not p.lower().endswith(".npy"):
            raise ValueError(f"source: {p!r} is not an .npy file; several files must be .npy files named after "
                             f"the arrays ({', '.join(a + '.npy' for a in ARRAY_NAMES)})")
        k = _stem(p)
        if k in by_key:
            raise ValueError(f"source: two files are named {k!r}.npy ({by_key[k]!r} and {p!r})")
        by_key[k] = p
    raw = {}
    for name in ARRAY_NAMES:
        key = keys.get(name, name)
        if key in by_key:
            raw[name] = _load_npy(by_key[key], name)
    used = {keys.get(n, n) for n in raw}
    return raw, sorted(k for k in by_key if k not in used)


def _read_source(source, keys: dict) -> tuple[dict, list, str]:
    """Raw arrays by name, the unused keys, and a description of the source."""
    if isinstance(source, Mapping):
        raw, ignored = {}, []
        for k, v in source.items():
            names = [n for n in ARRAY_NAMES if keys.get(n, n) == k]
            if names:
                arr = np.asarray(v) if not isinstance(v, np.ndarray) else v
                if arr.dtype.kind == "O":
                    raise _pickle_refused(names[0], f"key {k!r}")
                raw[names[0]] = arr
            else:
                ignored.append(str(k))
        return raw, ignored, "arrays"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(".npy"))
            if not files:
                raise ValueError(f"source: the folder {path!r} holds no .npy files "
                                 f"(expected {', '.join(a + '.npy' for a in ARRAY_NAMES)})")
            raw, ignored = _read_npy_list(files, keys)
            return raw, ignored, path
        if not os.path.exists(path):
            raise ValueError(f"source: no such file or folder {path!r}")
        if path.lower().endswith(".npy"):
            raw, ignored = _read_npy_list([path], keys)
            return raw, ignored, path
        raw, ignored = _read_npz(path, keys)
        return raw, ignored, path
    if isinstance(source, (list, tuple)) and source and all(isinstance(p, (str, os.PathLike)) for p in source):
        paths = [os.fspath(p) for p in source]
        if len(paths) == 1:
            return _read_source(paths[0], keys)
        raw, ignored = _read_npy_list(paths, keys)
        return raw, ignored, ", ".join(paths)
    raise ValueError("source: expected an .npz path, a folder of .npy files, a list of .npy paths or a mapping of "
                     f"arrays, got {type(source).__name__}")


def load_user_arrays(source, *, keys=None, num_classes: int | None = None) -> UserArrays:
    """Read and validate a network's arrays from ``source`` (module doc).

    Parameters
    ----------
    source : str, os.PathLike, sequence of paths, or Mapping
        An ``.npz`` archive; a folder with ``features.npy``, ``labels.npy`` [, ``classifier.npy``,
        ``bias.npy``]; a list of such ``.npy`` files; or a dict of arrays.
    keys : Mapping, optional
        Array name -> key in the source, for archives saved under other names
        (``{"features": "feats", "classifier": "fc.weight"}``).
    num_classes : int, optional
        The number of classes K, checked against the labels (and the classifier's rows).  Without
        it K is the classifier's row count, or ``max(labels) + 1``.  Every class needs a sample.

    Raises
    ------
    ValueError
        Starting with the field: ``source`` (unreadable, missing), ``features``, ``labels``,
        ``classifier``, ``bias``, ``keys``.
    """
    keys = _check_keys(keys)
    raw, ignored, where = _read_source(source, keys)
    for name in REQUIRED:
        if name not in raw:
            key = keys.get(name, name)
            present = ", ".join(sorted(set(ignored) | {keys.get(n, n) for n in raw})) or "none"
            raise ValueError(f"{name}: missing from {where} (looked for {key!r}; keys present: {present}); "
                             "rename with keys={'" + name + "': '<key>'} / --key " + name + "=<key>")
    dtypes = {n: str(a.dtype) for n, a in raw.items()}
    return validate_arrays(raw["features"], raw["labels"], raw.get("classifier"), raw.get("bias"),
                           num_classes=num_classes, source=where, dtypes=dtypes, ignored=ignored)
