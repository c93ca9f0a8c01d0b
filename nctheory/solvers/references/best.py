"""The running best of a reference solver's iterations: the smallest primal value seen and the largest certificate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nctheory.solvers.result import running_rel_gap

__all__ = ["BestSoFar"]


@dataclass
class BestSoFar:
    """Best primal ``value`` seen, the best certificate ``bound`` (an object with a ``value``: a lower bound on the
    optimum) and how many certificates were evaluated; the solvers add the point's own fields."""

    value: float = math.inf
    bound: object = None
    certificates: int = 0
    #: The absolute gap at the start of the current stall window (:meth:`stalled`).
    window: float = math.inf

    @property
    def lower(self) -> float:
        """The certified lower bound (``-inf`` before the first certificate)."""
        return -math.inf if self.bound is None else self.bound.value

    def rel_gap(self) -> float:
        return running_rel_gap(self.value, self.lower)

    def open_window(self) -> None:
        """Start a stall window at the current absolute gap."""
        self.window = self.value - self.lower

    def stalled(self) -> bool:
        """Called once per window: True when the absolute gap ``value - lower`` fell by less than 1% over it
        (absolute, because a relative gap saturates at 1 while the bound is <= 0); else a new window starts."""
        gap = self.value - self.lower
        if not gap < 0.99 * self.window:
            return True
        self.window = gap
        return False
