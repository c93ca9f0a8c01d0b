r"""Yang et al. 2022's fixed-ETF classifier (catalogue §5): the feature scales at the global minimiser.

The classifier is frozen to a simplex ETF with row norms :math:`\sqrt{E_W}`,
:math:`W^*W^{*\top} = E_W\frac K{K-1}S`; only the features are optimised, and the fixed classifier decouples
the samples.  For :math:`h = c\,w^*_k` the logits are :math:`cE_W` (own class) and :math:`-cE_W/(K-1)`
(others), so the CE is

.. math::

    g(c) = \log\big(1 + (K-1)e^{-\kappa c}\big),\quad \kappa = E_W\frac K{K-1},\quad
    g'(c) = -\frac{KE_W}{e^{\kappa c} + K - 1}.

On a sphere :math:`\|h\| = r` the CE is minimised only at :math:`h \parallel w^*_k` (strictly convex on the range
of :math:`W^{*\top}`, symmetric under the permutations fixing k), so every variant reduces to scalars
:math:`c_k` with :math:`\bar h_k = c_kw^*_k`:

* per-sample budget :math:`\|h_{k,i}\|^2 \le E_H`: active, :math:`c = \sqrt{E_H/E_W}`;
* weight decay :math:`\frac1N\sum\ell + \frac{\lambda_H}2\|H\|^2`: :math:`\frac1Ng'(c) + \lambda_HcE_W = 0`, i.e.
  :math:`\varphi(c) := c(e^{\kappa c} + K - 1) = K/(N\lambda_H)`, one root for every class;
* Fang's average budget :math:`\frac1K\sum_kc_k^2E_W = E_H`: :math:`\pi_kg'(c_k) + \frac{2\mu}Kc_kE_W = 0`, i.e.
  :math:`\varphi(c_k) = \pi_kt` with one multiplier t fixed by the budget; φ increases, so :math:`c_k` increases
  strictly with :math:`n_k`.

Each predicted point is feasible (the budgets hold, with equality where active) and its objective is
:func:`predicted_objective`, so a lower solve refutes the claim.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.geometry import etf_gram
from nctheory.model import Constraint, Problem

#: Row norm² of the fixed ETF when ``Problem.e_w`` is None (see nctheory.model.problem).
DEFAULT_E_W = 1.0


def etf_e_w(problem: Problem) -> float:
    """:math:`E_W` of the fixed classifier (``problem.e_w``, default 1)."""
    return DEFAULT_E_W if problem.e_w is None else float(problem.e_w)


def kappa_of(K: int, e_w: float) -> float:
    r""":math:`\kappa = E_WK/(K-1)`: the own-minus-other logit gap per unit scale c."""
    return e_w * K / (K - 1.0)


def ce_at_scale(c, K: int, e_w: float):
    r""":math:`g(c) = \log(1 + (K-1)e^{-\kappa c})`, the CE of :math:`h = c\,w^*_k`."""
    return np.log1p((K - 1.0) * np.exp(-kappa_of(K, e_w) * np.asarray(c, dtype=float)))


def scale_equation_lhs(c: float, kappa: float, K: int) -> float:
    r""":math:`\varphi(c) = c\,(e^{\kappa c} + K - 1)` (increasing in c >= 0)."""
    return c * (math.exp(kappa * c) + K - 1.0)


def _phi_inverse(y: float, kappa: float, K: int) -> float:
    """The c >= 0 with :math:`\\varphi(c) = y` (y >= 0)."""
    if y <= 0.0:
        return 0.0
    # φ(c) >= Kc, so the root is at most y/K; φ(c) >= c e^{κc} also tightens it when y is huge (keeps exp finite)
    hi = y / K
    if kappa * hi > 700.0:
        hi = min(hi, (math.log(y) + 1.0) / kappa + 1.0)
    return brentq(lambda c: scale_equation_lhs(c, kappa, K) - y, 0.0, hi, xtol=1e-300,
                  rtol=4 * np.finfo(float).eps, maxiter=500)


def per_sample_scale(e_w: float, e_h: float) -> float:
    r"""The per-sample budget's scale :math:`c = \sqrt{E_H/E_W}`."""
    return math.sqrt(e_h / e_w)


def penalty_scale(K: int, N: int, lambda_h: float, e_w: float) -> float:
    r"""The weight-decay scale: the root of :math:`c\,(e^{\kappa c} + K - 1) = K/(N\lambda_H)`."""
    if lambda_h <= 0:
        raise ValueError(f"lambda_h: the penalty variant needs lambda_h > 0, got {lambda_h!r}")
    return _phi_inverse(K / (N * lambda_h), kappa_of(K, e_w), K)


def average_scales(weights, e_w: float, e_h: float) -> np.ndarray:
    r"""The :math:`c_k` of the average budget: :math:`\varphi(c_k) = \pi_kt` with t > 0 such that
    :math:`\frac1K\sum_kc_k^2E_W = E_H` (the budget is active: the loss decreases in every c_k)."""
    pi = np.asarray(weights, dtype=float)
    K = pi.size
    kappa = kappa_of(K, e_w)
    target = K * e_h / e_w  # sum_k c_k^2

    def cs(log_t: float) -> np.ndarray:
        t = math.exp(log_t)
        return np.array([_phi_inverse(p * t, kappa, K) for p in pi])

    def excess(log_t: float) -> float:
        return float(np.sum(cs(log_t) ** 2) - target)

    lo, hi = 0.0, 1.0
    while excess(lo) > 0:
        lo -= 4.0
    while excess(hi) < 0:
        hi += 4.0
    log_t = brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return cs(log_t)


def predicted_scales(problem: Problem) -> np.ndarray:
    r"""Per class, the :math:`c_k` with :math:`\bar h_k = c_kw^*_k` at the global minimiser (any constraint type)."""
    e_w = etf_e_w(problem)
    K = problem.K
    if problem.constraint == Constraint.PER_SAMPLE:
        return np.full(K, per_sample_scale(e_w, problem.e_h))
    if problem.constraint == Constraint.PENALTY:
        return np.full(K, penalty_scale(K, problem.N, problem.lambda_h, e_w))
    return average_scales(problem.weights, e_w, problem.e_h)


def predicted_objective(problem: Problem, c: np.ndarray) -> float:
    r"""Objective at :math:`h_{k,i} = c_kw^*_k`: :math:`\sum_k\pi_kg(c_k)`, plus
    :math:`\frac{\lambda_H}2\sum_kn_kc_k^2E_W` under weight decay.  The fixed classifier's
    :math:`\frac{\lambda_W}2\|W^*\|^2` is not part of it (as in ``convex.solve_fixed_etf``: W is not optimised)."""
    e_w = etf_e_w(problem)
    loss = float(problem.weights @ ce_at_scale(c, problem.K, e_w))
    if problem.constraint == Constraint.PENALTY:
        loss += 0.5 * problem.lambda_h * float(problem.n @ (c * c)) * e_w
    return loss


def predicted_geometry(K: int, e_w: float, c: np.ndarray) -> dict:
    r"""Gauge-invariant quantities of :math:`\bar h_k = c_kw^*_k`: ``gram_HH``, ``logits_mean``
    (:math:`W^*\bar H`), ``h_norms``, ``cos_hw`` (1), ``scale_c``, ``max_within_class_deviation`` (0)."""
    G = etf_gram(K, math.sqrt(e_w))
    return {
        "gram_HH": c[:, None] * G * c[None, :],
        "logits_mean": G * c[None, :],
        "h_norms": c * math.sqrt(e_w),
        "cos_hw": np.ones(K),
        "scale_c": c.copy(),
        "max_within_class_deviation": 0.0,
    }


def dr_loss(projection, e_w: float, e_h: float):
    r"""Dot-regression loss :math:`(w^{*\top}_ch - \sqrt{E_WE_H})^2/(2\sqrt{E_WE_H})` of a projection
    :math:`w^{*\top}_ch`."""
    t = math.sqrt(e_w * e_h)
    return (np.asarray(projection, dtype=float) - t) ** 2 / (2 * t)
