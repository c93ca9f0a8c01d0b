r"""More classes than dimensions (d < K − 1): the balanced CE UFM in the plane (d = 2), derived here.

With d < K − 1 the simplex ETF (rank K − 1) is infeasible, R2 is only a relaxation (the certified solver returns
status ``"relaxation"`` and its value is a rigorous *lower bound*), and the model is nonconvex: the rank of
:math:`\bar Z D^{1/2}` is constrained to ≤ d.

Ansatz [derived] for d = 2, balanced (n per class), depth 1, no bias: the regular K-gon,
:math:`w_k \propto \bar h_k \propto (\cos(2\pi k/K), \sin(2\pi k/K))`, i.e. :math:`\bar Z = aC` with
:math:`C_{jk} = \cos(2\pi(j-k)/K)`.  C is circulant, :math:`C = \frac12(ff^* + \bar f\bar f^*)` with
:math:`f_j = e^{2\pi ij/K}` and :math:`f^*\bar f = \sum_j e^{4\pi ij/K} = 0` (K ≥ 3), so C is PSD of rank 2 with both
nonzero eigenvalues K/2, and :math:`\|Y\|_* = a\sqrt n\,K` for :math:`Y = \sqrt n\bar Z`.  With
:math:`\delta_j = 1 - \cos(2\pi j/K)` the reduced objective is

.. math::

    E(a) = \log\sum_{j=0}^{K-1}e^{-a\delta_j} + Ks\,a,\qquad s = \sqrt{n\lambda_W\lambda_H},

convex (log-sum-exp of linear functions plus a linear term), with :math:`E'(0) = -\frac1K\sum_j\delta_j + Ks = Ks - 1`
(:math:`\sum_j\cos(2\pi j/K) = 0`).  So **the zero solution sets in at Ks ≥ 1, the same threshold as the ETF**
(Zhu et al.), and otherwise a* > 0 solves :math:`\sum_j\delta_je^{-a\delta_j}/\sum_je^{-a\delta_j} = Ks` (the softmax-weighted
mean gap equals Ks).  R1 with :math:`(C^2)^{1/2} = C` gives :math:`WW^\top = \sqrt{n\lambda_H/\lambda_W}\,a^*C`,
:math:`\bar H^\top\bar H = \sqrt{\lambda_W/(n\lambda_H)}\,a^*C`: equal norms
:math:`\|w_k\|^2 = \sqrt{n\lambda_H/\lambda_W}a^*`, :math:`\|\bar h_k\|^2 = \sqrt{\lambda_W/(n\lambda_H)}a^*`, and each class sees
the cosines :math:`\cos(2\pi j/K)`, j = 1..K−1 (up to the labelling of the classes).  K = 3 gives the ETF (d = K − 1).

That the K-gon is the global minimiser is the claim (``lowdim/polygon-d2``), checked against the factored solver's
restarts (uncertified) with the relaxation's certified lower bound reported beside it: the gap between the two is
large (the relaxation uses K − 1 dimensions) and proves nothing either way.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.garrod_keating.formulas import best_scale, polygon_gram


def polygon_closed_form(K: int, n: float, lambda_w: float, lambda_h: float) -> dict:
    r"""``a`` (scale of :math:`\bar Z = aC`), ``value``, ``zero``, ``w_sq``, ``h_sq``, ``cosines`` (j = 1..K−1, sorted),
    ``singular_values`` (of :math:`\bar Z`, length K)."""
    s = math.sqrt(n * lambda_w * lambda_h)
    C = polygon_gram(K)
    if K * s >= 1.0:
        a, value = 0.0, math.log(K)
    else:
        a, value = best_scale(C, 1, n, lambda_w, lambda_h)
    sv = np.zeros(K)
    if a > 0:
        sv[:2] = a * K / 2.0
    return {"a": a, "value": value, "zero": bool(a == 0.0),
            "w_sq": math.sqrt(n * lambda_h / lambda_w) * a, "h_sq": math.sqrt(lambda_w / (n * lambda_h)) * a,
            "cosines": np.sort(np.cos(2.0 * np.pi * np.arange(1, K) / K)), "singular_values": sv}


def stationarity_residual(a: float, K: int, s: float) -> float:
    r""":math:`\sum_j\delta_je^{-a\delta_j}/\sum_je^{-a\delta_j} - Ks` (zero at the interior minimiser)."""
    d = 1.0 - np.cos(2.0 * np.pi * np.arange(K) / K)
    w = np.exp(-a * d - np.max(-a * d))
    return float(d @ w / w.sum() - K * s)


__all__ = ["polygon_closed_form", "stationarity_residual"]
