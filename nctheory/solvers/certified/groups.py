r"""Classes grouped by equal size: the index structure of the symmetry-reduced solver.

Group g (g = 0..C-1, largest size first) holds the :math:`m_g` classes of size :math:`n_g`;
:math:`E \in \{0,1\}^{K\times C}` is the indicator matrix (:math:`E_{kg} = 1` iff class k is in group g), so
:math:`E^\top E = \operatorname{diag}(m)` and :math:`Q = E\operatorname{diag}(m)^{-1/2}` has orthonormal columns.

In the *square layout* used by the compressed losses (:mod:`nctheory.model.losses.base`), a column of group g
(one class k of group g) has its label entry in row group g and :math:`c_{hg} = m_h - \delta_{hg}` other
entries in row group h: :attr:`GroupStructure.count_matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GroupStructure"]


@dataclass(frozen=True, eq=False)
class GroupStructure:
    r"""Equal-size groups of a size vector (module doc).

    Attributes
    ----------
    sizes : int ndarray, shape (C,)
        :math:`n_g`, strictly decreasing.
    counts : int ndarray, shape (C,)
        :math:`m_g \ge 1`, the number of classes of size :math:`n_g`.
    group_of : int ndarray, shape (K,)
        Group index of every class (so class order is arbitrary).
    """

    sizes: np.ndarray
    counts: np.ndarray
    group_of: np.ndarray

    @classmethod
    def from_sizes(cls, sizes) -> "GroupStructure":
        """Group a size vector (a tuple, or ``problem.n``) by equal values."""
        n = np.asarray(sizes)
        if n.ndim != 1 or n.size < 1:
            raise ValueError("sizes: expected a non-empty vector of class sizes")
        values, inverse, counts = np.unique(n, return_inverse=True, return_counts=True)
        C = values.size
        return cls(sizes=values[::-1].astype(np.int64), counts=counts[::-1].astype(np.int64),
                   group_of=(C - 1 - inverse.reshape(-1)).astype(np.int64))

    @classmethod
    def from_problem(cls, problem) -> "GroupStructure":
        return cls.from_sizes(problem.n)

    # ------------------------------------------------------------------ sizes
    @property
    def C(self) -> int:
        """Number of groups."""
        return int(self.sizes.size)

    @property
    def K(self) -> int:
        """Number of classes :math:`\\sum_g m_g`."""
        return int(self.group_of.size)

    @property
    def N(self) -> int:
        """Number of samples :math:`\\sum_g m_g n_g` (exact integer)."""
        return int(sum(int(m) * int(n) for m, n in zip(self.counts, self.sizes)))

    @property
    def count_matrix(self) -> np.ndarray:
        r""":math:`c_{hg} = m_h - \delta_{hg}` (float, C × C): the entries of row group h in a column of group g,
        besides the label."""
        m = self.counts.astype(np.float64)
        return np.repeat(m[:, None], self.C, axis=1) - np.eye(self.C)

    @property
    def class_weights(self) -> np.ndarray:
        r""":math:`\pi_g = n_g/N`, the weight of one class of group g."""
        return self.sizes.astype(np.float64) / float(self.N)

    @property
    def singleton(self) -> np.ndarray:
        """Groups of one class (no within-group subspace)."""
        return self.counts == 1

    # ------------------------------------------------------------------ classes
    def classes(self, g: int) -> np.ndarray:
        """Class indices of group g."""
        return np.flatnonzero(self.group_of == int(g))

    def expand(self, values) -> np.ndarray:
        """A per-group vector as a per-class vector (length K)."""
        return np.asarray(values)[self.group_of]

    def describe(self) -> str:
        """E.g. ``"500x3,50x2"`` (size x count, by group)."""
        return ",".join(f"{int(n)}x{int(m)}" if m > 1 else f"{int(n)}" for n, m in zip(self.sizes, self.counts))

    def to_json(self) -> list[dict]:
        return [{"size": int(n), "count": int(m)} for n, m in zip(self.sizes, self.counts)]
