r"""The bias minimised out: :math:`b^*(\bar Z) = \arg\min_b\sum_k\pi_k\ell(\bar z_k + b, k) + \frac{\lambda_b}2\|b\|^2`.

Damped Newton (:func:`~nctheory.solvers.damped_newton.damped_newton`) on a layout
(:mod:`~nctheory.solvers.references.layout`), with the loss's Hessian:

* dense: b ∈ R^K, gradient :math:`U\pi + \lambda_bb` (U the per-column loss gradients), Hessian
  :math:`\sum_k\pi_k\nabla^2\ell(\bar z_k + b) + \lambda_bI` (the loss's ``hessian_sum``);
* grouped: :math:`b = E\beta`, β ∈ R^C, in the coordinates β: gradient :math:`m\circ(r + \lambda_b\beta)` (r the
  per-group bias residual, :math:`U\pi = Er`), Hessian of :math:`\beta \mapsto \sum_gm_g\pi_g\ell(\text{column } g +
  E\beta)` (the loss's ``grouped_hessian_sum``) plus :math:`\lambda_b\operatorname{diag}(m)`.

For a free bias and a shift-invariant loss (CE) the objective is constant along :math:`b \to b + c\mathbf 1`
(β → β + c1): the gradient is orthogonal to that direction (the columns of U sum to 0), the Hessian is singular
along it and is completed by a multiple of :math:`\mathbf 1\mathbf 1^\top`, which leaves the Newton steps orthogonal
to it; the gauge :math:`\mathbf 1^\top b = 0` is fixed at the end.

Stopping is **relative**: the Newton decrement :math:`\delta = -g^\top s` (twice the predicted decrease) below
:math:`10^{-3}\varepsilon|f|`; or, once :math:`\delta \le 10^{-10}|f|` (where Newton converges quadratically), a full
step after which the decrement shrank by less than 4× (the rounding level: an exact fit, f ~ 1e-33, cannot get
δ below ε|f|); or no acceptable step; or 100 steps.  (Far from the minimum of a CE with large margins the
decrement falls only ~3× per full step: measured.)  The certified solver's
bias elimination stops at an absolute decrement of 1e-24, which is not small when the objective itself is
~1e-18 (large budgets): there the layer-peeled iteration stalled at a relative gap of ~5e-9 (measured); relative
stopping certifies the same instances at ~1e-12.  Steps are accepted by Armijo or, where value differences
drown in rounding, by a halved gradient norm (:class:`~nctheory.solvers.damped_newton.RelativeStopping`).
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.damped_newton import RelativeStopping, damped_newton

__all__ = ["BiasSolver"]


class BiasSolver:
    """:math:`b^*(\\bar Z)` of the module doc for one problem on one layout."""

    def __init__(self, problem, layout):
        self.layout = layout
        self.loss = problem.loss
        self.lambda_b = float(problem.lambda_b) if problem.bias == Bias.REGULARIZED else 0.0
        self.gauge = problem.bias == Bias.FREE and problem.loss.shift_invariant
        self.steps = 0

    # -- the objective in b (dense) or β (grouped) coordinates ----------------------------------
    def _value_grad(self, Z, b):
        lay = self.layout
        value, Gamma = lay.loss_columns(Z, b)
        value += 0.5 * self.lambda_b * lay.bias_inner(b, b)
        r = lay.bias_residual(Gamma) + self.lambda_b * b
        grad = lay.m * r if lay.grouped else r
        return value, grad, Gamma

    def _hessian(self, Z, b) -> np.ndarray:
        lay = self.layout
        if lay.grouped:
            own, rest = lay.columns(Z, b)
            H = self.loss.grouped_hessian_sum(own, rest, lay.counts, lay.pi)
            return H + self.lambda_b * np.diag(lay.m)
        H = self.loss.hessian_sum(Z + b[:, None], lay.labels, lay.pi)
        return H + self.lambda_b * np.eye(lay.K)

    def minimize(self, Z, b_start=None) -> np.ndarray:
        """The minimising bias (dense: a K-vector; grouped: β per group) from ``b_start`` (default 0)."""
        lay = self.layout
        size = lay.C if lay.grouped else lay.K
        b = np.zeros(size) if b_start is None else np.array(b_start, dtype=np.float64)
        weights = lay.m if lay.grouped else np.ones(size)  # classes per coordinate
        # in gauge mode the gradient is orthogonal to the flat direction 1 (in b, and in β since
        # Σ_h m_h r_h = 1ᵀUπ = 0): damped_newton removes its rounding there
        b, steps = damped_newton(lambda bb: self._value_grad(Z, bb), lambda bb, _: self._hessian(Z, bb), b,
                                 gauge=self.gauge, stopping=RelativeStopping())
        self.steps += steps
        if self.gauge:
            b = b - (weights @ b) / float(weights.sum())
        return b
