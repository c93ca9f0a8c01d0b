r"""Certified solver of the layer-peeled model: accelerated projected gradient on the nuclear ball.

The convex problem (:mod:`~nctheory.solvers.references.lpm`): :math:`\min f(\bar Z, b)` over
:math:`\|\bar Z\|_* \le R = K\sqrt{E_WE_H}` (b unconstrained).

Algorithm
---------
FISTA with backtracking, step growth and adaptive restart on :math:`\varphi(\bar Z) = \min_bf(\bar Z, b)` (the bias
minimised out at every evaluation, :class:`~nctheory.solvers.references.lpm.LPMObjective`):

* from the extrapolated point :math:`Y = Z + \mu(Z - Z^-)`, :math:`Z^+ = P_R(Y - t\nabla\varphi(Y))` -- the
  projection onto the ball is an SVD and the projection of the singular values onto the ℓ1 ball
  (:mod:`~nctheory.solvers.references.spectrum`);
* the step t is accepted when :math:`\varphi(Z^+) \le \varphi(Y) + \langle\nabla\varphi(Y), Z^+ - Y\rangle
  + \|Z^+ - Y\|^2/(2t)` (up to rounding of the values) or when :math:`\langle\nabla\varphi(Z^+) - \nabla\varphi(Y),
  Z^+ - Y\rangle \le \|Z^+ - Y\|^2/(2t)`, which implies it for convex φ and does not suffer from cancellation;
  otherwise t is halved.  After a step t grows by 1.25;
* the momentum restarts when :math:`\langle Y - Z^+, Z^+ - Z\rangle > 0` or φ increased (O'Donoghue–Candès).

Every iterate :math:`Z^+` is feasible (up to rounding of the projection), so :math:`\varphi(Z^+)` is the value of a
feasible point.  Every ``check_every`` iterations the gap is checked against the largest bound so far, and the
dual bound of :func:`~nctheory.solvers.references.lpm.lower_bound` is built from the gradient there (at the
first and the last iterate too); when a new bound improves the gap by less than 1 % -- the dual is tight and the
primal point is the laggard -- the next one is taken twice as late (at most every 16 ``check_every``), and again
at every ``check_every`` after an improvement.  The best primal point and the largest bound are kept.

Stop when :math:`(F - \mathrm{LB})/|F| \le` ``tol`` (``"optimal"``); when the absolute gap fell by less than 1 % over
:data:`STALL_ITERATIONS` iterations (``"inaccurate"``, typically the rounding floor); on the budget
(``"max_iter"``) or the time limit (``"inaccurate"``).  *Infimum*: when no positive bound exists and F is at the
rounding level of the instance's scale φ(0) and stops falling (:data:`INFIMUM_ITERATIONS`), the optimum is the
loss's attained infimum 0 (an exact MSE fit, :math:`E_WE_H` large enough): no relative gap can be certified there
(``"inaccurate"``, ``extra["stop_reason"] = "infimum"``, the absolute gap in ``extra["abs_gap"]``).  A CE with
huge budgets is not such a case -- its infimum is not attained, F keeps falling geometrically and is certified
relatively (measured down to F = 1.3e-65).

Recovery
--------
The best point's singular values at rounding level (below :math:`16\,\text{size}\,\varepsilon\,\sigma_1`) are dropped
(this only lowers the nuclear norm), the balanced factors :math:`W = \gamma U\Sigma^{1/2}`,
:math:`\bar H = \gamma^{-1}\Sigma^{1/2}V^\top` (:math:`\gamma^2 = \sqrt{E_W/E_H}`) are formed and each is scaled down
onto its budget if rounding put it above (factors in ``extra["feasibility_scale"]``).  The reported objective is the
model's objective at exactly the returned ``(W, H_mean, b)`` (class-mean features; the per-sample features
:math:`h_{k,i} = \bar h_k` meet the budget with the same value).  If the rank exceeds ``problem.d`` the answer is the
convex relaxation's (status ``"relaxation"``).

Grouped instances (:func:`solve_grouped`) run the same iterations on invariant matrices
(:class:`~nctheory.solvers.references.layout.GroupedLayout`; by convexity and the permutation invariance of f and
of the ball, averaging any solution over the within-group permutations gives an invariant solution, so
restricting to invariant points loses nothing -- and the returned bound is a bound for the full K-class
problem whatever that argument says).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.certified.status import budget_status
from nctheory.solvers.certified.warm_start import dense_mean_logits, grouped_mean_logits
from nctheory.solvers.references.compact import CompactFactors, CompactSolution
from nctheory.solvers.references.layout import DenseLayout, GroupedLayout
from nctheory.solvers.references.lpm_apg import (CHECK_EVERY, INFIMUM_ITERATIONS, STALL_ITERATIONS,  # noqa: F401
                                                _apg, _Best, rounding_floor)
from nctheory.solvers.references.lpm import LPMObjective
from nctheory.solvers.references.options import Clock, blas_threads, check_options, check_seed, logger
from nctheory.solvers.references.rounding import EPS
from nctheory.solvers.result import Certificate, Solution, relative_gap

__all__ = ["solve", "solve_grouped", "LPM_CERTIFICATE", "rounding_floor", "lpm_objective"]


LPM_CERTIFICATE = Certificate(
    kind="fenchel-dual:lpm",
    description="Fenchel dual bound of the layer-peeled model at a dual point built from the gradient: minus the "
                "loss conjugates, minus K sqrt(E_W E_H) times a rigorous bound on ||U diag(pi)||_2 (trace duality "
                "and ||W H||_* <= ||W||_F ||H||_F), minus a float64 rounding allowance",
    assumes="nothing beyond the model: Fenchel-Young per sample, trace duality and Jensen for the feature norms "
            "hold for any loss and any feature dimension; the free-bias condition U pi = 0 holds up to rounding; "
            "nothing about the claim under test",
)


def lpm_objective(problem, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray) -> float:
    r"""The model's objective at class-mean features:
    :math:`\sum_k\pi_k\ell(W\bar h_k + b, k) + \frac{\lambda_b}2\|b\|^2`."""
    values, _ = problem.loss.value_grad(W @ H_mean + np.asarray(b)[:, None], np.arange(problem.K))
    out = float(values @ problem.weights)
    if problem.bias == Bias.REGULARIZED:
        out += 0.5 * problem.lambda_b * float(np.dot(b, b))
    return out


def _status(rel_gap, tol, reason, floor, max_iter, time_limit, rank_exceeds_d, rank, d):
    if rel_gap <= tol:
        status, message = "optimal", f"certified: relative gap {rel_gap:.3e} <= tol {tol:.3e}"
    elif (budget := budget_status(reason, rel_gap, tol, max_iter, time_limit)) is not None:
        status, message = budget
    elif reason == "infimum":
        status = "inaccurate"
        message = ("the optimum is (numerically) the loss infimum: the objective fell to the rounding level of the "
                   "instance's scale with a bound <= 0, so a relative gap cannot be certified (absolute gap "
                   "certified instead; see extra['abs_gap'])")
    elif tol < floor:
        status = "inaccurate"
        message = (f"requested tol {tol:.1e} is below the rounding floor {floor:.1e} of the certificate here; relative "
                   f"gap reached {rel_gap:.3e} (stop: {reason})")
    elif reason == "stalled":
        status = "inaccurate"
        message = (f"progress stalled (certified gap improved < 1% over {STALL_ITERATIONS} iterations); relative gap "
                   f"{rel_gap:.3e} > tol {tol:.3e}")
    else:
        status = "inaccurate"
        message = (f"the iterations certified tol {tol:.1e}, but the recovered factors (rank {rank}) leave relative "
                   f"gap {rel_gap:.3e} (stop: {reason})")
    if rank_exceeds_d:
        if status == "optimal":
            status = "relaxation"
        message += (f"; rank {rank} of the solution exceeds d = {d}: the nuclear-ball problem is only a relaxation "
                    "of the model with this d (the returned factors have width {rank})").replace("{rank}", str(rank))
    return status, message


def _onto_budget(sq_norm: float, budget: float, K: int) -> float:
    r"""Factor c <= 1 with :math:`c^2\,\text{sq\_norm}/K \le` budget (1 if already within)."""
    used = sq_norm / K
    if used <= budget:
        return 1.0
    c = math.sqrt(budget / used)
    while c * c * used > budget:
        c *= 1.0 - 2.0 * EPS
    return c


# ------------------------------------------------------------------------------ warm starts
def _dense_start(x0, problem):
    """``(Z̄, b)`` of the warm start (zeros and None without one); b is dropped without bias."""
    if x0 is None:
        return np.zeros((problem.K, problem.K)), None
    Z, b = dense_mean_logits(x0, problem.K)
    return Z, (b if problem.bias != Bias.NONE else None)


def _grouped_start(x0, structure: GroupStructure, problem):
    """``(Z̄, β)`` of the grouped warm start (zeros and None without one); β is dropped without bias."""
    if x0 is None:
        return GroupedMatrix.zeros(structure), None
    Z, beta = grouped_mean_logits(x0, structure)
    return Z, (beta if problem.bias != Bias.NONE else None)


# ------------------------------------------------------------------------------ solves
def _common(problem, tol, max_iter, time_limit, progress, seed, check_every):
    tol, max_iter, time_limit, progress = check_options(tol, max_iter, time_limit, progress)
    seed = check_seed(seed)
    if isinstance(check_every, (bool, np.bool_)) or not isinstance(check_every, (int, np.integer)) or check_every < 1:
        raise ValueError(f"check_every: must be an integer >= 1, got {check_every!r}")
    return tol, max_iter, time_limit, progress, seed, int(check_every)


def solve(problem, *, tol: float = 1e-10, max_iter: int = 20_000, time_limit: float | None = None, x0=None,
          progress: bool = False, seed: int = 20240917, check_every: int = CHECK_EVERY) -> Solution:
    r"""Certified global solve of the layer-peeled model (dense, K × K).

    Parameters
    ----------
    problem : Problem
        ``constraint="average"``, learned classifier, free features, depth 1; a loss with a conjugate (and
        ``dual_zero_bias`` for a free bias).  (The caller checks the model: :class:`LPMSolver
        <nctheory.solvers.references.solvers.LPMSolver>`.)
    tol : float
        Target relative gap :math:`(F - \mathrm{LB})/|F|` (the bound includes its rounding allowance, so any
        reached gap is certified; :func:`rounding_floor` is the smallest worth asking).
    max_iter, time_limit, progress
        Iteration budget, wall-clock limit (s), progress lines on stderr.
    x0 : ndarray (K, K), Solution or None
        Warm start: bias-free mean logits :math:`\bar Z` (projected onto the ball), or a Solution's
        ``logits_mean - b`` and ``b``.
    seed : int
        Recorded for :meth:`refine <nctheory.solvers.references.solvers.LPMSolver.refine>` (the iterations are
        deterministic).
    check_every : int
        Iterations between certificates.

    Returns
    -------
    Solution
        ``method="certified:lpm"``; W (K × d), H_mean (d × K) the balanced factors on the budgets, b, the
        objective of exactly that point, the lower bound and gap; ``extra``: ``singular_values`` (of the returned
        :math:`\bar Z`), ``rank``, ``rank_exceeds_d``, ``rel_gap``, ``budget_use``
        ((1/K)Σ‖h̄_k‖²/E_H, (1/K)Σ‖w_k‖²/E_W),
        ``feasibility_scale``, ``certificates``, ``dual_candidate``, ``allowance``, ``stop_reason``.
    """
    tol, max_iter, time_limit, progress, seed, check_every = _common(problem, tol, max_iter, time_limit, progress,
                                                                     seed, check_every)
    Z0, b0 = _dense_start(x0, problem)
    clock = Clock(time_limit)
    log = logger(progress, "certified:lpm", clock)
    layout = DenseLayout(problem.n, problem.loss)
    obj = LPMObjective(problem, layout)
    with blas_threads(problem.K):
        best, iterations, reason = _apg(obj, Z0, b0, tol, max_iter, clock, log, check_every)
        sol = _recover_dense(problem, obj, best, tol, max_iter, time_limit, iterations, reason, clock)
    if log is not None:
        log(f"{sol.status.value}: {sol.message}")
    return replace(sol, options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": seed,
                                 "check_every": check_every})


def _recover_dense(problem, obj, best: _Best, tol, max_iter, time_limit, iterations, reason, clock) -> Solution:
    K, d = problem.K, problem.d
    spec, vals = best.spec, best.vals
    top = float(vals.max()) if vals.size else 0.0
    keep = np.flatnonzero(vals > 16.0 * K * EPS * top) if top > 0 else np.array([], dtype=int)
    s = vals[keep]
    A, Bt = spec.A[:, keep], spec.Bt[keep]
    gamma = (float(problem.e_w) / float(problem.e_h)) ** 0.25
    root = np.sqrt(s)
    Wr = gamma * A * root
    Hr = (root[:, None] * Bt) / gamma
    cw = _onto_budget(float(np.vdot(Wr, Wr)), float(problem.e_w), K)
    ch = _onto_budget(float(np.vdot(Hr, Hr)), float(problem.e_h), K)
    r = s.size
    width = max(r, 1) if d is None else max(r, int(d))
    W = np.zeros((K, width))
    H = np.zeros((width, K))
    W[:, :r], H[:r] = cw * Wr, ch * Hr
    b = np.array(best.b, dtype=np.float64) if best.b is not None else np.zeros(K)
    objective = lpm_objective(problem, W, H, b)
    lower = best.lower
    rel_gap = relative_gap(objective, lower) if math.isfinite(lower) else math.inf
    floor = best.floor(K)
    rank_exceeds_d = d is not None and r > d
    status, message = _status(rel_gap, tol, reason, floor, max_iter, time_limit, rank_exceeds_d, r, d)
    singular_values = np.zeros(K)
    singular_values[:r] = (cw * ch) * s
    bound = best.bound
    extra = {
        "singular_values": singular_values, "rank": r, "rank_exceeds_d": bool(rank_exceeds_d), "rel_gap": rel_gap,
        "budget_use": (float(np.vdot(H, H)) / K / float(problem.e_h), float(np.vdot(W, W)) / K / float(problem.e_w)),
        "feasibility_scale": (ch, cw), "certificates": best.certificates,
        "dual_candidate": None if bound is None else bound.candidate,
        "allowance": None if bound is None else bound.allowance, "rounding_floor": floor, "stop_reason": reason,
        "abs_gap": objective - lower if math.isfinite(lower) else None, "scale": best.scale,
        "bias_newton_steps": obj.bias_newton_steps, "dual_point": None if bound is None else bound.U,
    }
    return Solution(W=W, H_mean=H, b=b, logits_mean=W @ H + b[:, None], objective=objective,
                    lower_bound=lower if math.isfinite(lower) else None,
                    gap=max(objective - lower, 0.0) if math.isfinite(lower) else None, status=status,
                    iterations=iterations, time_s=clock.elapsed(), method="certified:lpm", message=message,
                    extra=extra, certificate=LPM_CERTIFICATE if math.isfinite(lower) else None)


@dataclass(frozen=True)
class DualPoint:
    """The certificate's invariant dual point (expand it to check it densely)."""

    U: GroupedMatrix

    def expand(self, structure=None):
        return self.U.dense()


def solve_grouped(problem, *, tol: float = 1e-10, max_iter: int = 20_000, time_limit: float | None = None, x0=None,
                  progress: bool = False, seed: int = 20240917, check_every: int = CHECK_EVERY) -> CompactSolution:
    r"""As :func:`solve` for class sizes in few groups of equal size, on invariant matrices (module doc).

    ``x0``: a compact solution or a GroupedMatrix of bias-free mean logits.  Returns a
    :class:`~nctheory.solvers.references.compact.CompactSolution` (``method="certified:lpm-symmetric"``) whose
    bound is a bound of the K-class problem.
    """
    tol, max_iter, time_limit, progress, seed, check_every = _common(problem, tol, max_iter, time_limit, progress,
                                                                     seed, check_every)
    structure = GroupStructure.from_problem(problem)
    Z0, b0 = _grouped_start(x0, structure, problem)
    clock = Clock(time_limit)
    log = logger(progress, "certified:lpm-symmetric", clock)
    layout = GroupedLayout(structure, problem.loss)
    obj = LPMObjective(problem, layout)
    with blas_threads(structure.C):
        best, iterations, reason = _apg(obj, Z0, b0, tol, max_iter, clock, log, check_every)
        sol = _recover_grouped(problem, structure, obj, best, tol, max_iter, time_limit, iterations, reason, clock)
    if log is not None:
        log(f"{sol.status.value}: {sol.message}")
    return replace(sol, options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": seed,
                                 "check_every": check_every})


def _recover_grouped(problem, structure, obj, best: _Best, tol, max_iter, time_limit, iterations, reason, clock):
    C, K, d = structure.C, structure.K, problem.d
    spec, vals = best.spec, best.vals
    top = float(vals[spec.mult > 0].max()) if np.any(spec.mult > 0) else 0.0
    cutoff = 16.0 * (C + 1) * EPS * top
    perp = np.where((spec.mult[:C] > 0) & (vals[:C] > cutoff), spec.sign * vals[:C], 0.0)
    core_vals = vals[C:]
    keep = np.flatnonzero(core_vals > cutoff)
    gamma = (float(problem.e_w) / float(problem.e_h)) ** 0.25
    m1 = (structure.counts - 1).astype(np.float64)
    nuclear = float(m1 @ np.abs(perp)) + float(core_vals[keep].sum())
    cw = _onto_budget(gamma * gamma * nuclear, float(problem.e_w), K)
    ch = _onto_budget(nuclear / (gamma * gamma), float(problem.e_h), K)
    factors = CompactFactors(structure, perp, spec.A[:, keep], core_vals[keep], spec.Bt[keep], w_scale=cw * gamma,
                             h_scale=ch / gamma, column_scale=np.ones(C))
    WW, HH, WH = factors.grams()
    beta = np.array(best.b, dtype=np.float64) if best.b is not None else np.zeros(C)
    objective = obj.objective(WH, beta if obj.has_bias else None)
    lower = best.lower
    rel_gap = relative_gap(objective, lower) if math.isfinite(lower) else math.inf
    floor = best.floor(obj.layout.size)
    rank = factors.rank
    rank_exceeds_d = d is not None and rank > d
    status, message = _status(rel_gap, tol, reason, floor, max_iter, time_limit, rank_exceeds_d, rank, d)
    values = np.concatenate([np.abs(perp), core_vals[keep], np.zeros(C - keep.size)]) * (cw * ch)
    mult = np.concatenate([structure.counts - 1, np.ones(C, dtype=np.int64)])
    order = np.argsort(-values, kind="stable")
    bound = best.bound
    tr_w = float(m1 @ WW.perp) + float(np.trace(WW.core))
    tr_h = float(m1 @ HH.perp) + float(np.trace(HH.core))
    extra = {
        "groups": structure.to_json(), "singular_values": values[order], "multiplicities": mult[order], "rank": rank,
        "rank_exceeds_d": bool(rank_exceeds_d), "rel_gap": rel_gap,
        "budget_use": (tr_h / K / float(problem.e_h), tr_w / K / float(problem.e_w)), "feasibility_scale": (ch, cw),
        "certificates": best.certificates, "dual_candidate": None if bound is None else bound.candidate,
        "allowance": None if bound is None else bound.allowance, "rounding_floor": floor, "stop_reason": reason,
        "abs_gap": objective - lower if math.isfinite(lower) else None, "scale": best.scale,
        "bias_newton_steps": obj.bias_newton_steps,
    }
    finite = math.isfinite(lower)
    return CompactSolution(
        structure=structure, Y=WH.times_diagonal(np.sqrt(structure.sizes.astype(np.float64))), beta=beta,
        gram_WW=WW, gram_HH=HH, gram_WH=WH, objective=float(objective), lower_bound=lower if finite else None,
        gap=max(objective - lower, 0.0) if finite else None, status=status, iterations=iterations,
        time_s=clock.elapsed(), method="certified:lpm-symmetric", message=message, extra=extra,
        certificate=LPM_CERTIFICATE if finite else None, dual=None if bound is None else DualPoint(bound.U),
        problem=problem, factors=factors, dense_objective=lpm_objective)
