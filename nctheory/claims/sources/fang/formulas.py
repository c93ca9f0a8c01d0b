r"""Fang et al.'s layer-peeled model (catalogue §6): the predicted Grams, logits and objectives.

* Balanced: the simplex ETF, :math:`WW^\top = E_W\frac K{K-1}S`, :math:`\bar H^\top\bar H = E_H\frac K{K-1}S`,
  :math:`W\bar H = \sqrt{E_WE_H}\frac K{K-1}S`, objective :math:`\log(1 + (K-1)e^{-\sqrt{E_WE_H}K/(K-1)})` --
  a feasible point (both budgets active) with that objective.
* Two clusters: the 4-parameter symmetric optimum (:mod:`~nctheory.claims.sources.fang.reduction`) with
  :math:`WW^\top = \gamma^2(ZZ^\top)^{1/2}`, :math:`\bar H^\top\bar H = (Z^\top Z)^{1/2}/\gamma^2`,
  :math:`\gamma^2 = \sqrt{E_W/E_H}`; the squared minority spreads are :math:`2\gamma^2s_B/E_W` and
  :math:`2s_B/(\gamma^2E_H)`.
* Oversampling: duplicated samples share their features, so only the weights π change; oversampling to balance
  gives the balanced prediction.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.common import centring_of
from nctheory.claims.sources.fang.reduction import two_cluster_lpm
from nctheory.claims.sources.fang.two_cluster import TwoClusterLPM
from nctheory.geometry import centering
from nctheory.model import Problem
from nctheory.solvers.certified.groups import GroupStructure


def budgets(problem: Problem) -> tuple[float, float]:
    """:math:`(E_W, E_H)` of ``problem``."""
    return float(problem.e_w), float(problem.e_h)


def clusters(problem: Problem):
    """(majority mask, K_A, K_B, R) for a one- or two-size profile, else None."""
    if len(set(problem.sizes)) > 2:
        return None
    n = problem.n
    is_a = n == n.max()
    K_A = int(is_a.sum())
    return is_a, K_A, problem.K - K_A, float(n.max() / n.min())


def balanced_prediction(K: int, e_w: float, e_h: float, structure=None) -> dict:
    r"""The simplex ETF of the balanced LPM (module doc): ``gram_WW``, ``gram_HH``, ``logits_mean``, ``objective``.

    With a :class:`~nctheory.solvers.certified.groups.GroupStructure` the matrices are grouped (any K)."""
    S = centering(K) if structure is None else centring_of(structure)
    f = K / (K - 1.0)
    m = math.sqrt(e_w * e_h) * f
    if structure is not None:
        return {"gram_WW": S.scaled(e_w * f), "gram_HH": S.scaled(e_h * f), "logits_mean": S.scaled(m),
                "objective": math.log1p((K - 1) * math.exp(-m))}
    return {
        "gram_WW": e_w * f * S,
        "gram_HH": e_h * f * S,
        "logits_mean": m * S,
        "objective": math.log1p((K - 1) * math.exp(-m)),
    }


def two_cluster_prediction(problem: Problem, grouped: bool = False) -> tuple[dict, TwoClusterLPM]:
    """Grams, logits, objective and minority spreads of the two-cluster LPM optimum (module doc); with ``grouped``
    the matrices are :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix` values (any K)."""
    is_a, K_A, K_B, R = clusters(problem)
    e_w, e_h = budgets(problem)
    sol = two_cluster_lpm(K_A, K_B, R, e_w * e_h)
    gamma2 = math.sqrt(e_w / e_h)
    if grouped:
        mats = sol.grouped_matrices(GroupStructure.from_problem(problem))
        gram_WW, gram_HH = mats["sqrtZZt"].scaled(gamma2), mats["sqrtZtZ"].scaled(1.0 / gamma2)
    else:
        mats = sol.matrices(order=is_a)
        gram_WW, gram_HH = gamma2 * mats["sqrtZZt"], mats["sqrtZtZ"] / gamma2
    q = {
        "gram_WW": gram_WW,
        "gram_HH": gram_HH,
        "logits_mean": mats["Z"],
        "objective": sol.objective,
        "minority_w_spread_sq": 2 * gamma2 * sol.s_B / e_w,
        "minority_h_spread_sq": 2 * sol.s_B / gamma2 / e_h,
        "minority_collapsed": sol.minority_collapsed,
    }
    return q, sol


def oversample(problem: Problem, factor: int | None = None) -> Problem:
    r"""The problem after oversampling.

    ``factor=None``: every class is replicated up to the largest class size (balance).  An integer ``factor``
    multiplies the size of every class smaller than the largest by it (capped at the largest).  Duplicated
    samples share their features, so in the LPM only the weights :math:`\pi_k` change.
    """
    n_max = max(problem.sizes)
    if factor is None:
        return problem.with_(sizes=(n_max,) * problem.K)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor: must be an integer >= 1, got {factor!r}")
    return problem.with_(sizes=tuple(n if n == n_max else min(n_max, n * int(factor)) for n in problem.sizes))


def two_cluster_weights(K_A: int, K_B: int, R: float) -> np.ndarray:
    """:math:`\\pi` for K_A classes of relative size R and K_B of size 1."""
    return np.r_[np.full(K_A, float(R)), np.ones(K_B)] / (K_A * R + K_B)


def minority_spread_sq(G_WW: np.ndarray, minority) -> float:
    r"""Relative squared spread :math:`\max_{j,k\in B}\|w_j - w_k\|^2 / \operatorname{mean}_k\|w_k\|^2` from a Gram."""
    idx = list(minority)
    d = np.diag(G_WW)
    sub = G_WW[np.ix_(idx, idx)]
    dd = d[idx]
    sq = dd[:, None] + dd[None, :] - 2 * sub
    return float(np.max(sq) / np.mean(d))
