"""Projected Newton for the penalised two-cluster reduction (:class:`~.two_cluster.Penalized`)."""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.fang.two_cluster import Penalized

_IS_BOUNDED = np.array([True, True, True, False])


def active_set(fixed, x, g):
    act = fixed | (_IS_BOUNDED & (x <= 0.0) & (g > 0.0))
    if act[2]:  # no rank-one part: its direction is meaningless
        act = act.copy()
        act[3] = True
    return act


def penalized_solve(pen: Penalized, mu: float, fixed: np.ndarray, x0: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Minimise P_mu over s_A, s_B, q >= 0 (``fixed`` entries held at 0).

    Projected Newton with a Levenberg shift where the (finite-difference) Hessian of the analytic
    gradient is not positive definite, and backtracking; starts from ``x0`` (warm start) or a fixed
    point.  Returns the point and its projected-gradient norm.
    """
    if x0 is None:
        x0 = np.array([1.0, 1.0, 1.0, math.atan(math.sqrt(pen.K_B / pen.K_A))])
    x = np.where(fixed, 0.0, np.asarray(x0, dtype=float))
    if x[2] <= 0.0:
        x = pen.steepest_direction(x)
    val, g = pen.value_grad(x, mu)
    pnorm = float("inf")
    # the gradient's natural scale is mu (the loss gradient balances mu x the budget's coefficients):
    # stop relative to it, so tiny multipliers (huge budgets, saturated CE) are resolved as well
    stop = 1e-14 * min(1.0, mu)
    for _ in range(300):
        act = active_set(fixed, x, g)
        pg = np.where(act, 0.0, g)
        pnorm = float(np.linalg.norm(pg))
        if pnorm < stop:
            break
        free = ~act
        h = 1e-6
        Hm = np.zeros((4, 4))
        for i in np.flatnonzero(free):
            e = np.zeros(4)
            e[i] = h
            Hm[:, i] = (pen.value_grad(x + e, mu)[1] - pen.value_grad(x - e, mu)[1]) / (2 * h)
        Hf = 0.5 * (Hm + Hm.T)[np.ix_(free, free)]
        # Jacobi scaling before the definiteness test: the curvatures differ by many orders of magnitude at large K
        # (s_A carries ~1/K_A of the loss, q ~ 1/K^2), and an unscaled Levenberg shift sized by the largest one
        # would freeze the smallest (measured: K = 1e4 stalled with dP/dq = 2.6e-10, 1e-3 of mu's scale)
        dg = np.diag(Hf)
        sc = 1.0 / np.sqrt(np.where(dg > 0, dg, 1.0))
        Hs = sc[:, None] * Hf * sc[None, :]
        ev = np.linalg.eigvalsh(Hs)
        shift = 0.0 if ev[0] > 1e-10 * max(ev[-1], 1e-300) else (1e-8 - ev[0] + 1e-3 * abs(ev[-1]))
        d = -sc * np.linalg.solve(Hs + shift * np.eye(Hs.shape[0]), sc * g[free])
        if not np.all(np.isfinite(d)) or d @ g[free] >= 0:
            d = -g[free]
        step = np.zeros(4)
        step[free] = d
        a, moved = 1.0, False
        while a >= 1e-14:
            xn = x + a * step
            xn[_IS_BOUNDED] = np.maximum(xn[_IS_BOUNDED], 0.0)
            if xn[2] <= 0.0:
                xn = pen.steepest_direction(xn)
            vn, gn = pen.value_grad(xn, mu)
            if vn < val or (vn <= val + 1e-15 * max(1.0, abs(val))
                            and np.linalg.norm(np.where(active_set(fixed, xn, gn), 0.0, gn)) < pnorm):
                moved = True
                break
            a *= 0.5
        if not moved:
            break
        x, val, g = xn, vn, gn
    act = active_set(fixed, x, g)
    return x, float(np.linalg.norm(np.where(act, 0.0, g)))

