r"""Bookkeeping of the dense certified solver (:mod:`~nctheory.solvers.certified.dense`): the clock, the best
primal point and lower bound seen, a phase's outcome, and the certificate's rounding floor."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.svd import svd
from nctheory.solvers.result import running_rel_gap

_EPS = np.finfo(np.float64).eps


def rounding_floor(K: int) -> float:
    r"""Smallest relative gap the certificate resolves in general: :math:`8K\varepsilon`.

    The dual point is pulled into the spectral ball with a margin of :math:`8K\varepsilon` (SVD
    rounding), which by itself can cost that much of the penalty term.  When the dual bound's terms
    cancel (magnitude M > :math:`|F|`, e.g. MSE near a perfect fit) the floor of an instance is
    :math:`8K\varepsilon\,M/|F|`.  A requested ``tol`` below the floor can be met only by luck of the last
    bits, so such a solve ends ``"inaccurate"`` whatever its measured gap (its certificate stays valid).
    """
    return 8.0 * K * _EPS


#: SVD-equivalents kept in reserve before the time limit (:class:`_Clock`): the finish of a solve -- a dual bound at
#: the best point if none was taken (one SVD of G and one spectral norm), the check of a provisional bound (one
#: spectral norm) and the recovery's SVD -- is at most about 3 full K x K SVDs.
_FINISH_SVDS = 3.0
#: Size of the matrix timed once per process by :func:`svd_seconds_model`.
_CALIBRATION_K = 128


@functools.lru_cache(maxsize=1)
def _calibration_seconds() -> float:
    """Seconds of one SVD of a seeded :data:`_CALIBRATION_K`-square matrix (best of 3), measured once per process."""
    M = np.random.default_rng(0).standard_normal((_CALIBRATION_K, _CALIBRATION_K))
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        svd(M)
        best = min(best, time.perf_counter() - t0)
    return best


def svd_seconds_model(K: int) -> float:
    r"""A prior estimate of the seconds of one K x K SVD, :math:`t_{128}(K/128)^3` from the timed
    :func:`_calibration_seconds` -- an overestimate for K above 128 (LAPACK's flop rate grows with the size), which
    the solver replaces by measured SVDs as soon as it has one (:meth:`_Clock.observe_svd`)."""
    return _calibration_seconds() * (K / _CALIBRATION_K) ** 3


class _Clock:
    r"""Wall clock of a solve with a time limit and a reserve for its finish.

    ``expired(extra)`` is True once :math:`t + (\text{reserve} + \text{extra})\,t_{svd} > \text{limit}`, with the
    reserve :data:`_FINISH_SVDS` SVD-equivalents and :math:`t_{svd}` the cost of one K x K SVD (the prior
    :func:`svd_seconds_model` until one has been measured, then the largest measured): a loop that stops when it
    is expired leaves time for the finish (final bound, check, recovery), so the solve ends near the limit rather
    than an SVD-bound finish after it.  Without a limit, never expired (and nothing is calibrated)."""

    def __init__(self, limit: float | None, K: int = 0):
        self.start = time.perf_counter()
        self.limit = limit
        self.svd_seconds = svd_seconds_model(K) if limit is not None and K > 0 else 0.0
        self._measured = False

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float | None:
        """Seconds left before the reserve is needed (None without a limit)."""
        if self.limit is None:
            return None
        return self.limit - self.elapsed() - _FINISH_SVDS * self.svd_seconds

    def observe_svd(self, seconds: float) -> None:
        """Record the measured duration of an operation dominated by one K x K SVD."""
        self.svd_seconds = seconds if not self._measured else max(self.svd_seconds, seconds)
        self._measured = True

    def expired(self, extra_svds: float = 0.0) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining < extra_svds * self.svd_seconds


@dataclass
class BestBound:
    """What both certified solvers keep of their running best: the smallest primal ``value`` seen, the largest
    checked ``lower`` bound with its magnitude (the size of its rounding) and dual candidate, the last bound's
    gradient-norm ratio and the number of certificates evaluated.  The solvers add the point in their coordinates."""

    value: float = math.inf
    lower: float = -math.inf
    lower_magnitude: float = 0.0
    candidate: str = ""
    grad_norm_ratio: float = math.nan
    certificates: int = 0

    def rel_gap(self) -> float:
        return running_rel_gap(self.value, self.lower)


@dataclass
class _Best(BestBound):
    """Best primal point seen and the largest valid lower bound (from any point).

    The primal point is kept either with its SVD (``X, U, s, Vt``: prox-gradient points) or as factors
    (``A, B`` with :math:`X = AB^\top`: factored-phase iterates, whose SVD is computed only if one of them is
    returned, :meth:`svd`).  ``lower`` is the largest *checked* bound; a provisional bound above it
    (:meth:`DualBound.confirm <nctheory.solvers.certified.dual.DualBound.confirm>`) is kept in ``pending``
    until :meth:`confirm` checks it: provisional values steer the iteration, only checked ones are reported.
    """

    X: np.ndarray | None = None
    U: np.ndarray | None = None
    s: np.ndarray | None = None
    Vt: np.ndarray | None = None
    b: np.ndarray | None = None
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    pending: object = None

    def offer(self, smooth: ReducedSmooth, ev: Evaluation, value: float, X, U, s, Vt, **bound_options) -> None:
        """Record the primal point ``X`` (value ``value``, SVD ``U s Vt``) and the bound from its gradient."""
        if value < self.value:
            self.value, self.X, self.U, self.s, self.Vt, self.b = value, X, U, s, Vt, ev.b
            self.A = self.B = None
        self.offer_bound(smooth.lower_bound(ev, **bound_options))

    def offer_factors(self, value: float, A: np.ndarray, B: np.ndarray, b: np.ndarray | None) -> None:
        """Record the primal point :math:`X = AB^\top` (bias ``b``) of value ``value`` (an upper bound on F there)."""
        if value < self.value:
            self.value, self.A, self.B, self.b = value, A, B, b
            self.X = self.U = self.s = self.Vt = None

    def offer_bound(self, bound) -> None:
        self.certificates += 1
        self.grad_norm_ratio = bound.grad_norm_ratio
        if bound.checked:
            if bound.value > self.lower:
                self.lower, self.candidate, self.lower_magnitude = bound.value, bound.candidate, bound.magnitude
            if self.pending is not None and self.pending.value <= self.lower:
                self.pending = None
        elif bound.value > max(self.lower, self.pending.value if self.pending is not None else -math.inf):
            self.pending = bound

    def confirm(self, smooth: ReducedSmooth) -> None:
        """Check the pending provisional bound (one spectral norm) and keep it if it is still the best."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            if pending.value > self.lower:
                checked = pending.confirm(smooth)
                if checked.value > self.lower:
                    self.lower, self.candidate, self.lower_magnitude = (checked.value, checked.candidate,
                                                                        checked.magnitude)

    def provisional_lower(self) -> float:
        return max(self.lower, self.pending.value) if self.pending is not None else self.lower

    def rel_gap(self, provisional: bool = False) -> float:
        return running_rel_gap(self.value, self.provisional_lower() if provisional else self.lower)

    def floor(self, K: int) -> float:
        """The relative gap this certificate can resolve here (:func:`rounding_floor` × the cancellation ratio)."""
        magnitude = self.lower_magnitude
        if self.pending is not None:
            magnitude = max(magnitude, self.pending.magnitude)
        return rounding_floor(K) * max(1.0, magnitude / max(abs(self.value), 1e-300))

    def svd(self) -> None:
        """Make ``X, U, s, Vt`` available (one SVD of :math:`AB^\top` if the best point is a factored one)."""
        if self.X is None and self.A is not None:
            self.X = self.A @ self.B.T
            self.U, self.s, self.Vt = svd(self.X)


@dataclass
class _Outcome:
    """How a phase ended: its iterations and why (``"converged"``, ``"max_iter"``, ``"time_limit"``, ``"stalled"``)."""

    iterations: int
    reason: str


#: APG window: stop as "stalled" if the certified gap fell by less than 1% over this many iterations.
_STALL_ITERATIONS = 50


class StallWindow:
    """The APG phases' stall test (:data:`_STALL_ITERATIONS`), from the relative gap at the start."""

    def __init__(self, gap: float):
        self.gap = gap

    def stalled(self, it: int, gap: float) -> bool:
        """At the end of a window (every :data:`_STALL_ITERATIONS` iterations): True when ``gap`` is above 99% of
        the gap at its start; else a new window starts."""
        if it % _STALL_ITERATIONS != 0:
            return False
        if gap > 0.99 * self.gap:
            return True
        self.gap = gap
        return False


def apg_stop(it: int, gap: float, target: float, clock, window: StallWindow) -> str | None:
    """Why an APG phase stops after iteration ``it`` at relative gap ``gap``, or None: ``"converged"`` (gap <=
    ``target``), ``"time_limit"`` (``clock.expired()``) or ``"stalled"`` (``window``)."""
    if gap <= target:
        return "converged"
    if clock.expired():
        return "time_limit"
    if window.stalled(it, gap):
        return "stalled"
    return None
