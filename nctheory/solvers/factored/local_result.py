"""The outcome of one local minimization (one restart)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
