r"""The label-smoothing check that runs solvers: the λ → 0 path to the finite limit (``zhou2022/ls-small-lambda``).

:func:`small_lambda_path` solves the bias-free LS-UFM (certified, R2) along a decreasing λ sequence at the problem's
λ_H/λ_W ratio and measures the relative distances of the centred mean logits, WWᵀ and H̄ᵀH̄ to their limits
(:mod:`.formulas`, "Small λ").  The derivation gives O(λ); the check asks for a shrink factor of at least
:data:`MIN_SHRINK` per decade of λ at every step.

Where the O(λ) regime starts depends on the instance: the KKT block of a class is
:math:`\frac{\sqrt{n_k}}N(\text{softmax} - q)` against λ, and the softmax curvature at the limit is of order ε/K, so
the small parameter is :math:`\lambda KN/(\varepsilon\sqrt{n_{\min}})`.  The path is therefore
:math:`\lambda_j = \lambda_0 10^{-j}`, j = 0..3, with :math:`\lambda_0 = \varepsilon\sqrt{n_{\min}}/(KN)`
(:func:`path_lambdas`).  A fixed path 1e-3 … 1e-6 was not: at sizes (270, 270, 270, 18, 18) it started outside the
regime (first-decade shrink 4.8 at ε = 0.1, 2.1 at ε = 0.005, drawn by the property suite).  With the scaled path the
first-decade shrink is 8.4–9.3 and the next ones 9.8–10.0 on the default instance, those sizes at ε = 0.1, 0.02,
0.005, and sizes (1, 40, 3) at ε = 0.6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.claims.lambda_path import decreasing_lambdas, solve_along
from nctheory.model import Problem

#: The path's factors relative to its start λ₀ (decades).
DECADES = (1.0, 1e-1, 1e-2, 1e-3)


def path_lambdas(problem: Problem) -> tuple:
    r""":math:`\lambda_0\cdot` :data:`DECADES` with :math:`\lambda_0 = \varepsilon\sqrt{n_{\min}}/(KN)` (module doc)."""
    lam0 = float(problem.loss.epsilon) * math.sqrt(min(problem.sizes)) / (problem.K * problem.N)
    return tuple(lam0 * f for f in DECADES)
#: Smallest accepted shrink factor of each distance per decade of λ (linear convergence gives 10).
MIN_SHRINK = 5.0


@dataclass(frozen=True)
class SmallLambdaPath:
    """Relative distances to the λ → 0 limit along ``lambdas`` (columns: logits, WWᵀ, H̄ᵀH̄)."""

    lambdas: np.ndarray
    distances: np.ndarray
    shrink: np.ndarray
    certified: bool
    ok: bool
    message: str


def distances_to_limit(problem: Problem, solution) -> np.ndarray:
    r"""Relative Frobenius distances of :math:`S W\bar H`, :math:`(SW)(SW)^\top`, :math:`\bar H^\top\bar H` to their
    limits at the problem's λ_H/λ_W (the mean classifier is a flat direction of a shift-invariant loss: removed)."""
    from nctheory.claims.sources.zhou2022.claims import _limit_targets

    T = _limit_targets(problem)
    W = np.asarray(solution.W, dtype=np.float64)
    W = W - W.mean(axis=0, keepdims=True)
    H = np.asarray(solution.H_mean, dtype=np.float64)
    pairs = ((W @ H, T["limit_logits"]), (W @ W.T, T["limit_gram_W"]), (H.T @ H, T["limit_gram_H"]))
    return np.array([float(np.linalg.norm(G - L) / np.linalg.norm(L)) for G, L in pairs])


def small_lambda_path(problem: Problem, lambdas=None, *, tol: float = 1e-12) -> SmallLambdaPath:
    """Certified solves along ``lambdas`` (decreasing; default :func:`path_lambdas`) and the shrink factors of the
    distances (module doc)."""
    lam = decreasing_lambdas(path_lambdas(problem) if lambdas is None else lambdas)
    dist, certified, _ = solve_along(problem, lam, distances_to_limit, tol=tol)
    decades = np.log10(lam[:-1] / lam[1:])
    shrink = (dist[:-1] / dist[1:]) ** (1.0 / decades[:, None])
    ok = bool(certified and np.all(np.isfinite(shrink)) and np.all(shrink >= MIN_SHRINK))
    msg = ("relative distances to the limit (logits, WWᵀ, H̄ᵀH̄) per λ: "
           + "; ".join(f"{l:.2e}: {d[0]:.2e}/{d[1]:.2e}/{d[2]:.2e}" for l, d in zip(lam, dist))
           + f"; worst shrink per decade {float(shrink.min()):.2f} (need >= {MIN_SHRINK:g})")
    if not certified:
        msg += " (some solve was not certified)"
    return SmallLambdaPath(lam, dist, shrink, bool(certified), ok, msg)


__all__ = ["DECADES", "MIN_SHRINK", "SmallLambdaPath", "distances_to_limit", "path_lambdas", "small_lambda_path"]
