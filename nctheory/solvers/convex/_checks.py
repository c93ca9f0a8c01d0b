"""Input checks shared by the formulations (ValueError messages start with the field name)."""

from __future__ import annotations

import math

from nctheory.model import Problem


def require_problem(problem) -> Problem:
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    return problem


def require(problem: Problem, formulation: str, **allowed: tuple) -> None:
    """Raise ``ValueError("<field>: ...")`` when a field of ``problem`` is outside ``allowed[field]``."""
    for name, values in allowed.items():
        value = getattr(problem, name)
        if value not in values:
            hint = " (not convex; use method='factored')" if name == "depth" else ""
            raise ValueError(
                f"{name}: the {formulation} formulation needs {name} in {list(values)}, got {value!r}{hint}"
            )


def check_tolerance(name: str, value: float) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a real number, got a bool")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real number, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name}: must be finite and >= 0, got {value!r}")
    return v
