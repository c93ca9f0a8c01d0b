r"""Locate an onset: certified bisection in the spec's variable, beside the predicted value.

:func:`locate_onset` builds the family of problems that differ from the given one in the spec's variable only,
brackets the predicted onset :math:`x^*` (default :math:`[x^*/3.1,\ 4.7x^*]`, clipped to the spec's domain;
asymmetric, so that no log-midpoint lands on :math:`x^*` itself, where the state is ambiguous by definition), and
bisects in log space (:func:`nctheory.explore.threshold.bisect_onset`) on the spec's predicate until the bracket
is narrower than ``rtol`` relative.  The predicted value fixes only the default bracket: the predicate never sees
it.  An undecided evaluation (no certificate, a measure between the thresholds, two configurations within the
certificate) stops the search; the result keeps the bracket reached and says why.

Results are memoised per (spec, family, options) in this process: the claims' experiments run once per
default instance, and instances of one family (e.g. the same sizes at two λ) share their onset.
"""

from __future__ import annotations

import math
import time

from nctheory.errors import TimeLimitReached
from nctheory.explore.onsets.result import OnsetResult
from nctheory.explore.onsets.spec import OnsetSpec
from nctheory.explore.threshold import bisect_onset
from nctheory.model import Problem

#: Default bracket factors around the predicted onset (module doc).
BRACKET = (1 / 3.1, 4.7)
#: Largest memo (results are small; the memo only avoids re-solving a family in one process).
MEMO_SIZE = 256
_MEMO: dict = {}


def default_bracket(spec: OnsetSpec, problem: Problem, predicted: float) -> tuple[float, float]:
    """:data:`BRACKET` around ``predicted``, pulled into the spec's open domain (geometric midpoint towards it)."""
    lo, hi = predicted * BRACKET[0], predicted * BRACKET[1]
    d_lo, d_hi = spec.domain(problem)
    if lo <= d_lo:
        lo = math.sqrt(max(d_lo, predicted * 1e-3) * predicted) if d_lo > 0 else lo
    if hi >= d_hi:
        hi = math.sqrt(d_hi * predicted)
    return lo, hi


def _check_positive(name: str, value, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: must be a finite number > 0, got {value!r}")
    if upper is not None and value >= upper:
        raise ValueError(f"{name}: must be < {upper:g}, got {value!r}")
    return float(value)


def _family_key(spec: OnsetSpec, problem: Problem):
    """A problem of the family that does not depend on the variable's value (the memo key)."""
    x0 = spec.value(problem)
    return spec.at(problem, 1.0 if x0 != 1.0 else 2.0)


def locate_onset(spec: OnsetSpec, problem: Problem, *, rtol: float = 1e-7, lo: float | None = None,
                 hi: float | None = None, method: str | None = None, max_evaluations: int = 100, budget=None,
                 memo: bool = True, on_evaluation=None, **options) -> OnsetResult:
    r"""Locate ``spec``'s onset for the family of ``problem`` by certified bisection (module doc).

    Parameters
    ----------
    spec : OnsetSpec
    problem : Problem
        Fixes every parameter but the variable (its value in ``problem`` plays no role).
    rtol : float
        Relative width of the final bracket, in (0, 1).
    lo, hi : float, optional
        Bracket in the variable (default: :func:`default_bracket`); the states at the ends must differ.
    method : str, optional
        One of ``spec.methods`` (default the first).
    max_evaluations : int
    budget : nctheory.cli.budget.Budget, optional
        A wall-clock budget: checked between evaluations; when it runs out (or its hard stop interrupts a solve)
        the search stops inconclusive with the bracket reached.
    memo : bool
        Reuse a result for the same spec, family and options computed earlier in this process.
    on_evaluation : callable(Evaluation), optional
        Called after every evaluation (progress display).
    **options
        Passed to the predicate (solver options such as ``tol``).

    Returns
    -------
    OnsetResult

    Raises
    ------
    ValueError
        The spec does not apply (messages name the fields), ``rtol``/``lo``/``hi``/``method`` invalid, no predicted
        onset, or the states at the bracket ends do not differ (``hi: ...``).
    """
    if not isinstance(spec, OnsetSpec):
        raise ValueError(f"spec: expected an OnsetSpec, got {type(spec).__name__}")
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    unmet = spec.unmet(problem)
    if unmet:
        raise ValueError("; ".join(unmet))
    rtol = _check_positive("rtol", rtol, upper=1.0)
    method = spec.methods[0] if method is None else method
    if method not in spec.methods:
        raise ValueError(f"method: the {spec.claim_id} onset in {spec.variable} is decided with "
                         f"{', '.join(spec.methods)}, got {method!r}")
    if isinstance(max_evaluations, bool) or not isinstance(max_evaluations, int) or max_evaluations < 3:
        raise ValueError(f"max_evaluations: must be an integer >= 3, got {max_evaluations!r}")
    predicted = float(spec.predict(problem))
    d_lo, d_hi = spec.domain(problem)
    b_lo, b_hi = default_bracket(spec, problem, predicted)
    lo = b_lo if lo is None else _check_positive("lo", lo)
    hi = b_hi if hi is None else _check_positive("hi", hi)
    if lo >= hi:
        raise ValueError(f"lo: need lo < hi, got lo={lo!r}, hi={hi!r}")
    if not (d_lo <= lo and hi <= d_hi):
        raise ValueError(f"hi: the bracket [{lo:g}, {hi:g}] leaves the domain ({d_lo:g}, {d_hi:g}) of {spec.variable} "
                         f"where the {spec.claim_id} statement has one switch")
    key = None
    if memo:
        key = (spec.key, _family_key(spec, problem), rtol, lo, hi, method, max_evaluations,
               tuple(sorted(options.items())))
        if key in _MEMO:
            return _MEMO[key]
    t0 = time.perf_counter()
    evaluations = []
    watched = spec.watch(problem)

    def predicate(x: float):
        ev = spec.decide(spec.at(problem, x), method=method, watched=watched, **{**spec.options, **options})
        evaluations.append(ev)
        if on_evaluation is not None:
            on_evaluation(ev)
        return ev.state

    def should_stop():
        if budget is not None and budget.expired():
            return f"time limit of {budget.seconds:g} s reached"
        return None

    try:
        onset = bisect_onset(predicate, lo, hi, rtol=rtol, log=True, max_evaluations=max_evaluations,
                             should_stop=should_stop)
    except TimeLimitReached as exc:
        xs = sorted(e.x for e in evaluations)
        bracket = _bracket_from(evaluations, lo, hi)
        result = OnsetResult(spec.claim_id, spec.variable, problem, predicted, None, bracket, None, False,
                             f"{exc}: stopped during a solve; bracket {list(bracket)} after {len(xs)} evaluations",
                             rtol, method, evaluations, spec.state, spec.onset_above, spec.formula,
                             time.perf_counter() - t0)
        return result
    message = onset.message
    if not onset.conclusive and evaluations and evaluations[-1].state is None:
        last = evaluations[-1]
        message = (f"undecided at {spec.variable} = {last.x!r}: {last.reason}; the bisection stops with the bracket "
                   f"[{onset.bracket[0]!r}, {onset.bracket[1]!r}]")
    located = onset.value if onset.conclusive else None
    rel = None if located is None else abs(located - predicted) / abs(predicted)
    result = OnsetResult(spec.claim_id, spec.variable, problem, predicted, located, tuple(onset.bracket), rel,
                         bool(onset.conclusive), message, rtol, method, evaluations, spec.state, spec.onset_above,
                         spec.formula, time.perf_counter() - t0)
    if key is not None:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = result
    return result


def expected_evaluations(lo: float, hi: float, rtol: float) -> int:
    r"""Evaluations a log bisection of ``[lo, hi]`` down to relative width ``rtol`` needs: the two ends and
    :math:`\lceil\log_2(\log(hi/lo)/\log(1 + rtol))\rceil` midpoints (a progress bar's total)."""
    return 2 + max(0, math.ceil(math.log2(math.log(hi / lo) / math.log1p(rtol))))


def _bracket_from(evaluations, lo, hi) -> tuple[float, float]:
    """The tightest bracket with decided, different states at its ends among ``evaluations``."""
    decided = sorted((e.x, e.state) for e in evaluations if e.state is not None)
    best = (lo, hi)
    for (x1, s1), (x2, s2) in zip(decided, decided[1:]):
        if s1 != s2 and x2 - x1 < best[1] - best[0]:
            best = (x1, x2)
    return best


def clear_memo() -> None:
    """Forget memoised results (tests that count solves)."""
    _MEMO.clear()
