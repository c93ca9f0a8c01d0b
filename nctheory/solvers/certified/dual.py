r"""Fenchel dual lower bound of reduction R2, for any loss with a conjugate.

Weak duality (derived in :mod:`nctheory.solvers.certified.dense`): for any
:math:`U \in \mathbb R^{K\times K}` (column :math:`u_k` in the domain of :math:`\ell^*(\cdot, k)`) with
:math:`\|\frac1N U D^{1/2}\|_2 \le \lambda`, and :math:`U\pi = 0` for a free bias,

.. math::

    \mathrm{LB}(U) = -\sum_k \pi_k\,\ell^*(u_k, k) \;-\; \frac{\|U\pi\|^2}{2\lambda_b}
    \quad(\text{last term only for a regularised bias})

is below the optimal value of R2.  The loss supplies :math:`-\ell^*` (:meth:`neg_conjugate`), the
domain test along a segment (:meth:`dual_segment`) and, for a free bias, the move to
:math:`U\pi = 0` (:meth:`dual_zero_bias`); nothing here depends on which loss it is, so a
certificate can never use another loss's conjugate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.certified.svd import svd

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class DualBound:
    r"""A dual-feasible point built from a gradient, and its value.

    Construction, from the logit-space gradient :math:`\Gamma` at the current point (a point of the
    conjugate's domain, since :math:`u = \nabla\ell(z)` gives :math:`\ell^*(u) = u^\top z - \ell(z)`):

    1. *Bias feasibility* (free bias only): :math:`U = ` ``loss.dual_zero_bias(Γ)``, so :math:`U\pi = 0`.
    2. *Spectral feasibility*, with :math:`G = \frac1N U D^{1/2} = A\Sigma B^\top` and radius
       :math:`\rho = \lambda(1 - 8K\varepsilon)` (a margin for SVD rounding):

       * scaled: :math:`U_s = cU`, :math:`c = \min(1, \rho/\sigma_1)` (in the domain: it is convex and
         contains 0);
       * clipped: :math:`U_c = U - N\Delta D^{-1/2}`, :math:`\Delta = \sum_{\sigma_i>\rho}(\sigma_i-\rho)a_ib_i^\top`
         (only the excess is removed; :math:`\Delta\sqrt n = 0` whenever :math:`G\sqrt n = 0`, so the
         bias constraint is kept, and :math:`\mathbf 1^\top\Delta = 0` whenever :math:`\mathbf 1^\top G = 0`);
         if :math:`U_c` leaves the domain, the furthest feasible point of the segment
         :math:`[U_s, U_c]` (``loss.dual_segment``) is used instead (the spectral ball is convex).  The
         subtraction cancels when :math:`\sigma_1 \gg \lambda`, so the spectral norm of the result is
         measured again and the point scaled into the ball if rounding left it outside.

    3. The bound is the best :math:`\mathrm{LB}` over the candidates.

    Every candidate is feasible up to floating-point rounding, so ``value`` is a true lower bound up to
    rounding of relative size :math:`\sim K\varepsilon`.

    Attributes
    ----------
    value : float
    grad_norm_ratio : float
        :math:`\sigma_1(G)/\lambda` (1 at an optimum with :math:`X^* \ne 0`; :math:`\le 1` iff :math:`X = 0` is
        optimal when evaluated at 0).
    candidate : str
        ``"scaled"``, ``"clipped"`` or ``"mixed"``: which dual point gave ``value``.
    magnitude : float
        :math:`\sum_k\pi_k|\ell^*(u_k)|` (+ the bias term's size): the scale of the rounding in ``value``.  It
        exceeds |value| when the terms cancel (MSE near a perfect fit), and then the certificate cannot
        resolve a relative gap below :math:`\sim K\varepsilon\,\text{magnitude}/|F|`.
    """

    value: float
    grad_norm_ratio: float
    candidate: str
    magnitude: float = 0.0

    @classmethod
    def from_gradient(cls, smooth, Gamma: np.ndarray) -> "DualBound":
        K, N, pi, lam = smooth.K, smooth.N, smooth.pi, smooth.lam
        loss, labels, sqrt_n = smooth.loss, smooth.labels, smooth.sqrt_n
        U = np.array(Gamma, dtype=np.float64)
        if smooth.bias == Bias.FREE:
            U = loss.dual_zero_bias(U, pi, labels)
        G = U * (sqrt_n / N)
        A, sigma, Bt = svd(G)
        radius = lam * (1.0 - 8.0 * K * _EPS)
        ratio = float(sigma[0] / lam) if lam > 0 else np.inf

        scale_of = getattr(loss, "conjugate_scale", None)

        def value_of(Uc):
            terms = loss.neg_conjugate(Uc, labels) * pi
            v = float(terms.sum())
            mag = float((scale_of(Uc, labels) * pi).sum()) if scale_of is not None else float(np.abs(terms).sum())
            if smooth.bias == Bias.REGULARIZED:
                bias_term = float(np.sum((Uc @ pi) ** 2)) / (2.0 * smooth.lambda_b)
                v, mag = v - bias_term, mag + bias_term
            return v, mag

        c = min(1.0, radius / sigma[0]) if sigma[0] > 0 else 1.0
        U_s = c * U
        best = (*value_of(U_s), "scaled")
        excess = sigma - radius
        m = int(np.count_nonzero(excess > 0))
        if m > 0 and c < 1.0:
            Delta = (A[:, :m] * excess[:m]) @ Bt[:m]
            U_c = U - Delta * (N / sqrt_n)
            theta = loss.dual_segment(U_s, U_c, labels)
            if theta > 0.0:
                U_m = U_c if theta >= 1.0 else U_s + theta * (U_c - U_s)
                # the subtraction G - Δ cancels when σ_1 ≫ λ (its rounding is ~ε σ_1, not ε λ): measure the
                # result's spectral norm and scale it into the ball (scaling keeps the domain and U π = 0)
                top = float(np.linalg.norm(U_m * (sqrt_n / N), 2))
                if top > radius:
                    U_m = U_m * (radius / top)
                best = max(best, (*value_of(U_m), "clipped" if theta >= 1.0 else "mixed"))
        return cls(value=float(best[0]), grad_norm_ratio=ratio, candidate=best[2], magnitude=float(best[1]))
