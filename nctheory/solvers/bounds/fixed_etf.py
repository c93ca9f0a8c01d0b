r"""Fenchel dual bound for the fixed simplex-ETF classifier (Yang et al., catalogue §5).

Model
-----
The classifier is fixed, :math:`W^* \in \mathbb R^{K\times d}` with
:math:`W^*W^{*\top} = E_W\frac{K}{K-1}S` (:math:`S = I - J/K`; rows of norm :math:`\sqrt{E_W}`, ``e_w``
defaults to 1); only the features (and a bias) are optimised:

.. math::

    F = \frac1N\sum_{k,i}\ell(W^*h_{k,i} + b, k) + \text{(penalty)} + \text{(bias penalty)},

under ``constraint`` per-sample :math:`\|h_{k,i}\|^2 \le E_H`, average
:math:`\frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H`, or the penalty
:math:`\frac{\lambda_H}2\sum_{k,i}\|h_{k,i}\|^2`.

Reduction (NC1 by Jensen)
-------------------------
W is fixed, so the loss is convex in each :math:`h_{k,i}`: replacing a class's features by their mean
:math:`\bar h_k` does not increase the loss, keeps every constraint (a ball is convex;
:math:`\|\bar h_k\|^2 \le \frac1{n_k}\sum_i\|h_{k,i}\|^2`) and does not increase the penalty.  So the
optimum is that of :math:`\sum_k\pi_k\ell(W^*\bar h_k + b, k)` over class means,
:math:`\pi_k = n_k/N`.

Bound
-----
Fenchel–Young with :math:`u_k \in \operatorname{dom}\ell^*(\cdot, k)`
(:mod:`~nctheory.solvers.bounds.conjugate`) gives

.. math::

    F \ge -\sum_k\pi_k\ell^*(u_k, k) + \text{bias term}(U)
        + \min_{\bar H\ \text{feasible}}\Big[\sum_k g_k^\top\bar h_k + \text{penalty}\Big],
    \qquad g_k = \pi_k W^{*\top}u_k ,

and the inner minimum is explicit (Cauchy–Schwarz):

* per-sample, :math:`\|\bar h_k\| \le \sqrt{E_H}`: :math:`-\sqrt{E_H}\sum_k\|g_k\|`;
* average, :math:`\|\bar H\|_F \le \sqrt{KE_H}`: :math:`-\sqrt{KE_H}\,\|[g_1 \dots g_K]\|_F`;
* penalty :math:`\frac{\lambda_H}2\sum_k n_k\|\bar h_k\|^2`: :math:`-\sum_k\|g_k\|^2/(2\lambda_H n_k)`.

Only the Gram of :math:`W^*` enters: :math:`\|W^{*\top}u\|^2 = E_W\frac K{K-1}\|Su\|^2`, so the bound holds
for every classifier with the ETF Gram (the convex formulation's and the factored solver's ETFs
differ by a rotation) and for every d.

Dual point: :math:`u_k = \nabla\ell(\bar z_k + b, k)` at the answer's mean logits (a point of the
domain: :math:`\ell^*(\nabla\ell(z)) = \nabla\ell(z)^\top z - \ell(z)`), moved onto :math:`U\pi = 0` for a
free bias.  At the optimum the bound is exact (strong duality of this convex problem), and the gap is
second order in the answer's error: the three inner minima are over strictly convex sets or
functions.  For CE the loss term is evaluated in u-space, so the gap stays meaningful *relative* to
tiny objectives (large :math:`E_WE_H`, where F is :math:`10^{-15}` and less).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model.options import Classifier, Constraint, Features
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.conjugate import bias_feasible, dual_value
from nctheory.solvers.bounds.inputs import array, dual_bound_applies
from nctheory.solvers.bounds.rounding import sum_allowance
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="fenchel-dual:fixed-etf",
    description="Fenchel dual bound of the features under the fixed simplex-ETF classifier (dual point from the loss "
                "gradient, feature term minimised in closed form over the norm constraint or penalty)",
    assumes="NC1 by Jensen (the loss is convex in each feature for the fixed classifier, and class averaging keeps "
            "every constraint); nothing about the claim under test",
)


def etf_norms_sq(U: np.ndarray, e_w: float) -> np.ndarray:
    r""":math:`\|W^{*\top}u_k\|^2 = E_W\frac K{K-1}\|Su_k\|^2` for every column of U (module doc)."""
    K = U.shape[0]
    SU = U - U.mean(axis=0)
    return e_w * K / (K - 1.0) * np.einsum("ij,ij->j", SU, SU)


def feature_term(problem, U: np.ndarray) -> float:
    r"""The inner minimum over class means for the problem's constraint (module doc)."""
    pi, e_w = problem.weights, 1.0 if problem.e_w is None else problem.e_w
    g_sq = pi * pi * etf_norms_sq(U, e_w)
    if problem.constraint == Constraint.PER_SAMPLE:
        return -math.sqrt(problem.e_h) * float(np.sqrt(g_sq).sum())
    if problem.constraint == Constraint.AVERAGE:
        return -math.sqrt(problem.K * problem.e_h) * math.sqrt(float(g_sq.sum()))
    return -float(np.sum(g_sq / (2.0 * problem.lambda_h * problem.n)))


def fixed_etf_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a fixed-ETF answer (module doc), or None when it does not apply."""
    if not dual_bound_applies(problem, solution, classifier=Classifier.FIXED_ETF, features=Features.FREE):
        return None
    K = problem.K
    Z = array(solution, "logits_mean", (K, K))
    if Z is None:
        return None
    labels, pi = np.arange(K), problem.weights
    _, Gamma = problem.loss.value_grad(Z, labels)
    U = bias_feasible(problem, Gamma, labels, pi)
    dual = dual_value(problem, U, labels, pi)
    if not dual.finite:
        return None
    feat = feature_term(problem, U)
    value = dual.value + feat
    slack = sum_allowance(dual.magnitude + abs(feat), dual.count + 2 * K)
    return value - slack, CERTIFICATE


register_bound("convex:fixed-etf", fixed_etf_bound)
register_bound("factored", fixed_etf_bound)

__all__ = ["fixed_etf_bound", "feature_term", "etf_norms_sq", "CERTIFICATE"]
