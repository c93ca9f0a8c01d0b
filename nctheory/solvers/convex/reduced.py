r"""Reduction R2: the UFM as a nuclear-norm problem over the class-mean logits (catalogue §1).

For a loss convex in the logits every global minimizer has :math:`h_{k,i} = \bar h_k`
(NC1), and by the variational identity R1 the UFM equals the convex problem

.. math::

    \min_{X \in \mathbb R^{K\times K},\, b}\ \sum_k \pi_k\,
        \ell\big((X D^{-1/2})_{:,k} + b,\ k\big) + \lambda\|X\|_* + \frac{\lambda_b}2\|b\|^2,

with :math:`X = Y = \bar Z D^{1/2}`, :math:`\bar Z = W\bar H`, :math:`\pi_k = n_k/N`,
:math:`\lambda = \sqrt{\lambda_W\lambda_H}` (the :math:`\lambda_b` term only for a
regularized bias; a free CE bias carries the gauge :math:`\mathbf 1^\top b = 0`).
Factors from :math:`Y = U\Sigma V^\top` (rank r, the numerical rank of
:mod:`~nctheory.solvers.convex._factor`):

.. math::

    W = (\lambda_H/\lambda_W)^{1/4} U\Sigma^{1/2}, \qquad
    \bar H = (\lambda_W/\lambda_H)^{1/4}\Sigma^{1/2}V^\top D^{-1/2},

padded with zero columns / rows to the problem's dimension d.  The reduction is
exact when :math:`d \ge r`; if ``d < r`` the best rank-d truncation is returned
with status ``"local"`` (the convex value is then only a lower bound, kept in
``extra["convex_value"]``).
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import rank_tolerances, require, require_problem
from nctheory.solvers.convex._factor import RANK_ATOL, RANK_RTOL, pad_rows, truncated_factors, truncation_status
from nctheory.solvers.convex._losses import add_bias, loss_expression
from nctheory.solvers.convex._model import bias_variable, collapsed_objective
from nctheory.solvers.convex._result import bias_value, failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMULATION = "reduced"


def solve_reduced(problem: Problem, *, solver: str | None = None, solver_opts: dict | None = None,
                  rank_rtol: float = RANK_RTOL, rank_atol: float = RANK_ATOL) -> Solution:
    """Solve the UFM through reduction R2 (module doc) with cvxpy.

    Parameters
    ----------
    problem : Problem
        Learned classifier, ``constraint="penalty"``, free features, depth 1; CE or
        MSE; any bias.
    solver, solver_opts
        See :func:`nctheory.solvers.convex._run.run` (``None``: CLARABEL, then SCS).
    rank_rtol, rank_atol : float
        Numerical-rank cutoff for the singular values of Y.

    Returns
    -------
    Solution
        ``method="convex:reduced/<solver>"``; objective = canonical objective at the
        recovered (W, H̄, b); ``extra``: ``singular_values`` of Y, ``rank``,
        ``discarded_mass`` (sum of the singular values cut), ``Y``, solver record.

    Raises
    ------
    ValueError
        Naming the field of an unsupported model (e.g. ``depth: ...``).
    """
    require_problem(problem)
    require(problem, "reduced (R2)", depth=(1,), classifier=("learned",), constraint=("penalty",),
            features=("free",))
    rank_rtol, rank_atol = rank_tolerances(rank_rtol, rank_atol)
    K, d = problem.K, problem.dim
    n = problem.n
    X = cp.Variable((K, K), name="Y")
    b, b_penalty, b_constraints = bias_variable(problem, problem.loss)
    logits = add_bias(X @ np.diag(n ** -0.5), b, K)
    objective = loss_expression(logits, np.arange(K), problem.weights, problem.loss) \
        + problem.lam * cp.normNuc(X) + b_penalty
    outcome = run(cp.Problem(cp.Minimize(objective), b_constraints), solver, solver_opts)
    if not outcome.ok:
        return failed_solution(FORMULATION, outcome, K, d)

    Y = np.asarray(X.value, dtype=np.float64)
    W, B, s, r, kept = truncated_factors(Y, problem.lambda_w, problem.lambda_h, d, rank_rtol, rank_atol)
    H_mean = pad_rows(B @ np.diag(n ** -0.5), d)
    bias = bias_value(b, K)
    status, message = truncation_status(r, kept, f"d: numerical rank of Y is {r} > d = {d}; the reduction is not "
                                                 f"exact, returned the rank-{d} truncation (convex value is a lower "
                                                 "bound)")
    return solved_solution(
        FORMULATION, outcome, W=W, H_mean=H_mean, b=bias,
        objective=collapsed_objective(problem, W, H_mean, bias), status=status, message=message,
        extra={"singular_values": s, "rank": r, "discarded_mass": float(s[kept:].sum()), "Y": Y},
    )
