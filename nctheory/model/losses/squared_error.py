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

    # ------------------------------------------------------------------ compressed columns ("grouped")
    # Compressed columns (nctheory.model.losses.base): label entry ``own``, distinct other entries ``rest[h]``
    # repeated ``counts[h]`` times; every sum over the entries is a sum over the distinct values times counts.
    @staticmethod
    def _compressed(own, rest, counts):
        counts = np.asarray(counts, dtype=np.float64)
        rest = np.where(counts > 0, np.asarray(rest, dtype=np.float64), 0.0)
        return np.asarray(own, dtype=np.float64), rest, counts

    def grouped_value_grad(self, own, rest, counts):
        r""":math:`\tfrac12((z_y - 1)^2 + \sum_h c_h r_h^2)`, gradient :math:`z_y - 1` (label) and :math:`r_h`
        (per entry)."""
        own, rest, counts = self._compressed(own, rest, counts)
        res = own - 1.0
        return 0.5 * (res * res + (counts * rest * rest).sum(axis=0)), res, rest

    def grouped_hessian_sum(self, own, rest, counts, weights):
        r""":math:`\sum_g m_gw_g\operatorname{diag}(m)`: every column has :math:`m_h` entries in row group h."""
        counts = np.asarray(counts, dtype=np.float64)
        m = np.diagonal(counts) + 1.0
        return float(m @ np.asarray(weights, dtype=np.float64)) * np.diag(m)

    def grouped_neg_conjugate(self, own, rest, counts):
        r""":math:`-(u_y + \tfrac12(u_y^2 + \sum_h c_h r_h^2))` (the domain is everything)."""
        own, rest, counts = self._compressed(own, rest, counts)
        return -(own + 0.5 * (own * own + (counts * rest * rest).sum(axis=0)))

    def grouped_conjugate_scale(self, own, rest, counts):
        own, rest, counts = self._compressed(own, rest, counts)
        return np.abs(own) + 0.5 * (own * own + (counts * rest * rest).sum(axis=0))

    def grouped_dual_segment(self, own_in, rest_in, own_out, rest_out, counts):
        return 1.0

    def grouped_dual_zero_bias(self, own, rest, counts, weights):
        r"""``own - r``, ``rest - r[:, None]`` with :math:`r = Uc/\mathbf 1^\top c` per row group (the domain is
        everything)."""
        own, rest, counts = self._compressed(own, rest, counts)
        c = np.asarray(weights, dtype=np.float64)
        total = float((np.diagonal(counts) + 1.0) @ c)
        r = (c * own + (rest * counts.T * c[None, :]).sum(axis=1)) / total
        return own - r, np.where(counts > 0, rest - r[:, None], 0.0)
