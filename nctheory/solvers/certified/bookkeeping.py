r"""Bookkeeping of the dense certified solver (:mod:`~nctheory.solvers.certified.dense`): the clock, the best
primal point and lower bound seen, a phase's outcome, and the certificate's rounding floor."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.svd import svd
from nctheory.solvers.result import relative_gap

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


class _Clock:
    def __init__(self, limit: float | None):
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def expired(self) -> bool:
        return self.limit is not None and self.elapsed() > self.limit


@dataclass
class _Best:
    """Best primal point seen and the largest valid lower bound (from any point).

    The primal point is kept either with its SVD (``X, U, s, Vt``: prox-gradient points) or as factors
    (``A, B`` with :math:`X = AB^\top`: factored-phase iterates, whose SVD is computed only if one of them is
    returned, :meth:`svd`).  ``lower`` is the largest *checked* bound; a provisional bound above it
    (:meth:`DualBound.confirm <nctheory.solvers.certified.dual.DualBound.confirm>`) is kept in ``pending``
    until :meth:`confirm` checks it: provisional values steer the iteration, only checked ones are reported.
    """

    value: float = math.inf
    X: np.ndarray | None = None
    U: np.ndarray | None = None
    s: np.ndarray | None = None
    Vt: np.ndarray | None = None
    b: np.ndarray | None = None
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    lower: float = -math.inf
    lower_magnitude: float = 0.0
    candidate: str = ""
    pending: object = None
    grad_norm_ratio: float = math.nan
    certificates: int = 0

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
        lower = self.provisional_lower() if provisional else self.lower
        if not (math.isfinite(self.value) and math.isfinite(lower)):
            return math.inf
        return relative_gap(self.value, lower)

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
    iterations: int
    reason: str  # "converged", "max_iter", "time_limit", "stalled"
