r"""Squared error, :math:`\ell(z, y) = \tfrac12\|z - e_y\|^2`.

Gradient :math:`z - e_y`, Hessian I (curvature 1), not shift invariant.  Conjugate
:math:`\ell^*(u, y) = u_y + \tfrac12\|u\|^2` on all of :math:`\mathbb R^K`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.losses.base import Loss


@dataclass(frozen=True, eq=False)
class SquaredError(Loss):
    """The MSE loss of the UFM literature (module doc)."""

    name = "mse"

    @property
    def curvature(self) -> float:
        return 1.0

    def value_grad(self, Z, labels):
        R = np.array(Z, dtype=np.float64)
        R[labels, np.arange(R.shape[1])] -= 1.0
        return 0.5 * np.einsum("ij,ij->j", R, R), R

    def hessian_sum(self, Z, labels, weights):
        return float(np.sum(weights)) * np.eye(np.asarray(Z).shape[0])

    def neg_conjugate(self, U, labels):
        U = np.asarray(U, dtype=np.float64)
        return -(U[labels, np.arange(U.shape[1])] + 0.5 * np.ascontiguousarray((U * U).T).sum(axis=1))

    def conjugate_scale(self, U, labels):
        U = np.asarray(U, dtype=np.float64)
        return np.abs(U[labels, np.arange(U.shape[1])]) + 0.5 * np.ascontiguousarray((U * U).T).sum(axis=1)

    def dual_segment(self, U_in, U_out, labels):
        return 1.0

    def dual_zero_bias(self, U, weights, labels):
        c = np.asarray(weights, dtype=np.float64)
        return U - np.outer(U @ c / c.sum(), np.ones(U.shape[1]))

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        from nctheory.model.losses.base import one_hot

        E = one_hot(np.asarray(labels), logits.shape[0])
        c = np.asarray(weights, dtype=np.float64)
        return 0.5 * cp.sum_squares(cp.multiply(logits - E, np.sqrt(c)[None, :]))
