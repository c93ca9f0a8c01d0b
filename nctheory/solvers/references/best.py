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

    @property
    def lower(self) -> float:
        """The certified lower bound (``-inf`` before the first certificate)."""
        return -math.inf if self.bound is None else self.bound.value

    def rel_gap(self) -> float:
        return running_rel_gap(self.value, self.lower)
