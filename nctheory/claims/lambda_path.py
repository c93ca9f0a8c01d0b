r"""Certified solves along a decreasing λ sequence: the shared loop of the λ → 0 checks.

The λ → 0 claims (SELI's regularisation path, the Behnia CS-SVM limit, the label-smoothing limit) all solve the
same model at :math:`\lambda_j = \sqrt{\lambda_{W,j}\lambda_{H,j}}` along a decreasing sequence with the problem's
ratio :math:`\lambda_H/\lambda_W = r^2` kept, i.e. :math:`\lambda_{W,j} = \lambda_j/r`, :math:`\lambda_{H,j} =
\lambda_j r`, and measure each solution against a limit.  :func:`decreasing_lambdas` validates the sequence,
:func:`solve_along` runs the solves and records the measures; each check judges the measures its own way.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np


def decreasing_lambdas(lambdas) -> np.ndarray:
    """``lambdas`` as a float64 vector of at least two positive values in strictly decreasing order (else
    ValueError ``lambdas: ...``)."""
    lam = np.asarray(lambdas, dtype=np.float64)
    if lam.ndim != 1 or lam.size < 2 or not np.all(lam > 0) or not np.all(np.diff(lam) < 0):
        raise ValueError("lambdas: need at least two positive values in decreasing order")
    return lam


def solve_along(problem, lam: np.ndarray, measure: Callable, *, method: str = "certified", grouped: bool = False,
                **solver_options):
    r"""Solve ``problem`` at each :math:`\lambda_j` of ``lam`` (ratio :math:`\lambda_H/\lambda_W` kept) and measure.

    Parameters
    ----------
    problem : Problem
    lam : ndarray
        Validated by :func:`decreasing_lambdas`.
    measure : callable(Problem, Solution) -> array_like
        A fixed-length vector per solution (e.g. three Gram distances).
    method : str
        Registry solver.  ``grouped=True`` takes its grouped variant where that applies
        (:func:`~nctheory.solvers.registry.preferred_method`).
    **solver_options
        Passed to :func:`nctheory.solvers.solve`.

    Returns
    -------
    measures : ndarray, shape (len(lam), m)
    certified : bool
        Every solve ended with status "optimal".
    last : Solution
        The solution at the smallest λ.
    """
    from nctheory.solvers import solve
    from nctheory.solvers.registry import preferred_method

    ratio = math.sqrt(problem.lambda_h / problem.lambda_w)
    rows, certified, sol = [], True, None
    for l in lam:
        p = problem.with_(lambda_w=l / ratio, lambda_h=l * ratio)
        sol = solve(p, method=preferred_method(method, p) if grouped else method, **solver_options)
        certified &= sol.status == "optimal"
        rows.append(np.asarray(measure(p, sol), dtype=np.float64))
    return np.array(rows), bool(certified), sol
