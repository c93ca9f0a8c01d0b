r"""A rigorous lower bound on :math:`\min_{s \ge 0}\ g(s) = \frac{(s - t)^2}{2N} + c\,s^p` by branch and bound.

Used by :mod:`~nctheory.solvers.bounds.deep_linear_mse` (one such minimum per singular value t of the
targets), with :math:`0 < p \le 1`, :math:`c \ge 0`, :math:`t \ge 0`, N > 0.  No root formula is used: the
stationary points of g solve a polynomial-type equation with up to two roots in (0, t) and a corner at
0, which is exactly where closed forms go wrong (catalogue §3 pitfalls).

Facts used
----------
* For :math:`s > t` both terms exceed their values at t, so the minimum is attained on [0, t].
* On a cell :math:`[a, b] \subseteq [0, t]`, :math:`s^p` is concave (p ≤ 1), so it lies above its chord
  :math:`\ell(s) = a^p + \mu(s - a)`, :math:`\mu = (b^p - a^p)/(b - a)`; hence

  .. math:: \min_{[a,b]} g \;\ge\; L(a, b) = \min_{s\in[a,b]}\Big[\frac{(s - t)^2}{2N} + c\,\ell(s)\Big],

  a convex quadratic minimised in closed form (at :math:`s = t - Nc\mu` clipped to [a, b]).  Its shortfall
  is at most the chord's, :math:`c\max_{[a,b]}(s^p - \ell(s)) = O(w^2)` for a cell of width w, so only
  cells within :math:`O(\sqrt{\text{rtol}})` of a minimiser survive: a handful per round.  (The
  first-order bound :math:`(t - b)^2/(2N) + c\,a^p`, also valid, falls short by :math:`O(w)` and lets
  :math:`\sim 1/\sqrt w` cells survive near an interior minimiser; the larger of the two is used.)

Algorithm: start from 64 equal cells; repeatedly evaluate g at the midpoints of the surviving cells
(the best value found, :math:`g_{\rm best}`, is an upper bound on the minimum), discard every cell with
:math:`L \ge g_{\rm best}(1 - \text{rtol})` and bisect the rest.  The cells always cover [0, t], so
:math:`\min` over all cells ever discarded (or still alive) of L is a lower bound on the minimum; at
termination it is within rtol of :math:`g_{\rm best}`.  The computed L are lowered by a rounding
allowance (:mod:`~nctheory.solvers.bounds.rounding`): the chord's slope loses digits on tiny cells, but
its contribution :math:`\mu(s - a)` is then tiny too, an error of a few ε times :math:`c\,b^p` at most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.bounds.rounding import sum_allowance

#: Default relative accuracy of the bound against the best value found.
RTOL = 1e-13
#: Initial number of cells and the round cap (widths t/64/2^200 are far below float resolution).
INITIAL_CELLS = 64
MAX_ROUNDS = 200


@dataclass(frozen=True)
class ScalarMinimum:
    """Result of :func:`scalar_minimum`.

    Attributes
    ----------
    lower : float
        A rigorous lower bound on the minimum.
    best : float
        The smallest value of g found (an upper bound on the minimum).
    argmin : float
        Where ``best`` was found.
    rounds : int
    """

    lower: float
    best: float
    argmin: float
    rounds: int


def _check(name, value, positive=False):
    v = float(value)
    if not math.isfinite(v) or v < 0 or (positive and v <= 0):
        raise ValueError(f"{name}: must be finite and {'> 0' if positive else '>= 0'}, got {value!r}")
    return v


def scalar_minimum(t: float, N: float, c: float, p: float, rtol: float = RTOL) -> ScalarMinimum:
    r"""Lower and upper bounds on :math:`\min_{s\ge0} (s - t)^2/(2N) + c s^p` (module doc).

    Parameters
    ----------
    t : float
        Target, :math:`\ge 0`.
    N : float
        > 0.
    c : float
        Weight of the power term, :math:`\ge 0`.
    p : float
        Exponent in (0, 1].
    rtol : float
        Stop when the lower bound is within ``rtol`` (relative) of the best value found.
    """
    t, N, c = _check("t", t), _check("N", N, positive=True), _check("c", c)
    p = float(p)
    if not (0.0 < p <= 1.0):
        raise ValueError(f"p: the exponent must lie in (0, 1], got {p!r}")
    rtol = _check("rtol", rtol, positive=True)
    if t == 0.0 or c == 0.0:
        return ScalarMinimum(0.0, 0.0, t, 0)  # g >= 0 and g(t) = c t^p = 0 here

    def g(s):
        return (s - t) ** 2 / (2.0 * N) + c * s ** p

    def cell_bound(a, b):
        ra, rb = a ** p, b ** p
        width = b - a
        mu = np.where(width > 0, (rb - ra) / np.where(width > 0, width, 1.0), 0.0)
        s = np.clip(t - N * c * mu, a, b)
        chord = (s - t) ** 2 / (2.0 * N) + c * (ra + mu * (s - a))
        return np.maximum(chord, (t - b) ** 2 / (2.0 * N) + c * ra)

    edges = np.linspace(0.0, t, INITIAL_CELLS + 1)
    a, b = edges[:-1], edges[1:]
    values = g(edges)
    i = int(np.argmin(values))
    best, argmin = float(values[i]), float(edges[i])
    discarded = math.inf
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        low = cell_bound(a, b)
        keep = low < best * (1.0 - rtol)
        if (~keep).any():
            discarded = min(discarded, float(low[~keep].min()))
        if not keep.any():
            break
        a, b = a[keep], b[keep]
        mid = 0.5 * (a + b)
        vm = g(mid)
        j = int(np.argmin(vm))
        if vm[j] < best:
            best, argmin = float(vm[j]), float(mid[j])
        a, b = np.concatenate([a, mid]), np.concatenate([mid, b])
    else:
        low = cell_bound(a, b)
        discarded = min(discarded, float(low.min()))
    lower = max(discarded - sum_allowance(discarded, 4), 0.0)
    return ScalarMinimum(lower, best, argmin, rounds)
