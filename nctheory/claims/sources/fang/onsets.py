r"""Fang et al.'s minority-collapse onset located in R and in E_W·E_H (catalogue §6, §9; ``fang/minority-collapse``).

Layer-peeled model with two clusters: :math:`K_A` classes of size :math:`n_A = Rn_B`, :math:`K_B \ge 2` of
:math:`n_B`.  Derived here (:mod:`~nctheory.claims.sources.fang.onset`): the minority collapses exactly from a finite
:math:`R_0(K_A, K_B, E_WE_H)` on, where the budget multiplier reaches :math:`\pi_B = 1/(K_AR + K_B)`; for smaller
:math:`E_WE_H` it collapses earlier.  Families:

* ``R`` -- :math:`n_A = Rn_B` varied (budgets kept; real sizes with n_B = 1, the LPM depends on the sizes only
  through π): collapsed iff :math:`R \ge R_0`;
* ``E`` -- both budgets scaled by the same factor, so :math:`E_W/E_H` is kept and :math:`E = E_WE_H` varies:
  collapsed iff :math:`E \le E_0(R)`, the root of :math:`R_0(K_A, K_B, E) = R`
  (:func:`predicted_budget`, from the same exact indicator).

Predicate (default ``lpm-ball``): the projected first-order solver of the reduced problem
(:func:`nctheory.explore.onsets.lpm_ball.solve_lpm_ball`) certified by the registered Fenchel bound of the layer-peeled
model at relative gap 1e-12; its projection soft-thresholds the singular values, so the within-minority spectral
ratio :math:`\|P_BZP_B\|_2/\|Z\|_2` is exactly 0 once collapsed (≤ 1e-12) and grows linearly with
:math:`R_0 - R` otherwise (≥ 1e-9); a second certified solve from a perturbed start must agree.  ``convex:lpm``
(the interior-point SDP) decides by the squared minority spread against
:data:`~nctheory.claims.sources.fang.accuracy.COLLAPSE_SQ_TOL` instead: it resolves the onset only to ~1e-5.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.onset_state import measured_state
from nctheory.claims.sources.fang.accuracy import COLLAPSE_SQ_TOL
from nctheory.claims.sources.fang.claims import MINORITY_COLLAPSE
from nctheory.claims.sources.fang.formulas import clusters, minority_spread_sq
from nctheory.claims.sources.fang.onset import onset_indicator, predicted_onset
from nctheory.explore.onsets import decide as dc
from nctheory.explore.onsets.lpm_ball import solve_lpm_ball
from nctheory.explore.onsets.spec import OnsetSpec, undecided
from nctheory.model import Problem

CLAIM = "fang/minority-collapse"
#: Target relative gap of the ball solver in the predicate.
BALL_TOL = 1e-12
RESOLUTION_BALL = ("exact zeros of the nuclear-ball projection: the within-minority singular value is linear in "
                   "R0 − R (measured 1.17e-6 at R = R0(1 − 1e-6), K_A = K_B = 2, E_WE_H = 1) and 0 to rounding past R0")
RESOLUTION_SDP = ("interior-point SDP: the squared spread reads up to 5e-6 at a collapsed onset (strict "
                  "complementarity fails there), so decisions hold only ~1e-5 away from R0")


# ----------------------------------------------------------------------------------------- families
def _parts(problem: Problem):
    cl = clusters(problem)
    if cl is None or problem.balanced:
        raise ValueError("sizes: needs exactly two class sizes (a majority and a minority cluster)")
    is_a, K_A, K_B, R = cl
    return is_a, K_A, K_B, R


def _unmet(problem: Problem) -> list[str]:
    out = MINORITY_COLLAPSE.assumptions(problem)
    if problem.d is not None and problem.d < problem.K:
        out.append(f"d: the located onset needs d >= K = {problem.K} (or d unset)")
    return out


def at_ratio(problem: Problem, R: float) -> Problem:
    r"""The family member with :math:`n_A = R`, :math:`n_B = 1` (real sizes).  The layer-peeled model depends on the
    sizes only through :math:`\pi`, so n_B = 1 loses nothing, and instances that differ in n_B only (the claim's two
    default instances) are one family: one search, memoised."""
    is_a, _, _, _ = _parts(problem)
    sizes = tuple(float(R) if a else 1.0 for a in is_a)
    return problem.with_(sizes=sizes, real_sizes=True)


def budget_product(problem: Problem) -> float:
    """:math:`E_WE_H`."""
    return float(problem.e_w) * float(problem.e_h)


def at_budget(problem: Problem, E: float) -> Problem:
    r"""The family member with :math:`E_WE_H = E` (both budgets scaled by :math:`\sqrt{E/(E_WE_H)}`)."""
    t = math.sqrt(float(E) / budget_product(problem))
    return problem.with_(e_w=problem.e_w * t, e_h=problem.e_h * t)


def predicted_budget(K_A: int, K_B: int, R: float, *, E_min: float = 1e-12, E_max: float = 1e12) -> float:
    r""":math:`E_0(R)`: the budget product at which the minority collapses at ratio R (collapsed iff :math:`E \le E_0`).

    The root in log E of the exact collapse indicator :func:`~nctheory.claims.sources.fang.onset.onset_indicator`
    (>= 0 iff collapsed), bracketed by factors of 4 from E = 1.

    Raises
    ------
    ValueError
        ``R: ...`` when no root lies in [E_min, E_max] (e.g. R <= 1: the balanced ETF never collapses).
    """
    if not (math.isfinite(R) and R > 1.0):
        raise ValueError(f"R: the minority collapses only for R > 1, got {R!r}")

    def f(log_e: float) -> float:
        return onset_indicator(K_A, K_B, R, math.exp(log_e))

    lo = hi = 0.0
    f_lo = f_hi = f(0.0)
    while f_lo < 0:  # separated at E: collapse needs a smaller budget
        hi, f_hi = lo, f_lo
        lo -= math.log(4.0)
        if lo < math.log(E_min):
            raise ValueError(f"R: no collapse at R = {R:g} for E_W E_H >= {E_min:g}")
        f_lo = f(lo)
    while f_hi >= 0:  # collapsed at E: the onset is at a larger budget
        lo, f_lo = hi, f_hi
        hi += math.log(4.0)
        if hi > math.log(E_max):
            raise ValueError(f"R: the minority stays collapsed at R = {R:g} up to E_W E_H = {E_max:g}")
        f_hi = f(hi)
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=300))


# ----------------------------------------------------------------------------------------- predicate
def minority_state(idx, *, zero_tol: float = dc.ZERO_TOL, nonzero_tol: float = dc.NONZERO_TOL):
    r"""``state_of`` for "the minority collapsed": :math:`\|P_BZP_B\|_2/\|Z\|_2` of the LPM logits (no bias)."""

    def within_minority(problem, sol):
        return dc.cluster_ratio(np.asarray(sol.logits_mean, dtype=np.float64), idx)

    return measured_state(within_minority, "within-minority ratio {:.2e}", zero_tol=zero_tol, nonzero_tol=nonzero_tol)


def _ball(tol: float):
    def solve(problem, x0=None, seed=None):
        return solve_lpm_ball(problem, tol=tol, x0=x0)

    return solve


def decide_minority(problem: Problem, *, method: str = "lpm-ball", watched=None, x: float = math.nan,
                    tol: float = BALL_TOL, accept_rel_gap: float = dc.ACCEPT_REL_GAP, zero_tol: float = dc.ZERO_TOL,
                    nonzero_tol: float = dc.NONZERO_TOL, sq_tol: float = COLLAPSE_SQ_TOL) -> "dc.Evaluation":
    """State "the minority collapsed" (module doc); ``x`` is the family variable recorded with the evaluation."""
    idx = np.flatnonzero(~_parts(problem)[0]) if watched is None else np.asarray(watched, dtype=int)
    if method == "lpm-ball":
        return dc.confirmed_decision(x, problem, _ball(tol), minority_state(idx, zero_tol=zero_tol,
                                                                           nonzero_tol=nonzero_tol),
                                     accept_rel_gap=accept_rel_gap)
    if method != "convex:lpm":
        raise ValueError(f"method: the Fang onset is decided with lpm-ball or convex:lpm, got {method!r}")
    t0 = time.perf_counter()
    sol, why = dc.certified_solve(problem, "convex:lpm", accept_rel_gap=1e-8)
    if why:
        return undecided(x, why, method=sol.method, status=sol.status.value, rel_gap=sol.rel_gap, gap=sol.gap,
                         time_s=time.perf_counter() - t0)
    W = np.asarray(sol.W, dtype=np.float64)
    spread = minority_spread_sq(W @ W.T, idx)
    state = bool(spread <= sq_tol)
    return dc.evaluation(x, sol, state, spread, f"relative squared minority spread {spread:.2e} "
                         f"{'<=' if state else '>'} {sq_tol:.0e}", t0, extra={"sq_tol": sq_tol})


def _minority(problem: Problem):
    return np.flatnonzero(~_parts(problem)[0])


RATIO = OnsetSpec(
    claim_id=CLAIM, variable="R", state="the minority classifiers (and class means) collapsed",
    formula="R0(K_A, K_B, E_WE_H): the root of μ(R) = π_B(R) = 1/(K_A R + K_B) (collapse iff R >= R0)",
    unmet=_unmet, predict=lambda p: predicted_onset(_parts(p)[1], _parts(p)[2], budget_product(p)),
    value=lambda p: _parts(p)[3], at=at_ratio,
    decide=lambda p, **kw: decide_minority(p, x=float(max(p.sizes) / min(p.sizes)), **kw),
    watch=_minority, onset_above=True, domain=lambda p: (1.0, math.inf), methods=("lpm-ball", "convex:lpm"),
    resolution=RESOLUTION_BALL,
)

BUDGET = OnsetSpec(
    claim_id=CLAIM, variable="E", state="the minority classifiers (and class means) collapsed",
    formula="E0(R): the root of R0(K_A, K_B, E) = R (collapse iff E_WE_H <= E0; earlier for smaller budgets)",
    unmet=_unmet, predict=lambda p: predicted_budget(_parts(p)[1], _parts(p)[2], _parts(p)[3]),
    value=budget_product, at=at_budget,
    decide=lambda p, **kw: decide_minority(p, x=budget_product(p), **kw),
    watch=_minority, onset_above=False, methods=("lpm-ball", "convex:lpm"), resolution=RESOLUTION_BALL,
)

ONSETS = [RATIO, BUDGET]

__all__ = ["ONSETS", "RATIO", "BUDGET", "predicted_budget", "at_ratio", "at_budget", "decide_minority",
           "minority_state"]
