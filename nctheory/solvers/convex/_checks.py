"""Input checks shared by the formulations (ValueError messages start with the field name)."""

from __future__ import annotations

from nctheory.model import Problem
from nctheory.solvers.checks import positive_float


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
    """A tolerance: a finite real number >= 0 (ValueError naming ``name`` otherwise)."""
    return positive_float(name, value, allow_zero=True)


def rank_tolerances(rank_rtol, rank_atol) -> tuple[float, float]:
    """The numerical-rank tolerances of a formulation (:mod:`~nctheory.solvers.convex._factor`), checked."""
    return check_tolerance("rank_rtol", rank_rtol), check_tolerance("rank_atol", rank_atol)
