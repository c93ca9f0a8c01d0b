"""Reading solution-layout arrays (W with H or H_mean) from an ``.npz`` file or a mapping, then diagnosing them."""

from __future__ import annotations

import os
from typing import Mapping

import numpy as np

from nctheory.diagnostics.measure import all_around
from nctheory.diagnostics.reports import AllAround
from nctheory.geometry.validation import as_float_array


def load_arrays(source, *, allow_pickle: bool = False) -> dict:
    r"""Read W and features from an ``.npz`` file or a mapping of arrays.

    Parameters
    ----------
    source : str, os.PathLike or Mapping
        An ``.npz`` path or a dict-like object with keys ``W`` and either ``H_mean``, or ``H``
        with ``labels`` (both may be given; they are checked against each other by
        :func:`~nctheory.diagnostics.all_around`).  ``W`` is K×d (rows = classes), ``H`` is d×N (columns = samples),
        ``H_mean`` is d×K.
    allow_pickle : bool
        Passed to :func:`numpy.load` (keep False for untrusted files).

    Returns
    -------
    dict
        Keys ``W``, ``H_mean``, ``H``, ``labels`` (absent ones are ``None``), arrays as float64
        (labels as int64).
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise ValueError(f"source: no such file {path!r}")
        try:
            with np.load(path, allow_pickle=allow_pickle) as data:
                if not hasattr(data, "files"):
                    raise ValueError(f"source: {path!r} is a single array, expected an .npz archive "
                                     "with keys W, H/H_mean")
                raw = {k: data[k] for k in data.files}
        except (OSError, EOFError) as exc:
            raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    elif isinstance(source, Mapping):
        raw = dict(source)
    else:
        raise ValueError(f"source: expected an .npz path or a mapping of arrays, got {type(source).__name__}")
    unknown = set(raw) - {"W", "H", "H_mean", "labels"}
    if unknown:
        raise ValueError(f"source: unknown key(s) {sorted(unknown)}; expected W, H, H_mean, labels")
    if "W" not in raw:
        raise ValueError("W: missing (the classifier, K x d)")
    if "H_mean" not in raw and "H" not in raw:
        raise ValueError("H_mean: missing; give H_mean (d x K) or H (d x N) with labels")
    if "H" in raw and "labels" not in raw:
        raise ValueError("labels: required with H")
    out = {"W": as_float_array("W", raw["W"], ndim=2), "H_mean": None, "H": None, "labels": None}
    if "H_mean" in raw:
        out["H_mean"] = as_float_array("H_mean", raw["H_mean"], ndim=2)
    if "H" in raw:
        out["H"] = as_float_array("H", raw["H"], ndim=2)
        lab = np.asarray(raw["labels"])
        if lab.ndim != 1 or lab.dtype.kind not in "iu":
            raise ValueError(f"labels: expected a 1-D integer array, got dtype {lab.dtype}, shape {lab.shape}")
        out["labels"] = lab.astype(np.int64)
    return out


def diagnose(source, *, clusters=None, weighting: str = "sample", center="global",
             angle_unit: str = "deg") -> AllAround:
    """Load solution-layout arrays with :func:`load_arrays` and run :func:`~nctheory.diagnostics.all_around` on them.

    For a trained network's arrays (``features`` N × d, one row per sample) use :func:`nctheory.diagnose`
    (:mod:`nctheory.present.diagnose`), which reports the full NC1-NC4 set.
    """
    a = load_arrays(source)
    return all_around(a["W"], a["H_mean"], H=a["H"], labels=a["labels"], clusters=clusters, weighting=weighting,
                      center=center, angle_unit=angle_unit)
