r"""Compact answers for grouped instances: balanced factors of an invariant matrix, kept in O(C²).

An invariant K × K matrix X (:mod:`~nctheory.solvers.certified.grouped_matrix`) with within-group values
:math:`p_g` and core :math:`A\Sigma B^\top` (C × C) is :math:`X = Q A\Sigma B^\top Q^\top + \sum_g p_gV_gV_g^\top`
(:math:`Q = E\operatorname{diag}(m)^{-1/2}`, :math:`V_g` an orthonormal basis of group g's within-group subspace).
Its balanced factors, with scalars :math:`s_W, s_H` and a group-constant column scaling c (for the UF-SVM
:math:`c_g = n_g^{-1/2}`, so that :math:`W\bar H = \bar Z = XD^{-1/2}`; 1 for the layer-peeled model, whose
variable is :math:`\bar Z` itself), are

.. math::

    W = s_W\,[\,QA\Sigma^{1/2},\ \sqrt{|p_g|}\,V_g\,],\qquad
    \bar H = s_H\,[\,\Sigma^{1/2}B^\top Q^\top;\ \operatorname{sign}(p_g)\sqrt{|p_g|}\,V_g^\top\,]
    \operatorname{diag}(Ec),

so :math:`W\bar H = s_Ws_H\,X\operatorname{diag}(Ec)`, and the Grams are invariant with

* :math:`WW^\top`: within-group :math:`s_W^2|p_g|`, core :math:`s_W^2A\Sigma A^\top`;
* :math:`\bar H^\top\bar H`: within-group :math:`s_H^2c_g^2|p_g|`, core
  :math:`s_H^2\operatorname{diag}(c)B\Sigma B^\top\operatorname{diag}(c)`;
* :math:`W\bar H`: within-group :math:`s_Ws_Hc_gp_g`, core :math:`s_Ws_HA\Sigma B^\top\operatorname{diag}(c)`.

:class:`CompactSolution` is a :class:`~nctheory.solvers.certified.grouped.GroupedSolution` (same accessors and
verification rules: ``gram_WW``, ``gram_HH``, ``gram_WH``, ``logits``, ``b``/``beta``, ``w_norms``, ...) whose
:meth:`~CompactSolution.expand` builds the dense factors above and evaluates the model's own objective.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nctheory.solvers.certified.grouped import GroupedSolution, within_group_basis
from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K, GroupedMatrix
from nctheory.solvers.result import Solution

__all__ = ["CompactFactors", "CompactSolution"]


@dataclass(frozen=True, eq=False)
class CompactFactors:
    """The data of the balanced factors of the module doc (kept singular values only)."""

    structure: object
    perp: np.ndarray  # p_g (0 where dropped, and for singleton groups)
    A: np.ndarray  # C × r core left singular vectors
    sigma: np.ndarray  # r core singular values (> 0)
    Bt: np.ndarray  # r × C core right singular vectors
    w_scale: float
    h_scale: float
    column_scale: np.ndarray  # c_g

    @property
    def rank(self) -> int:
        """Width of the factors: the core's rank plus :math:`m_g - 1` per nonzero within-group value."""
        return int(self.sigma.size) + int((self.structure.counts - 1)[self.perp != 0.0].sum())

    def grams(self) -> tuple[GroupedMatrix, GroupedMatrix, GroupedMatrix]:
        """``(WW^T, H^T H, W H)`` as grouped matrices (module doc)."""
        st, c = self.structure, np.asarray(self.column_scale, dtype=np.float64)
        sw, sh = self.w_scale, self.h_scale
        p, A, s, Bt = self.perp, self.A, self.sigma, self.Bt
        WW = GroupedMatrix(st, sw * sw * np.abs(p), sw * sw * ((A * s) @ A.T))
        HH = GroupedMatrix(st, sh * sh * c * c * np.abs(p), sh * sh * (c[:, None] * ((Bt.T * s) @ Bt) * c[None, :]))
        WH = GroupedMatrix(st, sw * sh * c * p, sw * sh * ((A * s) @ Bt) * c[None, :])
        return WW, HH, WH

    def dense(self, d: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The K × width and width × K factors (width = max(rank, d, 1)); small K only."""
        st = self.structure
        K = st.K
        if K > DENSE_MAX_K:
            raise ValueError(f"sizes: K = {K} is above {DENSE_MAX_K}; compact factors are expanded only for small K")
        sqrt_m = np.sqrt(st.counts.astype(np.float64))
        Q = np.zeros((K, st.C))
        Q[np.arange(K), st.group_of] = 1.0 / sqrt_m[st.group_of]
        root = np.sqrt(self.sigma)
        cols_w = [Q @ (self.A * root)]
        cols_h = [Q @ (self.Bt.T * root)]
        for g in range(st.C):
            if self.perp[g] == 0.0:
                continue
            Vg = np.zeros((K, int(st.counts[g]) - 1))
            Vg[st.classes(g)] = within_group_basis(int(st.counts[g]))
            cols_w.append(np.sqrt(abs(self.perp[g])) * Vg)
            cols_h.append(np.sign(self.perp[g]) * np.sqrt(abs(self.perp[g])) * Vg)
        Wr, Hr = np.hstack(cols_w), np.hstack(cols_h)
        r = Wr.shape[1]
        width = max(r, 1) if d is None else max(r, int(d))
        W = np.zeros((K, width))
        H = np.zeros((width, K))
        W[:, :r] = self.w_scale * Wr
        H[:r] = self.h_scale * Hr.T * st.expand(self.column_scale)[None, :]
        return W, H


@dataclass(frozen=True, eq=False)
class CompactSolution(GroupedSolution):
    """A grouped answer of a reference solver (module doc): the fields of
    :class:`~nctheory.solvers.certified.grouped.GroupedSolution` and two more.

    Attributes
    ----------
    factors : CompactFactors
        The balanced factors in compact form.
    dense_objective : callable
        ``(problem, W, H_mean, b) -> float``: the model's objective at a dense point (used by :meth:`expand`).
    """

    factors: CompactFactors | None = field(default=None, repr=False)
    dense_objective: Callable | None = field(default=None, repr=False)

    def expand(self) -> Solution:
        """The dense :class:`~nctheory.solvers.result.Solution` of the factors (K <= ``DENSE_MAX_K``); its objective is
        recomputed densely (it agrees with :attr:`objective` up to rounding)."""
        if "expanded" not in self._cache:
            self._cache["expanded"] = self._expand()
        return self._cache["expanded"]

    def _expand(self) -> Solution:
        if self.problem is None or self.factors is None:
            raise ValueError("problem: this compact solution carries no problem or factors; it cannot be expanded")
        W, H = self.factors.dense(self.problem.d)
        b = self.b
        objective = float(self.dense_objective(self.problem, W, H, b))
        return self.dense_solution(W, H, b, W @ H + b[:, None], objective)
