r"""Fenchel dual bound for the UFM over per-sample logits, without assuming NC1.

Model
-----
Learned classifier, depth 1, free features, penalties, any d and any bias:

.. math::

    f(W, H, b) = \frac1N\sum_{i=1}^N\ell(Wh_i + b, y_i) + \frac{\lambda_W}2\|W\|_F^2 + \frac{\lambda_H}2\|H\|_F^2
      + \text{(bias penalty)} .

Bound
-----
By AM–GM and :math:`\|AB\|_* \le \|A\|_F\|B\|_F`,
:math:`\frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\|H\|^2 \ge \lambda\|W\|_F\|H\|_F \ge \lambda\|Z\|_*` with
:math:`Z = WH` (K × N) and :math:`\lambda = \sqrt{\lambda_W\lambda_H}`.  Fenchel–Young with one dual column
:math:`u_i \in \operatorname{dom}\ell^*(\cdot, y_i)` per sample, weights 1/N
(:mod:`~nctheory.solvers.bounds.conjugate`), leaves
:math:`\frac1N\langle U, Z\rangle + \lambda\|Z\|_* \ge (\lambda - \|U/N\|_2)\|Z\|_* \ge 0` whenever
:math:`\|U/N\|_2 \le \lambda`, so

.. math::

    f \ge \mathrm{LB}(U) = -\frac1N\sum_i\ell^*(u_i, y_i) + \text{bias term}(U)
    \qquad\text{for every } U \text{ with } \|U/N\|_2 \le \lambda .

This is the dual of the nuclear-norm problem of :mod:`nctheory.solvers.convex.full_sample` (exact when
d ≥ rank), with the spectral scaling :math:`w_i = 1/N` and radius λ; it is the R2 certificate with every
sample its own class of size 1.  Nothing here assumes :math:`h_{k,i} = \bar h_k`.

Dual point: the loss gradient at the answer's per-sample logits :math:`WH + b\mathbf 1^\top` (the class-mean
logits repeated when the answer has no per-sample features), made feasible and improved by
:mod:`~nctheory.solvers.bounds.spectral` (scaled, clipped and equalised singular values: the gradient
bound alone is first-order in the answer's error).
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Classifier, Constraint, Features
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.inputs import array, dual_bound_applies
from nctheory.solvers.bounds.rounding import sum_allowance
from nctheory.solvers.bounds.spectral import spectral_dual
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="fenchel-dual:full-sample",
    description="Fenchel dual bound of the per-sample nuclear-norm problem (one dual column per sample, weights 1/N, "
                "pulled into the spectral ball ||U/N||_2 <= sqrt(lambda_W lambda_H))",
    assumes="the variational inequality (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 >= sqrt(lambda_W lambda_H)||WH||_* "
            "(AM-GM); no NC1 and nothing about the claim under test",
)


def sample_logits(problem, solution) -> np.ndarray | None:
    """Per-sample logits of the answer (K × N): from ``H`` if present, else the class-mean logits repeated."""
    K, N = problem.K, problem.N
    b = array(solution, "b", (K,))
    if b is None:
        return None
    if solution.H is not None:
        W = array(solution, "W", (K, None))
        H = array(solution, "H", (None, N))
        if W is None or H is None:
            return None
        if W.shape[1] != H.shape[0]:
            raise ValueError(f"solution: W is {W.shape} and H is {H.shape}; their inner dimensions differ")
        return W @ H + b[:, None]
    Z = array(solution, "logits_mean", (K, K))
    return None if Z is None else Z[:, problem.labels]


def full_sample_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a UFM answer (module doc), or None when it does not apply."""
    if not dual_bound_applies(problem, solution, classifier=Classifier.LEARNED, features=Features.FREE,
                              constraint=Constraint.PENALTY):
        return None
    Z = sample_logits(problem, solution)
    if Z is None:
        return None
    N = problem.N
    labels = problem.labels
    weights = np.full(N, 1.0 / N)
    _, Gamma = problem.loss.value_grad(Z, labels)
    cand = spectral_dual(problem, Gamma, labels, weights, weights, problem.lam)
    if not cand.value.finite or cand.norm > problem.lam:
        return None
    return cand.value.value - sum_allowance(cand.value.magnitude, cand.value.count), CERTIFICATE


register_bound("convex:full-sample", full_sample_bound)

__all__ = ["full_sample_bound", "sample_logits", "CERTIFICATE"]
