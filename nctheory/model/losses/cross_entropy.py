r"""Cross-entropy, :math:`\ell(z, y) = \operatorname{logsumexp}(z) - z_y`.

* Gradient :math:`p - e_y`, :math:`p = \operatorname{softmax}(z)`; Hessian
  :math:`\operatorname{diag}(p) - pp^\top \preceq \tfrac12 I` (curvature 1/2); shift invariant.
* Conjugate: :math:`\ell^*(u, y) = \sum_i q_i\log q_i` with :math:`q = u + e_y` a probability
  vector (:math:`0\log 0 = 0`), :math:`+\infty` otherwise.  So :math:`-\ell^*` is the entropy
  :math:`\mathcal H(q)` and the domain (a shifted simplex) is convex and contains 0.
* Numerics: values use the column maximum shifted out and, when the true class holds the maximum,
  :math:`\operatorname{log1p}(\sum_{i\ne y}e^{z_i - z_y})` -- exact for tiny losses (large margins).  The
  entropy's label term is :math:`(1 + u_y)\operatorname{log1p}(u_y)`, exact when :math:`q_y \to 1`,
  so certificates stay meaningful when the objective is far below 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.losses.base import Loss, one_hot

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True, eq=False)
class CrossEntropy(Loss):
    """Softmax cross-entropy (module doc)."""

    name = "ce"
    shift_invariant = True

    @property
    def curvature(self) -> float:
        return 0.5

    def value_grad(self, Z, labels):
        Z = np.asarray(Z, dtype=np.float64)
        cols = np.arange(Z.shape[1])
        shift = Z.max(axis=0)
        E = np.exp(Z - shift)
        true = Z[labels, cols]
        e_true = E[labels, cols]
        E[labels, cols] = 0.0
        others = E.sum(axis=0)  # summed directly: no cancellation when the true class dominates
        total = others + e_true
        true_is_max = true >= shift
        # true class at the max: e_true = 1 and the loss is log1p(others), exact for tiny losses
        values = np.where(true_is_max, np.log1p(others), (shift - true) + np.log(total))
        G = E / total
        G[labels, cols] = -others / total  # = p_y - 1 without cancellation
        return values, G

    def hessian_sum(self, Z, labels, weights):
        Z = np.asarray(Z, dtype=np.float64)
        E = np.exp(Z - Z.max(axis=0))
        P = E / E.sum(axis=0)
        return np.diag(P @ weights) - (P * weights) @ P.T

    # The dual is handled in u-space (u = q - e_y): off-label entries are the probabilities themselves and
    # the label entry is -(their sum), so sums and entropies stay accurate relative to the (possibly tiny)
    # off-label mass; in q-space the label entry 1 - δ would carry an absolute rounding error of ε.
    @staticmethod
    def _split(U, labels):
        U = np.asarray(U, dtype=np.float64)
        cols = np.arange(U.shape[1])
        off = U.copy()
        off[labels, cols] = 0.0
        return U, cols, off, U[labels, cols]

    def neg_conjugate(self, U, labels):
        U, cols, off, u_true = self._split(U, labels)
        K, m = U.shape
        mass = np.abs(off).sum(axis=0) + np.abs(u_true)
        scale = 64.0 * K * _EPS * np.maximum(mass, 1e-300)
        bad = (np.abs(off.sum(axis=0) + u_true) > scale) | np.any(off < -scale, axis=0) | (u_true < -1.0 - 64 * K * _EPS)
        q = np.maximum(off, 0.0)  # off-label probabilities (entries within rounding of 0 count as 0)
        safe = np.where(q > 0.0, q, 1.0)
        terms = -q * np.log(safe)
        u = np.clip(u_true, -1.0, 0.0)
        label_term = np.where(u > -1.0, -(1.0 + u) * np.log1p(np.maximum(u, -1.0 + 1e-16)), 0.0)
        out = np.ascontiguousarray(terms.T).sum(axis=1) + label_term  # pairwise summation per column
        out[bad] = -np.inf
        return out

    def dual_segment(self, U_in, U_out, labels):
        U_in, cols, off_in, t_in = self._split(U_in, labels)
        U_out, _, off_out, t_out = self._split(U_out, labels)
        mass = np.abs(off_out).sum(axis=0) + np.abs(t_out)
        if np.any(np.abs(off_out.sum(axis=0) + t_out) > 64.0 * U_out.shape[0] * _EPS * np.maximum(mass, 1e-300)):
            return 0.0
        q_in = np.concatenate([off_in.ravel(), 1.0 + t_in])
        q_out = np.concatenate([off_out.ravel(), 1.0 + t_out])
        neg = q_out < 0.0
        if not neg.any():
            return 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            limits = q_in[neg] / (q_in[neg] - q_out[neg])
        theta = float(np.min(limits)) if limits.size else 1.0
        return max(0.0, min(1.0, theta * (1.0 - 1e-12)))

    def dual_zero_bias(self, U, weights, labels):
        r""":math:`U' = U - (Uc)\mathbf 1^	op/\mathbf 1^	op c` (column sums and the simplex shape are kept;
        :math:`U'c = 0`), mixed toward the stationary point :math:`t\mathbf 1^	op/\mathbf 1^	op c - E`
        (t = Ec) if that made a probability negative."""
        U, cols, _, _ = self._split(U, labels)
        K, m = U.shape
        c = np.asarray(weights, dtype=np.float64)
        total = float(c.sum())
        U2 = U - np.outer(U @ c / total, np.ones(m))
        _, _, off2, t2 = self._split(U2, labels)
        if np.any(off2 < 0.0) or np.any(t2 < -1.0):
            E = one_hot(np.asarray(labels), K)
            T = np.outer(E @ c / total, np.ones(m)) - E  # stationary, in the domain
            Q2, QT = U2 + E, T + E
            neg = Q2 < 0.0
            theta = float(np.max(-Q2[neg] / (QT[neg] - Q2[neg])))
            U2 = (1.0 - theta) * U2 + theta * T
            _, _, off3, t3 = self._split(U2, labels)
            off3 = np.maximum(off3, 0.0)
            U2 = off3.copy()
            U2[labels, cols] = -off3.sum(axis=0)
        return U2

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        K = logits.shape[0]
        E = one_hot(np.asarray(labels), K)
        c = np.asarray(weights, dtype=np.float64)
        return c @ cp.log_sum_exp(logits, axis=0) - c @ cp.sum(cp.multiply(E, logits), axis=0)
