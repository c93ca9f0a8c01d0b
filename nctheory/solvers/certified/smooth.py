r"""The smooth part of reduction R2, for any :class:`~nctheory.model.losses.Loss`.

Per-class losses on a logit matrix ``Z`` whose column k, :math:`z_k`, is scored against label k
(the class-mean form).  Smooth part in the coordinates :math:`X = \bar Z D^{1/2}` (so
:math:`\bar z_k = x_k/\sqrt{n_k}`), :math:`\pi_k = n_k/N`, with the bias minimised out:

.. math::

    \varphi(X) = \min_b\; \sum_k \pi_k\,\ell(x_k/\sqrt{n_k} + b, k)
                 + \tfrac{\lambda_b}{2}\|b\|^2
    \qquad(b \equiv 0 \text{ without bias}, \lambda_b = 0 \text{ for a free bias}).

:math:`\nabla\varphi(X) = \frac1N\,\Gamma D^{1/2}`, where :math:`\Gamma = [\nabla\ell(z_k + b^*, k)]_k` is the
logit-space gradient.  Partial minimisation does not increase curvature
(:math:`\nabla^2\varphi = A - BC^{-1}B^\top \preceq A`), so :math:`\nabla\varphi` is Lipschitz with
:math:`L = c/N`, c the loss's :attr:`~nctheory.model.losses.Loss.curvature` (CE 1/2, MSE 1).

The bias is eliminated by damped Newton (:meth:`ReducedSmooth.optimal_bias`; the loss provides
:meth:`hessian_sum`); the dual bound built from Γ is in :mod:`nctheory.solvers.certified.dual`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.damped_newton import AbsoluteStopping, damped_newton

__all__ = ["Evaluation", "ReducedSmooth"]


@dataclass(frozen=True)
class Evaluation:
    r"""The smooth part at one point ``X``.

    Attributes
    ----------
    value : float
        :math:`\varphi(X)` (bias minimised out, penalty on b included).
    grad : ndarray, shape (K, K)
        :math:`\nabla\varphi(X) = \frac1N \Gamma D^{1/2}`.
    b : ndarray, shape (K,)
        The minimising bias (zeros without bias).
    dual : ndarray, shape (K, K)
        :math:`\Gamma`, the logit-space gradient (column k = :math:`\nabla\ell(\bar z_k + b, k)`): a point of the
        conjugate's domain, from which the certificate is built.
    """

    value: float
    grad: np.ndarray
    b: np.ndarray
    dual: np.ndarray


class ReducedSmooth:
    r"""Smooth part :math:`\varphi` of R2 for one :class:`~nctheory.model.problem.Problem` (see module doc)."""

    def __init__(self, problem):
        self.problem = problem
        self.K = problem.K
        self.N = float(problem.N)
        self.n = problem.n
        self.sqrt_n = np.sqrt(self.n)
        self.pi = problem.weights
        self.lam = problem.lam
        self.loss = problem.loss
        self.bias = problem.bias
        self.lambda_b = float(problem.lambda_b)
        self.lipschitz = float(self.loss.curvature) / self.N
        self.labels = np.arange(self.K)
        self.bias_newton_steps = 0

    # -- joint function of (X, b), used by the factored phase ---------------------
    def joint(self, X: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        r"""Value, X-gradient, b-gradient and Γ of
        :math:`\sum_k \pi_k\ell(x_k/\sqrt{n_k} + b, k) + \frac{\lambda_b}2\|b\|^2` at a given b."""
        Z = X / self.sqrt_n + b[:, None]
        values, Gamma = self.loss.value_grad(Z, self.labels)
        value = float(values @ self.pi) + 0.5 * self.lambda_b * float(b @ b)
        grad_x = Gamma * (self.sqrt_n / self.N)
        grad_b = Gamma @ self.pi + self.lambda_b * b if self.bias != Bias.NONE else np.zeros(self.K)
        return value, grad_x, grad_b, Gamma

    # -- bias elimination ------------------------------------------------------------
    def optimal_bias(self, Zbar: np.ndarray, b_start: np.ndarray | None) -> np.ndarray:
        r"""Minimiser of :math:`\sum_k\pi_k\ell(\bar z_k + b, k) + \frac{\lambda_b}2\|b\|^2` over b.

        Damped Newton (:func:`~nctheory.solvers.damped_newton.damped_newton`) from ``b_start`` with Hessian
        :math:`\sum_k\pi_k\nabla^2\ell(\bar z_k + b) + \lambda_b I` (exact in one step for a quadratic loss).
        For a free bias and a shift-invariant loss the objective is invariant under :math:`b \to b + c\mathbf 1`, so the gauge :math:`\mathbf 1^\top b = 0`
        is fixed (Newton system regularised by a multiple of :math:`\mathbf 1\mathbf 1^\top`, which leaves
        steps in :math:`\mathbf 1^\perp`).  Stops when the Newton decrement (twice the predicted
        decrease) is below :math:`10^{-24}` or stops decreasing.
        """
        K, pi, lb = self.K, self.pi, self.lambda_b
        if self.bias == Bias.NONE:
            return np.zeros(K)
        gauge = lb == 0.0 and self.loss.shift_invariant
        b = np.zeros(K) if b_start is None else np.array(b_start, dtype=np.float64)
        if gauge:
            b -= b.mean()
        labels, loss = self.labels, self.loss

        def value_grad(bb):
            Z = Zbar + bb[:, None]
            v, G = loss.value_grad(Z, labels)
            return float(v @ pi) + 0.5 * lb * float(bb @ bb), G @ pi + lb * bb, Z

        eye = np.eye(K)
        b, steps = damped_newton(value_grad, lambda bb, Z: loss.hessian_sum(Z, labels, pi) + lb * eye, b,
                                 gauge=gauge, stopping=AbsoluteStopping())
        self.bias_newton_steps += steps
        if gauge:
            b -= b.mean()
        return b

    def evaluate(self, X: np.ndarray, b_start: np.ndarray | None = None) -> Evaluation:
        r""":math:`\varphi(X)`, its gradient and the minimising bias."""
        b = self.optimal_bias(X / self.sqrt_n, b_start)
        value, grad_x, _, Gamma = self.joint(X, b)
        return Evaluation(value=value, grad=grad_x, b=b, dual=Gamma)

    # -- certificate -------------------------------------------------------------------
    def lower_bound(self, ev: Evaluation, **options):
        r"""A valid lower bound on the optimum of R2 from the gradient at ``ev`` (see :class:`DualBound`;
        ``options`` are those of :meth:`DualBound.from_gradient`)."""
        from nctheory.solvers.certified.dual import DualBound

        return DualBound.from_gradient(self, ev.dual, **options)
