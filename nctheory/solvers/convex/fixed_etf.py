r"""Fixed simplex-ETF classifier: the features alone are optimised (catalogue §5, Yang et al.).

The classifier is :math:`W^* = \sqrt{E_W}\,M` with M the K × d unit simplex ETF
(:func:`simplex_etf_rows`; ``e_w`` defaults to 1).  With W fixed the loss is convex
in each feature, so by Jensen replacing a class's features by their mean never
increases it, and every constraint below is kept by averaging (a ball is convex;
the average constraint only sees :math:`\|\bar h_k\|^2 \le \frac1{n_k}\sum_i\|h_{k,i}\|^2`).
The model is therefore the convex problem over :math:`\bar H \in \mathbb R^{d\times K}`

.. math::

    \min_{\bar H,\,b}\ \sum_k \pi_k\,\ell(W^*\bar h_k + b,\ k) + \text{(c)}

subject to, by ``problem.constraint``:

(a) ``"per-sample"``: :math:`\|\bar h_k\|^2 \le E_H` for every k;
(b) ``"average"``: :math:`\frac1K\sum_k\|\bar h_k\|^2 \le E_H`;
(c) ``"penalty"``: no constraint, :math:`+\frac{\lambda_H}2\sum_k n_k\|\bar h_k\|^2`.

Any loss with a cvxpy form works, e.g. ``Problem(loss="dr")``, the dot-regression loss
:math:`(w_k^{*\top} h - \sqrt{E_W E_H})^2/(2\sqrt{E_W E_H})` (:mod:`nctheory.model.losses.dot_regression`).  Yang et al.'s claim (ETF-CE, ETF-DR): under (a), for any
class sizes, :math:`\bar h_k = \sqrt{E_H/E_W}\,w^*_k`.
"""

from __future__ import annotations

import math

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import require, require_problem
from nctheory.solvers.convex._losses import add_bias, loss_expression
from nctheory.solvers.convex._model import bias_variable, collapsed_objective
from nctheory.solvers.convex._result import bias_value, failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMULATION = "fixed-etf"


def simplex_etf_rows(K: int, d: int) -> np.ndarray:
    r"""Unit simplex ETF as the rows of a K × d matrix.

    Rows :math:`m_k` with :math:`\|m_k\| = 1` and :math:`m_j^\top m_k = -1/(K-1)`, i.e.
    :math:`MM^\top = \frac{K}{K-1}(I - J/K)`.  For d ≥ K:
    :math:`M = \sqrt{K/(K-1)}\,(I - J/K)` padded with zero columns; for d = K−1:
    :math:`M = \sqrt{K/(K-1)}\,U` with U (K × (K−1)) an orthonormal basis of
    :math:`\mathbf 1^\perp` (then :math:`UU^\top = I - J/K`).
    """
    if K < 2:
        raise ValueError(f"K: a simplex ETF needs K >= 2, got {K}")
    if d < K - 1:
        raise ValueError(f"d: a simplex ETF of K = {K} vectors needs d >= K-1, got {d}")
    S = np.eye(K) - np.full((K, K), 1.0 / K)
    if d >= K:
        return math.sqrt(K / (K - 1)) * np.hstack([S, np.zeros((K, d - K))])
    U, _ = np.linalg.qr(S[:, : K - 1])
    return math.sqrt(K / (K - 1)) * U


def solve_fixed_etf(problem: Problem, *, solver: str | None = None, solver_opts: dict | None = None) -> Solution:
    """Optimise the features under a fixed simplex-ETF classifier (module doc).

    Parameters
    ----------
    problem : Problem
        ``classifier="fixed-etf"``, free features; ``constraint`` selects (a)/(b)/(c).
    solver, solver_opts
        As in :func:`~nctheory.solvers.convex.reduced.solve_reduced`.

    Returns
    -------
    Solution
        W = W* (fixed), H_mean = optimal class means; objective = loss
        (+ (λ_H/2)Σ n_k‖h̄_k‖² under the penalty; no λ_W term, W is not optimised)
        at that point; ``extra``: ``loss`` used, ``e_w``.
    """
    require_problem(problem)
    require(problem, "fixed-ETF", classifier=("fixed-etf",), features=("free",), depth=(1,))
    loss = problem.loss
    K, d = problem.K, problem.dim
    e_w = 1.0 if problem.e_w is None else problem.e_w
    W_star = math.sqrt(e_w) * simplex_etf_rows(K, d)
    H = cp.Variable((d, K), name="H_mean")
    b, b_penalty, b_constraints = bias_variable(problem, loss)
    data = loss_expression(add_bias(W_star @ H, b, K), np.arange(K), problem.weights, loss)
    constraints = list(b_constraints)
    extra_term = b_penalty
    if problem.constraint == "per-sample":
        constraints.append(cp.norm(H, 2, axis=0) <= math.sqrt(problem.e_h))
    elif problem.constraint == "average":
        constraints.append(cp.sum_squares(H) / K <= problem.e_h)
    else:
        extra_term = extra_term + 0.5 * problem.lambda_h * cp.sum_squares(H @ np.diag(np.sqrt(problem.n)))
    outcome = run(cp.Problem(cp.Minimize(data + extra_term), constraints), solver, solver_opts)
    info = {"loss": loss.name, "e_w": e_w}
    if not outcome.ok:
        return failed_solution(FORMULATION, outcome, K, d, extra=info)

    H_mean = np.asarray(H.value, dtype=np.float64)
    bias = bias_value(b, K)
    value = collapsed_objective(problem, W_star, H_mean, bias)
    return solved_solution(FORMULATION, outcome, W=W_star, H_mean=H_mean, b=bias, objective=value, extra=info)
