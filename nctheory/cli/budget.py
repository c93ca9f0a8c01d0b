r"""``--time-limit SECONDS``: a wall-clock budget for a command, enforced three ways.

1. **Passed down** where a solver takes it: the certified solver's ``time_limit`` option gets the
   remaining budget (:meth:`Budget.solver_options`), so it stops itself cleanly and returns an answer
   marked not optimal;
2. **checked between solves** (:meth:`Budget.check`) by the commands' loops (check, verify --all, sweep,
   search);
3. **a hard stop**: :meth:`Budget.enforce` arms ``SIGALRM`` for the deadline plus a grace period
   (:data:`GRACE_S`), whose handler raises :class:`~nctheory.errors.TimeLimitReached` in the main
   thread.  That interrupts solvers without a time option (factored restarts, the threshold
   bisection) at their next Python bytecode; a single native call (one cvxpy/Clarabel solve, one
   large SVD) finishes first.

The command then prints what it had finished and exits 3.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

from nctheory.errors import TimeLimitReached
from nctheory.geometry.validation import positive_real

#: The hard stop fires this long after the deadline: time for a solver that was given the remaining
#: budget to notice it at its next iteration and return its answer (the certified solver checks the
#: clock every iteration; an iteration at K <= 100 takes well under 10 ms).
GRACE_S = 0.5


#: Functions in which Python prints and ignores an exception instead of propagating it: finalizers and
#: garbage-collector callbacks (hypothesis registers one).  A hard stop that lands inside one is retried
#: after :data:`RETRY_S`.
SWALLOWING_FRAMES = frozenset({"__del__", "gc_callback"})
RETRY_S = 0.01


def _swallows_exceptions(frame, depth: int = 8) -> bool:
    while frame is not None and depth > 0:
        if frame.f_code.co_name in SWALLOWING_FRAMES:
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def parse_time_limit(value) -> float | None:
    """Seconds > 0 and finite, or None; ValueError ``time_limit: ...`` otherwise."""
    if value is None:
        return None
    return positive_real("time_limit", value, "seconds > 0", unit=" seconds", allow_bool=True)


class Budget:
    """A wall-clock budget started at construction (``seconds=None``: unlimited).

    Attributes
    ----------
    seconds : float or None
    deadline : float or None
        ``time.time()`` at which the budget runs out (an epoch time, so worker processes can read it).
    """

    def __init__(self, seconds: float | None):
        self.seconds = parse_time_limit(seconds)
        self._t0 = time.monotonic()
        self.deadline = None if self.seconds is None else time.time() + self.seconds

    @property
    def limited(self) -> bool:
        return self.seconds is not None

    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    def remaining(self) -> float | None:
        """Seconds left (never below 0), None when unlimited."""
        if self.seconds is None:
            return None
        return max(0.0, self.seconds - self.elapsed())

    def expired(self) -> bool:
        return self.seconds is not None and self.elapsed() >= self.seconds

    def check(self, where: str = "") -> None:
        """Raise :class:`TimeLimitReached` when the budget has run out."""
        if self.expired():
            raise TimeLimitReached(self.seconds, where)

    def solver_options(self, method: str | None = None) -> dict:
        """``{name: {"time_limit": remaining}}`` for the solvers that take a time limit (the certified ones:
        ``certified`` and those declaring ``options_like = "certified"``); only ``method``'s entry when given.
        Empty when unlimited."""
        left = self.remaining()
        if left is None:
            return {}
        from nctheory.solvers.registry import SOLVERS

        timed = [name for name, s in SOLVERS.items()
                 if name == "certified" or getattr(s, "options_like", None) == "certified"]
        if method is not None:
            timed = [name for name in timed if name == method]
        return {name: {"time_limit": max(left, 1e-3)} for name in timed}

    @contextmanager
    def enforce(self):
        """Hard stop (module doc) for the duration of the block; a no-op when unlimited or off the main thread."""
        if self.seconds is None or threading.current_thread() is not threading.main_thread():
            yield self
            return

        def _alarm(signum, frame):
            if _swallows_exceptions(frame):  # raising here would be printed and ignored: try again shortly
                signal.setitimer(signal.ITIMER_REAL, RETRY_S)
                return
            raise TimeLimitReached(self.seconds, "(hard stop)")

        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, max(self.remaining(), 0.0) + GRACE_S)
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0.0)
            signal.signal(signal.SIGALRM, previous)
