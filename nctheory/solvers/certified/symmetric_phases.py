r"""The iterations of the symmetry-reduced solver: factored L-BFGS and accelerated proximal gradient on (u, B).

Both are the dense solver's phases (:mod:`nctheory.solvers.certified.dense`) restricted to group-invariant points,
in the metric :math:`\sum_g(m_g - 1)u_gu'_g + \langle B, B'\rangle` (the Frobenius product of the expanded X), in
which :math:`\nabla\varphi` is :math:`(c/N)`-Lipschitz exactly as in the dense problem and the prox of
:math:`t\lambda\|X\|_* = t\lambda(\sum_g(m_g-1)|u_g| + \|B\|_*)` is soft-thresholding of u at :math:`t\lambda` and
singular-value thresholding of B at :math:`t\lambda`.

Factored objective (Burer–Monteiro, restricted): :math:`u_g = p_gq_g/(m_g - 1)` for groups with
:math:`m_g \ge 2` and :math:`B = PQ^\top` (:math:`P, Q \in \mathbb R^{C\times C}`), with penalty
:math:`\frac\lambda2(\|p\|^2 + \|q\|^2 + \|P\|_F^2 + \|Q\|_F^2)`, whose minimum over factorisations is
:math:`\lambda\|X\|_*` (:math:`\frac12(p^2 + q^2) \ge |pq|`).  The :math:`1/(m_g - 1)` makes p, q the Frobenius norms of
the within-group blocks of the dense factors, so the gradient has the dense scale.  The bias enters as
:math:`\beta_h = s\,\tilde\beta_h/\sqrt{m_h}` with the dense solver's preconditioner s (:class:`_Factored`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.bookkeeping import BestBound, StallWindow, apg_stop
from nctheory.solvers.certified.bookkeeping import _Outcome as Outcome
from nctheory.solvers.certified.grouped_smooth import GroupedEvaluation, GroupedSmooth
from nctheory.solvers.certified.lbfgs import minimize as lbfgs_minimize
from nctheory.solvers.certified.svd import singular_value_threshold
from nctheory.solvers.clock import Clock

_EPS = np.finfo(np.float64).eps
#: Step-size growth after an accepted APG step, and shrink factor on a failed test (as the dense solver).
_STEP_GROW, _STEP_SHRINK = 1.25, 0.5
#: L-BFGS history length (the problem has at most 2C² + 3C variables, so memory is no concern).
_LBFGS_MEMORY = 20


def rounding_floor(C: int) -> float:
    r"""Smallest relative gap the reduced certificate resolves: :math:`64(C + 2)\varepsilon`.

    Twice the spectral margin (:func:`~nctheory.solvers.certified.grouped_dual.spectral_margin`), which by itself
    can cost that much of the penalty term; the sums over C compressed columns round at
    :math:`\sim C\varepsilon` of their magnitude.  It depends on the number of groups C, not on K.
    """
    return 64.0 * (C + 2) * _EPS


@dataclass
class Best(BestBound):
    """Best primal point seen (with the SVD of its core) and the largest verified lower bound (and its dual)."""

    u: np.ndarray | None = None
    B: np.ndarray | None = None
    UB: np.ndarray | None = None
    sB: np.ndarray | None = None
    VBt: np.ndarray | None = None
    beta: np.ndarray | None = None
    dual: object = None

    def offer(self, smooth: GroupedSmooth, ev: GroupedEvaluation, value: float, u, B, UB, sB, VBt) -> None:
        if value < self.value:
            self.value, self.u, self.B, self.UB, self.sB, self.VBt, self.beta = value, u, B, UB, sB, VBt, ev.beta
        bound = smooth.lower_bound(ev)
        self.certificates += 1
        if bound.value > self.lower:
            self.lower, self.candidate, self.lower_magnitude, self.dual = (bound.value, bound.candidate,
                                                                           bound.magnitude, bound)
        self.grad_norm_ratio = bound.grad_norm_ratio

    def floor(self, C: int) -> float:
        """:func:`rounding_floor` times the cancellation ratio of the dual sum."""
        return rounding_floor(C) * max(1.0, self.lower_magnitude / max(abs(self.value), 1e-300))


# ---------------------------------------------------------------- proximal gradient
def prox(smooth: GroupedSmooth, u, B, grad_u, grad_B, step: float):
    r""":math:`\operatorname{prox}_{t\lambda\|\cdot\|_*}((u, B) - t\nabla)`: ``(u+, B+, U_B, s_B, V_B^T)``."""
    v = u - step * grad_u
    u_n = np.where(smooth.active, np.sign(v) * np.maximum(np.abs(v) - step * smooth.lam, 0.0), 0.0)
    B_n, sB, UB, VBt = singular_value_threshold(B - step * grad_B, step * smooth.lam)
    return u_n, B_n, UB, sB, VBt


def prox_step(smooth: GroupedSmooth, u, B, ev: GroupedEvaluation, step: float):
    r"""One prox-gradient step with backtracking (the dense solver's acceptance tests, in the metric).
    Returns ``(u+, B+, U_B, s_B, V_B^T, ev+, F(u+, B+), t)``."""
    while True:
        u_n, B_n, UB, sB, VBt = prox(smooth, u, B, ev.perp, ev.core, step)
        ev_n = smooth.evaluate(u_n, B_n, ev.beta)
        du, dB = u_n - u, B_n - B
        dd = smooth.inner(du, dB, du, dB)
        model = smooth.inner(ev.perp, ev.core, du, dB) + dd / (2.0 * step)
        rounding = 8.0 * _EPS * (abs(ev.value) + abs(ev_n.value))
        if (dd == 0.0 or ev_n.value - ev.value <= model + rounding
                or smooth.inner(ev_n.perp - ev.perp, ev_n.core - ev.core, du, dB) <= dd / (2.0 * step)):
            return u_n, B_n, UB, sB, VBt, ev_n, ev_n.value + smooth.penalty(u_n, sB), step
        step *= _STEP_SHRINK


def certify_at(smooth: GroupedSmooth, best: Best, u, B, beta) -> None:
    """Certificate at (u, B): one prox-gradient step with t = 1/L, the primal value and dual bound there."""
    ev = smooth.evaluate(u, B, beta)
    u_n, B_n, UB, sB, VBt, ev_n, F_n, _ = prox_step(smooth, u, B, ev, 1.0 / smooth.lipschitz)
    best.offer(smooth, ev_n, F_n, u_n, B_n, UB, sB, VBt)


def apg_phase(smooth: GroupedSmooth, u, B, beta, best: Best, tol: float, budget: int, clock: Clock, log) -> Outcome:
    r"""FISTA with adaptive steps and restarts (the dense solver's step 2), every step certified."""
    step = 1.0 / smooth.lipschitz
    u_prev, B_prev = u, B
    theta, F_prev = 1.0, math.inf
    window = StallWindow(best.rel_gap())
    ev_X = None
    it = 0
    C = smooth.C
    while it < budget:
        it += 1
        theta_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
        momentum = (theta - 1.0) / theta_next
        if momentum > 0.0:
            uY, BY = u + momentum * (u - u_prev), B + momentum * (B - B_prev)
            ev_Y = smooth.evaluate(uY, BY, beta)
        else:
            uY, BY = u, B
            ev_Y = ev_X if ev_X is not None else smooth.evaluate(u, B, beta)
        u_n, B_n, UB, sB, VBt, ev_n, F_n, step = prox_step(smooth, uY, BY, ev_Y, step)
        best.offer(smooth, ev_n, F_n, u_n, B_n, UB, sB, VBt)
        restart = smooth.inner(uY - u_n, BY - B_n, u_n - u, B_n - B) > 0.0 or F_n > F_prev
        theta = 1.0 if restart else theta_next
        u_prev, B_prev, u, B, beta, ev_X, F_prev = u, B, u_n, B_n, ev_n.beta, ev_n, F_n
        step *= _STEP_GROW
        gap, target = best.rel_gap(), max(tol, best.floor(C))
        if log is not None and (it <= 3 or it % 50 == 0 or gap <= target):
            log(f"apg it={it:5d} F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} "
                f"step*L={step * smooth.lipschitz:.3g}")
        reason = apg_stop(it, gap, target, clock, window)
        if reason is not None:
            return Outcome(it, reason)
    return Outcome(it, "max_iter")


# ------------------------------------------------------------------- factored phase
class Factored:
    r"""The factored objective on :math:`v = (p, q, P, Q, \tilde\beta)` (module doc).

    Bias: :math:`\beta_h = s\tilde\beta_h/\sqrt{m_h}`, so :math:`\|\tilde\beta\| = \|b\|/s` with the dense solver's
    preconditioner :math:`s = N^{-1/8}\min(1, \sqrt{10\lambda/\lambda_b})` (measured there).
    """

    def __init__(self, smooth: GroupedSmooth):
        self.smooth = smooth
        self.C = smooth.C
        self.idx = np.flatnonzero(smooth.active)
        self.Ca = int(self.idx.size)
        self.size = self.C * self.C
        self.has_bias = smooth.bias != "none"
        bias_weight = math.sqrt(10.0 * smooth.lam / smooth.lambda_b) if smooth.lambda_b > 0 else 1.0
        self.beta_unit = smooth.N**-0.125 * min(1.0, bias_weight) / smooth.sqrt_m
        self.evaluations = 0

    def pack(self, p, q, P, Q, beta) -> np.ndarray:
        parts = [p, q, P.ravel(), Q.ravel()]
        if self.has_bias:
            parts.append((np.zeros(self.C) if beta is None else beta) / self.beta_unit)
        return np.concatenate(parts)

    def unpack(self, v):
        Ca, C, size = self.Ca, self.C, self.size
        p, q = v[:Ca], v[Ca : 2 * Ca]
        P = v[2 * Ca : 2 * Ca + size].reshape(C, C)
        Q = v[2 * Ca + size : 2 * Ca + 2 * size].reshape(C, C)
        beta = v[2 * Ca + 2 * size :] * self.beta_unit if self.has_bias else np.zeros(C)
        return p, q, P, Q, beta

    def point(self, v):
        """``(u, B, beta)`` of a parameter vector."""
        p, q, P, Q, beta = self.unpack(v)
        u = np.zeros(self.C)
        u[self.idx] = p * q / self.smooth.perp_weight[self.idx]
        return u, P @ Q.T, beta

    def __call__(self, v):
        self.evaluations += 1
        lam = self.smooth.lam
        p, q, P, Q, beta = self.unpack(v)
        u, B, _ = self.point(v)
        value, perp, core, grad_beta, _, _ = self.smooth.joint(u, B, beta)
        value += 0.5 * lam * (float(p @ p) + float(q @ q) + float(np.sum(P * P)) + float(np.sum(Q * Q)))
        g = perp[self.idx]
        parts = [g * q + lam * p, g * p + lam * q, (core @ Q + lam * P).ravel(), (core.T @ P + lam * Q).ravel()]
        if self.has_bias:
            parts.append(grad_beta * self.beta_unit)
        return value, np.concatenate(parts)


def factored_phase(smooth: GroupedSmooth, u0, B0, beta0, best: Best, tol: float, budget: int, clock: Clock, log,
                   seed: int) -> Outcome:
    """L-BFGS on the factored objective from balanced factors of (u0, B0) plus a small seeded perturbation
    (so that null directions, a saddle of the factored objective, are not invariant), with certificates at the
    dense solver's checkpoints."""
    objective = Factored(smooth)
    C, idx = smooth.C, objective.idx
    U, s, Vt = np.linalg.svd(B0)
    root = np.sqrt(s)
    p = np.sqrt(smooth.perp_weight[idx] * np.abs(u0[idx]))
    q = np.sign(u0[idx]) * p
    rng = np.random.default_rng(seed)
    top = max(float(root.max()) if root.size else 0.0, float(p.max()) if p.size else 0.0)
    jitter = 1e-3 * max(top, math.sqrt(smooth.lam * smooth.N), 1e-8)
    P = U * root + jitter * rng.standard_normal((C, C))
    Q = Vt.T * root + jitter * rng.standard_normal((C, C))
    p = p + jitter * rng.standard_normal(p.size)
    q = q + jitter * rng.standard_normal(q.size)
    state = {"next": None, "since": 0, "period": 200, "reason": ""}

    def certify(v, gnorm):
        u, B, beta = objective.point(v)
        certify_at(smooth, best, u, B, beta if objective.has_bias else None)
        gap = best.rel_gap()
        if log is not None:
            log(f"factored: certificate F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} |grad|={gnorm:.3e}")
        if gap <= max(tol, best.floor(C)):
            return True
        ratio = (best.value - best.lower) / max(gnorm, 1e-300)  # the gap is about proportional to |grad|
        target = max(tol, best.floor(C)) * abs(best.value) / max(ratio, 1e-300)
        state["next"] = min(0.1 * gnorm, max(target, 10.0**-1.5 * gnorm))
        state["since"] = 0
        return False

    def on_iteration(v, f, g, it):
        gnorm = float(np.linalg.norm(g))
        if state["next"] is None:
            state["next"] = 1e-4 * gnorm
        state["since"] += 1
        if clock.expired():
            state["reason"] = "time_limit"
            return True
        if gnorm <= state["next"] or state["since"] >= state["period"]:
            if state["since"] >= state["period"]:
                state["period"] *= 2
            if certify(v, gnorm):
                state["reason"] = "converged"
                return True
        return False

    v, f, g, iterations, reason = lbfgs_minimize(objective, objective.pack(p, q, P, Q, beta0), _LBFGS_MEMORY, budget,
                                                 on_iteration)
    if reason == "callback":
        reason = state["reason"]
    elif certify(v, float(np.linalg.norm(g))):  # final certificate at the stalled / last point
        reason = "converged"
    if log is not None:
        log(f"factored phase: {iterations} L-BFGS iterations, {objective.evaluations} evaluations, stop: {reason}")
    return Outcome(iterations, reason)
