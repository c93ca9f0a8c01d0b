r"""The vector-scaling (VS) family of cross-entropy losses for imbalance (Kini et al. 2021; Behnia et al. 2023).

.. math::

    \ell(z, y) = -\log\frac{e^{\omega_y(\Delta_y z_y + \iota_y)}}{\sum_c e^{\omega_y(\Delta_c z_c + \iota_c)}}
              = \mathrm{CE}\big(\omega_y(\Delta\circ z + \iota),\ y\big)

with per-class parameters (length K, or None for the neutral value):

* ``iota`` ι -- additive logit adjustment (Menon et al. 2021; "LA");
* ``delta`` Δ > 0 -- class-dependent temperature ("CDT"): logit c is multiplied by Δ_c;
* ``omega`` ω > 0 -- label-dependent temperature ("LDT"): the whole logit vector of a sample of class y is
  multiplied by ω_y.

Behnia et al.'s code normalises the per-class factors so that they sum to K; pass them normalised if you want
their convention (the loss is defined for any positive values).  Convex in z (an affine map into CE).

* Gradient :math:`\omega_y\,\Delta\circ(p - e_y)`, :math:`p = \mathrm{softmax}(\omega_y(\Delta\circ z + \iota))`;
  Hessian :math:`\omega_y^2 D(\mathrm{diag}(p) - pp^\top)D \preceq \tfrac12\omega_y^2\max\Delta^2 I`.
* Conjugate: with :math:`v = D^{-1}u/\omega_y`, :math:`\ell^*(u, y) = \mathrm{CE}^*(v, y) - \omega_y v^\top\iota`, finite iff
  :math:`v + e_y` is a probability vector; so :math:`-\ell^* = \mathcal H(v + e_y) + \omega_y v^\top\iota`.  The map
  u -> v is linear, so segments, the simplex test and the zero-bias move (:math:`U\pi = 0 \iff V\pi' = 0` with
  :math:`\pi'_k = \pi_k\omega_k`... handled per column) carry over from CE.
* Shift invariant iff all Δ are equal (then :math:`\Delta\circ(z + c\mathbf 1) = \Delta\circ z + c\Delta_0\mathbf 1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.model.losses.base import Loss
from nctheory.model.losses.cross_entropy import CrossEntropy

_CE = CrossEntropy()


def _positive_vector(name: str, value):
    if value is None:
        return None
    try:
        v = tuple(float(x) for x in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a sequence of numbers, got {value!r}") from None
    if not v or not all(math.isfinite(x) for x in v):
        raise ValueError(f"{name}: entries must be finite")
    if name != "iota" and not all(x > 0 for x in v):
        raise ValueError(f"{name}: entries must be > 0, got {v}")
    return v


@dataclass(frozen=True, eq=False)
class VectorScaling(Loss):
    """The VS loss (module doc); ``delta``, ``iota``, ``omega`` are per-class tuples (length K) or None."""

    delta: tuple | None = None
    iota: tuple | None = None
    omega: tuple | None = None
    name = "vs"

    def __post_init__(self):
        for f in ("delta", "iota", "omega"):
            object.__setattr__(self, f, _positive_vector(f, getattr(self, f)))

    # ------------------------------------------------------------------ parameters
    def check(self, problem) -> None:
        super().check(problem)
        for f in ("delta", "iota", "omega"):
            v = getattr(self, f)
            if v is not None and len(v) != problem.K:
                raise ValueError(f"loss: the VS parameter {f} has {len(v)} entries, the problem has K = {problem.K}")

    def _vectors(self, K: int):
        d = np.ones(K) if self.delta is None else np.asarray(self.delta)
        i = np.zeros(K) if self.iota is None else np.asarray(self.iota)
        w = np.ones(K) if self.omega is None else np.asarray(self.omega)
        return d, i, w

    @property
    def shift_invariant(self) -> bool:  # type: ignore[override]
        return self.delta is None or len(set(self.delta)) == 1

    @property
    def curvature(self) -> float:
        d = 1.0 if self.delta is None else max(self.delta)
        w = 1.0 if self.omega is None else max(self.omega)
        return 0.5 * (d * w) ** 2

    def _inner(self, Z, labels):
        K = Z.shape[0]
        d, i, w = self._vectors(K)
        return (d[:, None] * Z + i[:, None]) * w[labels][None, :], d, i, w

    # -------------------------------------------------------------------- values
    def value_grad(self, Z, labels):
        Z = np.asarray(Z, dtype=np.float64)
        labels = np.asarray(labels)
        A, d, _, w = self._inner(Z, labels)
        values, G = _CE.value_grad(A, labels)
        return values, G * d[:, None] * w[labels][None, :]

    def hessian_sum(self, Z, labels, weights):
        Z = np.asarray(Z, dtype=np.float64)
        labels = np.asarray(labels)
        A, d, _, w = self._inner(Z, labels)
        E = np.exp(A - A.max(axis=0))
        P = E / E.sum(axis=0)
        c = np.asarray(weights, dtype=np.float64) * w[labels] ** 2
        H = np.diag(P @ c) - (P * c) @ P.T
        return d[:, None] * H * d[None, :]

    # ------------------------------------------------------------------ conjugate
    def _v(self, U, labels):
        U = np.asarray(U, dtype=np.float64)
        d, i, w = self._vectors(U.shape[0])
        return U / d[:, None] / w[np.asarray(labels)][None, :], i, w

    def neg_conjugate(self, U, labels):
        V, i, w = self._v(U, labels)
        return _CE.neg_conjugate(V, labels) + w[np.asarray(labels)] * (i @ V)

    def conjugate_scale(self, U, labels):
        V, i, w = self._v(U, labels)
        return np.abs(_CE.neg_conjugate(V, labels)) + w[np.asarray(labels)] * (np.abs(i) @ np.abs(V))

    def dual_segment(self, U_in, U_out, labels):
        V_in, _, _ = self._v(U_in, labels)
        V_out, _, _ = self._v(U_out, labels)
        return _CE.dual_segment(V_in, V_out, labels)

    def dual_zero_bias(self, U, weights, labels):
        # U c = 0  <=>  D (V ∘ w_y) c = 0  <=>  V (w_y ∘ c) = 0: CE's move with the weights w_y c
        labels = np.asarray(labels)
        V, _, w = self._v(U, labels)
        d, _, _ = self._vectors(np.asarray(U).shape[0])
        c = np.asarray(weights, dtype=np.float64) * w[labels]
        V2 = _CE.dual_zero_bias(V, c, labels)
        return V2 * d[:, None] * w[labels][None, :]

    def cvxpy(self, logits, labels, weights):
        import cvxpy as cp

        from nctheory.model.losses.base import one_hot

        labels = np.asarray(labels)
        K, m = logits.shape
        d, i, w = self._vectors(K)
        E = one_hot(labels, K)
        c = np.asarray(weights, dtype=np.float64)
        inner = cp.multiply(d[:, None] * np.ones((1, m)), logits) + i[:, None] * np.ones((1, m))
        inner = cp.multiply(inner, np.ones((K, 1)) * w[labels][None, :])
        return c @ cp.log_sum_exp(inner, axis=0) - c @ cp.sum(cp.multiply(E, inner), axis=0)
