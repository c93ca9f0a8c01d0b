r"""The compact answer of the symmetry-reduced solver: group-invariant blocks instead of K × K matrices.

A :class:`GroupedSolution` holds the R2 variable :math:`X = \bar ZD^{1/2}` as a
:class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` (within-group scalars :math:`u_g` and the C × C
core B), the bias per group :math:`\beta` (:math:`b = E\beta`), and the Grams of the balanced factors

.. math::

    W = \kappa\,[\,QU_B\Sigma_B^{1/2},\ \sqrt{|u_g|}\,V_g\,],\qquad
    \bar H = \kappa^{-1}[\,\Sigma_B^{1/2}V_B^\top Q^\top;\ \operatorname{sign}(u_g)\sqrt{|u_g|}\,V_g^\top\,]D^{-1/2},

(:math:`B = U_B\Sigma_BV_B^\top`, :math:`V_g` an orthonormal basis of group g's within-group subspace,
:math:`\kappa = (\lambda_H/\lambda_W)^{1/4}`; :math:`W\bar HD^{1/2} = X` and
:math:`\frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\sum_kn_k\|\bar h_k\|^2 = \lambda\|X\|_*`, reductions R1/R2):

* :math:`WW^\top`: perp :math:`\kappa^2|u|`, core :math:`\kappa^2 U_B\Sigma_BU_B^\top`;
* :math:`\bar H^\top\bar H`: perp :math:`|u_g|/(\kappa^2 n_g)`, core
  :math:`\kappa^{-2}\operatorname{diag}(n)^{-1/2}V_B\Sigma_BV_B^\top\operatorname{diag}(n)^{-1/2}`;
* :math:`W\bar H = \bar Z`: perp :math:`s = u/\sqrt n`, core :math:`B\operatorname{diag}(n)^{-1/2}`
  (entry form: s and A).

Readers use the grouped accessors (per-group norms, within- and cross-group cosines, the Gram blocks) and never
need K × K matrices; :meth:`GroupedSolution.expand` builds the dense
:class:`~nctheory.solvers.result.Solution` of exactly these factors when K is small.  The verification engine's
interface (``objective``, ``lower_bound``, ``gap``, ``rel_gap``, ``status``, ``certified``, ``reference_level``,
``with_certificate``, ...) is the dense one's, with the same rules (the same functions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K, GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.result import Solution, SolutionRecord, solution_json

__all__ = ["GroupedSolution", "within_group_basis"]


def within_group_basis(m: int) -> np.ndarray:
    r"""An orthonormal basis of :math:`\{v\in\mathbb R^m : \mathbf 1^\top v = 0\}` as columns (m × (m-1), Helmert):
    column i is :math:`(1, \dots, 1, -i, 0, \dots)/\sqrt{i(i+1)}` with i ones."""
    V = np.zeros((m, max(m - 1, 0)))
    for i in range(1, m):
        V[:i, i - 1] = 1.0
        V[i, i - 1] = -float(i)
        V[:, i - 1] /= np.sqrt(i * (i + 1.0))
    return V


@dataclass(frozen=True, eq=False)
class GroupedSolution(SolutionRecord):
    r"""A certified solution of a grouped instance in O(C²) storage (module doc).

    Attributes
    ----------
    structure : GroupStructure
    Y : GroupedMatrix
        :math:`X = \bar ZD^{1/2}` (perp :math:`u`, core :math:`B`).
    beta : ndarray, shape (C,)
        Bias per group (zeros without bias).
    gram_WW, gram_HH, gram_WH : GroupedMatrix
        :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` of the balanced factors.
    objective, lower_bound, gap, status, iterations, time_s, method, message, extra, certificate, options
        As in :class:`~nctheory.solvers.result.Solution`; ``objective`` is the R2 (= UFM) objective of exactly
        this point, ``lower_bound`` a dual bound of the full K-class problem.
    dual : GroupedDualBound or None
        The certificate's invariant dual point (expand it with ``dual.expand(structure)`` to check it densely).
    problem : Problem
        The instance (needed by :meth:`expand`).
    """

    structure: GroupStructure
    Y: GroupedMatrix
    beta: np.ndarray
    gram_WW: GroupedMatrix
    gram_HH: GroupedMatrix
    gram_WH: GroupedMatrix
    dual: object = field(default=None, repr=False)
    problem: object = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, init=False, repr=False)

    # the verification engine's rules, shared with the dense Solution (same functions, so the same semantics)
    certified = Solution.certified
    rel_gap = Solution.rel_gap
    success = Solution.success
    reference_level = Solution.reference_level
    with_certificate = Solution.with_certificate

    # ------------------------------------------------------------------ compact quantities
    @property
    def K(self) -> int:
        return self.structure.K

    @property
    def s(self) -> np.ndarray:
        r""":math:`s_g`: the within-group scalar of :math:`\bar Z` (0 for singleton groups)."""
        return self.gram_WH.perp

    @property
    def A(self) -> np.ndarray:
        r""":math:`A_{hg}`: the mean logit of a class of group h in the column of another class of group g."""
        return self.gram_WH.block

    @property
    def logits(self) -> GroupedMatrix:
        r""":math:`\bar Z + b\mathbf 1^\top` (mean logits, column k = class k) as a grouped matrix."""
        return self.gram_WH.plus_rows(self.beta)

    @property
    def b(self) -> np.ndarray:
        """The bias as a K-vector (O(K))."""
        return self.structure.expand(self.beta).astype(np.float64)

    @property
    def H(self):
        """Full-sample features are never formed (None, as for the dense certified solver)."""
        return None

    def singular_values(self) -> tuple[np.ndarray, np.ndarray]:
        """Singular values of :math:`Y = W\\bar HD^{1/2}` with multiplicities (descending): those the solver
        recovered (``extra``; dropped ones are exact zeros), else computed from :attr:`Y`."""
        if "singular_values" in self.extra and "multiplicities" in self.extra:
            return np.asarray(self.extra["singular_values"]), np.asarray(self.extra["multiplicities"])
        return self.Y.singular_values()

    @property
    def rank(self) -> int:
        """Number of nonzero singular values of Y, with multiplicity (the width of the balanced factors)."""
        if "rank" in self.extra:
            return int(self.extra["rank"])
        values, mult = self.singular_values()
        return int(mult[values > 0].sum())

    def w_norms(self) -> np.ndarray:
        r""":math:`\|w_k\|` for the classes of each group (C,)."""
        return np.sqrt(np.maximum(self.gram_WW.diagonal, 0.0))

    def h_norms(self) -> np.ndarray:
        r""":math:`\|\bar h_k\|` for the classes of each group (C,)."""
        return np.sqrt(np.maximum(self.gram_HH.diagonal, 0.0))

    def w_cosines(self) -> np.ndarray:
        """Cosines between classifier rows: C × C, diagonal = within-group (NaN for singletons)."""
        return self.gram_WW.cross_cosine()

    def h_cosines(self) -> np.ndarray:
        """Cosines between class means: C × C, diagonal = within-group (NaN for singletons)."""
        return self.gram_HH.cross_cosine()

    # ------------------------------------------------------------------ dense views (small K)
    def expand(self) -> Solution:
        r"""The dense :class:`~nctheory.solvers.result.Solution` of the balanced factors (module doc), for
        K <= :data:`~nctheory.solvers.certified.grouped_matrix.DENSE_MAX_K`.  Its ``objective`` is recomputed
        densely from ``(W, H_mean, b)`` (it agrees with :attr:`objective` up to rounding)."""
        if "expanded" not in self._cache:  # immutable, so computed once (a copy made by replace() starts afresh)
            self._cache["expanded"] = _expanded(self)
        return self._cache["expanded"]

    def dense_solution(self, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray, logits_mean: np.ndarray,
                       objective: float, **extra) -> Solution:
        """The dense :class:`~nctheory.solvers.result.Solution` at the factors ``(W, H_mean, b)`` of this answer, with
        their ``objective`` recomputed densely: this answer's bound, status and record; ``extra`` is this one's plus
        ``expanded_from``, ``grouped_objective`` and the given items."""
        lower = self.lower_bound
        gap = None if lower is None else max(objective - float(lower), 0.0)
        extra = {**self.extra, "expanded_from": "grouped", "grouped_objective": float(self.objective), **extra}
        return Solution(W=W, H_mean=H_mean, b=b, logits_mean=logits_mean, objective=objective, lower_bound=lower,
                        gap=gap, status=self.status, iterations=self.iterations, time_s=self.time_s,
                        method=self.method, message=self.message, H=None, extra=extra, certificate=self.certificate,
                        options=dict(self.options))

    def _dense(self, name):
        if self.K > DENSE_MAX_K:
            raise ValueError(f"sizes: K = {self.K} is above {DENSE_MAX_K}: {name} is not formed for a grouped "
                             "solution; use its grouped accessors (gram_WW, gram_HH, gram_WH, logits, w_norms, ...)")
        return getattr(self.expand(), name)

    @property
    def W(self) -> np.ndarray:
        return self._dense("W")

    @property
    def H_mean(self) -> np.ndarray:
        return self._dense("H_mean")

    @property
    def logits_mean(self) -> np.ndarray:
        return self._dense("logits_mean")

    def to_json(self, dense: bool | None = None) -> dict:
        """The CLI contract's keys (``W``, ``H_mean``, ``b``, ``logits_mean`` only when ``dense``; default: when
        K <= DENSE_MAX_K, else None) plus ``"grouped"``: the groups, s, A, beta and the Gram blocks."""
        dense = self.K <= DENSE_MAX_K if dense is None else bool(dense)
        ex = self.expand() if dense else None
        out = solution_json(self, *((ex.W, ex.H_mean, ex.b, ex.logits_mean) if ex else (None,) * 4))
        return {
            **out,
            "grouped": {
                "groups": self.structure.to_json(),
                "s": self.s.tolist(), "A": self.A.tolist(), "beta": self.beta.tolist(),
                "Y": self.Y.to_json(), "gram_WW": self.gram_WW.to_json(), "gram_HH": self.gram_HH.to_json(),
                "gram_WH": self.gram_WH.to_json(),
            },
        }

    @classmethod
    def from_json(cls, data, problem=None) -> "GroupedSolution":
        """The grouped answer written by :meth:`to_json` (or ``nctheory solve --json`` with ``certified:symmetric``),
        read back from its ``"grouped"`` blocks.

        The instance is ``problem`` if given, else the ``"problem"`` the CLI writes beside the answer; the class
        order comes from its sizes.  The dense arrays, when the JSON has them, are not read: :meth:`expand` rebuilds
        them from the blocks.  Not in JSON: the dual point (None) and ``extra``; the rank is therefore the
        numerical rank of Y (singular values above ``max(C, 1) · eps`` times the largest count as nonzero).
        ValueError ``<field>: ...`` for a missing or malformed field, or groups that do not match the problem.
        """
        from nctheory.model.problem import Problem
        from nctheory.solvers.result import json_field, json_object, record_from_json

        data = json_object(data, "solution")
        if problem is None:
            if data.get("problem") is None:
                raise ValueError("problem: a grouped answer is read with its problem (give problem=, or keep the "
                                 "'problem' field nctheory solve writes)")
            problem = Problem.from_dict(data["problem"])
        grouped = json_field(data, "grouped")
        if not isinstance(grouped, dict):
            raise ValueError(f"grouped: expected a JSON object, got {type(grouped).__name__}")
        structure = GroupStructure.from_sizes(problem.n)
        groups = json_field(grouped, "groups")
        if groups != structure.to_json():
            raise ValueError(f"groups: {groups!r} are not the equal-size groups of the problem's sizes "
                             f"({structure.describe()})")

        def matrix(key):
            m = json_field(grouped, key)
            if not isinstance(m, dict) or "perp" not in m or "core" not in m:
                raise ValueError(f"{key}: expected a grouped matrix with 'perp' and 'core'")
            try:
                return GroupedMatrix(structure, np.array(m["perp"], dtype=np.float64),
                                     np.array(m["core"], dtype=np.float64))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key}: {exc}") from None

        try:
            beta = np.array(json_field(grouped, "beta"), dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError("beta: expected a list of numbers") from None
        if beta.shape != (structure.C,):
            raise ValueError(f"beta: expected {structure.C} values (one per group), got {beta.size}")
        Y = matrix("Y")
        extra = {}
        values, mult = Y.singular_values()
        if values.size:
            cut = max(structure.C, 1) * np.finfo(np.float64).eps * float(values.max())
            extra["rank"] = int(mult[values > cut].sum())
        return cls(structure=structure, Y=Y, beta=beta, gram_WW=matrix("gram_WW"), gram_HH=matrix("gram_HH"),
                   gram_WH=matrix("gram_WH"), **record_from_json(data), extra=extra, dual=None, problem=problem)



def _expanded(sol: GroupedSolution) -> Solution:
    """:meth:`GroupedSolution.expand`."""
    from nctheory.solvers.certified.dense import _ufm_objective

    st, problem = sol.structure, sol.problem
    if problem is None:
        raise ValueError("problem: this grouped solution carries no problem; it cannot be expanded")
    K = st.K
    if K > DENSE_MAX_K:
        raise ValueError(f"sizes: K = {K} is above {DENSE_MAX_K}; a grouped solution is expanded only for small K")
    kappa = (problem.lambda_h / problem.lambda_w) ** 0.25
    sqrt_m = np.sqrt(st.counts.astype(np.float64))
    UB, sB, VBt = np.linalg.svd(sol.Y.core)
    u = sol.Y.perp
    # the core's rank as recovered (a re-computed SVD of the rebuilt core has its zeros at rounding level)
    core_rank = sol.rank - int((st.counts - 1)[u != 0.0].sum())
    keep = np.arange(sB.size) < core_rank
    Q = np.zeros((K, st.C))
    Q[np.arange(K), st.group_of] = 1.0 / sqrt_m[st.group_of]
    cols_w = [Q @ (UB[:, keep] * np.sqrt(sB[keep]))]
    cols_h = [Q @ (VBt[keep].T * np.sqrt(sB[keep]))]
    for g in range(st.C):
        if u[g] == 0.0:
            continue
        Vg = np.zeros((K, int(st.counts[g]) - 1))
        Vg[st.classes(g)] = within_group_basis(int(st.counts[g]))
        cols_w.append(np.sqrt(abs(u[g])) * Vg)
        cols_h.append(np.sign(u[g]) * np.sqrt(abs(u[g])) * Vg)
    Wr = np.hstack(cols_w)
    Hr = np.hstack(cols_h)
    r = Wr.shape[1]
    width = max(r, 1) if problem.d is None else max(r, int(problem.d))
    W = np.zeros((K, width))
    H_mean = np.zeros((width, K))
    n = np.asarray(problem.n, dtype=np.float64)
    W[:, :r] = kappa * Wr
    H_mean[:r] = (Hr.T / np.sqrt(n)[None, :]) / kappa
    b = sol.b
    objective, logits = _ufm_objective(problem, W, H_mean, b)
    return sol.dense_solution(W, H_mean, b, logits, objective, rank=r)
