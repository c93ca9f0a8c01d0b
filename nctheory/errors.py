"""How the toolkit tells bad input from its own bugs.

Every input-validation error is a ValueError whose message starts with the offending field's name
(``"sizes: need at least K = 2 classes"``).  Anything else raised as ValueError (``math domain error``,
a shape mismatch deep in numpy) is a bug and must not be reported as bad input.
"""

from __future__ import annotations

import re

_FIELD_ERROR = re.compile(r"^[A-Za-z_][\w\-]*: ")


def is_input_error(exc: BaseException) -> bool:
    """True for a ValueError whose message starts with ``"<field>: "``."""
    return isinstance(exc, ValueError) and bool(_FIELD_ERROR.match(str(exc)))
