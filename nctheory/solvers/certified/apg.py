r"""Accelerated proximal gradient on :math:`\varphi(X) + \lambda\|X\|_*` (step 2 of
:mod:`~nctheory.solvers.certified.dense`), and the prox-gradient step every certificate uses."""

from __future__ import annotations

import math
import time

import numpy as np

from nctheory.solvers.certified.bookkeeping import StallWindow, _Best, _Clock, _Outcome, apg_stop
from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.svd import singular_value_threshold

_EPS = np.finfo(np.float64).eps
#: Step-size growth after an accepted APG step, and shrink factor on a failed test.
_STEP_GROW, _STEP_SHRINK = 1.25, 0.5
#: SVD-equivalents of one APG iteration: the prox step's SVD, the SVD of G and the spectral norm of the dual point.
_APG_ITERATION_SVDS = 2.5


def _prox_step(smooth: ReducedSmooth, Yp: np.ndarray, ev_Y: Evaluation, step: float):
    r"""One prox-gradient step from ``Yp`` with backtracking on the step size.

    Accepts :math:`X^+` when :math:`\varphi(X^+) \le \varphi(Y) + \langle\nabla\varphi(Y), D\rangle + \|D\|^2/(2t)`
    (:math:`D = X^+ - Y`, up to rounding of the values) or when
    :math:`\langle\nabla\varphi(X^+) - \nabla\varphi(Y), D\rangle \le \|D\|^2/(2t)`, which implies it for convex
    :math:`\varphi` and is immune to cancellation.  Returns ``(X+, s, U, Vt, ev+, F(X+), t)``.
    """
    lam = smooth.lam
    while True:
        Xn, s, U, Vt = singular_value_threshold(Yp - step * ev_Y.grad, step * lam)
        ev_n = smooth.evaluate(Xn, ev_Y.b)
        D = Xn - Yp
        dd = float(np.sum(D * D))
        model = float(np.sum(ev_Y.grad * D)) + dd / (2.0 * step)
        rounding = 8.0 * _EPS * (abs(ev_Y.value) + abs(ev_n.value))
        if (
            dd == 0.0
            or ev_n.value - ev_Y.value <= model + rounding
            or float(np.sum((ev_n.grad - ev_Y.grad) * D)) <= dd / (2.0 * step)
        ):
            return Xn, s, U, Vt, ev_n, ev_n.value + lam * float(s.sum()), step
        step *= _STEP_SHRINK


def _certify_at(smooth: ReducedSmooth, best: _Best, X: np.ndarray, b: np.ndarray | None) -> None:
    """Certificate at X: one prox-gradient step with t = 1/L, primal value and dual bound there."""
    ev = smooth.evaluate(X, b)
    Xn, s, U, Vt, ev_n, F_n, _ = _prox_step(smooth, X, ev, 1.0 / smooth.lipschitz)
    best.offer(smooth, ev_n, F_n, Xn, U, s, Vt)


def _apg_phase(smooth, X, b, best: _Best, tol: float, budget: int, clock: _Clock, log) -> _Outcome:
    r"""FISTA with adaptive steps and restarts on :math:`\varphi(X) + \lambda\|X\|_*` (module doc, step 2)."""
    step = 1.0 / smooth.lipschitz
    X_prev = X
    theta = 1.0
    F_prev = math.inf
    window = StallWindow(best.rel_gap())
    ev_X = None
    it = 0
    while it < budget:
        if clock.expired(extra_svds=_APG_ITERATION_SVDS):
            return _Outcome(it, "time_limit")  # no time for another iteration and the finish
        it += 1
        t0 = time.perf_counter()
        theta_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
        momentum = (theta - 1.0) / theta_next
        if momentum > 0.0:
            Yp = X + momentum * (X - X_prev)
            ev_Y = smooth.evaluate(Yp, b)
        else:
            Yp = X
            ev_Y = ev_X if ev_X is not None else smooth.evaluate(X, b)
        Xn, s, U, Vt, ev_n, F_n, step = _prox_step(smooth, Yp, ev_Y, step)
        best.offer(smooth, ev_n, F_n, Xn, U, s, Vt, saturate=True)
        clock.observe_svd((time.perf_counter() - t0) / _APG_ITERATION_SVDS)
        restart = float(np.sum((Yp - Xn) * (Xn - X))) > 0.0 or F_n > F_prev
        theta = 1.0 if restart else theta_next
        X_prev, X, b, ev_X, F_prev = X, Xn, ev_n.b, ev_n, F_n
        step *= _STEP_GROW
        gap, target = best.rel_gap(), max(tol, best.floor(smooth.K))
        if log is not None and (it <= 3 or it % 50 == 0 or gap <= target):
            log(
                f"apg it={it:5d} F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} "
                f"rank={int(np.count_nonzero(s))} step*L={step * smooth.lipschitz:.3g}"
            )
        reason = apg_stop(it, gap, target, clock, window)
        if reason is not None:
            return _Outcome(it, reason)
    return _Outcome(it, "max_iter")
