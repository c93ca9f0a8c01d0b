r"""The pieces every onset predicate is made of: a certified solve, an order parameter, two thresholds.

**Certified solve** (:func:`certified_solve`).  A solve counts only with a lower bound of ours at a relative gap of
at most ``accept_rel_gap`` (a solve that stopped "inaccurate" just short of its target still has a valid bound);
anything else makes the predicate undecided.

**Order parameters with a gap between two thresholds.**  A state is read off a solution through a non-negative
number that is 0 in the onset state and grows linearly with the distance from the onset on the other side
(all onsets here are of that kind), e.g. the within-cluster spectral ratio
:math:`\|P_cYP_c\|_2/\|Y\|_2` (:func:`cluster_ratio`).  The convex solvers end in a proximal or projection step
that soft-thresholds singular values, so in the onset state the measure is **exactly** 0 up to rounding
(~1e-16); below ``zero_tol`` the state is the onset state, above ``nonzero_tol`` the other one, in between
undecided (:func:`threshold_state`).  The defaults (1e-12 and 1e-9) are those of
:func:`nctheory.claims.sources.hong_ling.experiments.locate_threshold_lambda`: rounding of a certified answer's
logits is ~1e-15, and a free-bias instance solved at relative gap 1e-12 left a ratio of 2.6e-12.

**Two configurations within the certificate** (:func:`resolved`).  A nonconvex (factored) solve can stop in the
other state's configuration while still certified, when the two configurations' objectives differ by less than
its gap.  Near a continuous onset that difference is quadratic in the distance, so there the certificate
cannot tell the states apart at all.  A factored predicate therefore also computes the other configuration's
objective (by switching the watched classes off, or from the restarts that ended in the other state) and is
undecided when the two differ by no more than the certified gaps: the solves cannot decide the state there.
"""

from __future__ import annotations

import math
import time

import numpy as np

from nctheory.explore.onsets.spec import Evaluation, undecided
from nctheory.solvers.result import Solution

#: Measure at or below which a state is the onset state (exact zeros of a proximal step; rounding ~1e-15).
ZERO_TOL = 1e-12
#: Measure at or above which it is the other state (the measure grows linearly away from the onset).
NONZERO_TOL = 1e-9
#: Relative gap at which a certified solve is accepted as evidence.
ACCEPT_REL_GAP = 1e-10


def certified_solve(problem, method: str, *, accept_rel_gap: float = ACCEPT_REL_GAP, **options):
    """``(solution, reason)``: the solve of ``problem`` by ``method``; ``reason`` is empty when it counts as certified
    evidence (a lower bound of ours at relative gap ≤ ``accept_rel_gap``), else says why not."""
    from nctheory.solvers import solve

    sol = solve(problem, method=method, **options)
    return sol, certification_problem(sol, accept_rel_gap)


def certification_problem(sol: Solution, accept_rel_gap: float = ACCEPT_REL_GAP) -> str:
    """Empty when ``sol`` is certified evidence (module doc), else the reason it is not."""
    if sol.status.value == "failed" or not np.isfinite(sol.objective):
        return f"{sol.method}: the solve failed ({sol.message})"
    if sol.lower_bound is None or sol.rel_gap is None:
        return f"{sol.method}: no certificate (status {sol.status.value}): {sol.message}"
    if sol.rel_gap > accept_rel_gap:
        return f"{sol.method}: certified relative gap {sol.rel_gap:.2e} above the accepted {accept_rel_gap:.0e}"
    return ""


def centring_projector(K: int, idx) -> np.ndarray:
    r""":math:`P_c`: the centring on the classes ``idx`` (zero elsewhere), K × K."""
    idx = np.asarray(idx, dtype=int)
    P = np.zeros((K, K))
    P[np.ix_(idx, idx)] = np.eye(idx.size) - 1.0 / idx.size
    return P


def cluster_ratio(Y: np.ndarray, idx) -> float:
    r""":math:`\|P_cYP_c\|_2/\|Y\|_2` (0 when Y = 0): the within-cluster singular values of Y relative to its scale.

    For a cluster of equal-size classes the optimum is permutation-symmetric inside the cluster, so
    :math:`P_cYP_c = s_cP_c` and the ratio is :math:`s_c/\|Y\|_2`: 0 exactly when the cluster has collapsed.
    """
    top = float(np.linalg.norm(Y, 2))
    if top == 0.0:
        return 0.0
    P = centring_projector(Y.shape[0], idx)
    return float(np.linalg.norm(P @ Y @ P, 2)) / top


def threshold_state(measure: float, *, zero_tol: float = ZERO_TOL, nonzero_tol: float = NONZERO_TOL):
    """True (onset state) if ``measure <= zero_tol``, False if ``>= nonzero_tol``, None in between."""
    if measure <= zero_tol:
        return True
    if measure >= nonzero_tol:
        return False
    return None


def evaluation(x: float, sol: Solution, state, measure, reason: str, t0: float, *, certified: bool = True,
               extra=None) -> Evaluation:
    """An :class:`Evaluation` from a solution (method, status, gaps) and the decided state."""
    extra = {"objective": float(sol.objective), **(extra or {})}
    return Evaluation(float(x), state, bool(certified), sol.method, sol.status.value, sol.rel_gap, sol.gap,
                      None if measure is None else float(measure), reason, time.perf_counter() - t0, extra)


def reduced_logits(sol: Solution, problem) -> np.ndarray:
    r""":math:`Y = (\bar Z - b\mathbf 1^\top)D^{1/2}` centred on the columns' mean (reduction R2's variable)."""
    from nctheory.claims.common import centred_logits

    return centred_logits(sol) * np.sqrt(problem.n)[None, :]


def certified_solver(method: str = "certified", *, tol: float | None = None, **options):
    """``solve(problem, x0=None, seed=None) -> Solution`` for a registry solver at ``tol`` (default: the solver's
    rounding floor, :meth:`~nctheory.solvers.base.Solver.min_tol`, so that the answer's position is resolved as
    finely as its certificate allows)."""
    from nctheory.solvers.registry import get_solver

    solver = get_solver(method)

    def solve(problem, x0=None, seed=None):
        t = tol if tol is not None else (solver.min_tol(problem) or 1e-13)
        extra = {} if seed is None else {"seed": int(seed)}
        if x0 is not None:
            extra["x0"] = x0
        return solver.solve(problem, tol=t, **options, **extra)

    return solve


def perturbed_start(sol: Solution, seed: int, *, size: float = 0.05, floor: float = 1.0) -> np.ndarray:
    r"""Mean logits of ``sol`` (bias removed) plus a random K × K matrix of Frobenius norm
    :math:`\max(\text{size}\cdot\|\bar Z\|_F, \text{floor})`: a start on the other side of an exact zero."""
    Z = np.asarray(sol.logits_mean, dtype=np.float64) - np.asarray(sol.b, dtype=np.float64)[:, None]
    rng = np.random.default_rng(seed)
    R = rng.standard_normal(Z.shape)
    return Z + max(size * float(np.linalg.norm(Z)), floor) * R / np.linalg.norm(R)


def confirmed_decision(x: float, problem, solve, state_of, *, accept_rel_gap: float = ACCEPT_REL_GAP,
                       seed: int = 20240917) -> Evaluation:
    r"""A state decided by two certified solves that agree (module doc: convex predicates).

    ``solve(problem, x0=None, seed=None) -> Solution``; ``state_of(problem, solution) -> (state, measure, reason)``.
    The first solve from the solver's own start; the second from :func:`perturbed_start` of the first (another
    seed).  A value certificate fixes a position only to ~:math:`\sqrt{\mathrm{gap}/\text{curvature}}`: a solve can
    stop at an exact zero that the optimum does not have (seen at λ within 3e-7 of Zhu's threshold at relative gap
    1e-13), so the state counts only when both solves are certified, both decide it, and they agree.
    """
    t0 = time.perf_counter()
    first = solve(problem)
    why = certification_problem(first, accept_rel_gap)
    if why:
        return undecided(x, why, method=first.method, status=first.status.value, rel_gap=first.rel_gap,
                         gap=first.gap, time_s=time.perf_counter() - t0)
    s1, m1, r1 = state_of(problem, first)
    if s1 is None:
        return evaluation(x, first, None, m1, r1, t0)
    second = solve(problem, x0=perturbed_start(first, seed + 1), seed=seed + 1)
    why = certification_problem(second, accept_rel_gap)
    extra = {"second_rel_gap": second.rel_gap, "second_status": second.status.value}
    if why:
        return evaluation(x, first, None, m1, f"{r1}; the confirming solve is not certified: {why}", t0, extra=extra)
    s2, m2, r2 = state_of(problem, second)
    extra["second_measure"] = m2
    if s2 != s1:
        return evaluation(x, first, None, m1, f"two certified solves from different starts disagree: {r1} | {r2}",
                          t0, extra=extra)
    return evaluation(x, first, s1, m1, f"{r1} (confirmed from another start: {m2:.1e})", t0, extra=extra)


def spectral_state(idx, *, zero_tol: float = ZERO_TOL, nonzero_tol: float = NONZERO_TOL):
    r"""``state_of`` for "cluster ``idx`` collapsed": the within-cluster ratio of :math:`Y = \bar ZD^{1/2}`."""

    def state_of(problem, sol):
        ratio = cluster_ratio(reduced_logits(sol, problem), idx)
        state = threshold_state(ratio, zero_tol=zero_tol, nonzero_tol=nonzero_tol)
        if state is None:
            return None, ratio, f"within-cluster ratio {ratio:.2e} between {zero_tol:.0e} and {nonzero_tol:.0e}"
        bound = zero_tol if state else nonzero_tol
        return state, ratio, f"within-cluster ratio {ratio:.2e} {'<=' if state else '>='} {bound:.0e}"

    return state_of


# ------------------------------------------------------------------------------ factored configurations
def class_norms(sol: Solution) -> np.ndarray:
    r""":math:`\|\bar h_k\|` per class."""
    return np.linalg.norm(np.asarray(sol.H_mean, dtype=np.float64), axis=0)


def switched_off(problem, sol: Solution, classes, *, gtol: float) -> Solution | None:
    """The factored answer with ``classes`` switched off (features and last-layer rows zero) and re-solved locally
    (:func:`nctheory.solvers.factored.class_drop.switch_off_class`), certified where a bound applies; None if the
    answer carries no flat point."""
    from nctheory.solvers.bounds import certify
    from nctheory.solvers.factored.assemble import build_solution
    from nctheory.solvers.factored.class_drop import switch_off_class
    from nctheory.solvers.factored.objective import FactoredObjective
    from nctheory.solvers.factored.restarts import local_solve

    x = (sol.extra or {}).get("x")
    if x is None:
        return None
    objective = FactoredObjective(problem, sol.options.get("on", "means"))
    y = np.asarray(x, dtype=np.float64)
    for k in classes:
        y = switch_off_class(objective, y, int(k))
    t0 = time.perf_counter()
    res = local_solve(objective, y, max_iter=int(sol.options.get("max_iter", 20000)), gtol=gtol)
    if not np.isfinite(res.fun):
        return None
    status = "local" if res.converged else "inaccurate"
    other = build_solution(objective, res.x, status=status, iterations=res.nit, time_s=time.perf_counter() - t0,
                           message=f"switched off classes {list(map(int, classes))} and re-solved: {res.reason}",
                           extra={"x": res.x, "grad_norm": res.grad_norm})
    from dataclasses import replace

    return certify(problem, replace(other, options=dict(sol.options)))


def resolved(answer: Solution, other_objective: float | None) -> tuple[bool, float | None]:
    r"""``(ok, margin)``: whether the objectives of the answer's configuration and the other one differ by more
    than the answer's certified absolute gap plus rounding (:math:`8\epsilon|F|`); ``margin`` is their difference
    (None without another configuration, which counts as resolved)."""
    if other_objective is None or not math.isfinite(other_objective):
        return True, None
    F = float(answer.objective)
    margin = float(other_objective) - F
    allowance = float(answer.gap or 0.0) + 8.0 * np.finfo(float).eps * abs(F)
    return abs(margin) > allowance, margin


#: Class-mean norms (relative to the largest) at or below which a class is zero / collapsed, and at or above
#: which it is nonzero / alive, in a factored answer (the factored solver's own flags use the same levels:
#: :data:`nctheory.solvers.factored.restarts.ZERO_REL`, ``NONZERO_REL``).
FACTORED_ZERO_REL = 1e-6
FACTORED_NONZERO_REL = 1e-4
#: Largest class-mean norm at or below which the answer is the zero point (every class zero): the relative levels
#: above cannot see it, since there the watched class is as large as the largest.  Measured: 3e-15 at the zero
#: point of a certified factored solve (Dang 2023, M = 2, sizes (30, 30, 5), λ = 0.084), against class means of
#: 0.27-0.47 on the nonzero side of the same family.
FACTORED_ZERO_ABS = 1e-9


def norm_state(sol: Solution, watched, *, zero_rel: float = FACTORED_ZERO_REL,
               nonzero_rel: float = FACTORED_NONZERO_REL):
    """``(state, measure, reason)``: True if every watched class mean is zero, False if every one is nonzero
    (relative to the largest class-mean norm), None for a mixed or in-between answer; ``measure`` is the largest
    watched norm relative to the largest norm (0 when every mean is at most :data:`FACTORED_ZERO_ABS`: the zero
    point)."""
    norms = class_norms(sol)
    top = float(norms.max()) if norms.size else 0.0
    idx = np.asarray(watched, dtype=int)
    if top <= FACTORED_ZERO_ABS:
        return True, 0.0, f"every class mean is at most {FACTORED_ZERO_ABS:.0e} (the zero point): largest {top:.1e}"
    rel = norms[idx] / top
    m = float(rel.max())
    if np.all(rel <= zero_rel):
        return True, m, f"watched class means {np.array2string(rel, precision=2)} (relative) <= {zero_rel:.0e}"
    if np.all(rel >= nonzero_rel):
        return False, m, f"watched class means {np.array2string(rel, precision=2)} (relative) >= {nonzero_rel:.0e}"
    return None, m, (f"watched class means {np.array2string(rel, precision=2)} (relative): mixed or between "
                     f"{zero_rel:.0e} and {nonzero_rel:.0e}")


def _other_branch_from_restarts(sol: Solution, watched) -> float | None:
    """Lowest objective among the restarts in which a watched class stayed nonzero although it is zero in the best
    answer (flag ``spurious_nonzero_class:k``), or None."""
    flags = {f"spurious_nonzero_class:{int(k)}" for k in watched}
    values = [r["objective"] for r in (sol.extra or {}).get("restarts", []) if flags & set(r.get("flags", ()))
              and np.isfinite(r["objective"])]
    return min(values) if values else None


def factored_decision(x: float, problem, watched, *, accept_rel_gap: float = ACCEPT_REL_GAP,
                      zero_rel: float = FACTORED_ZERO_REL, nonzero_rel: float = FACTORED_NONZERO_REL,
                      **solver_options) -> Evaluation:
    r"""The state "the watched classes are zero" from a certified factored solve, guarded against the other
    configuration (module doc).

    1. The factored solver (best of restarts, class-drop refinement), certified by its registered bound.
    2. The other configuration: with the watched classes nonzero, the same point with them switched off and
       re-solved locally (:func:`switched_off`); with them zero, the best restart that kept them nonzero.  If the
       other configuration is lower, it becomes the answer (certified again).
    3. The state counts only if the two configurations' objectives differ by more than the certified gap
       (:func:`resolved`): otherwise the certificate cannot tell which state the optimum has.
    """
    from nctheory.solvers import solve
    from nctheory.solvers.bounds import certify

    t0 = time.perf_counter()
    sol = solve(problem, method="factored", **solver_options)
    why = certification_problem(sol, accept_rel_gap)
    if why:
        return undecided(x, why, method=sol.method, status=sol.status.value, rel_gap=sol.rel_gap, gap=sol.gap,
                         time_s=time.perf_counter() - t0)
    state, m, reason = norm_state(sol, watched, zero_rel=zero_rel, nonzero_rel=nonzero_rel)
    gtol = float(sol.options.get("gtol", 1e-10))
    if state is None:
        # a watched mean between the levels: near a continuous onset the decay of a dying class is slow (its
        # curvature vanishes there); the point with the watched classes switched off, if lower, is the answer
        off = switched_off(problem, sol, watched, gtol=gtol)
        if off is None or not float(off.objective) <= float(sol.objective):
            return evaluation(x, sol, None, m, reason, t0)
        off = certify(problem, off) if off.lower_bound is None else off
        if certification_problem(off, accept_rel_gap):
            return evaluation(x, sol, None, m, f"{reason}; switched off: not certified", t0)
        s2, m2, r2 = norm_state(off, watched, zero_rel=zero_rel, nonzero_rel=nonzero_rel)
        if s2 is None:
            return evaluation(x, sol, None, m, f"{reason}; switched off: {r2}", t0)
        sol, state, m, reason = off, s2, m2, f"{reason}; switched off and re-solved (not higher): {r2}"
    other_value, other = None, None
    if state is False:
        other = switched_off(problem, sol, watched, gtol=gtol)
        other_value = None if other is None else float(other.objective)
    else:
        other_value = _other_branch_from_restarts(sol, watched)
    extra = {"other_configuration_objective": other_value, "objective": float(sol.objective)}
    if other is not None and other_value is not None and other_value < float(sol.objective):
        # switching the classes off lowered the objective: that point is the better answer
        other = certify(problem, other) if other.lower_bound is None else other
        why = certification_problem(other, accept_rel_gap)
        if why:
            return evaluation(x, sol, None, m, f"switching the watched classes off lowered the objective, but that "
                              f"point is not certified: {why}", t0, extra=extra)
        s2, m2, r2 = norm_state(other, watched, zero_rel=zero_rel, nonzero_rel=nonzero_rel)
        extra.update(other_configuration_objective=float(sol.objective), objective=float(other.objective))
        sol, state, m, reason = other, s2, m2, f"after switching off: {r2}"
        if state is None:
            return evaluation(x, sol, None, m, reason, t0, extra=extra)
        other_value = extra["other_configuration_objective"]
    ok, margin = resolved(sol, other_value)
    extra["configuration_margin"] = margin
    if not ok:
        return evaluation(x, sol, None, m, (f"{reason}; the other configuration's objective differs by {margin:.2e}, "
                                            f"within the certified gap {sol.gap:.2e}: the certificate cannot tell "
                                            "the states apart"), t0, extra=extra)
    tail = "" if margin is None else f"; the other configuration is {margin:.2e} higher"
    return evaluation(x, sol, state, m, reason + tail, t0, extra=extra)
