r"""Measurements of a solution's cluster structure that Hong & Ling's claims observe (and AllNC reuses).

Everything is read through :mod:`nctheory.observe` and the CE-UFM gauge of :mod:`nctheory.claims.common`
(mean classifier removed); the functions here only add the cluster bookkeeping the shared vocabulary has no
name for: block-symmetric projections, within-cluster spreads, cluster-mean cosines and scalars.
"""

from __future__ import annotations

import numpy as np

from nctheory.claims.common import centred_logits
from nctheory.geometry import centering
from nctheory.observe import H_of, W_of, ZERO_LOGIT_TOL, frobenius, inner, is_grouped, normalized

# Every function below takes a dense K × K array or, for a compact solution of the symmetric solver, a
# GroupedMatrix (nctheory.solvers.certified.grouped_matrix); a cluster ``idx`` is then one group of equal-size
# classes, and block means are the group's own values (no K × K matrix is formed).


def _grouped(M) -> bool:
    return hasattr(M, "structure") and hasattr(M, "core")


def _group(M, idx) -> int:
    """The group of ``M.structure`` whose classes are exactly ``idx``."""
    idx = np.asarray(idx)
    g = int(M.structure.group_of[int(idx[0])])
    if int(M.structure.counts[g]) != idx.size or not np.all(M.structure.group_of[idx] == g):
        raise ValueError("clusters: a cluster must be one group of equal-size classes for a grouped solution")
    return g


def diagonal_mean(G, idx) -> float:
    """Mean of the diagonal entries of ``G`` over ``idx``."""
    if _grouped(G):
        return float(G.diagonal[_group(G, idx)])
    return float(np.diag(G)[idx].mean())


def cross_mean(G, a, c) -> float:
    """Mean of the block ``G[a, c]`` (a ≠ c clusters)."""
    if _grouped(G):
        return float(G.block[_group(G, a), _group(G, c)])
    return float(G[np.ix_(a, c)].mean())

#: A vector shorter than this fraction of the longest one in its family has no direction for a cluster cosine.
COSINE_ZERO_RTOL = 1e-6


def sqrt_gram_pair(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`(YY^\top)^{1/2}` and :math:`(Y^\top Y)^{1/2}` from one SVD (no squaring of Y)."""
    U, s, Vt = np.linalg.svd(Y)
    return (U * s) @ U.T, (Vt.T * s) @ Vt


def max_pair_sq_distance(V: np.ndarray, idx) -> float:
    r""":math:`\max_{j,k\in idx}\|v_j - v_k\|^2` over the rows :math:`v_k` of V."""
    sub = np.asarray(V, dtype=np.float64)[list(idx)]
    return float(np.sum((sub[:, None, :] - sub[None, :, :]) ** 2, axis=2).max())


def collapse_measure(solution, idx) -> float:
    r""":math:`\max_{j,k\in idx}\|w_j-w_k\|^2/\max_l\|w_l\|^2`, and the same for :math:`\bar h`: the larger one.

    A family that is entirely zero contributes 0 (collapsed exactly).  Grouped: every pair inside a group is at
    squared distance :math:`2(G_{kk} - G_{jk})` (diagonal minus within-group value).
    """
    out = 0.0
    if is_grouped(solution):
        for G in (solution.gram_WW, solution.gram_HH):
            scale = float(G.diagonal.max())
            if scale > 0.0:
                g = _group(G, idx)
                out = max(out, max(0.0, 2.0 * float(G.diagonal[g] - G.within[g])) / scale)
        return out
    for V in (W_of(solution), H_of(solution).T):
        scale = float(np.max(np.sum(V * V, axis=1)))
        if scale == 0.0:
            continue
        out = max(out, max_pair_sq_distance(V, idx) / scale)
    return out


def block_average(G: np.ndarray, clusters) -> np.ndarray:
    """Projection onto cluster-block-symmetric matrices (diagonal, within-off-diagonal, cross blocks averaged)."""
    P = np.empty_like(G)
    for i, a in enumerate(clusters):
        for j, c in enumerate(clusters):
            blk = G[np.ix_(a, c)]
            if i == j:
                d = np.diag(blk).mean()
                m = a.size
                off = (blk.sum() - np.trace(blk)) / (m * (m - 1)) if m > 1 else 0.0
                P[np.ix_(a, c)] = off
                P[a, a] = d
            else:
                P[np.ix_(a, c)] = blk.mean()
    return P


def block_residual(G: np.ndarray, clusters, floor: float) -> float:
    r""":math:`\|G - P(G)\|_F/\max(\|G\|_F, \text{floor})` with P = :func:`block_average`."""
    return float(np.linalg.norm(G - block_average(G, clusters)) / max(np.linalg.norm(G), floor))


def off_diagonal_mean(G, idx) -> float:
    """Mean of the off-diagonal entries of the block ``G[idx, idx]`` (needs ≥ 2 indices)."""
    if _grouped(G):
        return float(G.within[_group(G, idx)])
    blk = G[np.ix_(idx, idx)]
    return float((blk.sum() - np.trace(blk)) / (idx.size * (idx.size - 1)))


def within_scalar(Z, idx) -> float:
    r"""The block scalar s of :math:`Z_{cc} = sI + qJ`: diagonal mean minus off-diagonal mean (≥ 2 indices)."""
    if _grouped(Z):
        g = _group(Z, idx)
        return float(Z.diagonal[g] - Z.within[g])
    blk = Z[np.ix_(idx, idx)]
    return float(np.trace(blk) / idx.size - off_diagonal_mean(Z, idx))


def cluster_cos(G, a, c=None) -> float | None:
    """Mean cosine over pairs (within a if c is None, else across a×c); None if a vector is ~0."""
    if _grouped(G):
        d = np.sqrt(np.clip(G.diagonal, 0, None))
        tiny = COSINE_ZERO_RTOL * d.max()
        ga = _group(G, a)
        if d.max() == 0 or d[ga] <= tiny:
            return None
        if c is None:
            return None if a.size < 2 else float(G.within[ga] / (d[ga] * d[ga]))
        gc = _group(G, c)
        return None if d[gc] <= tiny else float(G.block[ga, gc] / (d[ga] * d[gc]))
    d = np.sqrt(np.clip(np.diag(G), 0, None))
    tiny = COSINE_ZERO_RTOL * d.max()
    if d.max() == 0 or d[a].min() <= tiny or (c is not None and d[c].min() <= tiny):
        return None
    C = G / np.outer(d, d)
    if c is None:
        if a.size < 2:
            return None
        return off_diagonal_mean(C, a)
    return float(C[np.ix_(a, c)].mean())


def logit_etf_distance(solution) -> float:
    r""":math:`\|\bar Z/\|\bar Z\|_F - S/\|S\|_F\|_F` for the column-centred mean logits :math:`S\,SW\bar H`.

    Raises ValueError when :math:`\bar Z = 0` (no direction).
    """
    Z = centred_logits(solution)
    if _grouped(Z):
        from nctheory.claims.common import centring_of

        S = centring_of(Z.structure)
    else:
        S = centering(Z.shape[0])
    Z = S @ Z
    nz, ns = frobenius(Z), frobenius(S)
    if nz <= ZERO_LOGIT_TOL:
        raise ValueError("solution: the mean logits are zero; their direction is undefined")
    # ‖Z/‖Z‖ − S/‖S‖‖² = 2 − 2⟨Z, S⟩/(‖Z‖‖S‖), which needs no K × K matrix for a grouped solution
    return float(np.sqrt(max(2.0 - 2.0 * inner(Z, S) / (nz * ns), 0.0)))
