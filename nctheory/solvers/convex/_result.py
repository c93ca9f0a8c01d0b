"""Assembling :class:`~nctheory.solvers.result.Solution` objects for the cvxpy formulations."""

from __future__ import annotations

import numpy as np

from nctheory.solvers.convex._run import RunOutcome
from nctheory.solvers.result import Solution


def method_name(formulation: str, outcome: RunOutcome) -> str:
    """``"convex:<formulation>/<solver>"``."""
    return f"convex:{formulation}/{outcome.solver}"


def failed_solution(formulation: str, outcome: RunOutcome, K: int, d: int, *, N: int | None = None,
                    extra: dict | None = None) -> Solution:
    """A non-answer: every array NaN, objective NaN, status and message from ``outcome``.

    The solver's (non-optimal) value is kept in ``extra["unaccepted_value"]`` for
    diagnosis only.
    """
    info = dict(extra or {})
    info.update(outcome.as_extra())
    info["unaccepted_value"] = outcome.value
    return Solution(
        W=np.full((K, d), np.nan), H_mean=np.full((d, K), np.nan), b=np.full(K, np.nan),
        logits_mean=np.full((K, K), np.nan),
        objective=float("nan"), lower_bound=None, gap=None, status=outcome.status,
        iterations=outcome.iterations, time_s=outcome.time_s, method=method_name(formulation, outcome),
        message=outcome.message, H=None if N is None else np.full((d, N), np.nan), extra=info,
    )


def solved_solution(formulation: str, outcome: RunOutcome, *, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray,
                    objective: float, status: str = "optimal", message: str | None = None,
                    lower_bound: float | None = None, H: np.ndarray | None = None,
                    extra: dict | None = None) -> Solution:
    """A solution built from recovered factors; ``logits_mean = W H_mean + b 1ᵀ``."""
    info = dict(extra or {})
    info.update(outcome.as_extra())
    info["convex_value"] = outcome.value
    W = np.asarray(W, dtype=np.float64)
    H_mean = np.asarray(H_mean, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    gap = None if lower_bound is None else float(objective) - float(lower_bound)
    return Solution(
        W=W, H_mean=H_mean, b=b, logits_mean=W @ H_mean + b[:, None], objective=float(objective),
        lower_bound=None if lower_bound is None else float(lower_bound), gap=gap, status=status,
        iterations=outcome.iterations, time_s=outcome.time_s, method=method_name(formulation, outcome),
        message=outcome.message if message is None else message,
        H=None if H is None else np.asarray(H, dtype=np.float64), extra=info,
    )


def bias_value(b_var, K: int) -> np.ndarray:
    """The solved bias (zeros without a bias variable)."""
    return np.zeros(K) if b_var is None else np.asarray(b_var.value, dtype=np.float64).reshape(K)
