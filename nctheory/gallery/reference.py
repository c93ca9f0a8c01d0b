r"""Reference solves for the gallery: a solution counts only when the solver vouches for it.

* certified / convex solves: status ``"optimal"`` and, with a certificate, relative gap at most
  :data:`nctheory.verify.MAX_REL_GAP` (the accuracy every claim tolerance assumes);
* factored solves: status ``"local"`` (best of restarts, no certificate; the claims that use it
  as a reference say so in their tolerances).

Anything else is not drawn as a solved point; the gallery item reports it as inconclusive.
"""

from __future__ import annotations

from nctheory.model import Problem
from nctheory.solvers import solve
from nctheory.solvers.result import Solution
from nctheory.verify import MAX_REL_GAP


def usable(solution: Solution) -> tuple[bool, str]:
    """Whether ``solution`` may be used as a reference, and why not."""
    if solution.status == "optimal":
        if solution.rel_gap is not None and solution.rel_gap > MAX_REL_GAP:
            return False, f"{solution.method}: relative gap {solution.rel_gap:.1e} above {MAX_REL_GAP:.0e}"
        return True, ""
    if solution.status == "local" and solution.method.startswith("factored"):
        return True, ""
    return False, f"{solution.method}: status {solution.status!r} ({solution.message})"


def reference_solve(problem: Problem, method: str = "auto", claim=None, **options) -> tuple[Solution | None, str]:
    """Solve ``problem``; return ``(solution, "")`` if usable, else ``(None, reason)``.

    ``claim`` (optional) contributes its declared ``solver_options`` for ``method``.
    """
    opts = dict(claim.solver_options.get(method, {})) if claim is not None else {}
    opts.update(options)
    sol = solve(problem, method=method, **opts)
    ok, why = usable(sol)
    if not ok:
        return None, f"sizes {list(problem.sizes)}, λ_W={problem.lambda_w:g}, λ_H={problem.lambda_h:g}: {why}"
    return sol, ""
