"""Input checks shared by the bound providers (ValueError messages start with the field name).

A provider is called as ``provider(problem, solution)``.  Passing something that is not a Problem or a
Solution, or a solution whose arrays do not fit the problem, is bad input (ValueError).  A solution
with non-finite entries (a failed solve) is not bad input: the provider declines (returns None).
"""

from __future__ import annotations

import numpy as np

from nctheory.model.problem import Problem
from nctheory.solvers.result import Solution


def require(problem, solution) -> None:
    """Raise ``problem: ...`` / ``solution: ...`` for arguments of the wrong type."""
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory Problem, got {type(problem).__name__}")
    if not isinstance(solution, Solution):
        raise ValueError(f"solution: expected a nctheory Solution, got {type(solution).__name__}")


def array(solution: Solution, name: str, shape: tuple) -> np.ndarray | None:
    """``solution.<name>`` as float64 of the given shape (None entries of ``shape`` match anything);
    ValueError on a shape mismatch, None when it is missing or not finite."""
    value = getattr(solution, name)
    if value is None:
        return None
    A = np.asarray(value, dtype=np.float64)
    if A.ndim != len(shape) or any(s is not None and a != s for a, s in zip(A.shape, shape)):
        want = "×".join("*" if s is None else str(s) for s in shape)
        raise ValueError(f"solution: {name} has shape {A.shape}, expected {want} for this problem")
    if not np.all(np.isfinite(A)):
        return None
    return A


def finite_objective(solution: Solution) -> bool:
    return bool(np.isfinite(solution.objective))
