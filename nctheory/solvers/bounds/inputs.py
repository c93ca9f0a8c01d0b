"""Input checks shared by the bound providers (ValueError messages start with the field name).

A provider is called as ``provider(problem, solution)``.  Passing something that is not a Problem or a
Solution, or a solution whose arrays do not fit the problem, is bad input (ValueError).  A solution
with non-finite entries (a failed solve) is not bad input: the provider declines (returns None).
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Classifier, Constraint, Features
from nctheory.model.problem import Problem
from nctheory.solvers.bounds.conjugate import dual_capable
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


def dual_bound_applies(problem, solution, *, classifier: Classifier, features: Features,
                       constraint: Constraint | None = None) -> bool:
    """Check the arguments (:func:`require`) and say whether a depth-1 Fenchel-dual bound can be evaluated:
    the model has this ``classifier``, ``features`` and (unless None) ``constraint``, its loss has a conjugate
    (:func:`~nctheory.solvers.bounds.conjugate.dual_capable`), and the answer's objective is finite."""
    require(problem, solution)
    return (problem.classifier == classifier and problem.features == features
            and (constraint is None or problem.constraint == constraint) and problem.depth == 1
            and dual_capable(problem) and finite_objective(solution))


def learned_mean_answer(problem, solution: Solution, constraint: Constraint) -> tuple[np.ndarray, np.ndarray] | None:
    """The answer's class-mean logits (K × K) and bias (K) as checked by :func:`array`, for a Fenchel-dual bound
    of the depth-1 learned-classifier, free-feature model with ``constraint`` (:func:`dual_bound_applies`); None
    when the bound does not apply or an array is missing or not finite."""
    if not dual_bound_applies(problem, solution, classifier=Classifier.LEARNED, features=Features.FREE,
                              constraint=constraint):
        return None
    K = problem.K
    Z = array(solution, "logits_mean", (K, K))
    b = array(solution, "b", (K,))
    if Z is None or b is None:
        return None
    return Z, b
