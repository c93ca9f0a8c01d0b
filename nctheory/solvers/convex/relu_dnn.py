r"""A certified lower bound for the UFM with ReLU features (catalogue §1 R5).

Model: features :math:`H \ge 0`, learned classifier, no bias, penalties.  Take the
Gram matrix of :math:`[W;\ \bar H^\top]` (2K × d)

.. math::

    G = \begin{bmatrix} A & Z \\ Z^\top & B \end{bmatrix}
      = \begin{bmatrix} WW^\top & W\bar H \\ \bar H^\top W^\top & \bar H^\top\bar H\end{bmatrix}

and solve the doubly-nonnegative (DNN) relaxation

.. math::

    \beta = \min_{G\succeq 0,\ B\ge 0}\ \sum_k \pi_k\,\ell(Z_{:,k}, k)
        + \frac{\lambda_W}2\operatorname{tr}A + \frac{\lambda_H}2\sum_k n_k B_{kk}.

**Why β is a lower bound.**  Let (W, H ≥ 0) be any feasible ReLU point.  Replacing
each class's features by their mean keeps :math:`\bar H \ge 0` (an average of
nonnegative vectors), does not increase the loss (convex in the logits, Jensen)
and does not increase the penalty (:math:`\sum_i\|h_{k,i}\|^2 \ge n_k\|\bar h_k\|^2`).
The Gram matrix G of :math:`[W; \bar H^\top]` is PSD and :math:`B = \bar H^\top\bar H \ge 0`
entrywise (inner products of nonnegative vectors), and the relaxation's objective at
G equals the UFM objective at :math:`(W, \bar H)`.  So β ≤ f(W, H) for every feasible
point, in particular β ≤ the ReLU UFM optimum (up to the solver's accuracy, a gap of
about 1e-11 with the default tolerances).

**Recovering a ReLU point.**  A point with objective β exists iff the optimal G
factors as :math:`[W; \bar H^\top][W; \bar H^\top]^\top` with :math:`\bar H \ge 0` and at
most d columns.  Heuristic used here: (1) a nonnegative factor of B —
:math:`\bar H = \operatorname{diag}(\sqrt{B_{kk}})` when B is numerically diagonal
(the structure the catalogue predicts: disjoint supports), otherwise alternating
projections between :math:`\{R F_0: R^\top R = I\}` (:math:`F_0^\top F_0 = B`) and the
nonnegative orthant, from several seeded starts; (2)
:math:`W = Z\bar H^{+} + W_\perp` with :math:`W_\perp\bar H = 0` and
:math:`W_\perp W_\perp^\top = A - Z B^{+} Z^\top` (the Schur complement, PSD because G
is), placed in the coordinates orthogonal to the range of :math:`\bar H`.  The
recovered point is always ReLU-feasible (:math:`\bar H` is clipped at 0) and its true
objective is reported; ``extra["tight"]`` says whether it matches β to a relative 1e-6.
"""

from __future__ import annotations

from dataclasses import replace

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import require, require_problem
from nctheory.solvers.convex._factor import RANK_ATOL, gram_factor, numerical_rank
from nctheory.solvers.convex._losses import loss_expression
from nctheory.solvers.convex._model import collapsed_objective
from nctheory.solvers.convex._result import failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMULATION = "relu-dnn"
#: Relative agreement between the recovered objective and the bound that counts as tight.
TIGHT_RTOL = 1e-6
#: B counts as diagonal when every off-diagonal entry is below this times max(diag B).
DIAGONAL_RTOL = 1e-7
#: Relative residual ‖H̄ᵀH̄ − B‖/max diag B at which the factor heuristic stops.
FACTOR_STOP = 1e-13


def _nonnegative_factor(B: np.ndarray, max_cols: int, restarts: int, iters: int, seed: int
                        ) -> tuple[np.ndarray, str, float]:
    """A nonnegative H̄ (p × K, p ≤ max_cols) with H̄ᵀH̄ ≈ B; returns (H̄, how, relative residual)."""
    K = B.shape[0]
    scale = max(float(np.max(np.diag(B))), 1e-300)
    off = B - np.diag(np.diag(B))
    if np.max(np.abs(off)) <= max(DIAGONAL_RTOL * scale, RANK_ATOL) and K <= max_cols:
        Hm = np.diag(np.sqrt(np.maximum(np.diag(B), 0.0)))
        return Hm, "diagonal", float(np.linalg.norm(Hm.T @ Hm - B) / scale)
    F0, _, r = gram_factor(B)
    p = max_cols  # use every available column: extra ones make a nonnegative factor easier to reach
    F0 = np.vstack([F0, np.zeros((p - r, K))]) if p >= r else F0[:p]  # r > d: truncated, residual shows it
    rng = np.random.default_rng(seed)
    best, best_res = None, np.inf
    for _ in range(restarts):
        R, _ = np.linalg.qr(rng.standard_normal((p, p)))
        for it in range(iters):
            P = np.maximum(R @ F0, 0.0)
            U, _, Vt = np.linalg.svd(P @ F0.T)
            R = U @ Vt
            if it % 50 == 49 and np.linalg.norm(P.T @ P - B) <= FACTOR_STOP * scale:
                break
        Hm = np.maximum(R @ F0, 0.0)
        res = float(np.linalg.norm(Hm.T @ Hm - B) / scale)
        if res < best_res:
            best, best_res = Hm, res
        if best_res <= FACTOR_STOP:
            break
    return best, "alternating-projections", best_res


def _classifier(A: np.ndarray, Z: np.ndarray, H_mean: np.ndarray, d: int) -> tuple[np.ndarray, int]:
    """W (K × d) with W H̄ = Z (on range H̄) and W Wᵀ ≈ A; returns (W, rank of the Schur part dropped)."""
    K = A.shape[0]
    p = H_mean.shape[0]
    Hd = np.vstack([H_mean, np.zeros((d - p, K))])
    W_par = Z @ np.linalg.pinv(Hd, rcond=1e-10)
    schur = A - W_par @ W_par.T
    C, _, s = gram_factor(schur)
    U, sv, _ = np.linalg.svd(Hd, full_matrices=True)
    h_rank = numerical_rank(sv)
    free = U[:, h_rank:]  # orthonormal basis of range(H̄)^⊥ in R^d
    used = min(s, free.shape[1])
    W = W_par + C[:used].T @ free[:, :used].T
    return W, s - used


def relu_dnn_bound(problem: Problem, *, solver: str | None = None, solver_opts: dict | None = None,
                   restarts: int = 8, iters: int = 3000, seed: int = 0) -> Solution:
    """Lower-bound the ReLU UFM by its DNN relaxation and try to recover an optimal point (module doc).

    Parameters
    ----------
    problem : Problem
        ``features="relu"``, learned classifier, ``constraint="penalty"``, depth 1,
        ``bias="none"``; CE or MSE.  Recovery uses d = ``problem.dim`` (2K by default).
    solver, solver_opts
        As in :func:`~nctheory.solvers.convex.reduced.solve_reduced`.
    restarts, iters, seed
        Alternating-projection heuristic for a nonnegative factor of B (used only when
        B is not numerically diagonal).

    Returns
    -------
    Solution
        ``lower_bound`` = β (the relaxation's optimal value); W, H̄ the recovered
        ReLU-feasible point and ``objective`` its true canonical objective (≥ β up to
        solver accuracy); ``gap = max(objective − β, 0)`` (raw difference in
        ``extra["objective_minus_bound"]``); status ``"optimal"`` iff the
        relaxation solved to OPTIMAL and the point is tight, ``"local"`` if solved but
        not tight (the bound stays valid).  ``extra``: ``tight``, ``gram`` (G),
        ``factor_method``, ``factor_residual``, ``schur_rank_dropped``.
    """
    require_problem(problem)
    require(problem, "ReLU DNN relaxation", features=("relu",), classifier=("learned",),
            constraint=("penalty",), depth=(1,), bias=("none",))
    for name, value, low in (("restarts", restarts, 1), ("iters", iters, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name}: must be an integer >= {low}, got {value!r}")
    K, d = problem.K, problem.dim
    G = cp.Variable((2 * K, 2 * K), PSD=True, name="gram")
    A, Zv, B = G[:K, :K], G[:K, K:], G[K:, K:]
    objective = loss_expression(Zv, np.arange(K), problem.weights, problem.loss) \
        + 0.5 * problem.lambda_w * cp.trace(A) + 0.5 * problem.lambda_h * (problem.n @ cp.diag(B))
    outcome = run(cp.Problem(cp.Minimize(objective), [B >= 0]), solver, solver_opts)
    if not outcome.ok:
        return failed_solution(FORMULATION, outcome, K, d, extra={"tight": False})

    bound = float(outcome.value)
    Gv = np.asarray(G.value, dtype=np.float64)
    Gv = 0.5 * (Gv + Gv.T)
    Av, Zn, Bv = Gv[:K, :K], Gv[:K, K:], Gv[K:, K:]
    H_mean, how, residual = _nonnegative_factor(Bv, d, restarts, iters, seed)
    W, dropped = _classifier(Av, Zn, H_mean, d)
    H_mean = np.vstack([H_mean, np.zeros((d - H_mean.shape[0], K))])
    value = collapsed_objective(problem, W, H_mean, np.zeros(K))
    tight = abs(value - bound) <= TIGHT_RTOL * max(1.0, abs(bound))
    status = "optimal" if tight else "local"
    message = (f"{outcome.solver}: relaxation {outcome.cvxpy_status}; recovered ReLU point "
               + ("attains the bound" if tight else f"does not attain it (objective - bound = {value - bound:.3e})"))
    sol = solved_solution(
        FORMULATION, outcome, W=W, H_mean=H_mean, b=np.zeros(K), objective=value, lower_bound=bound,
        status=status, message=message,
        extra={"tight": bool(tight), "gram": Gv, "factor_method": how, "factor_residual": residual,
               "schur_rank_dropped": dropped, "objective_minus_bound": value - bound},
    )
    # f - β >= 0 in exact arithmetic; a negative value is solver noise on β (kept in extra)
    return replace(sol, gap=max(sol.gap, 0.0))
