r"""The best ETF-structured point of the balanced deep linear CE model (the claim ``dang2023/ce-etf-deep``).

Balanced (n per class), no bias, depth M.  Among points with :math:`W\bar H = aS` (P = W_M⋯W_1 in place of W),
the cheapest factorisation costs the R3 quasi-norm of :math:`Y = \sqrt n\,aS`, whose K−1 singular values are
:math:`\sqrt n\,a`; so the best ETF-structured objective is :math:`\min_{a\ge0}E_M(a)` with

.. math::

    E_M(a) = \log(1 + (K-1)e^{-a}) + \kappa\,a^{2/(M+1)},\qquad
    \kappa = \tfrac{M+1}{2}(\lambda_H\lambda_W^M)^{1/(M+1)}(K-1)\,n^{1/(M+1)} .

It is the objective of a feasible point (balanced layers :math:`W_i = \alpha UU^\top`,
:math:`\bar H = (\eta/\sqrt n)UU^\top`, U a basis of :math:`\mathbf 1^\perp`, with :math:`\alpha^M\eta = \sqrt n\,a`
and :math:`\lambda_W\alpha^2 = \lambda_H\eta^2`).  At M = 1 it is Zhu et al.'s reduced objective
(:func:`~nctheory.claims.sources.zhu.formulas.zhu_closed_form`).  Measured instance refuting "the ETF is
global" (K = 4, n = 5, λ = 1e-2, M = 3): best ETF objective 0.220633 at a = 4.9858, factored solves reach
0.201427 with a rank-2 :math:`W\bar H` (consistent with Garrod & Keating, arXiv 2410.23169).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.model import Problem


def etf_kappa(K: int, M: int, n: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`\kappa = \tfrac{M+1}2(\lambda_H\lambda_W^M)^{1/(M+1)}(K-1)n^{1/(M+1)}`."""
    return (M + 1) / 2.0 * (lambda_h * lambda_w**M) ** (1.0 / (M + 1)) * (K - 1) * n ** (1.0 / (M + 1))


def etf_objective_value(a, K: int, M: int, n: float, lambda_w: float, lambda_h: float):
    r""":math:`E_M(a) = \log(1 + (K-1)e^{-a}) + \kappa a^{2/(M+1)}` (module doc), vectorised in a."""
    a = np.asarray(a, dtype=np.float64)
    return np.logaddexp(0.0, math.log(K - 1) - a) + etf_kappa(K, M, n, lambda_w, lambda_h) * a ** (2.0 / (M + 1))


def etf_objective(a, problem: Problem):
    """:func:`etf_objective_value` for a balanced ``problem``."""
    return etf_objective_value(a, problem.K, problem.depth, problem.sizes[0], problem.lambda_w, problem.lambda_h)


def best_etf_scale(problem: Problem) -> tuple[float, float]:
    r"""The global minimiser :math:`a^* \ge 0` of :func:`etf_objective` and its value.

    With :math:`p = 2/(M+1)`, :math:`E'(a) = -1/(1 + e^a/(K-1)) + \kappa p\,a^{p-1}`: interior stationary points
    solve :math:`\kappa p\,h(a) = 1` with :math:`h(a) = a^{p-1}(1 + e^a/(K-1))`.  :math:`\log h` is convex
    (p <= 1), so h is unimodal: at most two roots, the right one the local minimum; the answer is the better of
    it and a = 0 (value log K).
    """
    K, M = problem.K, problem.depth
    p = 2.0 / (M + 1)
    kappa = etf_kappa(K, M, problem.sizes[0], problem.lambda_w, problem.lambda_h)
    log_km1 = math.log(K - 1)

    def log_h(a):  # log(a^(p-1) (1 + e^a/(K-1))), stable for large a
        return (p - 1.0) * math.log(a) + float(np.logaddexp(0.0, a - log_km1))

    target = -math.log(kappa * p)  # root of log_h(a) = target
    if p == 1.0:  # M = 1: h(a) = 1 + e^a/(K-1) increases; a root exists iff h(0) < 1/kappa
        a_min = 0.0
        if float(np.logaddexp(0.0, -log_km1)) >= target:
            return 0.0, math.log(K)
    else:
        # d/da log h = (p-1)/a + 1/(1 + (K-1)e^{-a}) increases from -inf to 1
        dlog = lambda a: (p - 1.0) / a + 1.0 / (1.0 + (K - 1) * math.exp(-a))  # noqa: E731
        hi = 1.0
        while dlog(hi) <= 0:
            hi *= 2.0
        a_min = brentq(dlog, 1e-12, hi, xtol=1e-15, rtol=1e-15)  # dlog(1e-12) ~ (p-1)·1e12 < 0
        if log_h(a_min) >= target:
            return 0.0, math.log(K)
    hi = max(1.0, 2.0 * a_min)
    while log_h(hi) < target:
        hi *= 2.0
    g = (lambda a: float(np.logaddexp(0.0, a - log_km1)) - target) if p == 1.0 else (lambda a: log_h(a) - target)
    a_star = brentq(g, a_min, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    value = float(etf_objective(a_star, problem))
    if value >= math.log(K):
        return 0.0, math.log(K)
    return a_star, value
