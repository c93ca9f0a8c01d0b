r"""Before a command solves: is there a solver for the model, and does the solve fit in memory?

Both answers come before any allocation, so an impossible request is bad input (exit 2) rather than a
``MemoryError`` traceback minutes later.

* **support**: the solver's own :meth:`~nctheory.solvers.base.Solver.supports` (which includes the
  solvers' K-dependent memory guards, :mod:`nctheory.solvers.memory`);
* **the feature dimension d and the depth M**, which those guards do not count: the factored solver
  optimises :math:`(M-1)d^2 + Kd` classifier entries and :math:`dK` mean features (:math:`dN` on samples),
  and L-BFGS keeps about :data:`LBFGS_COPIES` vectors of that length (10 correction pairs, workspace,
  the best restart); every solver returns :math:`W` (K×d) and :math:`\bar H` (d×K), and ``--json`` turns
  each entry into a Python float in a list (about :data:`JSON_BYTES_PER_ENTRY` bytes) before writing.
"""

from __future__ import annotations


#: Float64 vectors of the variables' length alive at once in a factored L-BFGS solve: scipy's L-BFGS-B
#: workspace is (2m + 5)n + O(m^2) floats for m = 10 (the 2.6e9-entry allocation that failed at d = 1e7,
#: K = 2 in the issue is 25.99 n), plus x, the gradient and the best restart's copy.
LBFGS_COPIES = 30
#: Bytes per entry of a result array on its way to JSON: a Python float (24 B) and its list slot (8 B),
#: then about 24 characters of text.
JSON_BYTES_PER_ENTRY = 56
#: Copies of the returned W and H_mean a solve holds (padded factors, the solution, a refinement).
RESULT_COPIES = 4
#: Solvers whose answers are compact (``GroupedSolution``: O(C²) numbers for C size groups); they form
#: W and H_mean densely only up to ``grouped_matrix.DENSE_MAX_K`` classes.
COMPACT_METHODS = ("certified:symmetric",)


def resolve(problem, method: str) -> str:
    """The solver name for ``method`` (``auto`` resolved); ValueError ``problem: ...`` when none handles it."""
    from nctheory.solvers.registry import auto_method, get_solver

    resolved = auto_method(problem) if method == "auto" else method
    solver = get_solver(resolved)
    support = solver.supports(problem)
    if not support:
        raise ValueError(f"problem: method {resolved!r} does not handle this model: {support.message()}")
    return resolved


def estimate_bytes(problem, method: str, *, json_out: bool = False) -> int:
    """Bytes that grow with d (and M) in a ``method`` solve of ``problem`` (module doc)."""
    K, d, M = problem.K, problem.dim, problem.depth
    result_entries = 2 * K * d
    if method in COMPACT_METHODS:
        from nctheory.solvers.certified.grouped_matrix import DENSE_MAX_K

        if K > DENSE_MAX_K:
            result_entries = 0
    need = RESULT_COPIES * 8 * result_entries
    if method == "factored":
        n_vars = (M - 1) * d * d + K * d + d * K + K
        need += LBFGS_COPIES * 8 * n_vars
    if json_out:
        need += JSON_BYTES_PER_ENTRY * result_entries
    return need


def check_fits(problem, method: str, *, json_out: bool = False) -> None:
    """ValueError ``d: ...`` when the d- and M-dependent arrays cannot fit in memory (module doc)."""
    from nctheory.solvers.memory import human, memory_limit

    need = estimate_bytes(problem, method, json_out=json_out)
    limit = memory_limit()
    if need > limit:
        what = f"d = {problem.dim}" + (f", depth M = {problem.depth}" if problem.depth > 1 else "")
        raise ValueError(f"d: a {method} solve with {what} at K = {problem.K} needs about {human(need)}, more than "
                         f"the {human(limit)} available (use a smaller --dim)")


def preflight(problem, method: str = "auto", *, json_out: bool = False) -> str:
    """:func:`resolve` then :func:`check_fits`; returns the resolved method."""
    resolved = resolve(problem, method)
    check_fits(problem, resolved, json_out=json_out)
    return resolved
