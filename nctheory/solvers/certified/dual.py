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

from dataclasses import dataclass, field

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.certified.svd import spectral_norm, svd

_EPS = np.finfo(np.float64).eps

#: The kind of certificate a bound of this module gives, and what it assumes about the model (the dense and the
#: symmetric certified solver's :class:`~nctheory.solvers.result.Certificate`).
R2_KIND = "fenchel-dual:R2"
R2_ASSUMES = ("reductions R1/R2 (theorems: NC1 by Jensen for a loss convex in the logits; the variational identity "
              "for d >= rank); nothing about the claim under test")


#: Saturation thresholds of the ``"saturated"`` candidate: the singular values of G at or above
#: :math:`\theta\rho` are set to the radius, one candidate per distinct set (see :class:`DualBound`).
SATURATION_THRESHOLDS = (0.5, 0.9, 0.99)


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
       * saturated (only with ``saturate=True``): as clipped, but every singular value
         :math:`\sigma_i \ge \theta\rho` is moved to :math:`\rho`, also those below it
         (:math:`\Delta = \sum_{\sigma_i\ge\theta\rho}(\sigma_i-\rho)a_ib_i^\top`), one candidate per distinct set for
         :math:`\theta` in :data:`SATURATION_THRESHOLDS`.  Same feasibility argument (the singular values of
         :math:`G - \Delta` are :math:`\min(\sigma_i, \rho)` or :math:`\rho`; directions with
         :math:`\sigma_i < \theta\rho`, among them the null directions of the bias and shift constraints, are
         untouched).  Why: at an optimum :math:`-\nabla\varphi(X^*) \in \lambda\partial\|X^*\|_*`, so the gradient's
         singular values are exactly :math:`\lambda` on the range of :math:`X^*` (the bound's gradient in U is
         the primal point, normal to the ball there).  Near the optimum they are :math:`\lambda` up to the error,
         and clipping leaves those below :math:`\lambda` short, which costs the bound an amount *first order* in
         the error; putting them on the sphere leaves a second-order loss, so the certified gap falls
         about quadratically with the gradient norm instead of linearly.

       If :math:`U_c` leaves the domain, the furthest feasible point of the segment
       :math:`[U_s, U_c]` (``loss.dual_segment``) is used instead (the spectral ball is convex).  The
       subtraction cancels when :math:`\sigma_1 \gg \lambda`, so the spectral norm of the result is
       measured again (a full SVD, :func:`spectral_norm`) and the point scaled into the ball if rounding left it
       outside.  Only the best such candidate is measured, and only if it beats the scaled one; with
       ``recheck=False`` the measurement is deferred: the bound is then *provisional* (``checked`` False, the
       point kept in ``point``) and :meth:`confirm` measures it -- a provisional value may be used to decide
       when to stop, never reported.

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
        ``"scaled"``, ``"clipped"``, ``"saturated"`` or ``"mixed"`` (a point of a segment): which dual point gave
        ``value``.
    magnitude : float
        :math:`\sum_k\pi_k|\ell^*(u_k)|` (+ the bias term's size): the scale of the rounding in ``value``.  It
        exceeds :math:`|\text{value}|` when the terms cancel (MSE near a perfect fit), and then the certificate cannot
        resolve a relative gap below :math:`\sim K\varepsilon\,\text{magnitude}/|F|`.
    checked : bool
        False for a provisional bound (``recheck=False``) whose point still has to be measured (:meth:`confirm`).
    point : ndarray or None
        The dual point U of a provisional bound (None otherwise).
    """

    value: float
    grad_norm_ratio: float
    candidate: str
    magnitude: float = 0.0
    checked: bool = True
    point: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_gradient(cls, smooth, Gamma: np.ndarray, *, saturate: bool = False, recheck: bool = True,
                      svd_of_G=None) -> "DualBound":
        r"""The bound from the logit-space gradient ``Gamma`` (class doc).  ``saturate`` adds the saturated
        candidates, ``recheck=False`` returns a provisional bound (the spectral norm measured by :meth:`confirm`);
        ``svd_of_G`` is an SVD ``(A, sigma, Bt)`` of :math:`G = \frac1N\Gamma D^{1/2}` if the caller has one (not
        with a free bias, whose G is that of the moved point)."""
        K, N, pi, lam = smooth.K, smooth.N, smooth.pi, smooth.lam
        loss, labels, sqrt_n = smooth.loss, smooth.labels, smooth.sqrt_n
        U = np.array(Gamma, dtype=np.float64)
        if smooth.bias == Bias.FREE:
            if svd_of_G is not None:
                raise ValueError("svd_of_G: not available with a free bias (G is that of the moved dual point)")
            U = loss.dual_zero_bias(U, pi, labels)
        if svd_of_G is None:
            A, sigma, Bt = svd(U * (sqrt_n / N))
        else:
            A, sigma, Bt = svd_of_G
        radius = _radius(lam, K)
        ratio = float(sigma[0] / lam) if lam > 0 else np.inf

        c = min(1.0, radius / sigma[0]) if sigma[0] > 0 else 1.0
        U_s = c * U
        value, mag = _value_of(smooth, U_s)
        best = cls(value=value, grad_norm_ratio=ratio, candidate="scaled", magnitude=mag)
        if not sigma[0] > 0:
            return best
        # the moved sets: the excess (clipped), then the saturation sets (each a prefix of the descending sigma)
        sizes = []
        if c < 1.0:
            sizes.append((int(np.count_nonzero(sigma > radius)), "clipped"))
        if saturate:
            for theta in SATURATION_THRESHOLDS:
                sizes.append((int(np.count_nonzero(sigma >= theta * radius)), "saturated"))
        seen, pending = set(), None
        for m, name in sizes:
            if m == 0 or m in seen:
                continue
            seen.add(m)
            Delta = (A[:, :m] * (sigma[:m] - radius)) @ Bt[:m]
            U_c = U - Delta * (N / sqrt_n)
            del Delta
            theta = loss.dual_segment(U_s, U_c, labels)
            if not theta > 0.0:
                continue
            U_m = U_c if theta >= 1.0 else U_s + theta * (U_c - U_s)
            v, mg = _value_of(smooth, U_m)
            if pending is None or v > pending[0]:
                pending = (v, mg, name if theta >= 1.0 else "mixed", U_m)
        if pending is None or not pending[0] > best.value:
            return best
        provisional = cls(value=pending[0], grad_norm_ratio=ratio, candidate=pending[2], magnitude=pending[1],
                          checked=False, point=pending[3])
        if not recheck:
            return provisional
        confirmed = provisional.confirm(smooth)
        return confirmed if confirmed.value > best.value else best

    def confirm(self, smooth) -> "DualBound":
        r"""The checked bound of a provisional one: the spectral norm of its point measured (a full SVD) and the
        point scaled into the ball of radius :math:`\lambda(1 - 8K\varepsilon)` if rounding left it outside (scaling
        keeps the domain and :math:`U\pi = 0`).  A checked bound is returned unchanged."""
        if self.checked:
            return self
        U_m = self.point
        radius = _radius(smooth.lam, smooth.K)
        # the subtraction G - Δ cancels when σ_1 ≫ λ (its rounding is ~ε σ_1, not ε λ): measure the
        # result's spectral norm and scale it into the ball (scaling keeps the domain and U π = 0)
        top = spectral_norm(U_m * (smooth.sqrt_n / smooth.N))
        if top > radius:
            U_m = U_m * (radius / top)
        value, mag = _value_of(smooth, U_m)
        return DualBound(value=value, grad_norm_ratio=self.grad_norm_ratio, candidate=self.candidate, magnitude=mag)


def _radius(lam: float, K: int) -> float:
    """The radius :math:`\\lambda(1 - 8K\\varepsilon)` of the spectral ball the dual points are pulled into."""
    return lam * (1.0 - 8.0 * K * _EPS)


def _value_of(smooth, Uc: np.ndarray) -> tuple[float, float]:
    """``(LB(Uc), magnitude)`` for a dual point already in the spectral ball (class doc)."""
    loss, labels, pi = smooth.loss, smooth.labels, smooth.pi
    scale_of = getattr(loss, "conjugate_scale", None)
    terms = loss.neg_conjugate(Uc, labels) * pi
    v = float(terms.sum())
    mag = float((scale_of(Uc, labels) * pi).sum()) if scale_of is not None else float(np.abs(terms).sum())
    if smooth.bias == Bias.REGULARIZED:
        bias_term = float(np.sum((Uc @ pi) ** 2)) / (2.0 * smooth.lambda_b)
        v, mag = v - bias_term, mag + bias_term
    return v, mag
