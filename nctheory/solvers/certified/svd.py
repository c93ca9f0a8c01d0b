r"""Singular-value tools for the nuclear-norm problem R2.

* :func:`singular_value_threshold` -- the prox of :math:`\tau\|\cdot\|_*`,
  :math:`\operatorname{prox}(V) = U \max(\Sigma - \tau, 0) V^\top` for :math:`V = U\Sigma V^\top`.
* :func:`numerical_rank` -- rank with an explicit, documented cutoff.
* :func:`top_singular_value_below` -- a cheap lower estimate of :math:`\sigma_1` (power iteration).
* :func:`balanced_factors` -- reductions R1/R2: from :math:`Y = \bar Z D^{1/2} = U\Sigma V^\top`,
  :math:`W = (\lambda_H/\lambda_W)^{1/4} U\Sigma^{1/2}`,
  :math:`\bar H = (\lambda_W/\lambda_H)^{1/4}\Sigma^{1/2}V^\top D^{-1/2}`.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numpy as np

__all__ = ["RANK_RTOL", "singular_value_threshold", "threshold_svd", "numerical_rank", "balanced_factors", "svd",
           "top_singular_value_below", "spectral_norm", "single_threaded"]

#: Relative cutoff of :func:`numerical_rank`: singular values
#: :math:`\sigma_i \le` ``RANK_RTOL`` :math:`\cdot K \cdot \sigma_1` count as zero.  The factor
#: :math:`K\varepsilon`-scale is the size of rounding in a backward-stable SVD, so only
#: singular values that are indistinguishable from rounding are dropped.
RANK_RTOL = 16.0 * np.finfo(np.float64).eps


def svd(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thin SVD ``A = U @ diag(s) @ Vt`` (LAPACK ``gesdd``, falling back to ``gesvd``), BLAS on one thread
    (:func:`single_threaded`)."""
    with single_threaded():
        try:
            return np.linalg.svd(A, full_matrices=False)
        except np.linalg.LinAlgError:  # gesdd can fail to converge on rare inputs
            import scipy.linalg

            return scipy.linalg.svd(A, full_matrices=False, lapack_driver="gesvd")


def spectral_norm(M: np.ndarray) -> float:
    """:math:`\\|M\\|_2`, the largest singular value by a full SVD (``gesdd`` without vectors), BLAS on one
    thread (:func:`single_threaded`)."""
    with single_threaded():
        return float(np.linalg.norm(M, 2))


def single_threaded():
    """A context pinning BLAS to one thread (via ``threadpoolctl`` if installed, else nothing).

    For the SVDs: LAPACK's bidiagonalisation is a long chain of small, synchronised BLAS calls, and on a machine
    whose cores are shared with other jobs threads that wait for each other cost more than they gain -- a
    1000 × 1000 ``gesdd`` measured 3.3 s on two threads against 0.86 s on one, under load; matrix products
    (compute-bound, few synchronisations) keep the threads (0.056 s against 0.081 s, same run)."""
    controller = threadpool_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def threadpool_controller():
    """One cached ``threadpoolctl.ThreadpoolController`` (library discovery is slow), or None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional dependency
        return None
    return ThreadpoolController()


def singular_value_threshold(V: np.ndarray, tau: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Proximal map of :math:`\tau\|\cdot\|_*` at ``V``.

    Returns
    -------
    X : ndarray
        :math:`U\max(\Sigma-\tau,0)V^\top`, built from the nonzero part only, so its
        discarded singular values are exactly zero.
    s : ndarray
        All thresholded singular values :math:`\max(\sigma_i - \tau, 0)` (descending).
    U, Vt : ndarray
        The kept singular vectors (columns of ``U``, rows of ``Vt``).
    """
    U, sigma, Vt = svd(V)
    U, s, Vt = threshold_svd(U, sigma, Vt, tau)
    r = U.shape[1]
    X = (U * s[:r]) @ Vt
    return X, s, U, Vt


def threshold_svd(U: np.ndarray, sigma: np.ndarray, Vt: np.ndarray, tau: float):
    r"""The prox of :math:`\tau\|\cdot\|_*` in factored form, from an SVD ``U diag(sigma) Vt`` of its argument:
    ``(U_r, s, Vt_r)`` with ``s`` = all of :math:`\max(\sigma_i - \tau, 0)` and the r kept singular vectors."""
    s = np.maximum(sigma - tau, 0.0)
    r = int(np.count_nonzero(s))
    return U[:, :r], s, Vt[:r]


def numerical_rank(s: np.ndarray) -> int:
    r"""Number of singular values above :math:`\text{RANK\_RTOL}\cdot K\cdot\sigma_1` (see :data:`RANK_RTOL`)."""
    s = np.asarray(s, dtype=np.float64)
    if s.size == 0 or s[0] <= 0.0:
        return 0
    return int(np.count_nonzero(s > RANK_RTOL * s.size * s[0]))


def balanced_factors(
    U: np.ndarray,
    s: np.ndarray,
    Vt: np.ndarray,
    n: np.ndarray,
    lambda_w: float,
    lambda_h: float,
    d: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    r"""Factor :math:`Y = \bar Z D^{1/2} = U\Sigma V^\top` into classifier and class means (R1/R2).

    With the SVD truncated to its numerical rank r (:func:`numerical_rank`),
    :math:`W = (\lambda_H/\lambda_W)^{1/4}U_r\Sigma_r^{1/2}` and
    :math:`\bar H = (\lambda_W/\lambda_H)^{1/4}\Sigma_r^{1/2}V_r^\top D^{-1/2}`, so that
    :math:`W\bar H = Y_r D^{-1/2}` and
    :math:`\frac{\lambda_W}{2}\|W\|_F^2 + \frac{\lambda_H}{2}\sum_k n_k\|\bar h_k\|^2 = \lambda\|Y_r\|_*`.

    Parameters
    ----------
    U, s, Vt : ndarray
        An SVD of ``Y`` (``s`` descending; at least the nonzero part).
    n : ndarray, shape (K,)
        Class sizes (the diagonal of D).
    lambda_w, lambda_h : float
    d : int or None
        Output width.  ``None`` -> ``max(r, 1)`` (one zero column when ``Y = 0``);
        ``d > r`` pads with zero columns of ``W`` (rows of ``H_mean``); ``d < r`` is
        not honoured (width r is returned; the caller reports that R2 is then
        only a relaxation of the UFM).

    Returns
    -------
    W : ndarray, shape (K, width)
    H_mean : ndarray, shape (width, K)
    r : int
        Numerical rank.
    """
    s = np.asarray(s, dtype=np.float64)
    r = numerical_rank(s)
    K = U.shape[0]
    width = max(r, 1) if d is None else max(r, int(d))
    root = np.sqrt(s[:r])
    scale = (lambda_h / lambda_w) ** 0.25
    W = np.zeros((K, width))
    H_mean = np.zeros((width, Vt.shape[1]))
    W[:, :r] = scale * U[:, :r] * root
    H_mean[:r, :] = (root[:, None] * Vt[:r]) / (scale * np.sqrt(np.asarray(n, dtype=np.float64)))
    return W, H_mean, r


def top_singular_value_below(M: np.ndarray, iterations: int = 30, seed: int = 0, stop_above: float = math.inf) -> float:
    r"""A lower estimate of :math:`\sigma_1(M)` by power iteration on :math:`M^\top M` from a seeded random start.

    For every unit vector v, :math:`\|Mv\| \le \sigma_1(M)` (up to rounding of relative size
    :math:`\sim K\varepsilon`), so the largest :math:`\|Mv_j\|` over the iterates is a lower estimate whatever the
    start; it approaches :math:`\sigma_1` as the iteration proceeds.  Costs up to ``2 * iterations``
    matrix-vector products (no factorisation) and returns as soon as the estimate exceeds ``stop_above``: it
    can prove :math:`\sigma_1 > c` cheaply, never :math:`\sigma_1 \le c`."""
    v = np.random.default_rng(seed).standard_normal(M.shape[1])
    best = 0.0
    for _ in range(iterations):
        v /= max(float(np.linalg.norm(v)), 1e-300)
        u = M @ v
        best = max(best, float(np.linalg.norm(u)))
        if best > stop_above:
            break
        v = M.T @ u
    return best
