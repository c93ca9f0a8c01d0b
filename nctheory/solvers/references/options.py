r"""Option checks, the clock and BLAS threading shared by the reference solvers.

Options (every solver of this package): ``tol`` (target relative gap :math:`(F - LB)/|F|`, > 0), ``max_iter`` (>= 1),
``time_limit`` (seconds or None), ``seed`` (an integer; only a refinement's perturbation uses it), ``progress``
(print lines to stderr), ``x0`` (warm start, solver-specific).  A bad option raises ``ValueError("<name>: ...")``.

Threads: the iterations are dominated by SVDs and products of K × K (dense) or C × C (grouped) matrices.  Up to
:data:`SINGLE_THREAD_MAX` rows BLAS runs on one thread during a solve: on a shared 2-core machine (load ~4.5)
threads spin against each other -- a K = 100 LPM solve took 8.6 s with threads and 1.1 s without, at K = 300 a
300 × 300 SVD took 0.105 s on two threads and 0.020 s on one, and a K = 300 LPM solve 16.2 s against 0.85 s
(measured here).  Above it the SVD's O(K³) work is large enough to be worth the threads.
"""

from __future__ import annotations

import contextlib
import sys

import numpy as np

from nctheory.solvers.clock import Clock

__all__ = ["check_options", "check_seed", "Clock", "blas_threads", "logger", "SINGLE_THREAD_MAX"]

#: Largest matrix dimension for which BLAS is pinned to one thread during a solve.
SINGLE_THREAD_MAX = 1000


def check_options(tol, max_iter, time_limit, progress) -> tuple[float, int, float | None, bool]:
    """Validated ``(tol, max_iter, time_limit, progress)`` (ValueErrors name the option)."""
    from nctheory.solvers.certified.dense import _check_options

    return _check_options(tol, max_iter, time_limit, progress)


def check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    return int(seed)


def blas_threads(size: int):
    """One BLAS thread inside the block when ``size <= SINGLE_THREAD_MAX`` (module doc), else a no-op."""
    if size > SINGLE_THREAD_MAX:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def logger(progress: bool, tag: str, clock: Clock):
    """A ``log(msg)`` printing to stderr with the elapsed time, or None."""
    if not progress:
        return None
    return lambda msg: print(f"[{tag} {clock.elapsed():8.3f}s] {msg}", file=sys.stderr, flush=True)
