r"""The smooth part of reduction R2 on group-invariant points, in O(C²) per evaluation.

Coordinates (:mod:`nctheory.solvers.certified.symmetric` derives them): the invariant
:math:`X = \bar ZD^{1/2}` is the pair :math:`(u, B)` -- the scalar :math:`u_g = s_g\sqrt{n_g}` on the
within-group subspaces and the C × C core :math:`B` (:mod:`~nctheory.solvers.certified.grouped_matrix`) --
and the bias is :math:`b = E\beta`.  The mean logits are

.. math::

    s_g = u_g/\sqrt{n_g},\qquad A = \operatorname{diag}(m)^{-1/2}(B - \operatorname{diag}(u))
    \operatorname{diag}(\sqrt{n}\circ\sqrt m)^{-1},

and a class of group g has the compressed column: label logit :math:`s_g + a_{gg} + \beta_g`,
:math:`c_{hg} = m_h - \delta_{hg}` entries :math:`a_{hg} + \beta_h` in row group h.  With :math:`w_g = m_g\pi_g`,

.. math::

    \varphi(u, B) = \min_\beta \sum_g w_g\,\ell_g(\text{column } g) + \frac{\lambda_b}2\sum_h m_h\beta_h^2 .

Gradients, in the metric :math:`\langle (u, B), (u', B')\rangle = \sum_g(m_g - 1)u_gu'_g + \langle B, B'\rangle`
(the Frobenius product of the expanded matrices): with the compressed logit gradient
:math:`\Gamma` (label entry :math:`\gamma_g`, per-entry :math:`\rho_{hg}`), the dense gradient
:math:`\frac1N\Gamma D^{1/2}` is invariant, with

.. math::

    \nabla_u\varphi = \frac{\sqrt{n_g}}N(\gamma_g - \rho_{gg}),\qquad
    (\nabla_B\varphi)_{hg} = \frac{\sqrt{m_h n_g m_g}}N\rho_{hg}\ (h\ne g),\quad
    (\nabla_B\varphi)_{gg} = \frac{\sqrt{n_g}}N(\gamma_g + c_{gg}\rho_{gg}),

(the partial derivative in :math:`u_g` is :math:`(m_g - 1)` times the first).  The bias gradient is
:math:`\partial/\partial\beta_h = w_h\gamma_h + \sum_g w_gc_{hg}\rho_{hg} + \lambda_bm_h\beta_h`.  The bias is
eliminated by damped Newton on the C × C system (the loss's ``grouped_hessian_sum``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.damped_newton import AbsoluteStopping, damped_newton

__all__ = ["GroupedEvaluation", "GroupedSmooth"]


@dataclass(frozen=True)
class GroupedEvaluation:
    r"""The smooth part at one invariant point.

    Attributes
    ----------
    value : float
        :math:`\varphi` (bias minimised out, its penalty included).
    perp, core : ndarray
        The gradient in the metric of the module doc (shapes (C,), (C, C)).
    beta : ndarray, shape (C,)
        The minimising bias per group (zeros without bias).
    own, rest : ndarray
        The compressed logit-space gradient Γ (label entries (C,), per-entry others (C, C)), a point of the
        conjugate's domain (the dual point the certificate starts from).
    """

    value: float
    perp: np.ndarray
    core: np.ndarray
    beta: np.ndarray
    own: np.ndarray
    rest: np.ndarray


class GroupedSmooth:
    r""":math:`\varphi` of the module doc for one problem and its :class:`GroupStructure`."""

    def __init__(self, problem, structure: GroupStructure):
        self.problem = problem
        self.structure = structure
        self.C = structure.C
        self.n = structure.sizes.astype(np.float64)
        self.m = structure.counts.astype(np.float64)
        self.N = float(structure.N)
        self.sqrt_n, self.sqrt_m = np.sqrt(self.n), np.sqrt(self.m)
        self.counts = structure.count_matrix
        self.present = self.counts > 0
        self.pi = self.n / self.N
        self.w = self.m * self.pi
        self.active = self.m >= 2  # groups with a within-group subspace
        self.perp_weight = self.m - 1.0
        self.lam = float(problem.lam)
        self.lambda_b = float(problem.lambda_b)
        self.bias = problem.bias
        self.loss = problem.loss
        self.lipschitz = float(self.loss.curvature) / self.N
        self._den = self.sqrt_m[:, None] * (self.sqrt_n * self.sqrt_m)[None, :]
        self.bias_newton_steps = 0

    # ------------------------------------------------------------------ coordinates
    def mean_logits(self, u: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""``(s, A)``: :math:`\bar Z = \bigoplus_g s_gI + EAE^\top` for :math:`X = (u, B)` (module doc)."""
        return u / self.sqrt_n, (B - np.diag(u)) / self._den

    def columns(self, u, B, beta) -> tuple[np.ndarray, np.ndarray]:
        """Compressed logit columns ``(own, rest)`` at ``(u, B)`` and bias ``beta``."""
        s, A = self.mean_logits(u, B)
        own = s + np.diagonal(A) + beta
        rest = np.where(self.present, A + beta[:, None], 0.0)
        return own, rest

    def inner(self, u1, B1, u2, B2) -> float:
        """The metric of the module doc (the Frobenius product of the expanded matrices)."""
        return float(self.perp_weight @ (u1 * u2)) + float(np.sum(B1 * B2))

    # ------------------------------------------------------------------ dual blocks
    def dual_blocks(self, own: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Operator form ``(perp, core)`` of :math:`\frac1N UD^{1/2}` for the expanded compressed dual point U."""
        N = self.N
        perp = np.where(self.active, self.sqrt_n * (own - np.diagonal(rest)) / N, 0.0)
        core = rest * self._den / N
        core[np.diag_indices(self.C)] = self.sqrt_n * (own + np.diagonal(self.counts) * np.diagonal(rest)) / N
        return perp, core

    def dual_blocks_abs(self, own, rest) -> np.ndarray:
        """The core of :meth:`dual_blocks` built from absolute values (the scale of its rounding)."""
        core = np.abs(rest) * self._den / self.N
        diag = np.abs(own) + np.diagonal(self.counts) * np.abs(np.diagonal(rest))
        core[np.diag_indices(self.C)] = self.sqrt_n * diag / self.N
        return core

    def from_dual_blocks(self, perp: np.ndarray, core: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`dual_blocks`: the compressed dual point ``(own, rest)`` with these blocks."""
        N = self.N
        rest = N * core / self._den
        a = N * np.diagonal(core) / self.sqrt_n
        b = np.where(self.active, N * perp / self.sqrt_n, 0.0)
        rest_diag = np.where(self.active, (a - b) / self.m, 0.0)
        rest[np.diag_indices(self.C)] = rest_diag
        own = np.where(self.active, b + rest_diag, a)
        return own, np.where(self.present, rest, 0.0)

    def bias_residual(self, own, rest) -> np.ndarray:
        r""":math:`U\pi` per row group (the expanded K-vector is :math:`E r`)."""
        return (self.w * own + (rest * self.counts) @ self.w) / self.m

    # ------------------------------------------------------------------ evaluation
    def joint(self, u, B, beta):
        r"""Value, metric gradients (perp, core), bias gradient and compressed Γ at a given bias."""
        own, rest = self.columns(u, B, beta)
        values, g_own, g_rest = self.loss.grouped_value_grad(own, rest, self.counts)
        g_rest = np.where(self.present, g_rest, 0.0)
        value = float(values @ self.w) + 0.5 * self.lambda_b * float(self.m @ (beta * beta))
        perp, core = self.dual_blocks(g_own, g_rest)
        if self.bias != Bias.NONE:
            grad_beta = self.w * g_own + (g_rest * self.counts) @ self.w + self.lambda_b * self.m * beta
        else:
            grad_beta = np.zeros(self.C)
        return value, perp, core, grad_beta, g_own, g_rest

    def optimal_bias(self, u, B, beta_start) -> np.ndarray:
        r"""Minimiser over :math:`\beta` (damped Newton, as :meth:`ReducedSmooth.optimal_bias
        <nctheory.solvers.certified.smooth.ReducedSmooth.optimal_bias>` does for the dense b).  For a free bias
        and a shift-invariant loss the gauge :math:`\mathbf 1^\top b = \sum_h m_h\beta_h = 0` is fixed (the
        Newton system is regularised along the null direction :math:`\mathbf 1_C`)."""
        C, lb = self.C, self.lambda_b
        if self.bias == Bias.NONE:
            return np.zeros(C)
        gauge = lb == 0.0 and self.loss.shift_invariant
        beta = np.zeros(C) if beta_start is None else np.array(beta_start, dtype=np.float64)
        s, A = self.mean_logits(u, B)
        own0 = s + np.diagonal(A)
        rest0 = np.where(self.present, A, 0.0)
        loss, counts, w, m = self.loss, self.counts, self.w, self.m

        def value_grad(bb):
            own, rest = own0 + bb, np.where(self.present, rest0 + bb[:, None], 0.0)
            v, g_own, g_rest = loss.grouped_value_grad(own, rest, counts)
            g_rest = np.where(self.present, g_rest, 0.0)
            f = float(v @ w) + 0.5 * lb * float(m @ (bb * bb))
            return f, w * g_own + (g_rest * counts) @ w + lb * m * bb, (own, rest)

        beta, steps = damped_newton(
            value_grad, lambda bb, cols: loss.grouped_hessian_sum(*cols, counts, self.pi) + lb * np.diag(m), beta,
            gauge=gauge, stopping=AbsoluteStopping())
        self.bias_newton_steps += steps
        if gauge:
            beta = beta - float(m @ beta) / float(m.sum())
        return beta

    def evaluate(self, u, B, beta_start=None) -> GroupedEvaluation:
        beta = self.optimal_bias(u, B, beta_start)
        value, perp, core, _, g_own, g_rest = self.joint(u, B, beta)
        return GroupedEvaluation(value=value, perp=perp, core=core, beta=beta, own=g_own, rest=g_rest)

    def penalty(self, u, sigma_B) -> float:
        r""":math:`\lambda\|X\|_* = \lambda(\sum_g(m_g - 1)|u_g| + \sum_i\sigma_i(B))`."""
        return self.lam * (float(self.perp_weight @ np.abs(u)) + float(np.sum(sigma_B)))

    def lower_bound(self, ev: GroupedEvaluation):
        """A lower bound valid for the full K-class R2 from the gradient at ``ev``
        (:class:`~nctheory.solvers.certified.grouped_dual.GroupedDualBound`)."""
        from nctheory.solvers.certified.grouped_dual import GroupedDualBound

        return GroupedDualBound.from_gradient(self, ev.own, ev.rest)
