r"""Model pieces shared by the formulations: the bias variable and the canonical objective.

Canonical objective (catalogue §0) at a point :math:`(W, H, b)`:

.. math::

    f = \frac1N\sum_i \ell(W h_i + b, y_i)
        + [\text{penalty}]\Big(\frac{\lambda_W}2\|W\|_F^2 + \frac{\lambda_H}2\|H\|_F^2\Big)
        + [\text{regularized}]\ \frac{\lambda_b}2\|b\|^2 .

At collapsed features :math:`h_{k,i} = \bar h_k` the data term is
:math:`\sum_k \pi_k \ell(W\bar h_k + b, k)` and :math:`\|H\|_F^2 = \sum_k n_k\|\bar h_k\|^2`.
The :math:`\lambda_W` term is present only for a learned classifier under
``constraint="penalty"`` (a fixed ETF is not optimised, its penalty would be a
constant and is left out, as in the factored solver); under the layer-peeled
constraints there are no :math:`\lambda_W, \lambda_H` penalties at all.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._losses import loss_value


def bias_variable(problem: Problem, loss):
    r"""The bias variable of ``problem``, its penalty and constraints.

    Returns ``(b, penalty, constraints)``: ``b`` is None without a bias; the penalty
    is :math:`(\lambda_b/2)\|b\|^2` for ``bias="regularized"``.  For a shift-invariant loss (CE)
    with a free bias the loss is invariant to :math:`b \mapsto b + c\mathbf 1`, so the gauge
    :math:`\mathbf 1^\top b = 0` is imposed (it changes no optimal value).
    """
    if problem.bias == "none":
        return None, 0.0, []
    b = cp.Variable(problem.K, name="b")
    if problem.bias == "regularized":
        return b, 0.5 * problem.lambda_b * cp.sum_squares(b), []
    return b, 0.0, ([cp.sum(b) == 0] if loss.shift_invariant else [])


def penalty_value(problem: Problem, W: np.ndarray, feature_sq: float, b: np.ndarray) -> float:
    r"""The non-loss terms of the canonical objective (module doc); ``feature_sq`` = :math:`\|H\|_F^2`."""
    value = 0.0
    if problem.constraint == "penalty":
        value += 0.5 * problem.lambda_h * feature_sq
        if problem.classifier == "learned":
            value += 0.5 * problem.lambda_w * float(np.vdot(W, W))
    if problem.bias == "regularized":
        value += 0.5 * problem.lambda_b * float(b @ b)
    return value


def collapsed_objective(problem: Problem, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray,
                        loss=None) -> float:
    """Canonical objective at :math:`h_{k,i} = \\bar h_k` (module doc); ``loss`` overrides ``problem.loss``."""
    logits = W @ H_mean + b[:, None]
    data = loss_value(logits, np.arange(problem.K), problem.weights, loss or problem.loss)
    feature_sq = float(problem.n @ np.einsum("ij,ij->j", H_mean, H_mean))
    return data + penalty_value(problem, W, feature_sq, b)


def sample_objective(problem: Problem, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> float:
    """Canonical objective with per-sample features ``H`` (d × N, samples in class order)."""
    logits = W @ H + b[:, None]
    data = loss_value(logits, problem.labels, np.full(problem.N, 1.0 / problem.N), problem.loss)
    return data + penalty_value(problem, W, float(np.vdot(H, H)), b)


def class_means(problem: Problem, H: np.ndarray) -> np.ndarray:
    """Class means of per-sample features ``H`` (d × N, samples in class order) as columns."""
    bounds = np.cumsum((0,) + problem.sizes)
    return np.stack([H[:, bounds[k]:bounds[k + 1]].mean(axis=1) for k in range(problem.K)], axis=1)
