r"""Multi-start local solves of the factored problem: :func:`solve`.

Each restart draws a random start (:meth:`FactoredObjective.initial_point`) from
``numpy.random.default_rng(seed + r)`` with scale ``init_scale[r]`` and runs L-BFGS-B
(penalties, ReLU bounds) or spectral projected gradient (norm constraints) to a point whose
projected gradient is below ``gtol``.  The problem is nonconvex, so the result is a
stationary point, not a certified minimum: the status is ``"local"`` at best.

Restart ``r`` (its entry in ``extra["restarts"]``) is reproduced exactly by
``solve(problem, restarts=1, seed=seed + r, init_scale=init_scale[r], init_rank=rank[r], on=on,
max_iter=max_iter, gtol=gtol, drop_classes=False)``.  Nonconvex models (depth >= 2, ReLU) use a plan of
start scales and low-rank starts (:func:`start_plan`).

For deep linear or ReLU models the best restart is then refined by switching classes off
(:mod:`~nctheory.solvers.factored.class_drop`): zero and nonzero local minima of one class
coexist there, and random starts of ordinary scale can miss a globally zero class.

Spurious stationary points are flagged per restart by comparing class-mean norms with
those of the best solution (lowest objective, after refinement): class k is *zero* in a
restart when :math:`\|\bar h_k\| \le 10^{-6} s` and *nonzero* in the best one when
:math:`\|\bar h_k\| > 10^{-4} s`, :math:`s = \max_j \|\bar h^{\rm best}_j\|`.  Such a restart
carries the flag ``"zero_class:k"`` (``"relu_dead_class:k"`` for ReLU features): it stopped at a
point where class k was switched off although a better solution keeps it.  The converse,
``"spurious_nonzero_class:k"`` (nonzero in a restart with a worse objective, zero in the best
solution, relative to the restart's own scale), marks a nonzero local minimum of a class that
the global minimum switches off.
"""

from __future__ import annotations

import time

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.factored.assemble import build_solution, class_mean_norms
from nctheory.solvers.blas_threads import single_blas_thread
from nctheory.solvers.factored.class_drop import drop_classes as drop_classes_refine
from nctheory.solvers.factored.checks import boolean, init_scales, positive_float, positive_int
from nctheory.solvers.factored.lbfgs import minimize_lbfgsb
from nctheory.solvers.factored.local_result import GTOL, MAX_ITER, LocalResult
from nctheory.solvers.factored.objective import FactoredObjective
from nctheory.progress import Progress
from nctheory.solvers.factored.projected import minimize_projected
from nctheory.solvers.result import Solution

#: Relative size below which a class mean counts as zero, and above which it counts as nonzero.
ZERO_REL = 1e-6
NONZERO_REL = 1e-4
#: Restarts whose objectives agree to this relative tolerance form one "distinct solution".
GROUP_RTOL = 1e-7

_STATUS_OF_REASON = {"converged": "local", "max_iter": "max_iter", "stalled": "inaccurate",
                     "nonfinite": "failed"}


def local_solve(objective: FactoredObjective, x0: np.ndarray, *, max_iter: int, gtol: float) -> LocalResult:
    """One local solve from ``x0``: SPG when the feasible set needs a projection, else L-BFGS-B."""
    if objective.has_projection:
        return minimize_projected(objective.value_and_grad, x0, objective.project, max_iter=max_iter, gtol=gtol)
    return minimize_lbfgsb(objective.value_and_grad, x0, objective.stationarity, bounds=objective.bounds(),
                           project=objective.project if objective.relu else None, max_iter=max_iter, gtol=gtol)


def zero_class_flags(norms: np.ndarray, best_norms: np.ndarray, relu: bool, worse: bool) -> list[str]:
    """Flags comparing a restart's class-mean norms with the best solution's (module doc).

    ``zero_class:k`` / ``relu_dead_class:k``: zero here, nonzero in the best solution.
    ``spurious_nonzero_class:k``: nonzero here, zero in the best solution, and this restart's
    objective is worse (``worse``) — a nonzero local minimum that switching the class off beats.
    """
    scale = float(best_norms.max()) if best_norms.size else 0.0
    if scale <= 0.0:
        return []
    tag = "relu_dead_class" if relu else "zero_class"
    own_scale = float(norms.max()) if norms.size else 0.0
    zero = norms <= ZERO_REL * scale
    alive = best_norms > NONZERO_REL * scale
    flags = [f"{tag}:{k}" for k in np.flatnonzero(zero & alive)]
    if worse and own_scale > 0.0:
        extra = (norms > NONZERO_REL * own_scale) & (best_norms <= ZERO_REL * scale)
        flags += [f"spurious_nonzero_class:{k}" for k in np.flatnonzero(extra)]
    return flags


def group_by_objective(records: list[dict], rtol: float = GROUP_RTOL) -> list[dict]:
    """Group restarts whose objectives agree to relative ``rtol`` (sorted, best first)."""
    order = sorted(range(len(records)), key=lambda r: (not np.isfinite(records[r]["objective"]),
                                                       records[r]["objective"]))
    groups: list[dict] = []
    for r in order:
        f = records[r]["objective"]
        if groups:
            g = groups[-1]
            ref = g["objective"]
            if np.isfinite(f) and abs(f - ref) <= rtol * max(abs(f), abs(ref), 1e-300):
                g["restarts"].append(r)
                g["seeds"].append(records[r]["seed"])
                g["count"] += 1
                g["flags"] = sorted(set(g["flags"]) | set(records[r]["flags"]))
                continue
        groups.append({"objective": f, "restarts": [r], "seeds": [records[r]["seed"]], "count": 1,
                       "flags": list(records[r]["flags"])})
    return groups


#: Default number of restarts: convex-in-disguise models (free features, depth 1) and nonconvex ones
#: (depth >= 2, ReLU), whose distinct local minima (zero classes, rank-deficient logits) need a varied plan.
DEFAULT_RESTARTS = 8
DEFAULT_RESTARTS_NONCONVEX = 16
#: The plan of start scales for nonconvex models (cycled): small starts reach the zero-class minima,
#: large ones the high-rank basin.
NONCONVEX_SCALES = (1.0, 0.3, 3.0, 0.1, 1.0, 10.0)


def is_nonconvex(problem: Problem) -> bool:
    """Depth >= 2 or ReLU features with a learned classifier: local minima that are not global exist."""
    return problem.classifier == "learned" and (problem.depth > 1 or problem.features == "relu")


def start_plan(problem: Problem, restarts: int, init_scale=None) -> tuple[list[float], list[int | None]]:
    """Scales and ranks of the restarts.

    Convex-in-disguise models and ReLU features at depth 1: every restart at scale 1 (or ``init_scale``),
    full rank (ReLU's spurious points are dead classes, which wide full-rank starts avoid and low-rank
    starts provoke; the class-drop refinement handles the zero classes).  Deep models (M >= 2): the first
    half full rank at the scales of :data:`NONCONVEX_SCALES`; the second half low-rank starts, ranks
    cycling from K−1 down to 1, at scales 1 and 0.3 -- the rank-deficient minima that beat the ETF for
    deep CE (catalogue §3, Garrod & Keating) lie outside the basin of full-rank starts at moderate λ.
    A user's ``init_scale`` replaces the scales (ranks stay).
    """
    if not is_nonconvex(problem) or problem.depth == 1:
        return init_scales(init_scale, restarts), [None] * restarts
    full = (restarts + 1) // 2
    scales = [NONCONVEX_SCALES[i % len(NONCONVEX_SCALES)] for i in range(full)]
    ranks: list[int | None] = [None] * full
    top = max(1, min(problem.K - 1, problem.dim - 1))
    for j in range(restarts - full):
        ranks.append(top - (j % top))
        scales.append((1.0, 0.3)[(j // top) % 2])
    if init_scale is not None:
        scales = init_scales(init_scale, restarts)
    return scales, ranks


def solve(problem: Problem, *, restarts: int | None = None, seed: int = 0, on: str = "means", max_iter: int = MAX_ITER,
          gtol: float = GTOL, init_scale=None, init_rank=None, progress: bool = False,
          drop_classes="auto") -> Solution:
    r"""Best of several local solves of the factored (nonconvex) problem.

    Parameters
    ----------
    problem : Problem
        Any model: learned (depth M) or fixed-ETF classifier, CE or MSE, any bias, free or
        ReLU features, penalties or layer-peeled constraints.
    restarts : int or None
        Number of random starts (>= 1); None: :data:`DEFAULT_RESTARTS`, or
        :data:`DEFAULT_RESTARTS_NONCONVEX` for nonconvex models (see :func:`start_plan`).
    seed : int
        Restart r uses ``numpy.random.default_rng(seed + r)``.
    on : {"means", "samples"}
        Optimise class means (exact by NC1-averaging, see ``objective``) or all N features.
    max_iter : int
        Iteration budget per restart.
    gtol : float
        Stationarity target: projected-gradient sup-norm.
    init_scale : None, float or sequence of float
        Multiplier of the default start scale (``FactoredObjective.default_scales``); one per
        restart if a sequence. Small values start near the origin, where deep linear models
        (M >= 2) have a local minimum.  None: the plan of :func:`start_plan`.
    init_rank : None, int or sequence of (int or None)
        Rank of the starting features per restart (None = full rank); None: the plan of :func:`start_plan`.
    progress : bool
        Draw a progress bar over restarts on stderr.
    drop_classes : "auto", bool
        Refine the best restart by switching classes off (:mod:`.class_drop`); "auto" = for
        learned classifiers with depth >= 2 or ReLU features (where zero and nonzero local
        minima of a class coexist).  Costs up to K local solves per adopted round.

    Returns
    -------
    Solution
        ``method="factored"``, ``status`` "local" when the best restart met ``gtol`` (else
        "inaccurate"/"max_iter"/"failed"), ``lower_bound=None``; ``W`` is the end-to-end product
        :math:`W_M\cdots W_1`.  ``extra``: ``restarts`` (per restart: seed, init_scale, objective,
        converged, iterations, grad_norm, flags, reason), ``distinct_solutions`` (restarts grouped
        by objective), ``best_restart``, ``class_drop`` (trial log), ``refined_by_class_drop``,
        ``grad_norm``, ``on``, ``layers`` (depth >= 2), ``feasibility`` and
        ``feasibility_violation`` (ReLU or constrained models).
    """
    if restarts is None:
        restarts = DEFAULT_RESTARTS_NONCONVEX if is_nonconvex(problem) else DEFAULT_RESTARTS
    restarts = positive_int("restarts", restarts)
    seed = positive_int("seed", seed, minimum=0)
    max_iter = positive_int("max_iter", max_iter)
    gtol = positive_float("gtol", gtol)
    scales, ranks = start_plan(problem, restarts, init_scale)
    if init_rank is not None:
        seq = list(init_rank) if isinstance(init_rank, (list, tuple, np.ndarray)) else [init_rank] * restarts
        if len(seq) != restarts:
            raise ValueError(f"init_rank: a sequence needs one rank per restart ({restarts}), got {len(seq)}")
        ranks = [None if r is None else positive_int("init_rank", r) for r in seq]
    progress = boolean("progress", progress)
    if drop_classes != "auto":
        drop_classes = boolean("drop_classes", drop_classes)
    objective = FactoredObjective(problem, on)

    with single_blas_thread():
        sol = _solve(objective, restarts=restarts, seed=seed, on=on, max_iter=max_iter, gtol=gtol,
                     scales=scales, ranks=ranks, progress=progress, drop_classes=drop_classes)
    from dataclasses import replace

    return replace(sol, options={"restarts": restarts, "seed": seed, "on": on, "max_iter": max_iter, "gtol": gtol,
                                 "drop_classes": drop_classes})


def polish(problem: Problem, solution: Solution, *, factor: float = 100.0, perturbation: float = 1e-2,
           **options) -> Solution | None:
    """A second local solve of ``solution``'s best point perturbed by ``perturbation`` (relative), at
    ``gtol / factor`` (not below 1e-14): near an isolated minimum it returns the same point more
    precisely, in a flat valley another point of the valley (see :mod:`nctheory.verify.precision`)."""
    x = solution.extra.get("x")
    if x is None:
        return None
    opts = solution.options
    gtol = max(float(opts.get("gtol", GTOL)) / factor, 1e-14)
    objective = FactoredObjective(problem, opts.get("on", "means"))
    rng = np.random.default_rng(int(opts.get("seed", 0)) + 7919)
    x = np.asarray(x, dtype=np.float64)
    x0 = x + perturbation * rng.standard_normal(x.shape) * (np.linalg.norm(x) / np.sqrt(max(x.size, 1)))
    if objective.relu:
        x0 = objective.project(x0)
    elif objective.constrained:
        x0 = objective.project(x0)
    start = time.perf_counter()
    with single_blas_thread():
        res = local_solve(objective, x0, max_iter=int(opts.get("max_iter", MAX_ITER)), gtol=gtol)
    if not np.isfinite(res.fun):
        return None
    status = _STATUS_OF_REASON[res.reason]
    from dataclasses import replace

    sol = build_solution(objective, res.x, status=status, iterations=res.nit, time_s=time.perf_counter() - start,
                         message=f"polished from the best point perturbed by {perturbation:g}: {res.reason}",
                         extra={"x": res.x, "grad_norm": res.grad_norm})
    return replace(sol, options={**opts, "gtol": gtol})


def _solve(objective, *, restarts, seed, on, max_iter, gtol, scales, ranks, progress, drop_classes) -> Solution:
    start = time.perf_counter()
    bar = Progress(restarts, "restarts", enabled=progress)
    results: list[LocalResult] = []
    for r in range(restarts):
        rng = np.random.default_rng(seed + r)
        x0 = objective.initial_point(rng, scales[r], ranks[r])
        results.append(local_solve(objective, x0, max_iter=max_iter, gtol=gtol))
        bar.set(r + 1, f"best {min(res.fun for res in results):.10g}")
    bar.close()

    finite = [r for r, res in enumerate(results) if np.isfinite(res.fun)]
    best = min(finite, key=lambda r: results[r].fun) if finite else 0
    if finite:
        # among restarts that reach the best objective (to GROUP_RTOL), prefer one that met gtol: which of them is
        # lowest by an ulp, and whether that one stalled just above gtol, is decided by rounding
        f_best = results[best].fun
        tied = [r for r in finite if results[r].fun <= f_best + GROUP_RTOL * max(abs(f_best), 1e-300)]
        converged = [r for r in tied if results[r].converged]
        if converged:
            best = min(converged, key=lambda r: results[r].fun)
    res = results[best]
    if drop_classes == "auto":
        drop_classes = objective.learned and (objective.M > 1 or objective.relu)
    drop_log: list[dict] = []
    if drop_classes and finite:
        res, drop_log = drop_classes_refine(
            objective, res, lambda x0: local_solve(objective, x0, max_iter=max_iter, gtol=gtol))
    elapsed = time.perf_counter() - start
    best_f = res.fun
    best_norms = class_mean_norms(objective, res.x)
    records = []
    for r, rr in enumerate(results):
        worse = bool(rr.fun > best_f + GROUP_RTOL * max(abs(best_f), 1e-300))
        flags = (zero_class_flags(class_mean_norms(objective, rr.x), best_norms, objective.relu, worse)
                 if finite else [])
        records.append({"seed": seed + r, "init_scale": scales[r], "rank": ranks[r], "objective": rr.fun,
                        "converged": rr.converged, "iterations": rr.nit, "grad_norm": rr.grad_norm,
                        "flags": flags, "reason": rr.reason})
    groups = group_by_objective(records)
    adopted = [e for e in drop_log if e["adopted"]]
    status = _STATUS_OF_REASON[res.reason]
    flagged = sum(1 for rec in records if rec["flags"])
    origin = (f"best of {restarts} restarts (seed {seed + best})" if not adopted else
              f"best of {restarts} restarts (seed {seed + best}) refined by switching off class(es) "
              f"{', '.join(str(e['class']) for e in adopted)}")
    message = (f"{origin}: {res.reason}, projected gradient "
               f"{res.grad_norm:.2e} (gtol {gtol:.1e}); {len(groups)} distinct objective value(s); "
               f"{flagged} restart(s) flagged; a stationary point of the nonconvex problem")
    total = int(sum(x.nit for x in results) + sum(e["iterations"] for e in drop_log))
    extra = {"restarts": records, "distinct_solutions": groups, "best_restart": best, "grad_norm": res.grad_norm,
             "x": res.x,
             "class_drop": drop_log, "refined_by_class_drop": bool(adopted), "on": on,
             "total_iterations": total, "local_message": res.message}
    return build_solution(objective, res.x, status=status, iterations=res.nit, time_s=elapsed,
                          message=message, extra=extra)
