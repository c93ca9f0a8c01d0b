r"""The two-cluster LPM optimum by a multiplier search on the penalised reduction (catalogue §6, derived).

For a multiplier μ the penalised reduction :math:`P_\mu` (:class:`~.two_cluster.Penalized`, bounds
:math:`s_A, s_B, q \ge 0`) is minimised by projected Newton (:func:`~.newton.penalized_solve`, warm-started); μ is
found by Brent's method in log μ so that the budget holds with equality, :math:`\|Z\|_* = K\sqrt{E_WE_H}` (the
budget used decreases in μ).  The resulting Z meets the budget to root-finding accuracy (measured
:math:`|\|Z\|_*/\rho - 1| \le 4.7\times10^{-14}` over 300 random instances); scaling it into the budget changes the
objective by at most :math:`\mu\rho\cdot 5\times10^{-14}`, far below the engine's value-refutation margin
(relative 1e-9), so its objective stands for that of a feasible point of the LPM.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.sources.fang.newton import penalized_solve
from nctheory.claims.sources.fang.two_cluster import Penalized, TwoClusterLPM


def check_two_cluster_args(K_A, K_B, R, ewh) -> None:
    """ValueError naming the first invalid argument of a two-cluster instance."""
    for name, v in (("K_A", K_A), ("K_B", K_B)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: must be an integer >= 1, got {v!r}")
    if K_A + K_B < 2:
        raise ValueError("K_B: need K_A + K_B >= 2 classes")
    if isinstance(R, bool) or not (math.isfinite(R) and R > 0):
        raise ValueError(f"R: must be a finite ratio > 0, got {R!r}")
    if isinstance(ewh, bool) or not (math.isfinite(ewh) and ewh > 0):
        raise ValueError(f"ewh: E_W*E_H must be a finite number > 0, got {ewh!r}")


def fixed_mask(K_A, K_B, collapsed):
    """Entries of (s_A, s_B, q, φ) held at 0: a one-class cluster has no within-cluster part; collapsed: s_B = 0."""
    return np.array([K_A == 1, K_B == 1 or collapsed, False, False])


def two_cluster_lpm(K_A: int, K_B: int, R: float, ewh: float) -> TwoClusterLPM:
    r"""Solve the symmetric two-cluster LPM reduction (module doc) to ~1e-13.

    Parameters
    ----------
    K_A, K_B : int
        Classes per cluster (>= 1 each, K_A + K_B >= 2).
    R : float
        :math:`n_A/n_B > 0` (real: the problem depends on the sizes only through :math:`\pi`).
    ewh : float
        :math:`E_WE_H > 0`.

    Notes
    -----
    For a multiplier μ the penalised problem :math:`P_\mu` (bounds :math:`s_A, s_B, q \ge 0`) is solved by
    projected Newton (warm-started); μ is found by Brent's method in log μ so that the budget holds with
    equality, :math:`\|Z\|_* = K\sqrt{E_WE_H}` (the budget used decreases in μ).
    """
    check_two_cluster_args(K_A, K_B, R, ewh)
    pen = Penalized(K_A, K_B, R)
    rho = pen.K * math.sqrt(ewh)
    fixed = fixed_mask(K_A, K_B, False)
    state = {"x": None}

    def excess(log_mu: float) -> float:
        x, _ = penalized_solve(pen, math.exp(log_mu), fixed, state["x"])
        state["x"] = x
        return pen.nuc(x) / rho - 1.0

    lo = math.log(pen.wB / pen.K_B)  # pi_B: the natural scale of mu
    while excess(lo) < 0:
        lo -= 1.0
    hi = lo + 1.0
    while excess(hi) > 0:
        lo, hi = hi, hi + 1.0
    log_mu = brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=300)
    mu = math.exp(log_mu)
    x, pg = penalized_solve(pen, mu, fixed, state["x"])
    F, _ = pen.loss(x)
    s_A, s_B, alpha, t = pen.params(x)
    return TwoClusterLPM(int(K_A), int(K_B), float(R), float(ewh), float(s_A), float(s_B), float(alpha),
                         float(t), mu, float(F), pg)

