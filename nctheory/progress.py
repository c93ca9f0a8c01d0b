"""Progress bars on stderr, drawn by ``tqdm``: ``with Progress(total, "sweep") as bar: bar.update()``.

One small interface for the commands and the solvers (``Progress(total, label, enabled=...)``, ``update``,
``set``, ``close``), so that every bar looks the same and none is drawn where it must not be:

* ``enabled=None`` (default): drawn only when the stream is a terminal;
* ``enabled=True``: drawn on any stream (the solvers' ``progress=True``);
* ``enabled=False``: nothing is written.

Bars go to stderr only, so ``--json`` output on stdout is never mixed with them.  tqdm is used instead
of a hand-made bar because it handles terminal width, rate and ETA estimates and redraw throttling,
and erases itself cleanly.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

#: ``label [#####     ] done/total elapsed<remaining note`` (ASCII, so logs of forced bars stay readable).
BAR_FORMAT = "{desc} [{bar}] {n_fmt}/{total_fmt} {elapsed}<{remaining} {postfix}"


class Progress:
    """Count work units on one status line (module doc)."""

    def __init__(self, total: int, label: str = "", *, enabled: bool | None = None, stream=None,
                 interval: float = 0.2):
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.enabled = bool(isatty()) if enabled is None else bool(enabled)
        self.done = 0
        self._bar = tqdm(total=self.total, desc=label, file=self.stream, disable=not self.enabled,
                         mininterval=interval, ascii=" #", bar_format=BAR_FORMAT, dynamic_ncols=True,
                         leave=True)

    def update(self, n: int = 1, note: str = "") -> None:
        self.done += n
        if note:
            self._bar.set_postfix_str(note[:40], refresh=False)
        self._bar.update(n)

    def set(self, done: int, note: str = "") -> None:
        """Set the count of finished units to ``done`` (absolute)."""
        self.update(int(done) - self.done, note)

    def write(self, line: str, file=None) -> None:
        """Print a line to ``file`` (default: the bar's stream) without breaking the bar: the bar is erased,
        the line written, the bar redrawn below it."""
        file = file or self.stream
        if self.enabled:
            self._bar.write(line, file=file)
        else:
            print(line, file=file)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
