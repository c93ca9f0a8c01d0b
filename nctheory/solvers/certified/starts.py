r"""Starting points of the factored phase of :mod:`~nctheory.solvers.certified.dense`: balanced factors of an
SVD, and the grouped start from the symmetry-reduced solver."""

from __future__ import annotations

import math

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.bookkeeping import _Clock

#: The grouped start (_grouped_start): from this K on, with this many groups of class sizes.
_GROUPED_START_MIN_K = 200
_GROUPED_START_GROUPS = 12


def _balanced(U: np.ndarray, s: np.ndarray, Vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Balanced factors :math:`(U\Sigma^{1/2}, V\Sigma^{1/2})` of an SVD, its nonzero part only."""
    r = int(np.count_nonzero(s[: U.shape[1]] > 0))
    root = np.sqrt(s[:r])
    return U[:, :r] * root, Vt[:r].T * root


def _grouped_sizes(n: np.ndarray, groups: int) -> np.ndarray:
    """Class sizes bucketed into at most ``groups`` groups of equal width in log n, each replaced by its group's
    geometric mean (rounded; at least 1); the sizes themselves when they take at most ``groups`` values."""
    n = np.asarray(n, dtype=np.float64)
    if np.unique(n).size <= groups:
        return n.astype(np.int64)
    logn = np.log(n)
    lo, hi = float(logn.min()), float(logn.max())
    bucket = np.minimum(((logn - lo) / (hi - lo) * groups).astype(np.int64), groups - 1)
    out = np.empty(n.size, dtype=np.int64)
    for g in np.unique(bucket):
        members = bucket == g
        out[members] = max(1, int(round(math.exp(float(np.mean(logn[members]))))))
    return out


def _grouped_start_applies(problem: Problem) -> bool:
    """Whether :func:`_grouped_start` is tried: K large enough and a loss with the compressed-column methods."""
    from nctheory.solvers.certified import symmetric

    return problem.K >= _GROUPED_START_MIN_K and not symmetric.REQUIREMENTS.unmet(problem)


def _grouped_start(problem: Problem, target: float, clock: _Clock, log):
    r"""A start from the symmetry-reduced solver (:mod:`~nctheory.solvers.certified.symmetric`) on the class sizes
    bucketed into :data:`_GROUPED_START_GROUPS` groups (:func:`_grouped_sizes`): ``((A0, B0), b0, exact)`` with
    :math:`A_0B_0^\top = \bar Z_0D^{1/2}` in the true sizes (the grouped answer's balanced factors, the H side
    rescaled by :math:`\sqrt{n/n_{group}}`; no K × K SVD), or None (K below :data:`_GROUPED_START_MIN_K`, a loss
    without compressed columns, or the grouped solve did not finish).  ``exact``: no bucketing was needed (the
    sizes take few values), so the start is the grouped optimum itself.

    Only the start: the certificate is the dense one, at the dense iterates."""
    if not _grouped_start_applies(problem):
        return None
    from nctheory.solvers.certified import symmetric

    sizes = _grouped_sizes(problem.n, _GROUPED_START_GROUPS)
    exact = bool(np.array_equal(sizes, problem.n))
    try:
        q = problem if exact else problem.with_(sizes=tuple(int(v) for v in sizes))
        if symmetric.REQUIREMENTS.unmet(q) or symmetric.grouping_unmet(q):
            return None
        remaining = clock.remaining()  # the reserve for the finish kept
        if remaining is not None and remaining <= 0:
            return None
        g = symmetric.solve(q, tol=max(target, 1e-8) if exact else 1e-6, time_limit=remaining)
    except ValueError:
        return None
    if g.status not in ("optimal", "inaccurate", "max_iter") or not math.isfinite(g.objective):
        return None
    A0, Hq = _grouped_factors(g)
    # the factors are those of X_q = Zbar_q D_q^{1/2}; the same mean logits in the true sizes: B0 = Hq sqrt(n/n_q)
    B0 = Hq * np.sqrt(np.asarray(problem.n, dtype=np.float64) / np.asarray(q.n, dtype=np.float64))[:, None]
    if log is not None:
        log(f"grouped start: {g.structure.C} groups{' (exact)' if exact else ''}, status {g.status}, "
            f"objective {g.objective:.12g}")
    b0 = np.asarray(g.b, dtype=np.float64) if problem.bias != "none" else None
    return (A0, B0), b0, exact


def _grouped_factors(g) -> tuple[np.ndarray, np.ndarray]:
    r"""Balanced factors :math:`(A, B)` with :math:`AB^\top = X` of a grouped answer ``g``
    (:class:`~nctheory.solvers.certified.grouped.GroupedSolution`), built from its blocks for any K (no dense
    expansion, whose size is capped): with the core :math:`B_c = U\Sigma V^\top` (C x C) and Q the K x C matrix of
    normalised group indicators, the core part is :math:`(QU\Sigma^{1/2}, QV\Sigma^{1/2})`; a group g with within-group
    scalar :math:`u_g \ne 0` adds :math:`(\sqrt{|u_g|}V_g, \operatorname{sign}(u_g)\sqrt{|u_g|}V_g)`, :math:`V_g` an
    orthonormal basis of the group's sum-zero subspace (:func:`~nctheory.solvers.certified.grouped.within_group_basis`).
    The core's rank is the answer's rank less the within-group dimensions (its recomputed SVD has its zeros at
    rounding level)."""
    from nctheory.solvers.certified.grouped import within_group_basis

    st = g.structure
    K, C = st.K, st.C
    counts = np.asarray(st.counts)
    Uc, sc, Vct = np.linalg.svd(g.Y.core)
    u = np.asarray(g.Y.perp, dtype=np.float64)
    core_rank = max(0, int(g.rank) - int((counts - 1)[u != 0.0].sum()))
    root = np.sqrt(sc[:core_rank])
    Q = np.zeros((K, C))
    Q[np.arange(K), st.group_of] = 1.0 / np.sqrt(counts.astype(np.float64))[st.group_of]
    cols_a, cols_b = [Q @ (Uc[:, :core_rank] * root)], [Q @ (Vct[:core_rank].T * root)]
    for grp in range(C):
        if u[grp] == 0.0 or counts[grp] < 2:
            continue
        Vg = np.zeros((K, int(counts[grp]) - 1))
        Vg[st.classes(grp)] = within_group_basis(int(counts[grp]))
        w = math.sqrt(abs(u[grp]))
        cols_a.append(w * Vg)
        cols_b.append(math.copysign(w, u[grp]) * Vg)
    return np.hstack(cols_a), np.hstack(cols_b)
