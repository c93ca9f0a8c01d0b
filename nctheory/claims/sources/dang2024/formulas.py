r"""Dang et al. 2024's closed forms for CE with ReLU (non-negative) features (catalogue §4), canonical convention.

UFM with CE, no bias, :math:`H \ge 0`, d >= K.  Constants

.. math::

    C = \sqrt{\frac{K\lambda_H}{(K-1)\lambda_W}},\qquad \tau = \frac{KN^2\lambda_W\lambda_H}{K-1}.

Claimed minimiser: NC1; non-negative, mutually orthogonal class means; margins
:math:`t_k = \log\big((K-1)[\sqrt{n_k}/(N\sqrt{(K-1)\lambda_W\lambda_H/K}) - 1]\big)` if :math:`n_k > \tau`, else 0;
:math:`W\bar H = S\operatorname{diag}(t)`, :math:`\|\bar h_k\|^2 = \sqrt{(K-1)\lambda_W/(K\lambda_Hn_k)}\,t_k`,
:math:`W = C\,SD^{1/2}\bar H^\top`.

The predicted value, derived: for orthogonal means of norms :math:`\rho_k` and :math:`W\bar H = S\operatorname{diag}(t)`
the cheapest W has :math:`\|W\|_F^2 = \frac{K-1}K\sum_k t_k^2/\rho_k^2`; minimising the penalties over
:math:`\rho_k` leaves per class :math:`\frac{n_k}N\log(1 + (K-1)e^{-t_k}) + t_k\sqrt{\lambda_W\lambda_Hn_k(K-1)/K}`,
whose minimiser is :math:`t_k` above.  The sum over classes is the objective of the explicit point with
disjoint-support means of the predicted norms and :math:`W = C\,SD^{1/2}\bar H^\top` (feasible: H̄ >= 0, d >= K),
so a lower solve refutes it.

Angles (:math:`q_k = \sqrt{n_k}t_k`, :math:`Q = \sum q`, :math:`a_k = (K^2-2K)q_k + Q`): from
:math:`WW^\top = C\,S\operatorname{diag}(q)S`, :math:`\|w_k\|^2 = (C/K^2)a_k`,
:math:`\cos(w_i,w_j) = (Q - K(q_i+q_j))/\sqrt{a_ia_j}`, :math:`\cos(w_j,\bar h_k) = (K\delta_{jk}-1)\sqrt{q_k}/\sqrt{a_j}`.

The authors' code uses another constant in the margin (catalogue §9: N(λ_W/2)√((K−1)/K) where §4 gives
N√(λ_Wλ_H)√((K−1)/K)); no variant is provided here.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.geometry import centering
from nctheory.model import Problem


def classifier_constant(K: int, lambda_w: float, lambda_h: float) -> float:
    r""":math:`C = \sqrt{K\lambda_H/((K-1)\lambda_W)}`."""
    return math.sqrt(K * lambda_h / ((K - 1) * lambda_w))


def collapse_threshold(K: int, N: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`\tau = KN^2\lambda_W\lambda_H/(K-1)`: class k collapses iff :math:`n_k \le \tau`."""
    return K * N**2 * lambda_w * lambda_h / (K - 1)


def constants(problem: Problem) -> tuple[float, float]:
    r"""``(C, tau)`` for ``problem``."""
    return (classifier_constant(problem.K, problem.lambda_w, problem.lambda_h),
            collapse_threshold(problem.K, problem.N, problem.lambda_w, problem.lambda_h))


def margin_alive(K: int, N: float, n_k, lambda_w: float, lambda_h: float):
    r""":math:`\log((K-1)[\sqrt{n_k}/(N\sqrt{(K-1)\lambda_W\lambda_H/K}) - 1])`, the margin of a class with n_k > τ."""
    ratio = np.sqrt(n_k) / (N * math.sqrt((K - 1) * lambda_w * lambda_h / K))
    return np.log((K - 1) * (ratio - 1.0))


def margins(problem: Problem) -> np.ndarray:
    r"""Margins :math:`t_k` (module doc): :func:`margin_alive` for :math:`n_k > \tau`, else 0."""
    _, tau = constants(problem)
    n = problem.n
    t = np.zeros(problem.K)
    alive = n > tau
    t[alive] = margin_alive(problem.K, problem.N, n[alive], problem.lambda_w, problem.lambda_h)
    return t


def class_objective_value(t, K: int, N: float, n_k, lambda_w: float, lambda_h: float):
    r""":math:`\frac{n_k}N\log(1+(K-1)e^{-t_k}) + t_k\sqrt{\lambda_W\lambda_Hn_k(K-1)/K}`."""
    t = np.asarray(t, dtype=np.float64)
    ce = np.logaddexp(0.0, math.log(K - 1) - t)
    return n_k / N * ce + t * np.sqrt(lambda_w * lambda_h * n_k * (K - 1) / K)


def class_objective(t, problem: Problem) -> np.ndarray:
    """:func:`class_objective_value` for every class of ``problem``."""
    return class_objective_value(t, problem.K, problem.N, problem.n, problem.lambda_w, problem.lambda_h)


def mean_sq_norm(t, K: int, n_k, lambda_w: float, lambda_h: float):
    r""":math:`\|\bar h_k\|^2 = \sqrt{(K-1)\lambda_W/(K\lambda_Hn_k)}\,t_k`."""
    return np.sqrt((K - 1) * lambda_w / (K * lambda_h * n_k)) * t


def classifier_sq_norm(q_k, Q, K: int, C: float):
    r""":math:`\|w_k\|^2 = (C/K^2)((K^2-2K)q_k + Q)`."""
    return C / K**2 * ((K**2 - 2 * K) * q_k + Q)


def classifier_cosine(q_i, q_j, Q, K: int):
    r""":math:`\cos(w_i, w_j) = (Q - K(q_i+q_j))/\sqrt{a_ia_j}`, :math:`a_k = (K^2-2K)q_k + Q` (broadcasts)."""
    a_i = (K**2 - 2 * K) * q_i + Q
    a_j = (K**2 - 2 * K) * q_j + Q
    return (Q - K * (q_i + q_j)) / np.sqrt(a_i * a_j)


def classifier_mean_cosine(delta, q_j, q_k, Q, K: int):
    r""":math:`\cos(w_j, \bar h_k) = (K\delta_{jk} - 1)\sqrt{q_k}/\sqrt{(K^2-2K)q_j + Q}` (broadcasts)."""
    return (K * delta - 1.0) * np.sqrt(q_k) / np.sqrt((K**2 - 2 * K) * q_j + Q)


def relu_quantities(problem: Problem) -> dict:
    r"""Every predicted quantity of the three ReLU claims (module doc).

    ``margins``, ``collapsed`` (:math:`n_k \le \tau`), ``global_collapse``, ``h_norm_sq``, ``gram_HH`` (diagonal),
    ``logits_mean`` (:math:`S\operatorname{diag}(t)`), ``gram_WW`` (:math:`C\,S\operatorname{diag}(q)S`),
    ``w_norm_sq``, ``classifier_residual`` (0), ``objective``; unless globally collapsed also ``cos_ww``,
    ``cos_wh`` (columns: non-collapsed classes), ``h_norm_ratio`` (:math:`\|\bar h_k\|^2/\max_j\|\bar h_j\|^2`);
    with collapsed classes ``collapsed_classifier_residual`` (0) and, with two or more,
    ``collapsed_classifier_spread`` (0).  Also ``C`` and ``tau`` (not observed).
    """
    K = problem.K
    C, tau = constants(problem)
    t = margins(problem)
    n = problem.n
    collapsed = t == 0.0
    S = centering(K)
    h_norm_sq = mean_sq_norm(t, K, n, problem.lambda_w, problem.lambda_h)
    q = np.sqrt(n) * t
    Q = float(q.sum())
    out = {
        "margins": t,
        "collapsed": collapsed,
        "global_collapse": bool(collapsed.all()),
        "h_norm_sq": h_norm_sq,
        "gram_HH": np.diag(h_norm_sq),
        "logits_mean": S * t[None, :],
        "gram_WW": C * (S * q[None, :]) @ S,
        "w_norm_sq": classifier_sq_norm(q, Q, K, C),
        "classifier_residual": 0.0,
        "objective": float(class_objective(t, problem).sum()),
        "C": C,
        "tau": tau,
    }
    if not collapsed.all():
        out["cos_ww"] = classifier_cosine(q[:, None], q[None, :], Q, K)
        np.fill_diagonal(out["cos_ww"], 1.0)
        alive = np.flatnonzero(~collapsed)
        out["cos_wh"] = classifier_mean_cosine(np.eye(K)[:, alive], q[:, None], q[alive][None, :], Q, K)
        out["h_norm_ratio"] = h_norm_sq / h_norm_sq.max()
    if collapsed.any() and not collapsed.all():
        out["collapsed_classifier_residual"] = 0.0
        if collapsed.sum() >= 2:
            out["collapsed_classifier_spread"] = 0.0
    return out
