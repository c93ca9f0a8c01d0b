r"""Memory estimates, checked before a solve allocates (so an impossible solve is bad input, exit 2).

Each estimate counts the float64 arrays a solver keeps alive at once, with a small safety factor;
:func:`available_bytes` is the machine's available memory (``/proc/meminfo``; 8 GiB if unknown).
"""

from __future__ import annotations

import os

#: Refuse a solve whose estimate exceeds this fraction of the available memory.
MEMORY_FRACTION = 0.8


def available_bytes() -> int:
    """Available memory in bytes (``MemAvailable`` of ``/proc/meminfo``; 8 GiB when it cannot be read)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 8 * 2**30


def dense_estimate(K: int, method: str) -> int:
    r"""Bytes a dense K-class solve keeps alive.

    ``certified``: about 40 K×K matrices (iterate, factors, gradient, SVD work arrays) plus the L-BFGS
    history (capped at 320 MB); ``factored``/``convex``: about 60 K×K matrices (cvxpy's canonical form
    is far larger still, see :func:`convex_estimate`).
    """
    per = 8 * K * K
    if method == "certified":
        return 40 * per + min(320 * 2**20, 2 * 20 * 2 * per)
    return 60 * per


def convex_estimate(K: int, d: int | None = None) -> int:
    """Bytes of a cvxpy reference at K classes (measured: the canonicalised problem holds ~2000 K² floats)."""
    return 2000 * 8 * K * K


#: Largest number of variables of a factored solve: scipy's L-BFGS-B ended in a segmentation fault at 4e7 variables
#: on this project's machine (d = 1e7, K = 2, 9 GB of 22 GB free), and d = 1e6 (4e6 variables) already takes 30 s.
MAX_FACTORED_VARIABLES = 10_000_000


def factored_variables(problem) -> int:
    """Variables of a factored solve on class means: :math:`(M-1)d^2 + 2Kd + K`."""
    K, d, M = problem.K, problem.dim, problem.depth
    return (M - 1) * d * d + 2 * K * d + K


def factored_estimate(problem) -> int:
    r"""Bytes of a factored (L-BFGS) solve on class means: :math:`(M-1)d^2 + 2Kd + K` variables, about 30
    float64 copies alive (scipy's L-BFGS-B workspace :math:`(2m+5)n` for m = 10, x, the gradient, the best restart)."""
    return 30 * 8 * factored_variables(problem)


def memory_limit() -> int:
    """Bytes a solve may use: :data:`MEMORY_FRACTION` of the available memory (``NCTHEORY_MEMORY_LIMIT`` overrides)."""
    return _limit()


def _limit() -> int:
    env = os.environ.get("NCTHEORY_MEMORY_LIMIT")
    if env:
        try:
            return int(float(env))
        except ValueError:
            pass
    return int(MEMORY_FRACTION * available_bytes())


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def dense_guard(problem, method: str) -> list[str]:
    """``["sizes: ..."]`` (or ``["d: ..."]``) when a dense solve of ``problem`` cannot fit in memory, else ``[]``."""
    need = dense_estimate(problem.K, method) if not method.startswith("convex") else convex_estimate(problem.K)
    limit = _limit()
    if method == "factored":
        n_vars = factored_variables(problem)
        if n_vars > MAX_FACTORED_VARIABLES:
            return [f"d: a factored solve with d = {problem.dim}, depth {problem.depth} at K = {problem.K} has {n_vars:.3g} "
                    f"variables, above the {MAX_FACTORED_VARIABLES:.0e} this solver handles (use a smaller d)"]
        f = factored_estimate(problem)
        if f > limit:
            return [f"d: a factored solve with d = {problem.dim}, depth {problem.depth} at K = {problem.K} needs about "
                    f"{human(f)}, more than the {human(limit)} available"]
    if need > limit:
        return [f"sizes: a dense {method} solve at K = {problem.K} needs about {human(need)}, more than the "
                f"{human(limit)} available (grouped sizes go through the symmetric solver)"]
    return []
