r"""Dot-regression loss of Yang et al. 2022 (catalogue §5, ETF-DR).

.. math::

    \ell(z, y) = \frac{(z_y - m)^2}{2m}, \qquad m > 0 ,

where, with the fixed ETF classifier :math:`W^* = \sqrt{E_W}M` and features of norm
:math:`\sqrt{E_H}`, :math:`z_y = w_y^{*\top}h` and :math:`m = \sqrt{E_WE_H}` (so the loss is 0 exactly at
:math:`h = \sqrt{E_H/E_W}\,w^*_y`).  Only the true-class logit enters ("pull only, no push").
``target=None`` binds :math:`m = \sqrt{E_WE_H}` from the problem (``e_w`` defaults to 1); the loss is
defined without a bias.

Gradient :math:`((z_y - m)/m)e_y`, curvature 1/m, not shift invariant.  Conjugate: finite only on
:math:`\{u : u_i = 0 \ (i \ne y)\}`, where :math:`\ell^*(u, y) = m u_y + \tfrac m2 u_y^2`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from nctheory.model.losses.base import Loss


@dataclass(frozen=True, eq=False)
class DotRegression(Loss):
    """Dot regression with target ``m`` (module doc)."""

    target: float | None = None
    name = "dr"
    allows_bias = False

    def __post_init__(self):
        if self.target is not None:
            t = float(self.target)
            if not (math.isfinite(t) and t > 0):
                raise ValueError(f"target: the dot-regression target m must be > 0 and finite, got {self.target!r}")
            object.__setattr__(self, "target", t)

    def bind(self, problem) -> "DotRegression":
        if self.target is not None:
            return self
        if problem.e_h is None:
            raise ValueError("e_h: the dot-regression loss needs the feature budget e_h > 0 (its target is √(E_W E_H))")
        e_w = 1.0 if problem.e_w is None else problem.e_w
        return replace(self, target=math.sqrt(e_w * problem.e_h))

    def _m(self) -> float:
        if self.target is None:
            raise ValueError("target: unbound dot-regression loss (use it inside a Problem, or give target=)")
        return self.target

    def to_json(self):
        return self.name  # the target is determined by the problem's budgets

    @property
    def curvature(self) -> float:
        return 1.0 / self._m()

    def value_grad(self, Z, labels):
        m = self._m()
        Z = np.asarray(Z, dtype=np.float64)
        cols = np.arange(Z.shape[1])
        r = Z[labels, cols] - m
        G = np.zeros_like(Z)
        G[labels, cols] = r / m
        return r * r / (2.0 * m), G

    def hessian_sum(self, Z, labels, weights):
        K = np.asarray(Z).shape[0]
        H = np.zeros((K, K))
        np.add.at(H, (labels, labels), np.asarray(weights, dtype=np.float64) / self._m())
        return H

    def neg_conjugate(self, U, labels):
        m = self._m()
        U = np.asarray(U, dtype=np.float64)
        cols = np.arange(U.shape[1])
        u = U[labels, cols]
        off = U.copy()
        off[labels, cols] = 0.0
        out = -(m * u + 0.5 * m * u * u)
        out[np.any(off != 0.0, axis=0)] = -np.inf
        return out

    def conjugate_scale(self, U, labels):
        m = self._m()
        u = np.asarray(U, dtype=np.float64)[labels, np.arange(np.asarray(U).shape[1])]
        return m * np.abs(u) + 0.5 * m * u * u

    def dual_segment(self, U_in, U_out, labels):
        off = np.array(U_out, dtype=np.float64)
        off[labels, np.arange(off.shape[1])] = 0.0
        return 1.0 if not np.any(off != 0.0) else 0.0

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        from nctheory.model.losses.base import one_hot

        m = self._m()
        E = one_hot(np.asarray(labels), logits.shape[0])
        true = cp.sum(cp.multiply(E, logits), axis=0)
        return np.asarray(weights, dtype=np.float64) @ (cp.square(true - m) / (2.0 * m))
