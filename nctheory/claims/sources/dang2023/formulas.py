r"""Dang et al. 2023's deep-linear MSE solution in closed form (catalogue §3), canonical convention.

Dang et al. write the feature penalty :math:`\frac{\lambda_H}2\|H\|_F^2` summed over the samples, as the canonical
convention does (catalogue §9), so no conversion applies.  With one :math:`\lambda_W` on every layer the catalogue's
constant :math:`c = \lambda_{W_1}^{M-1}/(\lambda_{W_2}\cdots\lambda_{W_M})` is 1.

Bias-free, any sizes: :math:`PP^\top = \operatorname{diag}(\sigma_k)`,
:math:`\bar H^\top\bar H = \operatorname{diag}(\sigma_k/(\sigma_k+N\lambda_H)^2)`,
:math:`P\bar H = \operatorname{diag}(\sigma_k/(\sigma_k+N\lambda_H))` with :math:`\sigma_k` from
:mod:`~nctheory.claims.sources.dang2023.root`, value
:math:`\sum_k[n_k\lambda_H/(2(\sigma_k+N\lambda_H)) + M\lambda_W s_k^2/2]`, :math:`\sigma_k = c\,s_k^{2M}`.

Why the value is the objective of a feasible point (so a lower solve refutes it): take
:math:`W_i = \operatorname{diag}(s_k)` on the first K coordinates (so :math:`P = \operatorname{diag}(\sqrt{\sigma_k})`,
balanced layers) and :math:`\bar h_k = \sqrt{\sigma_k}/(\sigma_k+N\lambda_H)\,e_k`.  Class k's residual is
:math:`N\lambda_H/(\sigma_k+N\lambda_H)`, so loss and feature penalty give
:math:`\frac{n_k}{2N}\frac{(N\lambda_H)^2}{(\sigma_k+N\lambda_H)^2} + \frac{\lambda_H n_k}2\frac{\sigma_k}{(\sigma_k+N\lambda_H)^2}
= \frac{n_k\lambda_H}{2(\sigma_k+N\lambda_H)}`, and the layers :math:`\frac{\lambda_W}2 M s_k^2`, for any
:math:`\sigma_k \ge 0`.  In the root variable this is :math:`\frac{n_k}{2N}G_{\beta_k}(x_k)`.

Balanced with a free bias: :math:`b^* = \mathbf 1/K`, centred features, every Gram carries
:math:`S = I - J/K` instead of I (the K−1 directions of :math:`\mathbf 1^\perp`, each with the balanced σ); along
:math:`\mathbf 1` the bias fits the target at no cost, so the value is :math:`(K-1)/K` times the bias-free one.
"""

from __future__ import annotations

import numpy as np

from nctheory.claims.sources.dang2023.root import betas, class_sigmas, zero_threshold
from nctheory.geometry import centering
from nctheory.model import Bias, Problem


def class_value(n_k, N, lambda_w, lambda_h, M, sigma):
    r"""Class k's part :math:`n_k\lambda_H/(2(\sigma_k+N\lambda_H)) + M\lambda_W s_k^2/2`, :math:`s_k^2 = \sigma_k^{1/M}`."""
    sigma = np.asarray(sigma, dtype=np.float64)
    return n_k * lambda_h / (2.0 * (sigma + N * lambda_h)) + M * lambda_w * sigma ** (1.0 / M) / 2.0


def mse_optimal_value(problem: Problem, sigma: np.ndarray) -> float:
    r"""The catalogue's value :math:`\sum_k [n_k\lambda_H/(2(\sigma_k+N\lambda_H)) + M\lambda_W s_k^2/2]` (c = 1)."""
    return float(np.sum(class_value(problem.n, problem.N, problem.lambda_w, problem.lambda_h, problem.depth, sigma)))


def mse_quantities(problem: Problem, rule: str = "global") -> dict:
    r"""The predicted MSE quantities (bias-free, or balanced with a free bias; module doc).

    ``zero_class`` (bool per class), ``sigma`` (:math:`\|p_k\|^2`), ``gram_PP``, ``gram_HH``, ``gram_PH``
    (:math:`P\bar H`, no bias), ``logits_mean`` (:math:`P\bar H + b\mathbf 1^\top`), ``objective``, for M >= 2
    ``layer_imbalance`` (0), with a free bias ``bias`` (1/K) and ``feature_mean_norm`` (0); also ``beta`` and
    ``zero_threshold_beta`` (not observed).  ``rule``: see :func:`~.root.class_sigmas`.
    """
    K, N = problem.K, problem.N
    sig = class_sigmas(problem, rule=rule)
    q = {"zero_class": sig == 0.0}
    if problem.bias == Bias.FREE:
        S = centering(K)
        s0 = float(sig[0])  # balanced: every direction of 1-perp has the same sigma
        q["sigma"] = np.full(K, s0 * (K - 1) / K)
        hh, ph = diagonal_grams(s0, N, problem.lambda_h)
        q["gram_PP"] = s0 * S
        q["gram_HH"] = float(hh) * S
        q["gram_PH"] = float(ph) * S
        q["logits_mean"] = q["gram_PH"] + np.full((K, K), 1.0 / K)
        q["bias"] = np.full(K, 1.0 / K)
        q["feature_mean_norm"] = 0.0
        q["objective"] = (K - 1) / K * mse_optimal_value(problem, sig)
    else:
        q["sigma"] = sig.copy()
        q["gram_PP"] = np.diag(sig)
        hh, ph = diagonal_grams(sig, N, problem.lambda_h)
        q["gram_HH"] = np.diag(hh)
        q["gram_PH"] = np.diag(ph)
        q["logits_mean"] = q["gram_PH"].copy()
        q["objective"] = mse_optimal_value(problem, sig)
    if problem.depth >= 2:
        q["layer_imbalance"] = 0.0
    q["beta"] = betas(problem)
    q["zero_threshold_beta"] = zero_threshold(problem.depth)
    return q


def diagonal_grams(sigma, N, lambda_h) -> tuple:
    r""":math:`(\sigma/(\sigma+N\lambda_H)^2,\ \sigma/(\sigma+N\lambda_H))`: the diagonals of H̄ᵀH̄ and PH̄."""
    sigma = np.asarray(sigma, dtype=np.float64)
    return sigma / (sigma + N * lambda_h) ** 2, sigma / (sigma + N * lambda_h)
