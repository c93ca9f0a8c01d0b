r"""Spectral lower bound for the deep linear UFM with the squared error (catalogue §1 R3, §3 Dang et al. 2023).

Model
-----
MSE, learned classifier :math:`P = W_M\cdots W_1` (M ≥ 1 layers, each with the penalty
:math:`\frac{\lambda_W}2\|W_i\|_F^2`), free features, penalties, no bias or a free bias:

.. math::

    f = \frac1N\sum_i\tfrac12\|Ph_i + b - e_{y_i}\|^2 + \sum_{i=1}^M\frac{\lambda_W}2\|W_i\|_F^2
        + \frac{\lambda_H}2\|H\|_F^2 .

Derivation of the bound
-----------------------
1. *NC1 (Jensen).*  For fixed layers the loss is convex in each :math:`h_i`, and
   :math:`\sum_i\|h_{k,i}\|^2 \ge n_k\|\bar h_k\|^2`, so f is at least its value at the class means.  There,
   with :math:`X = P\bar HD^{1/2}` (K × K), :math:`\sqrt n = (\sqrt{n_k})_k`, the data term is
   :math:`\frac1{2N}\|X + b\sqrt n^\top - D^{1/2}\|_F^2`.
2. *Factor penalty (R3).*  :math:`X = W_M\cdots W_1(\bar HD^{1/2})` is a product of L = M + 1 factors whose
   weighted squared norms are penalised.  Hölder's inequality for Schatten quasi-norms
   (:math:`\|A_1\cdots A_L\|_{S_{2/L}} \le \prod_i\|A_i\|_F`) and AM–GM give
   :math:`\sum_i\frac{\lambda_i}2\|A_i\|_F^2 \ge c\sum_j\sigma_j(X)^p`, with :math:`p = 2/(M+1)` and
   :math:`c = \frac{M+1}2(\lambda_H\lambda_W^M)^{1/(M+1)}`.
3. *Bias.*  With :math:`u = \sqrt n/\sqrt N` and :math:`R = X - D^{1/2}`, minimising over a free b gives
   :math:`\frac1{2N}\|R(I - \beta uu^\top)\|_F^2` with :math:`\beta = 1` (:math:`\beta = 0`: no bias).
   :math:`M_\beta = I - \beta uu^\top` is a contraction, so with :math:`Y = XM_\beta`,
   :math:`\sigma_j(Y) \le \sigma_j(X)` and :math:`\sum_j\sigma_j(X)^p \ge \sum_j\sigma_j(Y)^p`; the data term is
   :math:`\frac1{2N}\|Y - T\|_F^2` with :math:`T = D^{1/2}M_\beta`.  (A regularized bias can be eliminated the
   same way, :math:`\beta = 1 - \sqrt{\lambda_b/(1+\lambda_b)}`, but then the optimum has :math:`Xu \ne 0` and
   the contraction step loses a fixed amount -- measured 13% on (4, 2, 1) -- so that case is not offered.)
4. *Von Neumann's trace inequality* :math:`\langle Y, T\rangle \le \sum_j\sigma_j(Y)t_j` (both sorted) gives
   :math:`\|Y - T\|_F^2 \ge \sum_j(\sigma_j(Y) - t_j)^2`.  Hence

   .. math::

       f \;\ge\; \sum_{j=1}^K\ \min_{s \ge 0}\Big[\frac{(s - t_j)^2}{2N} + c\,s^p\Big],
       \qquad t_j = \sigma_j(D^{1/2}M_\beta),

   each minimum bounded below rigorously by :mod:`~nctheory.solvers.bounds.scalar_minimum` (no root
   formula).  The bound holds for every d; it is attained (d ≥ K) by X aligned with T with singular
   values at the minimisers, so at a global optimum the gap is the branch-and-bound accuracy.

Rounding: the minimum is increasing in :math:`t_j` (derivative :math:`(t_j - s^*)/N \ge 0`) and in c, so
the computed :math:`t_j` and c are lowered by their rounding margins before the branch and bound.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model.losses.squared_error import SquaredError
from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.inputs import finite_objective, require
from nctheory.solvers.bounds.rounding import EPS, sum_allowance
from nctheory.solvers.bounds.scalar_minimum import RTOL, scalar_minimum
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="spectral:deep-linear-mse",
    description="sum over the singular values t_j of the bias-projected targets of a branch-and-bound lower bound on "
                "min_s (s - t_j)^2/(2N) + c s^(2/(M+1))",
    assumes="NC1 by Jensen (the squared error is convex in each feature for fixed layers), the product inequality "
            "of R3 (Hoelder for Schatten quasi-norms and AM-GM) and von Neumann's trace inequality; nothing about "
            "the claim under test",
)


def bias_shrink(problem) -> float:
    r""":math:`\beta` of step 3 (module doc): 0 without a bias, 1 for a free bias."""
    return 1.0 if problem.bias == Bias.FREE else 0.0


def targets(problem) -> np.ndarray:
    r"""Singular values :math:`t_j` of :math:`T = D^{1/2}(I - \beta uu^\top)`, lowered by their rounding margin."""
    n = problem.n
    root = np.sqrt(n)
    beta = bias_shrink(problem)
    if beta == 0.0:
        t = np.sort(root)[::-1]
        return np.maximum(t * (1.0 - 2.0 * EPS), 0.0)
    u = root / math.sqrt(problem.N)
    T = np.diag(root) - beta * np.outer(root * u, u)
    t = np.linalg.svd(T, compute_uv=False)
    margin = 8.0 * problem.K * EPS * float(np.linalg.norm(T)) + 4.0 * EPS * float(root.max())
    return np.maximum(t - margin, 0.0)


def penalty_constants(problem) -> tuple[float, float]:
    r"""``(c, p)``: :math:`c = \frac{M+1}2(\lambda_H\lambda_W^M)^{1/(M+1)}` (lowered by its rounding margin),
    :math:`p = 2/(M+1)`."""
    M = problem.depth
    log_c = math.log((M + 1) / 2.0) + (math.log(problem.lambda_h) + M * math.log(problem.lambda_w)) / (M + 1)
    c = math.exp(log_c) * (1.0 - 16.0 * (M + 2) * EPS * max(1.0, abs(log_c)))
    return c, 2.0 / (M + 1)


def applies(problem) -> bool:
    return (isinstance(problem.loss, SquaredError) and problem.classifier == Classifier.LEARNED
            and problem.features == Features.FREE and problem.constraint == Constraint.PENALTY
            and problem.bias in (Bias.NONE, Bias.FREE))


def spectral_bound(problem, rtol: float = RTOL) -> float:
    r"""The lower bound of the module doc on the global optimum of ``problem`` (any d)."""
    c, p = penalty_constants(problem)
    N = float(problem.N)
    total = 0.0
    for t in targets(problem):
        total += scalar_minimum(float(t), N, c, p, rtol).lower
    return max(total - sum_allowance(total, problem.K, per_term=0), 0.0)


def deep_linear_mse_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a deep linear MSE answer (module doc), or None when it does not apply."""
    require(problem, solution)
    if not applies(problem) or not finite_objective(solution):
        return None
    return spectral_bound(problem), CERTIFICATE


register_bound("factored", deep_linear_mse_bound)

__all__ = ["deep_linear_mse_bound", "spectral_bound", "targets", "penalty_constants", "bias_shrink", "CERTIFICATE"]
