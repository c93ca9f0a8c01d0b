r"""Certified solver of the UF-SVM: ADMM on :math:`\min\|X\|_* + \iota_{\mathcal C}(Y)` s.t. X = Y.

Iteration (scaled form, penalty ρ; :mod:`~nctheory.solvers.references.uf_svm` for the sets):

.. math::

    X^{+} = \operatorname{prox}_{\|\cdot\|_*/\rho}(Y - \Lambda),\qquad
    Y^{+} = P_{\mathcal C}(X^{+} + \Lambda),\qquad \Lambda^{+} = \Lambda + X^{+} - Y^{+}

(the prox is singular-value soft-thresholding at 1/ρ).

ADMM converges for any ρ > 0 (Douglas–Rachford splitting of two closed convex functions with a solution).  At a
fixed point :math:`-\rho\Lambda \in \partial\|X\|_*` and :math:`\rho\Lambda \in N_{\mathcal C}(Y)`, whose off-label
entries are the margin multipliers; so :math:`\Gamma = -\rho\Lambda` feeds the dual bound
(:func:`~nctheory.solvers.references.uf_svm.svm_lower_bound`), and every :math:`X^+` with a positive smallest
margin μ gives the primal value :math:`\|X^+\|_*/\mu`.  Both are evaluated every ``check_every`` iterations; the
best of each is kept.  ρ is balanced every :data:`BALANCE_EVERY` iterations (doubled when the primal residual
:math:`\|X - Y\|` exceeds 10× the dual one :math:`\rho\|Y - Y^-\|`, halved in the opposite case, Λ rescaled so that
:math:`\rho\Lambda` is unchanged).

Start: the one-hot logits :math:`\bar Z = I` (:math:`X = D^{1/2}`, a feasible point with all margins 1), Λ = 0;
a warm start replaces :math:`\bar Z`.  (The projection of X = 0 onto :math:`\mathcal C` is the SEL matrix itself, so
starting at 0 would begin at the claimed answer; the start at I does not.)

Stop when :math:`(P - \mathrm{LB})/P \le` ``tol``, when the gap improved by less than 1 % over
:data:`STALL_ITERATIONS` iterations, or on the budget / time limit (statuses as the LPM solver's).

Recovery: the best primal iterate, singular values at rounding level dropped, balanced factors, then both
factors scaled by :math:`1/\sqrt{\mu'}` with μ' the smallest margin of the product :math:`W\bar H` as computed, and
a little more (:func:`_scale_onto_margins`), so that the returned point meets every margin whatever order its
products are evaluated in (``extra["min_margin"]``: the computed margin).  The objective is
:math:`\tfrac12\|W\|^2 + \tfrac12\sum_kn_k\|\bar h_k\|^2` of exactly that point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K, GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.certified.warm_start import dense_mean_logits, grouped_mean_logits
from nctheory.solvers.references.best import BestSoFar
from nctheory.solvers.references.compact import CompactFactors, CompactSolution
from nctheory.solvers.references.layout import DenseLayout, GroupedLayout
from nctheory.solvers.references.margins import project_columns, smallest_margin
from nctheory.solvers.references.options import Clock, blas_threads, logger
from nctheory.solvers.references.rounding import EPS
from nctheory.solvers.references.spectrum import soft_threshold
from nctheory.solvers.references.uf_svm import (UF_SVM_CERTIFICATE, primal_margin, svm_lower_bound,
                                                uf_svm_objective)
from nctheory.solvers.result import Solution, relative_gap

__all__ = ["solve", "solve_grouped", "rounding_floor"]

#: Iterations between ρ updates.
BALANCE_EVERY = 20
#: Stop as stalled when the certified gap fell by less than 1 % over this many iterations.
STALL_ITERATIONS = 200
#: Default iterations between two certificates.
CHECK_EVERY = 5


def rounding_floor(size: int) -> float:
    r"""Smallest relative gap worth asking for: :math:`64(\text{size} + 8)\varepsilon` (the spectral-norm margin of
    the bound and the summation allowance, with room)."""
    return 64.0 * (int(size) + 8) * EPS


@dataclass
class _Best(BestSoFar):
    """The best point (spectrum ``spec``/``vals``, computed ``margin``) and its :class:`~nctheory.solvers.references.uf_svm.SVMBound`."""

    spec: object = None
    vals: np.ndarray | None = None
    margin: float = math.nan


def _admm(layout, X0, tol, max_iter, clock, log, check_every):
    s = layout.sqrt_n
    counts = layout.counts
    best = _Best()
    floor = rounding_floor(layout.size)
    target = max(tol, floor)

    def project(V):
        own, rest = layout.compress(V)
        return layout.from_compressed(*project_columns(own, rest, counts, s))

    def check(X, spec, vals, Lam, rho):
        margin = primal_margin(layout, X)
        if margin > 0.0 and np.isfinite(margin):
            value = spec.nuclear(vals) / margin
            if value < best.value:
                best.value, best.spec, best.vals, best.margin = value, spec, vals, margin
        bound = svm_lower_bound(layout, layout.lin(-rho, Lam, 0.0, Lam))
        best.certificates += 1
        if bound is not None and bound.value > best.lower:
            best.bound = bound

    Y = project(X0)
    Lam = layout.zeros()
    rho = 1.0 / math.sqrt(float(np.mean(layout.n)))
    it, reason = 0, "max_iter"
    X = spec = vals = None
    while it < max_iter:
        it += 1
        spec = layout.spectrum(layout.lin(1.0, Y, -1.0, Lam))
        vals = np.where(spec.mult > 0, soft_threshold(spec.values, 1.0 / rho), 0.0)
        X = spec.rebuild(vals)
        Y_prev = Y
        Y = project(layout.lin(1.0, X, 1.0, Lam))
        R = layout.lin(1.0, X, -1.0, Y)
        Lam = layout.lin(1.0, Lam, 1.0, R)
        if it % check_every == 0 or it == 1:
            check(X, spec, vals, Lam, rho)
            gap = best.rel_gap()
            if log is not None and (it % (10 * check_every) == 0 or gap <= target):
                log(f"admm it={it:6d} P={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} rho={rho:.3g} "
                    f"rank={spec.rank(vals)}")
            if gap <= target:
                reason = "converged"
                break
        if clock.expired():
            reason = "time_limit"
            break
        if it % BALANCE_EVERY == 0:
            r_p = layout.frobenius(R)
            r_d = rho * layout.frobenius(layout.lin(1.0, Y, -1.0, Y_prev))
            if r_p > 10.0 * r_d:
                rho, Lam = 2.0 * rho, layout.lin(0.5, Lam, 0.0, Lam)
            elif r_d > 10.0 * r_p:
                rho, Lam = 0.5 * rho, layout.lin(2.0, Lam, 0.0, Lam)
        if it % STALL_ITERATIONS == 0 and best.stalled():
            reason = "stalled"
            break
    if reason != "converged" and X is not None:
        check(X, spec, vals, Lam, rho)
        if best.rel_gap() <= target:
            reason = "converged"
    return best, it, reason, floor


def _status(rel_gap, tol, reason, floor, max_iter, time_limit, rank, d):
    from nctheory.solvers.references.lpm_solve import _status as lpm_status

    return lpm_status(rel_gap, tol, reason, floor, max_iter, time_limit, d is not None and rank > d, rank, d)


def _common(tol, max_iter, time_limit, progress, seed, check_every):
    from nctheory.solvers.references.lpm_solve import _common as lpm_common

    return lpm_common(None, tol, max_iter, time_limit, progress, seed, check_every)


def _sizes_problem(sizes) -> Problem:
    """A Problem carrying the class sizes (its other fields play no role in the UF-SVM)."""
    return sizes if isinstance(sizes, Problem) else Problem(sizes=tuple(sizes))


def _dense_start(x0, problem):
    """:math:`X_0 = \bar Z_0D^{1/2}` of the warm start (of :math:`\bar Z = D^{1/2}` without one; its bias plays no
    role)."""
    if x0 is None:
        return np.diag(np.sqrt(problem.n))
    Z, _ = dense_mean_logits(x0, problem.K)
    return Z * np.sqrt(problem.n)[None, :]


def _grouped_start(x0, structure: GroupStructure):
    """The grouped :func:`_dense_start`."""
    sqrt_n = np.sqrt(structure.sizes.astype(np.float64))
    if x0 is None:
        return GroupedMatrix.from_entries(structure, np.ones(structure.C), np.zeros((structure.C, structure.C))) \
            .times_diagonal(sqrt_n)
    Z, _ = grouped_mean_logits(x0, structure)
    return Z.times_diagonal(sqrt_n)


def _scale_onto_margins(margin_of, c: float, slack: float) -> tuple[float, float]:
    r"""Starting from c = 1/√μ' (μ' the margin at scale 1), grow c until the computed margin at scale c is at least
    1 + ``slack`` (times the scale c² the slack refers to); returns ``(c, computed margin at c)``.

    The slack makes the point feasible for every evaluation order of :math:`War H`: a computed entry
    :math:`w_k^	opar h_l` is within :math:`\gamma_d\|w_k\|\|ar h_l\|` of the exact one (:math:`\gamma_d pprox
    darepsilon`, Cauchy–Schwarz), so two evaluations of a margin differ by at most
    :math:`4\gamma_d\max\|w\|\max\|ar h\|` -- the slack used."""
    m = margin_of(c)
    for _ in range(200):
        if m >= 1.0 + slack * c * c:
            break
        c *= 1.0 + max(2.0 * EPS, 0.5 * (1.0 + slack * c * c - m))
        m = margin_of(c)
    return c, m


def solve(sizes, *, tol: float = 1e-10, max_iter: int = 20_000, time_limit: float | None = None, x0=None,
          progress: bool = False, seed: int = 20240917, check_every: int = CHECK_EVERY) -> Solution:
    r"""Certified solve of the UF-SVM of the class sizes (dense K × K).

    Parameters
    ----------
    sizes : Problem or sequence of int
        The class sizes (a Problem's other fields are ignored; its ``d`` sets the width of the factors).
    tol, max_iter, time_limit, progress, seed, check_every
        As :func:`nctheory.solvers.references.lpm_solve.solve`.
    x0 : ndarray (K, K), Solution or None
        Warm start: bias-free mean logits :math:`\bar Z` (default: the one-hot logits I).

    Returns
    -------
    Solution
        ``method="certified:uf-svm"``; W, H_mean (feasible: every class-mean margin >= 1), b = 0,
        ``objective`` = :math:`\tfrac12\|W\|^2 + \tfrac12\|H\|^2` at exactly that point, the dual lower bound;
        ``extra``: ``min_margin``, ``singular_values`` (of :math:`X = \bar ZD^{1/2}`), ``rank``, ``rank_exceeds_d``,
        ``rel_gap``, ``certificates``, ``stop_reason``.
    """
    problem = _sizes_problem(sizes)
    tol, max_iter, time_limit, progress, seed, check_every = _common(tol, max_iter, time_limit, progress, seed,
                                                                     check_every)
    X0 = _dense_start(x0, problem)
    clock = Clock(time_limit)
    log = logger(progress, "certified:uf-svm", clock)
    layout = DenseLayout(problem.n)
    with blas_threads(problem.K):
        best, iterations, reason, floor = _admm(layout, X0, tol, max_iter, clock, log, check_every)
        sol = _recover_dense(problem, best, tol, max_iter, time_limit, iterations, reason, floor, clock)
    if log is not None:
        log(f"{sol.status.value}: {sol.message}")
    return replace(sol, options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": seed,
                                 "check_every": check_every})


def _failed(problem, message, iterations, clock, method):
    K, d = problem.K, problem.dim
    return Solution(W=np.full((K, d), np.nan), H_mean=np.full((d, K), np.nan), b=np.zeros(K),
                    logits_mean=np.full((K, K), np.nan), objective=math.nan, lower_bound=None, gap=None,
                    status="failed", iterations=iterations, time_s=clock.elapsed(), method=method, message=message)


def _recover_dense(problem, best: _Best, tol, max_iter, time_limit, iterations, reason, floor, clock) -> Solution:
    K, d = problem.K, problem.dim
    if best.spec is None:
        return _failed(problem, f"no iterate with positive margins (stop: {reason})", iterations, clock,
                       "certified:uf-svm")
    vals = best.vals
    top = float(vals.max())
    keep = np.flatnonzero(vals > 16.0 * K * EPS * top)
    root = np.sqrt(vals[keep])
    Wr = best.spec.A[:, keep] * root
    Hr = (root[:, None] * best.spec.Bt[keep]) / np.sqrt(problem.n)[None, :]
    Zr = Wr @ Hr
    eye = np.eye(K, dtype=bool)

    def margin_of(c):
        Z = (c * c) * Zr
        gaps = np.diagonal(Z)[None, :] - Z
        return float(gaps[~eye].min())

    r = keep.size
    w_top = float(np.sqrt((Wr * Wr).sum(axis=1).max())) if r else 0.0
    h_top = float(np.sqrt((Hr * Hr).sum(axis=0).max())) if r else 0.0
    slack = 4.0 * (r + 1) * EPS * w_top * h_top
    c, margin = _scale_onto_margins(margin_of, 1.0 / math.sqrt(margin_of(1.0)), slack)
    width = max(r, d)
    W = np.zeros((K, width))
    H = np.zeros((width, K))
    W[:, :r], H[:r] = c * Wr, c * Hr
    objective = uf_svm_objective(problem, W, H)
    lower = best.lower
    finite = math.isfinite(lower)
    rel_gap = relative_gap(objective, lower) if finite else math.inf
    status, message = _status(rel_gap, tol, reason, floor, max_iter, time_limit, r, d)
    singular_values = np.zeros(K)
    singular_values[:r] = (c * c) * vals[keep]
    extra = {"min_margin": margin, "singular_values": singular_values, "rank": r, "rank_exceeds_d": r > d,
             "rel_gap": rel_gap, "certificates": best.certificates, "stop_reason": reason, "rounding_floor": floor}
    return Solution(W=W, H_mean=H, b=np.zeros(K), logits_mean=W @ H, objective=objective,
                    lower_bound=lower if finite else None, gap=max(objective - lower, 0.0) if finite else None,
                    status=status, iterations=iterations, time_s=clock.elapsed(), method="certified:uf-svm",
                    message=message, extra=extra, certificate=UF_SVM_CERTIFICATE if finite else None)


def solve_grouped(sizes, *, tol: float = 1e-10, max_iter: int = 20_000, time_limit: float | None = None, x0=None,
                  progress: bool = False, seed: int = 20240917, check_every: int = CHECK_EVERY) -> CompactSolution:
    r"""As :func:`solve` on invariant matrices, for class sizes in few groups of equal size.

    ``x0``: a compact solution or a GroupedMatrix of bias-free mean logits.  Returns a
    :class:`~nctheory.solvers.references.compact.CompactSolution` (``method="certified:uf-svm-symmetric"``) whose
    bound holds for the K-class (per-sample) UF-SVM.
    """
    problem = _sizes_problem(sizes)
    tol, max_iter, time_limit, progress, seed, check_every = _common(tol, max_iter, time_limit, progress, seed,
                                                                     check_every)
    structure = GroupStructure.from_problem(problem)
    X0 = _grouped_start(x0, structure)
    clock = Clock(time_limit)
    log = logger(progress, "certified:uf-svm-symmetric", clock)
    layout = GroupedLayout(structure)
    with blas_threads(structure.C):
        best, iterations, reason, floor = _admm(layout, X0, tol, max_iter, clock, log, check_every)
        sol = _recover_grouped(problem, structure, layout, best, tol, max_iter, time_limit, iterations, reason,
                               floor, clock)
    if log is not None:
        log(f"{sol.status.value}: {sol.message}")
    return replace(sol, options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": seed,
                                 "check_every": check_every})


def _recover_grouped(problem, structure, layout, best: _Best, tol, max_iter, time_limit, iterations, reason, floor,
                     clock):
    C, d = structure.C, problem.dim
    if best.spec is None:
        raise RuntimeError(f"certified:uf-svm-symmetric: no iterate with positive margins (stop: {reason})")
    spec, vals = best.spec, best.vals
    top = float(vals[spec.mult > 0].max())
    cutoff = 16.0 * (C + 1) * EPS * top
    perp = np.where((spec.mult[:C] > 0) & (vals[:C] > cutoff), spec.sign * vals[:C], 0.0)
    keep = np.flatnonzero(vals[C:] > cutoff)
    column_scale = 1.0 / np.sqrt(structure.sizes.astype(np.float64))

    def factors_at(c):
        return CompactFactors(structure, perp, spec.A[:, keep], vals[C:][keep], spec.Bt[keep], w_scale=c, h_scale=c,
                              column_scale=column_scale)

    ones = np.ones(C)

    def margin_of(c):
        WH = factors_at(c).grams()[2]
        own, rest = layout.compress(WH)
        return smallest_margin(own, rest, layout.counts, ones)

    unit = factors_at(1.0)
    WW1, HH1, _ = unit.grams()
    # the products that may be evaluated: the compact entries (C + 2 terms), and the dense factors of expand() for
    # K <= DENSE_MAX_K (rank terms)
    width = unit.rank if structure.K <= DENSE_MAX_K else C + 2
    slack = 4.0 * (width + 1) * EPS * math.sqrt(max(float(WW1.diagonal.max()), 0.0)) \
        * math.sqrt(max(float(HH1.diagonal.max()), 0.0))
    c, margin = _scale_onto_margins(margin_of, 1.0 / math.sqrt(margin_of(1.0)), slack)
    factors = factors_at(c)
    WW, HH, WH = factors.grams()
    m1 = (structure.counts - 1).astype(np.float64)
    m = structure.counts.astype(np.float64)
    objective = 0.5 * (float(m1 @ WW.perp) + float(np.trace(WW.core))) \
        + 0.5 * float((m * structure.sizes) @ HH.diagonal)
    lower = best.lower
    finite = math.isfinite(lower)
    rel_gap = relative_gap(objective, lower) if finite else math.inf
    rank = factors.rank
    status, message = _status(rel_gap, tol, reason, floor, max_iter, time_limit, rank, d)
    values = np.concatenate([np.abs(perp), vals[C:][keep], np.zeros(C - keep.size)]) * (c * c)
    mult = np.concatenate([structure.counts - 1, np.ones(C, dtype=np.int64)])
    order = np.argsort(-values, kind="stable")
    extra = {"groups": structure.to_json(), "min_margin": margin, "singular_values": values[order],
             "multiplicities": mult[order], "rank": rank, "rank_exceeds_d": rank > d, "rel_gap": rel_gap,
             "certificates": best.certificates, "stop_reason": reason, "rounding_floor": floor}
    return CompactSolution(
        structure=structure, Y=WH.times_diagonal(np.sqrt(structure.sizes.astype(np.float64))), beta=np.zeros(C),
        gram_WW=WW, gram_HH=HH, gram_WH=WH, objective=float(objective), lower_bound=lower if finite else None,
        gap=max(objective - lower, 0.0) if finite else None, status=status, iterations=iterations,
        time_s=clock.elapsed(), method="certified:uf-svm-symmetric", message=message, extra=extra,
        certificate=UF_SVM_CERTIFICATE if finite else None, dual=best.bound, problem=problem, factors=factors,
        dense_objective=uf_svm_objective)
