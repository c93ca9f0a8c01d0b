"""How the toolkit tells bad input from its own bugs, and how a wall-clock budget stops work.

Every input-validation error is a ValueError whose message starts with the offending field's name
(``"sizes: need at least K = 2 classes"``).  Anything else raised as ValueError (``math domain error``,
a shape mismatch deep in numpy) is a bug and must not be reported as bad input.

:class:`TimeLimitReached` is raised when a command's ``--time-limit`` budget runs out.  It derives from
:class:`BaseException` (like :class:`KeyboardInterrupt`), so the ``except Exception`` blocks that record
a failed solve and go on (a sweep point, a hypothesis example) do not swallow it: it always reaches the
command, which reports what was done and exits 3.
"""

from __future__ import annotations

import re

_FIELD_ERROR = re.compile(r"^[A-Za-z_][\w\-]*: ")


def is_input_error(exc: BaseException) -> bool:
    """True for a ValueError whose message starts with ``"<field>: "``."""
    return isinstance(exc, ValueError) and bool(_FIELD_ERROR.match(str(exc)))


class MissingExtra(ImportError):
    """An optional dependency is not installed.  The message names the extra that installs it
    (``pip install 'nctheory[search]'``); the CLI prints it in one line and exits 2."""

    def __init__(self, what: str, extra: str, package: str):
        self.extra, self.package = extra, package
        super().__init__(f"{what} needs {package}: pip install 'nctheory[{extra}]'", name=package)


class TimeLimitReached(BaseException):
    """The wall-clock budget of a command ran out (exit code 3 after a report of what was done)."""

    def __init__(self, seconds: float | None = None, where: str = ""):
        self.seconds = None if seconds is None else float(seconds)
        self.where = where
        limit = "time limit" if self.seconds is None else f"time limit of {self.seconds:g} s"
        super().__init__(f"{limit} reached" + (f" {where}" if where else ""))
