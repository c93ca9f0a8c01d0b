"""The wall clock of a solve with an optional time limit (the symmetric certified solver and the reference solvers;
the dense certified solver's clock also keeps a reserve for its finish, :class:`nctheory.solvers.certified.bookkeeping._Clock`)."""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """Wall clock with an optional limit in seconds: ``expired()`` once more than ``limit`` seconds have passed."""

    def __init__(self, limit: float | None):
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def expired(self) -> bool:
        return self.limit is not None and self.elapsed() > self.limit
