r"""Label-smoothed cross-entropy (Szegedy et al. 2016; its NC geometry: Zhou et al., NeurIPS 2022).

.. math::

    \ell(z, y) = \operatorname{logsumexp}(z) - q_y^\top z, \qquad q_y = (1 - \varepsilon)e_y + \tfrac{\varepsilon}{K}\mathbf 1,

i.e. :math:`(1-\varepsilon)\mathrm{CE}(z, y) + \varepsilon\cdot\frac1K\sum_c \mathrm{CE}(z, c)`, for a smoothing
:math:`\varepsilon \in [0, 1)`.  Gradient :math:`p - q_y`, Hessian as CE (curvature 1/2), shift invariant.  Its infimum is
the entropy :math:`\mathcal H(q_y) > 0` (reached only at finite logits when ε > 0: the norms stay bounded).

Conjugate: :math:`\ell^*(u, y) = \sum_i r_i\log r_i` with :math:`r = u + q_y` a probability vector, else
:math:`+\infty`; so :math:`-\ell^*` is the entropy of :math:`u + q_y` (the domain contains 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.model.losses.base import Loss, nonnegative_segment

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True, eq=False)
class LabelSmoothing(Loss):
    """Label-smoothed CE with smoothing ``epsilon`` in [0, 1) (module doc)."""

    epsilon: float = 0.1
    name = "ce-ls"
    shift_invariant = True

    def __post_init__(self):
        e = self.epsilon
        if isinstance(e, bool) or not isinstance(e, (int, float)) or not math.isfinite(e) or not 0.0 <= e < 1.0:
            raise ValueError(f"epsilon: the smoothing must be in [0, 1), got {e!r}")
        object.__setattr__(self, "epsilon", float(e))

    @property
    def curvature(self) -> float:
        return 0.5

    def targets(self, K: int, labels) -> np.ndarray:
        """The smoothed targets :math:`q_y` as columns (K × m)."""
        labels = np.asarray(labels)
        Q = np.full((K, labels.size), self.epsilon / K)
        Q[labels, np.arange(labels.size)] += 1.0 - self.epsilon
        return Q

    def value_grad(self, Z, labels):
        Z = np.asarray(Z, dtype=np.float64)
        K = Z.shape[0]
        shift = Z.max(axis=0)
        E = np.exp(Z - shift)
        total = E.sum(axis=0)
        Q = self.targets(K, labels)
        values = shift + np.log(total) - np.einsum("km,km->m", Q, Z)
        return values, E / total - Q

    def hessian_sum(self, Z, labels, weights):
        Z = np.asarray(Z, dtype=np.float64)
        E = np.exp(Z - Z.max(axis=0))
        P = E / E.sum(axis=0)
        return np.diag(P @ weights) - (P * weights) @ P.T

    def neg_conjugate(self, U, labels):
        U = np.asarray(U, dtype=np.float64)
        K, m = U.shape
        R = U + self.targets(K, labels)
        scale = 64.0 * K * _EPS
        bad = (np.abs(R.sum(axis=0) - 1.0) > scale) | np.any(R < -scale, axis=0)
        R = np.maximum(R, 0.0)
        safe = np.where(R > 0.0, R, 1.0)
        out = np.ascontiguousarray((-R * np.log(safe)).T).sum(axis=1)
        out[bad] = -np.inf
        return out

    def dual_segment(self, U_in, U_out, labels):
        K = np.asarray(U_in).shape[0]
        Q = self.targets(K, labels)
        R_in, R_out = np.asarray(U_in) + Q, np.asarray(U_out) + Q
        if np.any(np.abs(R_out.sum(axis=0) - 1.0) > 64.0 * K * _EPS):
            return 0.0
        return nonnegative_segment(R_in, R_out)

    def dual_zero_bias(self, U, weights, labels):
        U = np.asarray(U, dtype=np.float64)
        K, m = U.shape
        c = np.asarray(weights, dtype=np.float64)
        total = float(c.sum())
        Q = self.targets(K, labels)
        U2 = U - np.outer(U @ c / total, np.ones(m))  # U2 c = 0, column sums kept
        R2 = U2 + Q
        if np.any(R2 < 0.0):
            T = np.outer(Q @ c / total, np.ones(m)) - Q  # stationary (T c = 0) and in the domain
            RT = T + Q
            neg = R2 < 0.0
            theta = float(np.max(-R2[neg] / (RT[neg] - R2[neg])))
            U2 = (1.0 - theta) * U2 + theta * T
        return U2

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        K = logits.shape[0]
        Q = self.targets(K, labels)
        c = np.asarray(weights, dtype=np.float64)
        return c @ cp.log_sum_exp(logits, axis=0) - c @ cp.sum(cp.multiply(Q, logits), axis=0)
