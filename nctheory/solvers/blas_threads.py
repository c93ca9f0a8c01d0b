"""Run small dense linear algebra on one BLAS thread.

The factored solves use tiny matrices (L-BFGS-B's internal 2m×2m systems, K×d products) for which
multi-threaded BLAS only adds synchronisation; on a loaded machine the threads spin and an L-BFGS-B
solve became tens of times slower (measured here: 17 s instead of 0.3 s for the same solve).
``threadpoolctl`` (the library scikit-learn uses for this) limits every loaded BLAS to one thread
inside the ``with`` block and restores the previous limits on exit.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def single_blas_thread():
    """Context manager: one BLAS thread inside, previous thread counts restored after."""
    return threadpool_limits(limits=1, user_api="blas")
