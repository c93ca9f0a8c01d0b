r"""L-BFGS-B on the flat variables (scipy), with restarts of the quasi-Newton memory.

scipy's L-BFGS-B stops on ``pgtol`` (projected gradient sup-norm), on the relative
decrease ``ftol`` or when its line search fails near machine precision.  We set
``ftol = 0`` so only the gradient test (or a failed line search) stops it, then re-start
from the final point with a fresh memory (at most ``polish_rounds`` times) while the
projected gradient is still above ``gtol``: a failed line search is often due to stale
curvature pairs.  If the projected gradient is still above ``gtol`` once function values
stop decreasing (their rounding level is reached long before the gradient's), the point is
polished by spectral projected gradient steps judged by slopes
(:func:`~nctheory.solvers.factored.projected.minimize_projected`).  Convergence is judged by
our own projected-gradient measure, never by scipy's flag alone.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize

from nctheory.solvers.factored.local_result import GTOL, MAX_ITER, FunGrad, LocalResult, Projection
from nctheory.solvers.factored.projected import minimize_projected


def minimize_lbfgsb(
    fun_grad: FunGrad,
    x0: np.ndarray,
    stationarity: Callable[[np.ndarray, np.ndarray], float],
    *,
    bounds=None,
    project: Projection | None = None,
    max_iter: int = MAX_ITER,
    gtol: float = GTOL,
    maxcor: int = 30,
    polish_rounds: int = 4,
) -> LocalResult:
    """Minimize a smooth function with L-BFGS-B until ``stationarity(x, grad) <= gtol``.

    Parameters
    ----------
    fun_grad, x0, gtol
        As in :func:`~nctheory.solvers.factored.projected.minimize_projected`.
    stationarity : callable
        ``(x, g) -> float``, the projected-gradient norm used to judge convergence.
    bounds : list of (lo, hi) or None
    project : Projection or None
        Projection onto the box given by ``bounds`` (identity if None), for the polishing stage.
    max_iter : int
        Total iteration budget over all rounds.
    """
    x = np.asarray(x0, dtype=np.float64).copy()
    used = 0
    message = ""
    fun, g = fun_grad(x)
    for _ in range(polish_rounds + 1):
        remaining = max_iter - used
        if remaining <= 0:
            break
        res = minimize(
            fun_grad, x, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": remaining, "maxfun": 4 * remaining + 100, "gtol": gtol,
                     "ftol": 0.0, "maxcor": maxcor},
        )
        used += int(res.nit)
        message = str(res.message)
        if not np.all(np.isfinite(res.x)):
            break
        if res.fun <= fun or not np.isfinite(fun):
            x = np.array(res.x, dtype=np.float64)
        fun, g = fun_grad(x)
        if stationarity(x, g) <= gtol or res.nit == 0:
            break
    fun, g = fun_grad(x)
    norm = stationarity(x, g)
    if np.isfinite(fun) and norm > gtol and used < max_iter:
        # function values no longer rank points: finish with slope-based SPG steps
        polished = minimize_projected(fun_grad, x, project or (lambda z: z), max_iter=max_iter - used, gtol=gtol)
        used += polished.nit
        if np.isfinite(polished.fun) and polished.grad_norm < norm:
            x = polished.x
            message += f"; polished by SPG ({polished.nit} steps, {polished.reason})"
        fun, g = fun_grad(x)
        norm = stationarity(x, g)
    if not (np.isfinite(fun) and np.all(np.isfinite(x))):
        reason = "nonfinite"
    elif norm <= gtol:
        reason = "converged"
    elif used >= max_iter:
        reason = "max_iter"
    else:
        reason = "stalled"
    return LocalResult.stopped(x, fun, used, norm, reason, message)
