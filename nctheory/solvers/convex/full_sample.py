r"""The UFM as a nuclear-norm problem over every sample's logit, without assuming NC1.

By the variational identity R1 (catalogue §1) applied to the full feature matrix
(its penalty is summed over samples), the UFM with a learned classifier equals

.. math::

    \min_{Z \in \mathbb R^{K\times N},\, b}\ \frac1N\sum_{i=1}^N \ell(z_i + b,\ y_i)
        + \lambda\|Z\|_* + \frac{\lambda_b}2\|b\|^2 ,

and from :math:`Z = U\Sigma V^\top`: :math:`W = (\lambda_H/\lambda_W)^{1/4}U\Sigma^{1/2}`,
:math:`H = (\lambda_W/\lambda_H)^{1/4}\Sigma^{1/2}V^\top` (d × N, zero-padded).  Nothing
here forces :math:`h_{k,i} = \bar h_k`; the within-class spread of the recovered H is
reported (``extra["within_class_spread"]`` =
:math:`\|H - \bar H E^\top\|_F / \|H\|_F`, E the N × K class indicator) so NC1 can be
measured against the reduced problem.

The nuclear norm is one ``normNuc`` cone for K + N ≤ 30 and N LMIs of side K + 1
beyond (:mod:`~nctheory.solvers.convex._nuclear`; ``extra["nuclear_form"]``), about a
second at N ~ 100, so this is for small N only: ``N > MAX_SAMPLES`` (= 400) raises
``ValueError("sizes: ...")``.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import rank_tolerances, require, require_problem
from nctheory.solvers.convex._factor import RANK_ATOL, RANK_RTOL, pad_rows, truncated_factors, truncation_status
from nctheory.solvers.convex._losses import add_bias, loss_expression
from nctheory.solvers.convex._nuclear import nuclear_norm
from nctheory.solvers.convex._model import bias_variable, class_means, sample_objective
from nctheory.solvers.convex._result import bias_value, failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMULATION = "full-sample"
#: Largest total sample count N accepted (N LMIs).
MAX_SAMPLES = 400


def solve_full_sample(problem: Problem, *, solver: str | None = None, solver_opts: dict | None = None,
                      rank_rtol: float = RANK_RTOL, rank_atol: float = RANK_ATOL) -> Solution:
    """Solve the UFM over per-sample logits (module doc) and recover per-sample features.

    Parameters
    ----------
    problem : Problem
        Learned classifier, ``constraint="penalty"``, free features, depth 1, N ≤ 400.
    solver, solver_opts, rank_rtol, rank_atol
        As in :func:`~nctheory.solvers.convex.reduced.solve_reduced`.

    Returns
    -------
    Solution
        ``H`` (d × N) and its class means ``H_mean``; objective = canonical objective at
        the recovered (W, H, b); ``extra``: ``singular_values`` of Z, ``rank``,
        ``discarded_mass``, ``within_class_spread``.
    """
    require_problem(problem)
    require(problem, "full-sample", depth=(1,), classifier=("learned",), constraint=("penalty",),
            features=("free",))
    if problem.N > MAX_SAMPLES:
        raise ValueError(f"sizes: the full-sample formulation is limited to N <= {MAX_SAMPLES} samples "
                         f"(N LMIs), got N = {problem.N}; use the reduced formulation")
    rank_rtol, rank_atol = rank_tolerances(rank_rtol, rank_atol)
    K, N, d = problem.K, problem.N, problem.dim
    Z = cp.Variable((K, N), name="Z")
    b, b_penalty, b_constraints = bias_variable(problem, problem.loss)
    logits = add_bias(Z, b, N)
    nuclear, lmis, nuclear_form = nuclear_norm(Z)
    objective = loss_expression(logits, problem.labels, np.full(N, 1.0 / N), problem.loss) \
        + problem.lam * nuclear + b_penalty
    outcome = run(cp.Problem(cp.Minimize(objective), b_constraints + lmis), solver, solver_opts)
    if not outcome.ok:
        return failed_solution(FORMULATION, outcome, K, d, N=N)

    W, B, s, r, kept = truncated_factors(np.asarray(Z.value, dtype=np.float64), problem.lambda_w, problem.lambda_h,
                                         d, rank_rtol, rank_atol)
    H = pad_rows(B, d)
    H_mean = class_means(problem, H)
    spread = np.linalg.norm(H - H_mean[:, problem.labels])
    scale = np.linalg.norm(H)
    bias = bias_value(b, K)
    status, message = truncation_status(r, kept, f"d: numerical rank of Z is {r} > d = {d}; returned the rank-{d} "
                                                 "truncation")
    return solved_solution(
        FORMULATION, outcome, W=W, H_mean=H_mean, b=bias, H=H,
        objective=sample_objective(problem, W, H, bias), status=status, message=message,
        extra={"singular_values": s, "rank": r, "discarded_mass": float(s[kept:].sum()),
               "within_class_spread": float(spread / scale) if scale > 0 else 0.0, "nuclear_form": nuclear_form},
    )
