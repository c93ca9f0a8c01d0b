r"""Symmetric low-rank candidates for the balanced deep linear CE UFM (Garrod & Keating, arXiv 2410.23169 [abstract]).

Model: balanced (n per class), no bias, depth M (P = W_M⋯W_1 in place of W, every layer penalised by
:math:`\frac{\lambda_W}2\|W_i\|^2`, features by :math:`\frac{\lambda_H}2\|H\|^2`).  By R3 (catalogue §1) the cheapest
factorisation of mean logits :math:`\bar Z` costs :math:`\kappa_M\sum_j\sigma_j(Y)^{2/(M+1)}` with :math:`Y = \sqrt n\bar Z`,
:math:`\kappa_M = \frac{M+1}2(\lambda_H\lambda_W^M)^{1/(M+1)}`, attained by balanced layers of width ≥ rank :math:`\bar Z`
(so every value below is the objective of a feasible point).

Candidates [derived].  Unit vectors :math:`u_1, \dots, u_K` (the classifier directions, equal to the class-mean
directions) whose Gram G is vertex transitive (every class sees the same multiset of inner products
:math:`G_{jk}`), scaled: :math:`\bar Z = aG`, a ≥ 0.  Every class then has the same CE loss, and

.. math::

    E_G(a) = \log\sum_j e^{-a(1 - G_{jk})} + \kappa_M\,(a\sqrt n)^{p}\sum_j\sigma_j(G)^{p},\qquad p = \tfrac2{M+1} .

The family used here (all tight frames, so the nonzero :math:`\sigma_j(G)` are equal to K/r for rank r):

* the simplex ETF, :math:`G = \frac K{K-1}S`, rank K − 1, every other class at inner product :math:`-1/(K-1)`;
* the cross-polytope (K even), :math:`\pm e_1, \dots, \pm e_{K/2}`, rank K/2: K − 2 classes at 0, one at −1;
* the regular K-gon, :math:`G_{jk} = \cos(2\pi(j-k)/K)`, rank 2 (K ≥ 3; the ETF at K = 3): two neighbours at
  :math:`\cos(2\pi/K)`;
* the zero point (a = 0, value log K).

Why depth favours low rank: at margin g (the gap between the own logit and the nearest other one) the loss is
≈ (number of nearest classes)·:math:`e^{-g}` and the cost ∝ :math:`r^{1-p}(g/\delta)^p` with δ = 1 − (largest
off-diagonal inner product); as M grows p → 0 and the cost tends to a multiple of the rank r, so rank 2 (the
fewest dimensions in which every class can be the arg-max of its own logits) wins, unless the zero point does.
At M = 1 (p = 1, convex) the ETF is optimal (Zhu et al.).  The family is *not* complete: at K = 5, M = 2 and
K = 8, M = 3 the factored solver finds rank-3 points with unequal singular values below every family member
(``garrod-keating/polytope-family-general``, registered to be refuted).

The minimiser over a: :math:`E_G` is smooth on a > 0; it is scanned on a logarithmic grid up to
:math:`a_{\max} = (\log K/c)^{1/p}` (beyond it the cost alone exceeds the zero point's value; c the cost coefficient),
refined by bounded Brent steps around the best grid points, and compared with a = 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

#: Grid points of the scan in a (log-spaced).
GRID = 600


def kappa(M: int, lambda_w: float, lambda_h: float) -> float:
    r""":math:`\kappa_M = \frac{M+1}2(\lambda_H\lambda_W^M)^{1/(M+1)}` (R3)."""
    return (M + 1) / 2.0 * (lambda_h * lambda_w ** M) ** (1.0 / (M + 1))


def etf_gram(K: int) -> np.ndarray:
    return K / (K - 1.0) * (np.eye(K) - 1.0 / K)


def cross_polytope_gram(K: int) -> np.ndarray:
    if K % 2:
        raise ValueError(f"K: the cross-polytope has an even number of vertices, got {K}")
    m = K // 2
    U = np.vstack([np.eye(m), -np.eye(m)])
    return U @ U.T


def polygon_gram(K: int) -> np.ndarray:
    j = np.arange(K)
    return np.cos(2.0 * np.pi * (j[:, None] - j[None, :]) / K)


def family(K: int) -> dict:
    """name -> Gram of the candidates available at K (module doc), without the zero point."""
    out = {"etf": etf_gram(K)}
    if K % 2 == 0 and K >= 4:
        out["cross-polytope"] = cross_polytope_gram(K)
    if K >= 4:
        out["polygon"] = polygon_gram(K)
    return out


def gram_spectrum(G: np.ndarray) -> np.ndarray:
    """Singular values of G above 1e-9 relative (descending)."""
    s = np.linalg.svd(G, compute_uv=False)
    return s[s > 1e-9 * s[0]]


def candidate_objective(a, G: np.ndarray, M: int, n: float, lambda_w: float, lambda_h: float):
    r""":math:`E_G(a)` of the module doc (vectorised in a)."""
    a = np.asarray(a, dtype=np.float64)
    gaps = G[0, 0] - G[:, 0]  # vertex transitive: column 0 stands for every class
    p = 2.0 / (M + 1)
    loss = np.logaddexp.reduce(-np.multiply.outer(a, gaps), axis=-1)
    cost = kappa(M, lambda_w, lambda_h) * float(np.sum(gram_spectrum(G) ** p)) * (a * math.sqrt(n)) ** p
    return loss + cost


def best_scale(G: np.ndarray, M: int, n: float, lambda_w: float, lambda_h: float) -> tuple[float, float]:
    """``(a*, E_G(a*))``: the global minimiser over a >= 0 (a = 0: the zero point, value log K)."""
    K = G.shape[0]
    p = 2.0 / (M + 1)
    coef = kappa(M, lambda_w, lambda_h) * float(np.sum(gram_spectrum(G) ** p)) * math.sqrt(n) ** p
    a_max = (math.log(K) / coef) ** (1.0 / p)
    grid = np.geomspace(a_max * 1e-9, a_max, GRID)
    vals = candidate_objective(grid, G, M, n, lambda_w, lambda_h)
    best_a, best_v = 0.0, math.log(K)
    for i in np.argsort(vals)[:3]:
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, GRID - 1)]
        r = minimize_scalar(lambda x: float(candidate_objective(x, G, M, n, lambda_w, lambda_h)), bounds=(lo, hi),
                            method="bounded", options={"xatol": 1e-12 * hi})
        if r.fun < best_v:
            best_a, best_v = float(r.x), float(r.fun)
    return best_a, best_v


def candidates(K: int, M: int, n: float, lambda_w: float, lambda_h: float) -> dict:
    """name -> {"a", "value", "rank", "singular_values" (of the mean logits aG, descending, length K)} for the family
    and the zero point."""
    out = {}
    for name, G in family(K).items():
        a, v = best_scale(G, M, n, lambda_w, lambda_h)
        s = np.zeros(K)
        spec = gram_spectrum(G)
        if a > 0:
            s[:spec.size] = a * spec
        out[name] = {"a": a, "value": v, "rank": int(spec.size) if a > 0 else 0, "singular_values": s}
    out["zero"] = {"a": 0.0, "value": math.log(K), "rank": 0, "singular_values": np.zeros(K)}
    return out


def best_candidate(K: int, M: int, n: float, lambda_w: float, lambda_h: float) -> tuple[str, dict, dict]:
    """``(name, record, all)``: the family member (or zero) of lowest value; ties go to the lower rank, and a member
    whose best scale is a = 0 is the zero point (named ``"zero"``)."""
    c = candidates(K, M, n, lambda_w, lambda_h)
    name = min(c, key=lambda k: (c[k]["value"], c[k]["rank"], k != "zero"))
    return name, c[name], c


def numerical_rank(values, rtol: float) -> int:
    """Count of singular values above ``rtol`` times the largest (0 for a zero matrix)."""
    s = np.asarray(values, dtype=np.float64)
    if s.size == 0 or s[0] <= 0:
        return 0
    return int(np.count_nonzero(s > rtol * s[0]))


__all__ = ["GRID", "best_candidate", "best_scale", "candidate_objective", "candidates", "cross_polytope_gram",
           "etf_gram", "family", "gram_spectrum", "kappa", "numerical_rank", "polygon_gram"]
