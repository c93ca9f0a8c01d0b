r"""Turning a convex solution back into factors: numerical rank, R1 factors, Gram factors.

Numerical rank (the documented cutoff).  A singular value (or Gram eigenvalue)
:math:`\sigma_i` counts iff

.. math::  \sigma_i > \max(\texttt{rtol}\cdot\sigma_1,\ \texttt{atol}),

with defaults :data:`RANK_RTOL` = 1e-7 and :data:`RANK_ATOL` = 1e-10.  The
interior-point solves run to a gap of about 1e-11, so values that are zero at
the optimum come back around 1e-11 .. 1e-9 relative; the cutoff sits above
that noise and far below any value a model here produces on purpose.  Dropping
the discarded values changes the nuclear norm by at most their sum, which is
reported in ``extra["discarded_mass"]``.
"""

from __future__ import annotations

import numpy as np

RANK_RTOL = 1e-7
RANK_ATOL = 1e-10


def numerical_rank(values: np.ndarray, rtol: float = RANK_RTOL, atol: float = RANK_ATOL) -> int:
    """Number of entries of the descending array ``values`` above the cutoff (module doc)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return 0
    cutoff = max(rtol * float(values[0]), atol)
    return int(np.count_nonzero(values > cutoff))


def r1_factors(Y: np.ndarray, lambda_w: float, lambda_h: float, rtol: float = RANK_RTOL,
               atol: float = RANK_ATOL) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    r"""Balanced factors of the variational identity R1.

    From :math:`Y = U\Sigma V^\top` (truncated at the numerical rank r):

    .. math::

        A = (\lambda_H/\lambda_W)^{1/4} U\Sigma^{1/2}, \qquad
        B = (\lambda_W/\lambda_H)^{1/4} \Sigma^{1/2} V^\top,

    so :math:`AB = Y_r` and :math:`\frac{\lambda_W}2\|A\|^2 + \frac{\lambda_H}2\|B\|^2 = \lambda\|Y_r\|_*`.

    Returns
    -------
    A : (p, r) array
    B : (r, q) array
    s : all singular values of Y (descending)
    r : numerical rank
    """
    U, s, Vt = np.linalg.svd(np.asarray(Y, dtype=np.float64), full_matrices=False)
    r = numerical_rank(s, rtol, atol)
    root = np.sqrt(s[:r])
    A = (lambda_h / lambda_w) ** 0.25 * U[:, :r] * root
    B = (lambda_w / lambda_h) ** 0.25 * root[:, None] * Vt[:r]
    return A, B, s, r


def gram_factor(G: np.ndarray, rtol: float = RANK_RTOL, atol: float = RANK_ATOL
                ) -> tuple[np.ndarray, np.ndarray, int]:
    r"""A factor :math:`F` (r × n) with :math:`F^\top F \approx G` for a PSD Gram matrix.

    :math:`G_{\rm sym} = Q\Lambda Q^\top` (descending), :math:`F = \Lambda_r^{1/2} Q_r^\top`
    with r the numerical rank of the eigenvalues (negative ones, solver noise, are dropped).

    Returns
    -------
    F : (r, n) array
    eigenvalues : all eigenvalues, descending
    r : numerical rank
    """
    G = np.asarray(G, dtype=np.float64)
    evals, Q = np.linalg.eigh(0.5 * (G + G.T))
    order = np.argsort(evals)[::-1]
    evals, Q = evals[order], Q[:, order]
    r = numerical_rank(np.maximum(evals, 0.0), rtol, atol)
    F = np.sqrt(evals[:r])[:, None] * Q[:, :r].T
    return F, evals, r


def pad_rows(F: np.ndarray, d: int) -> np.ndarray:
    """``F`` (r × n) with zero rows appended to d rows (r ≤ d)."""
    r = F.shape[0]
    if r > d:
        raise ValueError(f"d: {d} is smaller than the factor rank {r}")
    return np.vstack([F, np.zeros((d - r, F.shape[1]))])


def truncated_factors(Y: np.ndarray, lambda_w: float, lambda_h: float, d: int, rtol: float, atol: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    r"""The R1 factors of ``Y`` (:func:`r1_factors`) truncated to the feature dimension d.

    Returns
    -------
    W : (p, d) array
        :math:`A_{:, :k}` padded with zero columns, :math:`k = \min(r, d)`.
    B : (k, q) array
        The first k rows of B (the caller maps them to features and pads them).
    s : all singular values of Y (descending)
    r : numerical rank
    kept : k
    """
    A, B, s, r = r1_factors(Y, lambda_w, lambda_h, rtol, atol)
    kept = min(r, d)
    return pad_rows(A[:, :kept].T, d).T, B[:kept], s, r, kept


def truncation_status(rank: int, kept: int, message: str) -> tuple[str, str | None]:
    """``("optimal", None)`` when the numerical rank fits the feature dimension (``kept == rank``), else
    ``("local", message)``: the returned rank-d truncation is not the convex optimum."""
    if kept < rank:
        return "local", message
    return "optimal", None
