r"""K × K matrices invariant under permutations inside equal-size groups, stored in O(C²).

A matrix M with :math:`PMP^\top = M` for every permutation P that only permutes classes inside groups
(:mod:`nctheory.solvers.certified.groups`) has the *entry form*

.. math::

    M = \bigoplus_g d_g I_{m_g} + E\,M_b\,E^\top ,

i.e. :math:`M_{jk} = (M_b)_{h g} + \delta_{jk}d_g` for class j in group h and class k in group g: one value
on the diagonal of each group (:attr:`GroupedMatrix.diagonal` = :math:`d_g + (M_b)_{gg}`), one off the
diagonal inside it (:attr:`GroupedMatrix.within` = :math:`(M_b)_{gg}`), one per pair of groups
(:attr:`GroupedMatrix.block`).  Equivalently the *operator form*: :math:`\mathbb R^K` splits into the
within-group subspaces :math:`V_g = \{v : \operatorname{supp} v \subseteq g,\ \mathbf 1^\top v = 0\}`
(dimension :math:`m_g - 1`), on which M acts as the scalar :attr:`GroupedMatrix.perp` :math:`= d_g`, and
:math:`\operatorname{span}(E)`, on which it acts, in the orthonormal basis :math:`Q = E\operatorname{diag}(m)^{-1/2}`,
as the C × C matrix

.. math::

    \text{core} = Q^\top MQ = \operatorname{diag}(d) + \operatorname{diag}(\sqrt m)\,M_b\,\operatorname{diag}(\sqrt m).


(:math:`MV_g \subseteq V_g` because :math:`E^\top v = 0` there; :math:`MQ = Q\,\text{core}`.)  So products,
transposes and group-constant diagonal scalings act on (perp, core) separately, the singular values are
:math:`|d_g|` with multiplicity :math:`m_g - 1` together with those of the core, and
:math:`\|M\|_F^2 = \sum_g(m_g - 1)d_g^2 + \|\text{core}\|_F^2`.  Singleton groups have no :math:`V_g`; their
``perp`` is stored as 0 (only :math:`d_g + (M_b)_{gg}` is defined there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.solvers.certified.groups import GroupStructure

__all__ = ["GroupedMatrix", "DENSE_MAX_K"]

#: Largest K for which :meth:`GroupedMatrix.dense` forms the K × K matrix (8·K² bytes: 32 MB at 2000).
DENSE_MAX_K = 2000


@dataclass(frozen=True, eq=False)
class GroupedMatrix:
    """A group-invariant K × K matrix in operator form (module doc).

    Attributes
    ----------
    structure : GroupStructure
    perp : ndarray, shape (C,)
        The scalar on each within-group subspace (0 for singleton groups).
    core : ndarray, shape (C, C)
        :math:`Q^\\top MQ`.
    """

    structure: GroupStructure
    perp: np.ndarray
    core: np.ndarray

    def __post_init__(self):
        C = self.structure.C
        perp = np.array(self.perp, dtype=np.float64).reshape(-1)
        core = np.array(self.core, dtype=np.float64)
        if perp.shape != (C,) or core.shape != (C, C):
            raise ValueError(f"core: expected perp of shape ({C},) and core of shape ({C}, {C}), "
                             f"got {perp.shape} and {core.shape}")
        perp[self.structure.singleton] = 0.0
        object.__setattr__(self, "perp", perp)
        object.__setattr__(self, "core", core)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_entries(cls, structure: GroupStructure, diag, block) -> "GroupedMatrix":
        r"""From the entry form :math:`\bigoplus_g d_gI + EM_bE^\top` (``diag`` = d, ``block`` = :math:`M_b`)."""
        d = np.array(diag, dtype=np.float64).reshape(-1)
        block = np.array(block, dtype=np.float64)
        if d.shape != (structure.C,) or block.shape != (structure.C, structure.C):
            raise ValueError(f"block: expected diag ({structure.C},) and block ({structure.C}, {structure.C})")
        # a singleton group has one entry, d_g + (M_b)_gg: keep all of it in the block (perp is 0 there)
        single = structure.singleton
        block[np.diag_indices_from(block)] += np.where(single, d, 0.0)
        d[single] = 0.0
        r = np.sqrt(structure.counts.astype(np.float64))
        return cls(structure, d, np.diag(d) + r[:, None] * block * r[None, :])

    @classmethod
    def zeros(cls, structure: GroupStructure) -> "GroupedMatrix":
        return cls(structure, np.zeros(structure.C), np.zeros((structure.C, structure.C)))

    # ------------------------------------------------------------------ entry form
    @property
    def block(self) -> np.ndarray:
        r""":math:`(M_b)_{hg}`: the entry for class j in group h, class k in group g, j ≠ k (C × C)."""
        r = np.sqrt(self.structure.counts.astype(np.float64))
        return (self.core - np.diag(self.perp)) / (r[:, None] * r[None, :])

    @property
    def diagonal(self) -> np.ndarray:
        """:math:`M_{kk}` for the classes of each group (C,)."""
        return self.perp + np.diagonal(self.block)

    @property
    def within(self) -> np.ndarray:
        """:math:`M_{jk}`, j ≠ k in the same group (C,); NaN for singleton groups."""
        return np.where(self.structure.singleton, np.nan, np.diagonal(self.block))

    def max_abs(self) -> float:
        r""":math:`\max_{jk}|M_{jk}|` without forming M (diagonal entries, within-group and cross-group values)."""
        block = np.abs(self.block)
        present = ~np.diag(self.structure.singleton)  # a singleton group has no off-diagonal entry inside it
        return float(max(np.abs(self.diagonal).max(), block[present].max(initial=0.0)))

    def entry(self, j: int, k: int) -> float:
        """:math:`M_{jk}` for class indices j, k."""
        h, g = int(self.structure.group_of[j]), int(self.structure.group_of[k])
        return float(self.block[h, g] + (self.perp[g] if j == k else 0.0))

    def dense(self) -> np.ndarray:
        """The K × K matrix (only for K <= :data:`DENSE_MAX_K`)."""
        K = self.structure.K
        if K > DENSE_MAX_K:
            raise ValueError(f"sizes: K = {K} is above {DENSE_MAX_K}; use the grouped accessors instead of a "
                             "dense K x K matrix")
        gi = self.structure.group_of
        M = self.block[np.ix_(gi, gi)]
        M[np.diag_indices(K)] += self.perp[gi]
        return M

    # ------------------------------------------------------------------ algebra
    def _like(self, perp, core) -> "GroupedMatrix":
        return GroupedMatrix(self.structure, perp, core)

    def __matmul__(self, other: "GroupedMatrix") -> "GroupedMatrix":
        return self._like(self.perp * other.perp, self.core @ other.core)

    def __add__(self, other: "GroupedMatrix") -> "GroupedMatrix":
        return self._like(self.perp + other.perp, self.core + other.core)

    def __sub__(self, other: "GroupedMatrix") -> "GroupedMatrix":
        return self._like(self.perp - other.perp, self.core - other.core)

    def scaled(self, c: float) -> "GroupedMatrix":
        return self._like(c * self.perp, c * self.core)

    @property
    def T(self) -> "GroupedMatrix":
        return self._like(self.perp, self.core.T)

    def times_diagonal(self, v) -> "GroupedMatrix":
        r""":math:`M\operatorname{diag}(Ev)` for a per-group vector v (a group-constant column scaling)."""
        v = np.asarray(v, dtype=np.float64)
        return self._like(self.perp * v, self.core * v[None, :])

    def diagonal_times(self, v) -> "GroupedMatrix":
        r""":math:`\operatorname{diag}(Ev)M` (a group-constant row scaling)."""
        v = np.asarray(v, dtype=np.float64)
        return self._like(v * self.perp, v[:, None] * self.core)

    def plus_rows(self, beta) -> "GroupedMatrix":
        r""":math:`M + (E\beta)\mathbf 1^\top` (e.g. mean logits plus a group-constant bias)."""
        beta = np.asarray(beta, dtype=np.float64)
        r = np.sqrt(self.structure.counts.astype(np.float64))
        return self._like(self.perp, self.core + (r * beta)[:, None] * r[None, :])

    # ------------------------------------------------------------------ spectra and norms
    def singular_values(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values, multiplicities)``: :math:`|d_g|` (multiplicity :math:`m_g - 1`) and the core's (1 each),
        sorted descending; multiplicities sum to K."""
        sv = np.linalg.svd(self.core, compute_uv=False)
        values = np.concatenate([np.abs(self.perp), sv])
        mult = np.concatenate([self.structure.counts - 1, np.ones(sv.size, dtype=np.int64)])
        order = np.argsort(-values, kind="stable")
        return values[order], mult[order]

    def moduli(self) -> tuple["GroupedMatrix", "GroupedMatrix"]:
        r"""``(left, right)`` = :math:`((MM^\top)^{1/2}, (M^\top M)^{1/2})`, both invariant, from one C × C SVD.

        With the core :math:`= P\Theta Q^\top`, left has core :math:`P\Theta P^\top` and right
        :math:`Q\Theta Q^\top`; on each within-group subspace M is the scalar :math:`d_g`, so both act there
        as :math:`|d_g|`.  No squaring: accurate to rounding even where M is singular."""
        P, theta, Qt = np.linalg.svd(self.core)
        perp = np.abs(self.perp)
        return self._like(perp, (P * theta) @ P.T), self._like(perp, (Qt.T * theta) @ Qt)

    def nuclear_norm(self) -> float:
        values, mult = self.singular_values()
        return float(values @ mult)

    def spectral_norm(self) -> float:
        values, mult = self.singular_values()
        return float(values[mult > 0].max())

    def frobenius_norm(self) -> float:
        m1 = (self.structure.counts - 1).astype(np.float64)
        return float(np.sqrt(m1 @ (self.perp * self.perp) + np.sum(self.core * self.core)))

    # ------------------------------------------------------------------ Gram readers
    def within_cosine(self) -> np.ndarray:
        r"""For a Gram matrix: :math:`\cos\angle(v_j, v_k)`, j ≠ k in the same group (C,); NaN for singletons
        or zero vectors."""
        d = self.diagonal
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, self.within / d, np.nan)

    def cross_cosine(self) -> np.ndarray:
        r"""For a Gram matrix: :math:`\cos\angle(v_j, v_k)` for j in group h, k in group g (C × C; the diagonal is
        :meth:`within_cosine`); NaN where a vector is 0."""
        d = self.diagonal
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = np.sqrt(np.outer(d, d))
            out = np.where(norm > 0, self.block / norm, np.nan)
        out[np.diag_indices_from(out)] = self.within_cosine()
        return out

    def to_json(self) -> dict:
        return {"diagonal": self.diagonal.tolist(), "within": [None if np.isnan(x) else float(x) for x in self.within],
                "block": self.block.tolist(), "perp": self.perp.tolist(), "core": self.core.tolist()}
