r"""The scalar problem behind Dang et al. 2023's deep-linear MSE solution (catalogue §3).

For the bias-free deep linear unconstrained feature model with MSE (canonical
convention, equal :math:`\lambda_W` on the M layers, :math:`P = W_M\cdots W_1`), every
global minimizer is diagonal in the class basis: :math:`PP^\top = \operatorname{diag}(\sigma_k)`
up to rotation, and each class k solves its own one-dimensional problem.  Writing
:math:`\sigma_k = N\lambda_H x^M` (so the layers' common squared singular value is
:math:`(N\lambda_H)^{1/M} x`), the part of the objective that belongs to class k is
:math:`\tfrac{n_k}{2N}\,G_{\beta_k}(x)` with

.. math::

    G_\beta(x) = \frac{1}{1 + x^M} + \beta x, \qquad
    \beta_k = \frac{b}{n_k}, \quad b = M N (N\lambda_H \lambda_W^M)^{1/M}.

Stationary points :math:`x > 0` solve :math:`\beta = \psi(x) := M x^{M-1}/(x^M+1)^2`.
For :math:`M \ge 2`, :math:`\psi` rises from 0 to its peak at
:math:`x_p = ((M-1)/(M+1))^{1/M}` and then decreases to 0, so there are up to two
roots; the right one (:math:`x > x_p`) is the local minimum of :math:`G_\beta`, the
left one a local maximum, and :math:`x = 0` is always a local minimum.  Which of
:math:`x = 0` and the right root is **global** is decided by

.. math::

    \min_{x>0} G_\beta(x) < G_\beta(0) = 1
    \iff \beta < \max_{x>0}\frac{x^{M-1}}{1+x^M} = \frac{(M-1)^{(M-1)/M}}{M}
    \quad (\text{attained at } x^M = M-1).

For :math:`M = 1`, :math:`\psi(x) = 1/(1+x)^2` peaks at :math:`x = 0` with value 1, the
root is :math:`x = \beta^{-1/2} - 1` and the class is zero iff :math:`\beta \ge 1`, i.e.
:math:`n_k \le N^2\lambda_W\lambda_H`.

The authors' public code (catalogue §3 pitfall) takes the right root whenever one
exists, without the global test: for :math:`\text{threshold} \le \beta_k \le \psi(x_p)` it
reports a nonzero class where the global minimizer is zero, and it has no root (it
crashes) for :math:`\beta_k > \psi(x_p)`.  :func:`authors_code_x` reproduces that rule
(returning NaN where the code crashes) so the difference can be shown numerically.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from nctheory.model import Problem

__all__ = [
    "peak_location",
    "root_rhs",
    "peak_value",
    "zero_threshold",
    "scaled_class_objective",
    "right_root",
    "global_x",
    "authors_code_x",
    "betas",
    "class_sigmas",
]


def _check_depth(M) -> int:
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M: depth must be an integer >= 1, got {M!r}")
    return int(M)


def _check_beta(beta) -> float:
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta: expected a real number, got {beta!r}") from None
    if not math.isfinite(b) or b <= 0:
        raise ValueError(f"beta: must be finite and > 0, got {beta!r}")
    return b


def peak_location(M: int) -> float:
    r"""Where :math:`\psi(x) = Mx^{M-1}/(x^M+1)^2` peaks: :math:`x_p = ((M-1)/(M+1))^{1/M}` (0 for M = 1)."""
    M = _check_depth(M)
    return ((M - 1.0) / (M + 1.0)) ** (1.0 / M)


def root_rhs(x, M: int):
    r""":math:`\psi(x) = M x^{M-1} / (x^M + 1)^2`, the right-hand side of the root equation."""
    M = _check_depth(M)
    x = np.asarray(x, dtype=np.float64)
    return M * x ** (M - 1) / (x**M + 1.0) ** 2


def peak_value(M: int) -> float:
    r""":math:`\psi(x_p)`; the authors' code has no root for :math:`\beta` above it (1 for M = 1)."""
    return float(root_rhs(peak_location(M), M))


def zero_threshold(M: int) -> float:
    r"""The global zero threshold on :math:`\beta`: :math:`(M-1)^{(M-1)/M}/M` for M >= 2, 1 for M = 1.

    Class k is zero at every global minimizer when :math:`\beta_k` exceeds it (at
    equality, for M >= 2, zero and the right root tie).
    """
    M = _check_depth(M)
    if M == 1:
        return 1.0
    return (M - 1.0) ** ((M - 1.0) / M) / M


def scaled_class_objective(x, beta: float, M: int):
    r""":math:`G_\beta(x) = 1/(1+x^M) + \beta x`; class k's objective is :math:`\tfrac{n_k}{2N} G_{\beta_k}(x)`."""
    M = _check_depth(M)
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + x**M) + beta * x


def right_root(beta: float, M: int) -> float:
    r"""The largest root of :math:`\beta = \psi(x)` (right of the peak), NaN if there is none.

    There is none when :math:`\beta > \psi(x_p)` (for M = 1: :math:`\beta \ge 1`, where
    the only "root" :math:`x = \beta^{-1/2}-1` is not positive).
    """
    beta = _check_beta(beta)
    M = _check_depth(M)
    if M == 1:
        return 1.0 / math.sqrt(beta) - 1.0 if beta < 1.0 else math.nan
    xp = peak_location(M)
    top = float(root_rhs(xp, M))
    if beta > top:
        return math.nan
    if beta == top:
        return xp
    # psi(x) < M / x^(M+1): beyond hi the curve is below beta, so [xp, hi] brackets the root.
    hi = max(2.0 * xp, (M / beta) ** (1.0 / (M + 1.0)))
    f = lambda x: float(root_rhs(x, M)) - beta  # noqa: E731
    return brentq(f, xp, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)


def global_x(beta: float, M: int) -> float:
    r"""The global minimizer of :math:`G_\beta` over :math:`x \ge 0`.

    0 at or above the zero threshold (:func:`zero_threshold`), else the right root.
    """
    beta = _check_beta(beta)
    if beta >= zero_threshold(M):
        return 0.0
    return right_root(beta, M)


def authors_code_x(beta: float, M: int) -> float:
    r"""The authors' code's rule: the right root whenever it exists, without the global test.

    Returns NaN where no root exists (:math:`\beta > \psi(x_p)`): the authors' code
    crashes there.  Differs from :func:`global_x` exactly when
    :math:`\text{threshold} \le \beta \le \psi(x_p)` (M >= 2).
    """
    return right_root(beta, M)


def betas(problem: Problem) -> np.ndarray:
    r""":math:`\beta_k = M N (N\lambda_H\lambda_W^M)^{1/M} / n_k` for ``problem`` (canonical convention)."""
    M = problem.depth
    b = M * problem.N * problem.lambda_w * (problem.N * problem.lambda_h) ** (1.0 / M)
    return b / problem.n


def class_sigmas(problem: Problem, rule: str = "global") -> np.ndarray:
    r"""Per-class eigenvalues :math:`\sigma_k = N\lambda_H x_k^M` of :math:`PP^\top`.

    Parameters
    ----------
    problem : Problem
    rule : {"global", "authors-code"}
        ``"global"``: :func:`global_x` (the correct rule).  ``"authors-code"``:
        :func:`authors_code_x` (NaN where the authors' code crashes).
    """
    if rule == "global":
        pick = global_x
    elif rule == "authors-code":
        pick = authors_code_x
    else:
        raise ValueError(f"rule: unknown {rule!r}; allowed: global, authors-code")
    M = problem.depth
    xs = np.array([pick(beta, M) for beta in betas(problem)], dtype=np.float64)
    return problem.N * problem.lambda_h * xs**M
