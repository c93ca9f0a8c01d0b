"""A minimal progress bar on stderr (no dependency): ``with Progress(total, "sweep") as bar: bar.update()``.

It draws only when enabled and stderr is a terminal, or when forced (``enabled=True``);
nothing is printed when ``enabled=False``.
"""

from __future__ import annotations

import sys
import time


class Progress:
    """Count work units and redraw one status line at most every ``interval`` seconds."""

    def __init__(self, total: int, label: str = "", *, enabled: bool | None = None, stream=None,
                 interval: float = 0.2):
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else bool(enabled)
        self.interval = interval
        self.done = 0
        self._t0 = time.perf_counter()
        self._last = 0.0

    def update(self, n: int = 1, note: str = "") -> None:
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self._last >= self.interval or self.done >= self.total):
            self._last = now
            self._draw(note)

    def set(self, done: int, note: str = "") -> None:
        """Set the count of finished units to ``done`` (absolute) and redraw if due."""
        self.update(int(done) - self.done, note)

    def close(self) -> None:
        """Finish the status line (same as leaving the ``with`` block)."""
        self.__exit__(None, None, None)

    def _draw(self, note: str) -> None:
        frac = self.done / self.total if self.total else 1.0
        width = 28
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        elapsed = time.perf_counter() - self._t0
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:6.1f}s eta {eta:6.1f}s {note[:30]:<30}")
        self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
        return False
