r"""The exact minority-collapse onset :math:`R_0` of the two-cluster LPM (derived here; catalogue §6, §9).

At :math:`s_B = 0` the loss has :math:`\partial_{s_B}\sum\pi\ell = -\pi_B(K_B-1)` whatever the rest (the minority
loss's slope there is :math:`-(K_B-1)/K_B` for every t), so with μ the multiplier of the nuclear-norm budget the
minority is collapsed iff :math:`\mu \ge \pi_B = 1/(K_AR + K_B)`.  The onset solves :math:`\mu(R) = \pi_B(R)` on
the collapsed branch; Fang et al.'s Theorem 5 states the limit R → ∞.  Sanity values (catalogue §9, not
oracles): :math:`R_0(5, 5, 1) = 1.7354`, :math:`R_0(7, 3, 5) = 4.0005`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.sources.fang.newton import penalized_solve
from nctheory.claims.sources.fang.reduction import check_two_cluster_args, fixed_mask
from nctheory.claims.sources.fang.two_cluster import Penalized


def onset_indicator(K_A: int, K_B: int, R: float, ewh: float) -> float:
    r""":math:`\|Z\|_*/\rho - 1` at the collapsed-branch optimum of :math:`P_{\pi_B}`; >= 0 iff collapsed at R.

    The minority is collapsed iff the budget multiplier :math:`\mu(R) \ge \pi_B(R)`; since the budget used by
    the penalised optimum decreases in μ, that holds iff the optimum of :math:`P_{\pi_B}` with :math:`s_B = 0`
    uses at least the budget ρ.
    """
    return _onset_indicator(K_A, K_B, R, ewh, None)[0]


def _onset_indicator(K_A, K_B, R, ewh, x0):
    """(:func:`onset_indicator`, the collapsed-branch point) from the warm start ``x0``."""
    check_two_cluster_args(K_A, K_B, R, ewh)
    pen = Penalized(K_A, K_B, R)
    rho = pen.K * math.sqrt(ewh)
    x, _ = penalized_solve(pen, pen.wB / pen.K_B, fixed_mask(K_A, K_B, True), x0)
    return pen.nuc(x) / rho - 1.0, x


def predicted_onset(K_A: int, K_B: int, ewh: float, *, R_max: float = 1e12) -> float:
    r"""The exact minority-collapse onset :math:`R_0`: the root of :math:`\mu(R) = \pi_B(R)` (module doc).

    For :math:`R \ge R_0` the minority classifiers (and class means) coincide exactly; for
    :math:`1 \le R < R_0` they are distinct.  Returns ``math.inf`` if still separated at ``R_max``.

    Raises
    ------
    ValueError
        ``K_B`` < 2 (a single minority class cannot collapse onto another).
    """
    if isinstance(K_B, bool) or not isinstance(K_B, (int, np.integer)) or K_B < 2:
        raise ValueError(f"K_B: minority collapse needs at least 2 minority classes, got {K_B!r}")
    state = {"x": None}

    def f(log_R: float) -> float:
        val, state["x"] = _onset_indicator(K_A, K_B, math.exp(log_R), ewh, state["x"])
        return val

    lo = 0.0
    if f(lo) >= 0:  # balanced weights give the ETF for every budget, so this is not expected
        return 1.0
    hi = math.log(2.0)
    while f(hi) < 0:
        lo, hi = hi, hi + math.log(4.0)
        if hi > math.log(R_max):
            return math.inf
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=300))
