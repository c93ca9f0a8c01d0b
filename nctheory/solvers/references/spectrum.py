r"""Spectral maps on dense and group-invariant matrices: the nuclear-ball projection and the nuclear prox.

Both solvers of this package move only singular values: the projection onto the nuclear-norm ball
:math:`\{Z : \|Z\|_* \le \rho\}` and the proximal map of :math:`\tau\|\cdot\|_*` are, for :math:`V = A\Sigma B^\top`,

.. math::

    P_\rho(V) = A\,\operatorname{diag}(p_\rho(\sigma))B^\top ,\qquad
    \operatorname{prox}_{\tau\|\cdot\|_*}(V) = A\,\operatorname{diag}((\sigma - \tau)_+)B^\top ,

where :math:`p_\rho(\sigma) = (\sigma - \theta)_+` is the Euclidean projection of the singular values onto
:math:`\{s \ge 0, \sum_i s_i \le \rho\}` (:math:`\theta = 0` when :math:`\sum\sigma \le \rho`).  Both facts follow
from von Neumann's trace inequality: :math:`\|V - Z\|_F \ge \|\sigma(V) - \sigma(Z)\|_2` with equality when Z
shares V's singular vectors, and the constraint (resp. the penalty) depends on :math:`\sigma(Z)` only.

A :class:`Spectrum` is the singular value decomposition of a matrix in a form that may carry multiplicities:

* :class:`DenseSpectrum` -- a K × K array, multiplicities 1;
* :class:`GroupedSpectrum` -- a :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` (invariant under
  permutations inside equal-size groups): its singular values are :math:`|p_g|` on each within-group subspace
  (multiplicity :math:`m_g - 1`) and those of the C × C core (multiplicity 1), with singular vectors
  :math:`\operatorname{sign}(p_g)V_g, V_g` and :math:`QA, QB` (:mod:`~nctheory.solvers.certified.grouped_matrix`).
  Every spectral map acts on these values, so its result is again invariant, and equals the dense map of the
  expanded matrix.

With multiplicities :math:`\mu_i` the ℓ1 condition is :math:`\sum_i\mu_is_i \le \rho` and the projection
threshold solves :math:`\sum_i\mu_i(\sigma_i - \theta)_+ = \rho` (:func:`project_onto_l1_ball`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.svd import svd

__all__ = ["Spectrum", "DenseSpectrum", "GroupedSpectrum", "project_onto_l1_ball", "soft_threshold"]


def project_onto_l1_ball(values: np.ndarray, mult: np.ndarray, radius: float) -> np.ndarray:
    r"""Euclidean projection (in the metric :math:`\sum_i\mu_is_i^2`) of non-negative ``values`` onto
    :math:`\{s \ge 0 : \sum_i\mu_is_i \le \rho\}`.

    If :math:`\sum\mu_i\sigma_i \le \rho` the values are returned unchanged.  Otherwise the KKT conditions give
    :math:`s_i = (\sigma_i - \theta)_+` with :math:`\sum_i\mu_i(\sigma_i - \theta)_+ = \rho`: with the values sorted
    descending and :math:`M_j = \sum_{i\le j}\mu_i`, :math:`S_j = \sum_{i\le j}\mu_i\sigma_i`, the threshold is
    :math:`\theta = (S_j - \rho)/M_j` for the largest j with :math:`\sigma_j > (S_j - \rho)/M_j` (the usual simplex
    projection, with weights).  Entries with multiplicity 0 are returned as 0.
    """
    v = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
    mu = np.asarray(mult, dtype=np.float64)
    v = np.where(mu > 0, v, 0.0)
    if float(mu @ v) <= radius:
        return v
    order = np.argsort(-v, kind="stable")
    vs, ms = v[order], mu[order]
    M = np.cumsum(ms)
    S = np.cumsum(ms * vs)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = (S - radius) / M
    ok = (ms > 0) & (vs > theta)
    j = int(np.flatnonzero(ok)[-1])
    out = np.maximum(v - theta[j], 0.0)
    return np.where(mu > 0, out, 0.0)


def soft_threshold(values: np.ndarray, tau: float) -> np.ndarray:
    r""":math:`(\sigma_i - \tau)_+`, the nuclear prox on singular values."""
    return np.maximum(np.asarray(values, dtype=np.float64) - float(tau), 0.0)


class Spectrum(ABC):
    """Singular values with multiplicities, and the matrix with new singular values (same singular vectors)."""

    values: np.ndarray
    mult: np.ndarray

    @abstractmethod
    def rebuild(self, new_values: np.ndarray):
        """The matrix with singular values ``new_values`` and the same singular vectors (dense or grouped)."""

    def nuclear(self, values: np.ndarray | None = None) -> float:
        r""":math:`\sum_i\mu_is_i` (of ``values``, default the matrix's own)."""
        v = self.values if values is None else values
        return float(self.mult @ np.abs(v))

    def top(self) -> float:
        """Largest singular value with positive multiplicity (0 for an empty spectrum)."""
        present = self.mult > 0
        return float(np.max(self.values[present])) if present.any() else 0.0

    def rank(self, values: np.ndarray | None = None) -> int:
        """Number of nonzero singular values, with multiplicity."""
        v = self.values if values is None else values
        return int(self.mult[np.abs(v) > 0].sum())

    def order(self) -> np.ndarray:
        """Indices of the components with positive multiplicity, by value descending."""
        idx = np.flatnonzero(self.mult > 0)
        return idx[np.argsort(-self.values[idx], kind="stable")]


@dataclass(frozen=True, eq=False)
class DenseSpectrum(Spectrum):
    """Thin SVD ``A diag(values) Bt`` of a dense matrix."""

    A: np.ndarray
    values: np.ndarray
    Bt: np.ndarray

    @classmethod
    def of(cls, M: np.ndarray) -> "DenseSpectrum":
        A, s, Bt = svd(np.asarray(M, dtype=np.float64))
        return cls(A, s, Bt)

    @property
    def mult(self) -> np.ndarray:
        return np.ones(self.values.size)

    def rebuild(self, new_values: np.ndarray) -> np.ndarray:
        """``A diag(new) Bt`` from the nonzero new values only (zeros stay exactly zero)."""
        new = np.asarray(new_values, dtype=np.float64)
        keep = np.flatnonzero(new != 0.0)
        if keep.size == 0:
            return np.zeros((self.A.shape[0], self.Bt.shape[1]))
        return (self.A[:, keep] * new[keep]) @ self.Bt[keep]


@dataclass(frozen=True, eq=False)
class GroupedSpectrum(Spectrum):
    r"""Spectrum of a group-invariant matrix (module doc).

    Components 0..C-1 are the within-group values :math:`|p_g|` (multiplicity :math:`m_g - 1`, 0 for singleton
    groups), components C..2C-1 the core's singular values.
    """

    structure: object
    sign: np.ndarray
    perp_abs: np.ndarray
    A: np.ndarray
    core_values: np.ndarray
    Bt: np.ndarray

    @classmethod
    def of(cls, M: GroupedMatrix) -> "GroupedSpectrum":
        A, s, Bt = svd(M.core)
        return cls(M.structure, np.sign(M.perp), np.abs(M.perp), A, s, Bt)

    @property
    def C(self) -> int:
        return int(self.structure.C)

    @property
    def values(self) -> np.ndarray:
        return np.concatenate([self.perp_abs, self.core_values])

    @property
    def mult(self) -> np.ndarray:
        return np.concatenate([(self.structure.counts - 1).astype(np.float64), np.ones(self.core_values.size)])

    def rebuild(self, new_values: np.ndarray) -> GroupedMatrix:
        """The invariant matrix with within-group values ``sign * new[:C]`` and core ``A diag(new[C:]) Bt``."""
        new = np.asarray(new_values, dtype=np.float64)
        C = self.C
        perp = np.where(self.structure.counts > 1, self.sign * new[:C], 0.0)
        core_new = new[C:]
        keep = np.flatnonzero(core_new != 0.0)
        core = (self.A[:, keep] * core_new[keep]) @ self.Bt[keep] if keep.size else np.zeros((C, C))
        return GroupedMatrix(self.structure, perp, core)
