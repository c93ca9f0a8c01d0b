"""The outcome of one local minimization (one restart)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

#: Iteration budget of a local solve unless told otherwise.
MAX_ITER = 20000
#: Stationarity tolerance of a local solve (projected-gradient sup-norm) unless told otherwise.
GTOL = 1e-10
#: The objective of a local minimiser: ``x -> (f(x), ∇f(x))``.
FunGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]
#: A Euclidean projection onto the (convex) feasible set: ``x -> Π(x)``.
Projection = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class LocalResult:
    """One local solve, named after ``scipy.optimize.OptimizeResult`` where the fields overlap.

    Attributes
    ----------
    x : ndarray
        Final point (flat).
    fun : float
        Objective at ``x``.
    nit : int
        Iterations used.
    grad_norm : float
        Stationarity measure at ``x``: the projected-gradient sup-norm.
    converged : bool
        ``grad_norm <= gtol`` at a finite point.
    reason : str
        ``"converged"``, ``"max_iter"``, ``"stalled"`` (no further decrease possible before
        reaching ``gtol``) or ``"nonfinite"``.
    message : str
        Details from the underlying method.
    """

    x: np.ndarray
    fun: float
    nit: int
    grad_norm: float
    converged: bool
    reason: str
    message: str = ""

    @classmethod
    def stopped(cls, x: np.ndarray, fun: float, nit: int, grad_norm: float, reason: str,
                message: str = "") -> "LocalResult":
        """The result of a solve that stopped for ``reason`` (converged iff the reason is ``"converged"``)."""
        return cls(x=x, fun=float(fun), nit=nit, grad_norm=grad_norm, converged=reason == "converged",
                   reason=reason, message=message)
