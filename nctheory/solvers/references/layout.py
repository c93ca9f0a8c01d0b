r"""Two storage forms of the same K × K objects: dense arrays and group-invariant blocks.

Both solvers of this package (:mod:`~nctheory.solvers.references.lpm_solve`,
:mod:`~nctheory.solvers.references.uf_svm_solve`) are written once against a *layout*, which supplies the
linear algebra (combinations, the Frobenius inner product, spectra), the loss on class-mean columns and the
terms of the dual bounds.

* :class:`DenseLayout` -- K × K ``ndarray`` matrices (column k = class k), K-vectors for the bias.
* :class:`GroupedLayout` -- for class sizes in C groups of equal size: invariant matrices
  :math:`M = \bigoplus_g d_gI_{m_g} + EM_bE^\top` stored as
  :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` (O(C²)), and group-constant biases
  :math:`b = E\beta` stored as β (C,).

The grouped layout works in the metric of the expanded objects -- :math:`\langle M, M'\rangle =
\sum_g(m_g - 1)d_gd'_g + \langle\text{core}, \text{core}'\rangle` (the Frobenius product of the K × K matrices) and
:math:`\langle b, b'\rangle = \sum_hm_h\beta_h\beta'_h` -- and represents a gradient by the (invariant) expanded
gradient itself.  So every step of an algorithm run on grouped objects is exactly the step the dense algorithm
takes from the expanded point, and an invariant start stays invariant.

Class-mean columns in grouped form (the loss's "compressed columns", :mod:`nctheory.model.losses.base`): column k
of group g of :math:`\bar Z + b\mathbf 1^\top` has the label entry :math:`\bar Z_{kk} + \beta_g` (``own``) and
:math:`c_{hg} = m_h - \delta_{hg}` entries :math:`(M_b)_{hg} + \beta_h` in row group h (``rest``).  The weighted loss
is :math:`\sum_k\pi_k\ell(\bar z_k + b, k) = \sum_g m_g\pi_g\,\ell(\text{compressed column } g)`, and the bias
residual :math:`U\pi` of a dual matrix U (label entries ``own``, others ``rest``) is :math:`Er` with

.. math::  r_h = \pi_h\,\text{own}_h + \sum_g(m_g - \delta_{hg})\,\pi_g\,\text{rest}_{hg}

(class j of group h meets the entry :math:`\text{rest}_{hg}` in the :math:`m_g - \delta_{hg}` columns of group g
other than its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.references.rounding import EPS, singular_value_margin, spectral_upper
from nctheory.solvers.references.spectrum import DenseSpectrum, GroupedSpectrum

__all__ = ["DualTerms", "DenseLayout", "GroupedLayout"]


@dataclass(frozen=True)
class DualTerms:
    r"""The pieces of a Fenchel dual bound at one dual point U (column k in the domain of :math:`\ell^*(\cdot, k)`).

    Attributes
    ----------
    neg_conjugate : float
        :math:`-\sum_k\pi_k\ell^*(u_k, k)` (``-inf`` outside the domain).
    magnitude : float
        :math:`\sum_k\pi_k|\ell^*|` term by term (the scale of the sum's rounding).
    count : int
        Number of elementary terms summed (for :func:`~nctheory.solvers.references.rounding.sum_allowance`).
    spectral : float
        A rigorous upper bound on :math:`\|U\operatorname{diag}(\pi)\|_2`.
    residual_sq : float
        :math:`\|U\pi\|^2` (the bias residual, expanded).
    residual_scale : float
        :math:`\sum_k\pi_k\|u_k\|_1`, the size of the terms of :math:`U\pi` (for the free-bias check).
    """

    neg_conjugate: float
    magnitude: float
    count: int
    spectral: float
    residual_sq: float
    residual_scale: float


class DenseLayout:
    """K × K arrays (module doc)."""

    grouped = False

    def __init__(self, sizes, loss=None):
        n = np.asarray(sizes, dtype=np.float64)
        self.K = int(n.size)
        self.n = n
        self.sqrt_n = np.sqrt(n)
        self.N = float(n.sum())
        self.pi = n / self.N
        self.loss = loss
        self.labels = np.arange(self.K)
        self.size = self.K  # the dimension rounding constants scale with
        self._counts = None

    # ------------------------------------------------------------------ linear algebra
    def zeros(self) -> np.ndarray:
        return np.zeros((self.K, self.K))

    def bias_zeros(self) -> np.ndarray:
        return np.zeros(self.K)

    @staticmethod
    def lin(a: float, X, b: float, Y):
        """:math:`aX + bY`."""
        return a * X + b * Y

    @staticmethod
    def inner(X, Y) -> float:
        return float(np.vdot(X, Y))

    @staticmethod
    def bias_inner(b1, b2) -> float:
        return float(np.dot(b1, b2))

    @staticmethod
    def spectrum(M) -> DenseSpectrum:
        return DenseSpectrum.of(M)

    @staticmethod
    def weight_columns(M, v):
        r""":math:`M\operatorname{diag}(v)` (v per class)."""
        return M * np.asarray(v, dtype=np.float64)[None, :]

    @staticmethod
    def frobenius(M) -> float:
        return float(np.linalg.norm(M))

    @staticmethod
    def max_abs(M) -> float:
        return float(np.max(np.abs(M))) if np.size(M) else 0.0

    def expand_bias(self, b) -> np.ndarray:
        return np.asarray(b, dtype=np.float64)

    # ------------------------------------------------------------------ loss on class-mean columns
    def loss_columns(self, Z, b):
        r"""``(Σ_k π_k ℓ(z_k + b, k), Γ)`` with Γ the K × K matrix of per-column loss gradients."""
        logits = Z if b is None else Z + np.asarray(b)[:, None]
        values, Gamma = self.loss.value_grad(logits, self.labels)
        return float(values @ self.pi), Gamma

    def bias_residual(self, U) -> np.ndarray:
        r""":math:`U\pi`."""
        return U @ self.pi

    def dual_segment(self, U_in, U_out) -> float:
        return float(self.loss.dual_segment(U_in, U_out, self.labels))

    def zero_bias(self, U):
        return self.loss.dual_zero_bias(U, self.pi, self.labels)

    def conjugate_value(self, U) -> float:
        r""":math:`-\sum_k\pi_k\ell^*(u_k, k)` (``-inf`` outside the domain)."""
        return float(self.loss.neg_conjugate(U, self.labels) @ self.pi)

    def dual_terms(self, U) -> DualTerms:
        """:class:`DualTerms` of the dense dual point U."""
        terms = self.loss.neg_conjugate(U, self.labels)
        value = float(terms @ self.pi)
        scale_of = getattr(self.loss, "conjugate_scale", None)
        scales = scale_of(U, self.labels) if scale_of is not None else np.abs(terms)
        magnitude = float(scales @ self.pi)
        G = U * self.pi[None, :]
        residual = U @ self.pi
        return DualTerms(neg_conjugate=value, magnitude=magnitude, count=2 * self.K, spectral=spectral_upper(G),
                         residual_sq=float(residual @ residual), residual_scale=float(np.abs(U).sum(axis=0) @ self.pi))

    # ------------------------------------------------------------------ compressed columns (margins)
    @property
    def counts(self) -> np.ndarray:
        """Multiplicities of the "rest" entries of a column: 1 off the label, 0 on it."""
        if self._counts is None:
            self._counts = 1.0 - np.eye(self.K)
        return self._counts

    def compress(self, M):
        """``(own, rest)``: the label entries (diagonal) and every other entry (the diagonal zeroed)."""
        own = np.diagonal(M).copy()
        rest = np.array(M, dtype=np.float64)
        rest[np.diag_indices(self.K)] = 0.0
        return own, rest

    def from_compressed(self, own, rest):
        M = np.array(rest, dtype=np.float64)
        M[np.diag_indices(self.K)] = own
        return M

    def compressed_spectral_upper(self, own, rest, sum_terms: int = 1) -> float:
        r"""Upper bound on :math:`\|M\|_2` for the matrix with label entries ``own`` and others ``rest``, where each
        label entry was computed as a sum of ``sum_terms`` terms of the same sign (relative error
        ``sum_terms`` ε)."""
        M = self.from_compressed(own, rest)
        # the label entries' rounding is a diagonal error of 2-norm <= sum_terms ε max|own| (here in the margin)
        extra = max(int(sum_terms), 1) * float(np.max(np.abs(own))) if np.size(own) else 0.0
        return spectral_upper(M, formed_abs=float(np.linalg.norm(M)) + extra)


class GroupedLayout:
    """Group-invariant matrices of a :class:`GroupStructure` (module doc)."""

    grouped = True

    def __init__(self, structure: GroupStructure, loss=None):
        self.structure = structure
        self.C = structure.C
        self.K = structure.K
        self.m = structure.counts.astype(np.float64)
        self.n = structure.sizes.astype(np.float64)
        self.sqrt_n = np.sqrt(self.n)
        self.sqrt_m = np.sqrt(self.m)
        self.N = float(structure.N)
        self.pi = self.n / self.N  # weight of one class of each group
        self.w = self.m * self.pi  # weight of each group
        self.counts = structure.count_matrix
        self.present = self.counts > 0
        self.active = self.m >= 2
        self.loss = loss
        self.size = self.C + 2  # rounding constants scale with the number of distinct values, not with K
        self._cols = self.m[None, :] - np.eye(self.C)  # m_g - δ_hg: columns of group g meeting row group h

    # ------------------------------------------------------------------ linear algebra
    def zeros(self) -> GroupedMatrix:
        return GroupedMatrix.zeros(self.structure)

    def bias_zeros(self) -> np.ndarray:
        return np.zeros(self.C)

    def lin(self, a: float, X: GroupedMatrix, b: float, Y: GroupedMatrix) -> GroupedMatrix:
        return GroupedMatrix(self.structure, a * X.perp + b * Y.perp, a * X.core + b * Y.core)

    def inner(self, X: GroupedMatrix, Y: GroupedMatrix) -> float:
        return float((self.m - 1.0) @ (X.perp * Y.perp)) + float(np.sum(X.core * Y.core))

    def bias_inner(self, b1, b2) -> float:
        return float(self.m @ (np.asarray(b1) * np.asarray(b2)))

    @staticmethod
    def spectrum(M: GroupedMatrix) -> GroupedSpectrum:
        return GroupedSpectrum.of(M)

    @staticmethod
    def weight_columns(M: GroupedMatrix, v) -> GroupedMatrix:
        return M.times_diagonal(v)

    @staticmethod
    def frobenius(M: GroupedMatrix) -> float:
        return M.frobenius_norm()

    @staticmethod
    def max_abs(M: GroupedMatrix) -> float:
        return M.max_abs()

    def expand_bias(self, beta) -> np.ndarray:
        return self.structure.expand(np.asarray(beta, dtype=np.float64)).astype(np.float64)

    # ------------------------------------------------------------------ compressed columns
    def compress(self, M: GroupedMatrix):
        """``(own, rest)``: the label entry and the per-row-group entries of each group's columns."""
        return M.diagonal, np.where(self.present, M.block, 0.0)

    def from_compressed(self, own, rest) -> GroupedMatrix:
        own = np.asarray(own, dtype=np.float64)
        rest = np.where(self.present, np.asarray(rest, dtype=np.float64), 0.0)
        return GroupedMatrix.from_entries(self.structure, own - np.diagonal(rest), rest)

    def _blocks_upper(self, own, rest, v, sum_terms: int = 1) -> float:
        r"""Upper bound on :math:`\|M\operatorname{diag}(Ev)\|_2` for the expanded compressed point (module
        :mod:`~nctheory.solvers.references.rounding`): the within-group values :math:`(\text{own}_g -
        \text{rest}_{gg})v_g` and the core's largest singular value, each plus its rounding margin."""
        own = np.asarray(own, dtype=np.float64)
        rest = np.where(self.present, np.asarray(rest, dtype=np.float64), 0.0)
        v = np.asarray(v, dtype=np.float64)
        M = self.from_compressed(own, rest).times_diagonal(v)
        s = max(int(sum_terms), 1)
        perp_abs = (s * np.abs(own) + np.abs(np.diagonal(rest))) * np.abs(v)
        top_perp = float(np.max(np.abs(M.perp[self.active]) + 4.0 * EPS * perp_abs[self.active])) \
            if self.active.any() else 0.0
        sigma = np.linalg.svd(M.core, compute_uv=False)
        block_abs = np.abs(rest) * np.abs(v)[None, :]
        core_abs = self.sqrt_m[:, None] * block_abs * self.sqrt_m[None, :]
        core_abs[np.diag_indices(self.C)] += np.where(self.active, perp_abs, s * np.abs(own) * np.abs(v))
        top_core = float(sigma[0]) if sigma.size else 0.0
        top_core += singular_value_margin(top_core, self.C, float(np.linalg.norm(core_abs)))
        return max(top_perp, top_core)

    def compressed_spectral_upper(self, own, rest, sum_terms: int = 1) -> float:
        """As :meth:`DenseLayout.compressed_spectral_upper`, for the expanded compressed point."""
        return self._blocks_upper(own, rest, np.ones(self.C), sum_terms)

    # ------------------------------------------------------------------ loss on class-mean columns
    def columns(self, Z: GroupedMatrix, beta):
        own, rest = self.compress(Z)
        if beta is not None:
            beta = np.asarray(beta, dtype=np.float64)
            own = own + beta
            rest = np.where(self.present, rest + beta[:, None], 0.0)
        return own, rest

    def loss_columns(self, Z: GroupedMatrix, beta):
        r"""``(Σ_g m_gπ_g ℓ(column g), Γ)``, Γ the invariant matrix of per-column loss gradients."""
        own, rest = self.columns(Z, beta)
        values, g_own, g_rest = self.loss.grouped_value_grad(own, rest, self.counts)
        return float(values @ self.w), self.from_compressed(g_own, g_rest)

    def bias_residual(self, U: GroupedMatrix) -> np.ndarray:
        """r of the module doc (:math:`U\\pi = Er`)."""
        own, rest = self.compress(U)
        return self._residual(own, rest)

    def _residual(self, own, rest) -> np.ndarray:
        return self.pi * own + (rest * self._cols * self.pi[None, :]).sum(axis=1)

    def dual_segment(self, U_in: GroupedMatrix, U_out: GroupedMatrix) -> float:
        o_in, r_in = self.compress(U_in)
        o_out, r_out = self.compress(U_out)
        return float(self.loss.grouped_dual_segment(o_in, r_in, o_out, r_out, self.counts))

    def zero_bias(self, U: GroupedMatrix) -> GroupedMatrix:
        own, rest = self.compress(U)
        own, rest = self.loss.grouped_dual_zero_bias(own, rest, self.counts, self.pi)
        return self.from_compressed(own, rest)

    def conjugate_value(self, U: GroupedMatrix) -> float:
        own, rest = self.compress(U)
        return float(self.loss.grouped_neg_conjugate(own, rest, self.counts) @ self.w)

    def dual_terms(self, U: GroupedMatrix) -> DualTerms:
        """:class:`DualTerms` of the expanded dual point (evaluated from one compressed representation)."""
        own, rest = self.compress(U)
        neg = self.loss.grouped_neg_conjugate(own, rest, self.counts)
        value = float(neg @ self.w)
        scale_of = getattr(self.loss, "grouped_conjugate_scale", None)
        magnitude = float(scale_of(own, rest, self.counts) @ self.w) if scale_of is not None else \
            float(np.abs(neg) @ self.w)
        r = self._residual(own, rest)
        col_l1 = np.abs(own) + (self.counts * np.abs(rest)).sum(axis=0)
        return DualTerms(neg_conjugate=value, magnitude=magnitude, count=2 * self.C + 2,
                         spectral=self._blocks_upper(own, rest, self.pi), residual_sq=float(self.m @ (r * r)),
                         residual_scale=float(col_l1 @ self.w))
