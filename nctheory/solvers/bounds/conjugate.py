r"""The loss and bias terms shared by every Fenchel-dual bound of this package.

Fenchel–Young: for every u in the domain of :math:`\ell^*(\cdot, y)` and every z,
:math:`\ell(z, y) \ge u^\top z - \ell^*(u, y)`.  Summed with weights :math:`c_j > 0` over columns
(samples or class means) with logits :math:`z_j + b`,

.. math::

    \sum_j c_j\,\ell(z_j + b, y_j) \;\ge\; \underbrace{-\sum_j c_j\,\ell^*(u_j, y_j)}_{\text{loss term}}
      + \sum_j c_j u_j^\top z_j + (Uc)^\top b .

The bias enters only through :math:`(Uc)^\top b`; minimised over b together with the model's bias
penalty it gives the *bias term*

* no bias: 0 (b = 0);
* regularized, :math:`+\frac{\lambda_b}2\|b\|^2`:
  :math:`\min_b (Uc)^\top b + \frac{\lambda_b}2\|b\|^2 = -\|Uc\|^2/(2\lambda_b)`;
* free: 0 if :math:`Uc = 0`, else :math:`-\infty`.  The dual point is moved onto :math:`Uc = 0` by the
  loss's ``dual_zero_bias``; in float64 the residual :math:`\|Uc\|` is then at rounding level (it is
  checked, :data:`FREE_BIAS_RTOL`), so for a free bias the bound holds up to rounding of the dual
  point, as does the certified solver's own certificate.

What remains, :math:`\sum_j c_j u_j^\top z_j`, is bounded below by each module for its own feasible set.

A loss accepts dual points within rounding of its domain (CE: column sums within :math:`64K\varepsilon` of 0,
relative to the column's mass).  Such a point is within rounding of a point of the domain, whose bound
differs by terms of the size of that rounding times the logits' scale -- relative to the mass of the
dual point, hence to the objective, even when both are tiny -- which the rounding allowance covers.
The loss term is evaluated by the loss (:meth:`~nctheory.model.losses.base.CapabilityMethods.neg_conjugate`,
which for CE works in u-space so that it stays accurate relative to a tiny objective), together with
its magnitude (the size of its rounding, :meth:`conjugate_scale` where the loss has it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.bounds.rounding import EPS

#: A free-bias dual point counts as satisfying :math:`Uc = 0` when
#: :math:`\|Uc\| \le` FREE_BIAS_RTOL · m · ε · (Σ_j c_j‖u_j‖): the rounding of the projection itself.
FREE_BIAS_RTOL = 64.0


@dataclass(frozen=True)
class DualValue:
    """The loss and bias terms of a dual point.

    Attributes
    ----------
    value : float
        Loss term + bias term (``-inf`` when the point is outside the conjugate's domain).
    magnitude : float
        Sum of the absolute sizes of the summed terms (the scale of their rounding).
    count : int
        Number of summed terms (for :func:`~nctheory.solvers.bounds.rounding.sum_allowance`).
    """

    value: float
    magnitude: float
    count: int

    @property
    def finite(self) -> bool:
        return bool(np.isfinite(self.value))


def dual_capable(problem) -> bool:
    """True when the loss has a conjugate (and, for a free bias, the ``dual_zero_bias`` move)."""
    loss = problem.loss
    if not loss.has("conjugate"):
        return False
    return problem.bias != Bias.FREE or loss.has("free-bias-dual")


def bias_feasible(problem, U: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``U`` itself, or for a free bias the loss's nearby point with :math:`Uc = 0` (module doc)."""
    if problem.bias == Bias.FREE:
        return np.asarray(problem.loss.dual_zero_bias(U, weights, labels), dtype=np.float64)
    return np.asarray(U, dtype=np.float64)


def free_bias_residual_ok(U: np.ndarray, weights: np.ndarray) -> bool:
    """Whether :math:`\\|Uc\\|` is at rounding level (module doc)."""
    r = float(np.linalg.norm(U @ weights))
    size = float(np.linalg.norm(U, axis=0) @ np.abs(weights))
    return r <= FREE_BIAS_RTOL * U.shape[1] * EPS * max(size, 1e-300) or r == 0.0


def dual_value(problem, U: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> DualValue:
    r"""Loss term :math:`-\sum_j c_j\ell^*(u_j, y_j)` plus the bias term of ``problem`` (module doc)."""
    loss = problem.loss
    U = np.asarray(U, dtype=np.float64)
    terms = np.asarray(loss.neg_conjugate(U, labels), dtype=np.float64)
    m = terms.size
    if not np.all(np.isfinite(terms)):
        return DualValue(-np.inf, np.inf, m)
    value = float(terms @ weights)
    scale_of = getattr(loss, "conjugate_scale", None)
    sizes = np.asarray(scale_of(U, labels), dtype=np.float64) if callable(scale_of) else np.abs(terms)
    magnitude = float(sizes @ np.abs(weights))
    if problem.bias == Bias.REGULARIZED:
        r = U @ weights
        bias_term = float(r @ r) / (2.0 * problem.lambda_b)
        value -= bias_term
        magnitude += bias_term
    elif problem.bias == Bias.FREE and not free_bias_residual_ok(U, weights):
        return DualValue(-np.inf, np.inf, m)
    return DualValue(value, magnitude, m + U.shape[0])
