r"""The one-dimensional problem behind the deep-linear MSE solution of Dang et al. 2023 (catalogue §3).

Bias-free deep linear UFM with MSE, canonical convention, one :math:`\lambda_W` on all M layers
(:math:`P = W_M\cdots W_1`).  Every global minimiser is diagonal in the class basis, and class k solves its
own scalar problem.  In the variable x with :math:`\sigma_k = \|p_k\|^2 = N\lambda_H x^M`, class k's share of
the objective is :math:`\tfrac{n_k}{2N}G_{\beta_k}(x)`,

.. math::

    G_\beta(x) = \frac1{1+x^M} + \beta x,\qquad \beta_k = \frac{MN(N\lambda_H\lambda_W^M)^{1/M}}{n_k}.

Stationary points x > 0 solve :math:`\beta = \psi(x) := Mx^{M-1}/(x^M+1)^2`.  For M >= 2, ψ rises from 0 to a
peak at :math:`x_p = ((M-1)/(M+1))^{1/M}` and falls back to 0: at most two roots; the right one is a local
minimum of G, the left one a local maximum, and x = 0 is always a local minimum.  The global choice between 0
and the right root: :math:`\min_{x>0}G_\beta < G_\beta(0) = 1` iff
:math:`\beta < \max_{x>0} x^{M-1}/(1+x^M) = (M-1)^{(M-1)/M}/M` (attained at :math:`x^M = M-1`).
For M = 1, ψ(x) = 1/(1+x)² peaks at 0 with value 1: the root is :math:`x = \beta^{-1/2} - 1`, and the class is
zero iff β >= 1, i.e. :math:`n_k \le N^2\lambda_W\lambda_H`.

The authors' public code (catalogue §3 pitfall) takes the right root whenever there is one, with no global
test: for threshold <= β <= ψ(x_p) it keeps a nonzero class the global minimiser does not have, and for
β > ψ(x_p) it finds no root (it crashes).  :func:`authors_code_x` reproduces that rule (NaN for the crash).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.model import Problem
from nctheory.solvers.factored.checks import positive_float

__all__ = ["peak_location", "root_rhs", "peak_value", "zero_threshold", "scaled_class_objective", "right_root",
           "global_x", "authors_code_x", "beta_of", "sigma_from_root", "betas", "class_sigmas"]


def _check_depth(M) -> int:
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M: depth must be an integer >= 1, got {M!r}")
    return int(M)


def peak_location(M: int) -> float:
    r""":math:`x_p = ((M-1)/(M+1))^{1/M}`, where ψ peaks (0 for M = 1)."""
    M = _check_depth(M)
    return ((M - 1.0) / (M + 1.0)) ** (1.0 / M)


def root_rhs(x, M: int):
    r""":math:`\psi(x) = M x^{M-1}/(x^M + 1)^2`, the right-hand side of the root equation."""
    M = _check_depth(M)
    x = np.asarray(x, dtype=np.float64)
    return M * x ** (M - 1) / (x**M + 1.0) ** 2


def peak_value(M: int) -> float:
    r""":math:`\psi(x_p)`: above it the root equation has no solution (1 for M = 1)."""
    return float(root_rhs(peak_location(M), M))


def zero_threshold(M: int) -> float:
    r"""The global zero threshold on β: :math:`(M-1)^{(M-1)/M}/M` for M >= 2, 1 for M = 1.

    Above it class k is zero at every global minimiser (at equality and M >= 2, zero and the right root tie).
    """
    M = _check_depth(M)
    if M == 1:
        return 1.0
    return (M - 1.0) ** ((M - 1.0) / M) / M


def scaled_class_objective(x, beta: float, M: int):
    r""":math:`G_\beta(x) = 1/(1+x^M) + \beta x` (class k's objective is :math:`\tfrac{n_k}{2N}G_{\beta_k}(x)`)."""
    M = _check_depth(M)
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + x**M) + beta * x


def right_root(beta: float, M: int) -> float:
    r"""The largest root of :math:`\beta = \psi(x)` (right of the peak); NaN when there is none.

    None exists for :math:`\beta > \psi(x_p)`; for M = 1 for β >= 1 (:math:`\beta^{-1/2} - 1` is not positive).
    """
    beta = positive_float("beta", beta)
    M = _check_depth(M)
    if M == 1:
        return 1.0 / math.sqrt(beta) - 1.0 if beta < 1.0 else math.nan
    xp = peak_location(M)
    top = float(root_rhs(xp, M))
    if beta > top:
        return math.nan
    if beta == top:
        return xp
    # ψ(x) < M / x^(M+1), so ψ < β beyond (M/β)^(1/(M+1)): [x_p, hi] brackets the root
    hi = max(2.0 * xp, (M / beta) ** (1.0 / (M + 1.0)))
    return brentq(lambda x: float(root_rhs(x, M)) - beta, xp, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                  maxiter=500)


def global_x(beta: float, M: int) -> float:
    """The global minimiser of G_β over x >= 0: 0 at or above :func:`zero_threshold`, else the right root."""
    beta = positive_float("beta", beta)
    if beta >= zero_threshold(M):
        return 0.0
    return right_root(beta, M)


def authors_code_x(beta: float, M: int) -> float:
    r"""The authors' code's rule: the right root whenever it exists, no global test; NaN where it crashes.

    Differs from :func:`global_x` exactly when threshold <= β <= ψ(x_p) (M >= 2).
    """
    return right_root(beta, M)


def beta_of(M: int, N: float, n_k: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`\beta_k = M N (N\lambda_H\lambda_W^M)^{1/M} / n_k` (canonical convention)."""
    return M * N * lambda_w * (N * lambda_h) ** (1.0 / M) / n_k


def sigma_from_root(x, M: int, N: float, lambda_h: float):
    r""":math:`\sigma_k = N\lambda_H x_k^M`, the eigenvalue of :math:`PP^\top` belonging to root :math:`x_k`."""
    return N * lambda_h * np.asarray(x, dtype=np.float64) ** M


def betas(problem: Problem) -> np.ndarray:
    r""":math:`\beta_k` for every class of ``problem`` (:func:`beta_of`)."""
    return beta_of(problem.depth, problem.N, problem.n, problem.lambda_w, problem.lambda_h)


def class_sigmas(problem: Problem, rule: str = "global") -> np.ndarray:
    r"""Per-class eigenvalues :math:`\sigma_k = N\lambda_H x_k^M` of :math:`PP^\top`.

    ``rule``: ``"global"`` (:func:`global_x`, correct) or ``"authors-code"`` (:func:`authors_code_x`, NaN where
    the authors' code crashes).
    """
    if rule == "global":
        pick = global_x
    elif rule == "authors-code":
        pick = authors_code_x
    else:
        raise ValueError(f"rule: unknown {rule!r}; allowed: global, authors-code")
    M = problem.depth
    xs = np.array([pick(beta, M) for beta in betas(problem)], dtype=np.float64)
    return sigma_from_root(xs, M, problem.N, problem.lambda_h)
