r"""Fang et al.'s layer-peeled model as a Gram SDP (catalogue §1 R4, §6 FANG-LPM).

Model (``constraint="average"``, learned classifier): minimise
:math:`\frac1N\sum_{k,i}\ell(W h_{k,i} + b, k)` subject to
:math:`\frac1K\sum_k\|w_k\|^2 \le E_W` and
:math:`\frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H`.
Replacing each class's features by their mean keeps the constraint
(:math:`\|\bar h_k\|^2 \le \frac1{n_k}\sum_i\|h_{k,i}\|^2`) and does not increase a
convex loss (Jensen), so class means suffice.  With the Gram matrix
:math:`X = [\bar H,\ W^\top]^\top[\bar H,\ W^\top] \succeq 0` (2K × 2K; rows/columns
1..K are :math:`\bar h_k`, K+1..2K are :math:`w_k`), the logits of class k's mean
are the column :math:`X_{K+1:2K,\,k}` and the model becomes the SDP

.. math::

    \min_{X\succeq 0,\ b}\ \sum_k \pi_k\,\ell(X_{K+1:2K,k} + b,\ k)
    \quad\text{s.t.}\quad \frac1K\sum_{k\le K}X_{kk} \le E_H,\ \
    \frac1K\sum_{k>K}X_{kk} \le E_W ,

exact whenever :math:`d \ge \operatorname{rank} X^*` (always for d ≥ 2K).

**Recovery from the logit block.**  Only :math:`\bar Z = X_{K+1:2K,1:K} = W\bar H` enters
the loss.  With :math:`\bar Z = U\Sigma V^\top` (numerical rank r ≤ K) put

.. math::

    W = (E_W/E_H)^{1/4}\,U\Sigma^{1/2}, \qquad \bar H = (E_H/E_W)^{1/4}\,\Sigma^{1/2}V^\top ,

so :math:`W\bar H = \bar Z` (same loss) and
:math:`\frac1K\|W\|^2 = \sqrt{E_W/E_H}\,\frac{\operatorname{tr}\Sigma}K \le E_W`,
:math:`\frac1K\|\bar H\|^2 = \sqrt{E_H/E_W}\,\frac{\operatorname{tr}\Sigma}K \le E_H`,
both because :math:`\operatorname{tr}\Sigma = \|W\bar H\|_* \le \|W\|_F\|\bar H\|_F \le K\sqrt{E_WE_H}`
for the Gram factors of the solved X.  This point is optimal and has rank
:math:`\le K`, whereas the solved X may have rank up to 2K when a budget is slack (an
interior-point solver returns the relative interior of the optimal face).  When both
budgets bind (e.g. CE) the optimal X is this balanced factorization anyway: otherwise
the traces could be lowered at fixed :math:`\bar Z` and :math:`\bar Z` scaled up, lowering
the loss.  The point is scaled onto the feasible set if solver noise puts it outside
(factors in ``extra["feasibility_scale"]``, 1 up to ~1e-10); the rank of X itself is
kept in ``extra["gram_rank"]``.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import rank_tolerances, require, require_problem
from nctheory.solvers.convex._factor import (RANK_ATOL, RANK_RTOL, gram_factor, pad_rows, truncated_factors,
                                             truncation_status)
from nctheory.solvers.convex._losses import add_bias, loss_expression
from nctheory.solvers.convex._model import bias_variable, collapsed_objective
from nctheory.solvers.convex._result import bias_value, failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMULATION = "lpm"


def _onto_budget(M: np.ndarray, budget: float, K: int) -> tuple[np.ndarray, float]:
    """Scale the columns of M down so that (1/K)‖M‖_F² ≤ budget; returns (M, factor)."""
    used = float(np.vdot(M, M)) / K
    if used <= budget:
        return M, 1.0
    factor = float(np.sqrt(budget / used))
    return M * factor, factor


def solve_lpm_sdp(problem: Problem, *, solver: str | None = None, solver_opts: dict | None = None,
                  rank_rtol: float = RANK_RTOL, rank_atol: float = RANK_ATOL) -> Solution:
    """Solve Fang et al.'s layer-peeled model through its Gram SDP (module doc).

    Parameters
    ----------
    problem : Problem
        ``constraint="average"``, learned classifier, free features (``e_w``, ``e_h``
        set); CE or MSE; any bias (``λ_b`` term added for a regularized one).
    solver, solver_opts, rank_rtol, rank_atol
        As in :func:`~nctheory.solvers.convex.reduced.solve_reduced`.

    Returns
    -------
    Solution
        Objective = the model's loss (+ bias penalty) at the recovered (W, H̄, b);
        ``extra``: ``gram`` (X), its ``eigenvalues`` and ``gram_rank``,
        ``singular_values`` and ``rank`` of the mean logits, ``feasibility_scale``
        (for H̄ and W), ``budget_use`` ((1/K)Σ‖h̄_k‖²/E_H, (1/K)Σ‖w_k‖²/E_W).
    """
    require_problem(problem)
    require(problem, "layer-peeled SDP", constraint=("average",), classifier=("learned",), features=("free",))
    rank_rtol, rank_atol = rank_tolerances(rank_rtol, rank_atol)
    K, d = problem.K, problem.dim
    e_h, e_w = problem.e_h, problem.e_w
    X = cp.Variable((2 * K, 2 * K), PSD=True, name="gram")
    b, b_penalty, b_constraints = bias_variable(problem, problem.loss)
    logits = add_bias(X[K:, :K], b, K)
    objective = loss_expression(logits, np.arange(K), problem.weights, problem.loss) + b_penalty
    constraints = [cp.trace(X[:K, :K]) / K <= e_h, cp.trace(X[K:, K:]) / K <= e_w] + b_constraints
    outcome = run(cp.Problem(cp.Minimize(objective), constraints), solver, solver_opts)
    if not outcome.ok:
        return failed_solution(FORMULATION, outcome, K, d)

    G = np.asarray(X.value, dtype=np.float64)
    _, evals, gram_rank = gram_factor(G, rank_rtol, rank_atol)
    Zbar = G[K:, :K]
    W, B, s, r, kept = truncated_factors(Zbar, e_h, e_w, d, rank_rtol, rank_atol)  # (λ_H/λ_W)^¼ = (E_W/E_H)^¼
    H_mean = pad_rows(B, d)
    H_mean, scale_h = _onto_budget(H_mean, e_h, K)
    W, scale_w = _onto_budget(W, e_w, K)
    bias = bias_value(b, K)
    status, message = truncation_status(r, kept, f"d: numerical rank of the mean logits is {r} > d = {d}; returned "
                                                 f"the rank-{d} truncation")
    return solved_solution(
        FORMULATION, outcome, W=W, H_mean=H_mean, b=bias,
        objective=collapsed_objective(problem, W, H_mean, bias), status=status, message=message,
        extra={"gram": G, "eigenvalues": evals, "gram_rank": gram_rank, "singular_values": s, "rank": r,
               "feasibility_scale": (scale_h, scale_w),
               "budget_use": (float(np.vdot(H_mean, H_mean)) / K / e_h, float(np.vdot(W, W)) / K / e_w)},
    )
