r"""Locate a collapse onset numerically by bisection on a monotone predicate.

The predicate is evaluated on certified solves (e.g. "the minority cluster has
collapsed at this λ").  Given ``predicate(lo) != predicate(hi)``, bisection keeps a
bracket ``[a, b]`` with ``predicate(a) != predicate(b)`` and halves it (in log
space when ``log=True``) until ``(b - a) <= rtol * |b|``.  A predicate may return
``None`` when its solve was not certified; the search then stops and reports
itself inconclusive rather than guessing.

The onset locators of the claims (:mod:`nctheory.explore.onsets`) run this bisection on their certified
predicates; ``nctheory.threshold`` re-exports it (the module's former path).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Onset:
    """Result of :func:`bisect_onset`.

    Attributes
    ----------
    value : float or None
        Midpoint of the final bracket (None if inconclusive).
    bracket : tuple of float
        ``(a, b)`` with ``predicate(a) != predicate(b)``.
    evaluations : int
    conclusive : bool
        False if a predicate evaluation returned None (a solve failed to certify).
    message : str
    history : list of (x, bool|None)
    """

    value: float | None
    bracket: tuple[float, float]
    evaluations: int
    conclusive: bool
    message: str
    history: list = field(default_factory=list)


def bisect_onset(
    predicate: Callable[[float], bool | None],
    lo: float,
    hi: float,
    *,
    rtol: float = 1e-8,
    log: bool = False,
    integer: bool = False,
    max_evaluations: int = 200,
    should_stop: Callable[[], str | None] | None = None,
) -> Onset:
    """Find where ``predicate`` changes value on ``[lo, hi]``.

    Parameters
    ----------
    predicate : callable(float) -> bool or None
        Monotone in x (one switch on the interval).  ``None`` = could not decide.
    lo, hi : float
        Initial bracket, ``lo < hi``; the predicate must differ at the ends.
    rtol : float
        Stop when ``b - a <= rtol * max(|a|, |b|)``.
    log : bool
        Bisect in log space (for positive scale parameters such as λ or R).
    integer : bool
        x is an integer (e.g. a class size): stop when ``b - a == 1``.
    max_evaluations : int
    should_stop : callable() -> str or None, optional
        Asked before every evaluation after the first two; a string stops the search there, inconclusive, with
        that message and the bracket reached (e.g. a time budget running out).

    Raises
    ------
    ValueError
        ``lo``/``hi``/``rtol`` invalid, or the predicate does not differ at the ends.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise ValueError(f"lo: need finite lo < hi, got lo={lo!r}, hi={hi!r}")
    if log and lo <= 0:
        raise ValueError(f"lo: log bisection needs lo > 0, got {lo!r}")
    if not rtol > 0:
        raise ValueError(f"rtol: must be > 0, got {rtol!r}")
    history: list = []

    def ev(x):
        v = predicate(int(x) if integer else x)
        history.append((x, v))
        return v

    a, b = (int(lo), int(hi)) if integer else (float(lo), float(hi))
    pa, pb = ev(a), ev(b)
    if pa is None or pb is None:
        return Onset(None, (a, b), len(history), False, "a solve at the bracket ends did not certify", history)
    if pa == pb:
        raise ValueError(f"hi: the predicate is {pa} at both lo={lo!r} and hi={hi!r}; no onset inside the bracket")
    while len(history) < max_evaluations:
        if integer:
            if b - a <= 1:
                break
            m = (a + b) // 2
        else:
            if b - a <= rtol * max(abs(a), abs(b)):
                break
            m = math.sqrt(a * b) if log else 0.5 * (a + b)
            if not (a < m < b):  # float resolution reached
                break
        why = should_stop() if should_stop is not None else None
        if why:
            return Onset(None, (a, b), len(history), False, f"{why}: bracket [{a!r}, {b!r}] after {len(history)} "
                         "evaluations", history)
        pm = ev(m)
        if pm is None:
            return Onset(None, (a, b), len(history), False, f"the solve at x={m!r} did not certify", history)
        if pm == pa:
            a = m
        else:
            b = m
    value = (a + b) / 2 if not integer else float(b)
    msg = f"onset in [{a!r}, {b!r}] after {len(history)} evaluations"
    if len(history) >= max_evaluations:
        msg += " (evaluation budget exhausted before rtol)"
    return Onset(value, (a, b), len(history), True, msg, history)
