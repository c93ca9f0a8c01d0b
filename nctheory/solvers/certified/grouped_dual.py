r"""The Fenchel dual bound of the **full K-class** R2 at a group-invariant dual point, in O(C²).

The dense bound (:mod:`nctheory.solvers.certified.dual`): for :math:`U \in \mathbb R^{K\times K}` with columns in the
conjugate's domain, :math:`\|\frac1N UD^{1/2}\|_2 \le \lambda` and :math:`U\pi = 0` for a free bias,

.. math::  \mathrm{LB}(U) = -\sum_k\pi_k\ell^*(u_k, k) - \frac{\|U\pi\|^2}{2\lambda_b} \le \min R2 .

Here U is the expansion of a compressed dual point (label entries ``own`` (C,), per-entry others ``rest``
(C × C)): :math:`U = \bigoplus_g(\text{own}_g - \text{rest}_{gg})I_{m_g} + E\,\text{rest}\,E^\top`.  Every term is
evaluated exactly in reduced form:

* :math:`G = \frac1N UD^{1/2}` is group-invariant (:meth:`GroupedSmooth.dual_blocks
  <nctheory.solvers.certified.grouped_smooth.GroupedSmooth.dual_blocks>`), so
  :math:`\|G\|_2 = \max(\max_{m_g\ge2}|G^\perp_g|, \|G_{\text{core}}\|_2)`;
* the columns of a group are permutations of one compressed column, so
  :math:`\sum_k\pi_k\ell^*(u_k) = \sum_g m_g\pi_g\,\ell^*(\text{compressed column } g)` (the loss's
  ``grouped_neg_conjugate``);
* :math:`U\pi = Er` (:meth:`GroupedSmooth.bias_residual`), :math:`\|U\pi\|^2 = \sum_h m_hr_h^2`.

Feasibility is made and then *verified* on the stored point: the spectral norm is bounded above by
:func:`spectral_bound`, which adds the rounding of forming the blocks and of the C × C SVD, and the point is
scaled until that bound is at most λ.  Construction, as in the dense
:class:`~nctheory.solvers.certified.dual.DualBound`:
zero-bias projection (free bias), then the scaled candidate :math:`cU` and the clipped one (excess singular values
of the blocks removed, :math:`U_c = U - N\Delta D^{-1/2}`; the segment toward it if it leaves the domain); the
best value wins.  Since :math:`\Delta` keeps the within-group/core split, the clipped point stays invariant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.certified.svd import svd

__all__ = ["GroupedDualBound", "spectral_bound", "spectral_margin"]

_EPS = np.finfo(np.float64).eps


def spectral_margin(C: int) -> float:
    r"""Relative radius margin :math:`32(C + 2)\varepsilon` of the spectral ball: the scaled candidate aims at
    :math:`\lambda(1 - \text{margin})`, leaving room for the rounding that :func:`spectral_bound` accounts for."""
    return 32.0 * (C + 2) * _EPS


def spectral_bound(smooth, own, rest) -> tuple[float, float, np.ndarray, np.ndarray, tuple]:
    r"""An upper bound on :math:`\|\frac1N UD^{1/2}\|_2` for the exact expansion of the stored ``(own, rest)``.

    The blocks are formed with a few roundings per entry (relative :math:`\le 6\varepsilon` of the entry's
    absolute terms, so the error matrix has Frobenius norm :math:`\le 8\varepsilon\|G_{|\cdot|}\|_F`), and the
    computed singular values of a C × C matrix are within :math:`8(C+1)\varepsilon\sigma_1` of the exact ones
    (backward stability of the SVD, with a generous constant).  Returns ``(bound, estimate, perp, core,
    svd_of_core)``; ``estimate`` is the plain computed norm.
    """
    perp, core = smooth.dual_blocks(own, rest)
    A, sigma, Bt = svd(core)
    top_perp = float(np.max(np.abs(perp[smooth.active]))) if smooth.active.any() else 0.0
    top_core = float(sigma[0]) if sigma.size else 0.0
    core_abs = smooth.dual_blocks_abs(own, rest)
    bound = max(top_perp * (1.0 + 8.0 * _EPS),
                top_core * (1.0 + 8.0 * (smooth.C + 1) * _EPS) + 8.0 * _EPS * float(np.linalg.norm(core_abs)))
    return bound, max(top_perp, top_core), perp, core, (A, sigma, Bt)


@dataclass(frozen=True)
class GroupedDualBound:
    r"""A verified dual-feasible invariant point and its value (module doc).

    Attributes
    ----------
    value : float
        :math:`\mathrm{LB}(U)`, a lower bound on the K-class R2 optimum (up to the rounding of the sums).
    grad_norm_ratio : float
        :math:`\|G\|_2/\lambda` of the starting point (1 at an optimum with :math:`X^* \ne 0`).
    candidate : str
        ``"scaled"``, ``"clipped"`` or ``"mixed"``.
    magnitude : float
        :math:`\sum_g m_g\pi_g|\ell^*_g|` (+ the bias term): the scale of the rounding in ``value``.
    own, rest : ndarray
        The dual point itself (compressed; expand with :meth:`expand`).
    spectral : float
        The verified upper bound on :math:`\|\frac1N UD^{1/2}\|_2` (:math:`\le\lambda`).
    """

    value: float
    grad_norm_ratio: float
    candidate: str
    magnitude: float
    own: np.ndarray
    rest: np.ndarray
    spectral: float

    @classmethod
    def from_gradient(cls, smooth, own, rest) -> "GroupedDualBound":
        loss, counts, lam, C = smooth.loss, smooth.counts, smooth.lam, smooth.C
        own = np.array(own, dtype=np.float64)
        rest = np.where(smooth.present, np.asarray(rest, dtype=np.float64), 0.0)
        if smooth.bias == Bias.FREE:
            own, rest = loss.grouped_dual_zero_bias(own, rest, counts, smooth.pi)
        bound, estimate, perp, core, (A, sigma, Bt) = spectral_bound(smooth, own, rest)
        ratio = estimate / lam if lam > 0 else np.inf
        radius = lam * (1.0 - spectral_margin(C))
        scale_of = getattr(loss, "grouped_conjugate_scale", None)

        def value_of(o, r):
            neg = loss.grouped_neg_conjugate(o, r, counts)
            terms = neg * smooth.w
            v = float(terms.sum())
            if scale_of is not None:
                mag = float((scale_of(o, r, counts) * smooth.w).sum())
            else:
                mag = float(np.abs(terms).sum())
            if smooth.bias == Bias.REGULARIZED:
                res = smooth.bias_residual(o, r)
                bias_term = float(smooth.m @ (res * res)) / (2.0 * smooth.lambda_b)
                v, mag = v - bias_term, mag + bias_term
            return v, mag

        def into_ball(o, r):
            """Scale until the verified bound is <= λ (scaling keeps the domain and U π = 0)."""
            b = spectral_bound(smooth, o, r)[0]
            for _ in range(8):
                if b <= lam:
                    return o, r, b
                c = radius / b
                o, r = c * o, c * r
                b = spectral_bound(smooth, o, r)[0]
            return None

        c = min(1.0, radius / bound) if bound > 0 else 1.0
        scaled = into_ball(c * own, c * rest)
        candidates = []
        if scaled is not None:
            candidates.append((*value_of(scaled[0], scaled[1]), "scaled", scaled))
        excess_perp = np.where(smooth.active, np.maximum(np.abs(perp) - radius, 0.0), 0.0)
        excess_core = sigma - radius
        k = int(np.count_nonzero(excess_core > 0))
        if (k > 0 or excess_perp.any()) and c < 1.0 and scaled is not None:
            d_perp = np.sign(perp) * excess_perp
            d_core = (A[:, :k] * excess_core[:k]) @ Bt[:k]
            d_own, d_rest = smooth.from_dual_blocks(d_perp, d_core)
            own_c, rest_c = own - d_own, rest - d_rest
            own_s, rest_s = scaled[0], scaled[1]
            theta = loss.grouped_dual_segment(own_s, rest_s, own_c, rest_c, counts)
            if theta > 0.0:
                if theta >= 1.0:
                    om, rm = own_c, rest_c
                else:
                    om, rm = own_s + theta * (own_c - own_s), rest_s + theta * (rest_c - rest_s)
                # the subtraction cancels when σ_1 ≫ λ: measure again and scale into the ball
                b = spectral_bound(smooth, om, rm)[0]
                if b > radius:
                    om, rm = om * (radius / b), rm * (radius / b)
                clipped = into_ball(om, rm)
                if clipped is not None:
                    candidates.append((*value_of(clipped[0], clipped[1]), "clipped" if theta >= 1.0 else "mixed",
                                       clipped))
        if not candidates:
            zero = (np.zeros(C), np.zeros((C, C)), 0.0)
            candidates.append((*value_of(zero[0], zero[1]), "zero", zero))
        best = max(candidates, key=lambda t: t[0])
        value, mag, name, (o, r, b) = best
        return cls(value=float(value), grad_norm_ratio=float(ratio), candidate=name, magnitude=float(mag),
                   own=o, rest=r, spectral=float(b))

    def expand(self, structure) -> np.ndarray:
        """The K × K dual matrix U (column k = the dual vector of class k); small K only."""
        from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K

        gi = structure.group_of
        K = structure.K
        if K > DENSE_MAX_K:
            raise ValueError(f"sizes: K = {K} is above {DENSE_MAX_K}; the dual point is kept compressed")
        U = self.rest[np.ix_(gi, gi)]
        U[np.arange(K), np.arange(K)] = self.own[gi]
        return U
