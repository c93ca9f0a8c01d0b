"""Class sizes: the CLI form, validation, and equal-size groups.

The toolkit's reductions depend on the sizes only through their values; classes of equal size are
interchangeable (the optimum is invariant under permuting them), which is what the symmetric solver
and the cluster statements of the claims use (:func:`equal_size_groups`).
"""

from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np

#: Largest number of classes a Problem may have (a K×K dense matrix at this K is 8 GB; larger
#: grouped instances go through the symmetric solver, which never forms K×K matrices).
MAX_CLASSES = 10_000_000
#: Largest total sample count (N enters as a float; beyond 2**53 it would not be exact).
MAX_SAMPLES = 2**53

_SIZE_ITEM = re.compile(r"^\s*(\d+)\s*(?:x\s*(\d+))?\s*$")


def parse_sizes(text: str) -> tuple[int, ...]:
    """Parse class sizes from the CLI form.

    ``"200,100,50,50"`` lists every class; ``"500x5,100x5"`` means five classes of 500, then five of
    100 (the count comes after ``x``).

    Raises
    ------
    ValueError
        Naming the field ``sizes`` and the accepted forms.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("sizes: expected a list like '200,100,50,50' or '500x5,100x5', got an empty value")
    counts: list[tuple[int, int]] = []
    total = 0
    for item in text.split(","):
        m = _SIZE_ITEM.match(item)
        if m is None:
            raise ValueError(
                f"sizes: cannot read {item.strip()!r}; each item must be a positive integer "
                "'n' or 'nxc' (c classes of size n), e.g. '200,100,50,50' or '500x5,100x5'"
            )
        n = int(m.group(1))
        count = int(m.group(2)) if m.group(2) is not None else 1
        if count < 1:
            raise ValueError(f"sizes: class count in {item.strip()!r} must be at least 1")
        total += count
        if total > MAX_CLASSES:
            raise ValueError(f"sizes: more than {MAX_CLASSES} classes requested")
        counts.append((n, count))
    sizes: list[int] = []
    for n, count in counts:
        sizes.extend([n] * count)
    return validate_sizes(sizes)


def _entries(sizes: Iterable, kind: str, string_hint: str = "") -> list:
    """The entries of a size sequence of ``kind`` (e.g. "positive integers") as a list; ValueError naming ``sizes``
    for a string (``string_hint`` appended), something that is not iterable, or more than MAX_CLASSES entries."""
    if isinstance(sizes, (str, bytes)):
        raise ValueError(f"sizes: expected a sequence of {kind}, got a string{string_hint}")
    try:
        raw = list(sizes)
    except TypeError:
        raise ValueError(f"sizes: expected a sequence of {kind}") from None
    if len(raw) > MAX_CLASSES:
        raise ValueError(f"sizes: {len(raw)} classes exceed the limit of {MAX_CLASSES}")
    return raw


def _at_least_two(out: tuple) -> tuple:
    """``out`` itself; ValueError naming ``sizes`` when it has fewer than two classes."""
    if len(out) < 2:
        raise ValueError(f"sizes: need at least K = 2 classes, got K = {len(out)}")
    return out


def validate_sizes(sizes: Iterable) -> tuple[int, ...]:
    """Sizes as a tuple of Python ints >= 1, at least two classes; ValueError naming ``sizes`` otherwise."""
    raw = _entries(sizes, "positive integers", " (use parse_sizes for '5x3')")
    arr = sizes if isinstance(sizes, np.ndarray) else None  # an integer array: checked without a Python loop
    if arr is None and len(raw) > 1000 and set(map(type, raw)) == {int}:  # plain ints (not bools): fast check
        arr = np.asarray(raw, dtype=np.int64)
    if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iu" and arr.size >= 2:
        if arr.min() <= 0:  # fast path for large integer arrays
            i = int(np.argmin(arr))
            raise ValueError(f"sizes: entry {i} = {int(arr[i])} must be a positive integer (at least 1 sample per class)")
        out = tuple(arr.tolist())
    else:
        items: list[int] = []
        for i, n in enumerate(raw):
            if isinstance(n, bool) or isinstance(n, np.bool_):
                raise ValueError(f"sizes: entry {i} is a bool; class sizes must be positive integers")
            if isinstance(n, (float, np.floating)):
                if not math.isfinite(n) or n != int(n):
                    raise ValueError(f"sizes: entry {i} = {n!r} is not an integer; class sizes count samples")
                n = int(n)
            if not isinstance(n, (int, np.integer)):
                raise ValueError(f"sizes: entry {i} = {n!r} is not an integer")
            if n <= 0:
                raise ValueError(f"sizes: entry {i} = {n} must be a positive integer (at least 1 sample per class)")
            items.append(int(n))
        out = tuple(items)
    _at_least_two(out)
    if sum(out) > MAX_SAMPLES:
        raise ValueError(f"sizes: the total sample count exceeds 2**53 = {MAX_SAMPLES}")
    return out


#: Real class sizes (``Problem(real_sizes=True)``) must lie in this range: the reduced problems use the sizes
#: through :math:`\pi_k = n_k/N` and :math:`\sqrt{n_k}`, which stay exact in float64 there.
REAL_SIZE_RANGE = (1e-100, 1e100)


def validate_real_sizes(sizes: Iterable) -> tuple[float, ...]:
    r"""Real class sizes: a tuple of finite floats :math:`n_k > 0`, at least two classes.

    For ``Problem(real_sizes=True)``.  The reduced problems (R2, the layer-peeled Gram problem, the class-mean
    factored objective) depend on the sizes only through the weights :math:`\pi_k = n_k/N`, the penalty weights
    :math:`n_k` and :math:`\sqrt{n_k}`, so they are defined for real sizes (an onset located in a class size is a
    real number); anything that needs samples is not (:attr:`Problem.labels <nctheory.model.Problem.labels>`).

    Raises
    ------
    ValueError
        Naming the field ``sizes``.
    """
    raw = _entries(sizes, "positive real numbers")
    out: list[float] = []
    lo, hi = REAL_SIZE_RANGE
    for i, n in enumerate(raw):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, float, np.integer, np.floating)):
            raise ValueError(f"sizes: entry {i} = {n!r} is not a real number")
        v = float(n)
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"sizes: entry {i} = {n!r} must be a finite real number > 0")
        if not lo <= v <= hi:
            raise ValueError(f"sizes: entry {i} = {v!r} is outside [{lo:g}, {hi:g}]")
        out.append(v)
    return _at_least_two(tuple(out))


def integer_sizes_unmet(problem, method: str) -> list[str]:
    """``["sizes: ..."]`` when ``problem`` has real-valued sizes and ``method`` needs samples, else ``[]``.

    For the ``extra_unmet`` of solvers that build per-sample variables or integer size groups.
    """
    if getattr(problem, "real_sizes", False):
        return [f"sizes: {method} needs integer class sizes (it works on samples or integer size groups); this "
                "problem has real-valued sizes (real_sizes=True): use the dense certified solver, convex:lpm, "
                "convex:reduced or factored on class means"]
    return []


def equal_size_groups(sizes) -> list[np.ndarray]:
    """Indices of classes grouped by equal size, largest size first (each an int array)."""
    n = np.asarray(sizes)
    values = np.unique(n)[::-1]
    return [np.flatnonzero(n == v) for v in values]


def format_sizes(sizes) -> str:
    """The compact CLI form of a size tuple, e.g. ``(500, 500, 50)`` -> ``"500x2,50"``."""
    parts: list[str] = []
    sizes = list(sizes)
    i = 0
    while i < len(sizes):
        j = i
        while j < len(sizes) and sizes[j] == sizes[i]:
            j += 1
        parts.append(f"{sizes[i]}x{j - i}" if j - i > 1 else f"{sizes[i]}")
        i = j
    return ",".join(parts)
