r"""Reference solves for the gallery: a solution counts only when it qualifies as a reference.

The rule is the engine's (:meth:`nctheory.solvers.result.Solution.reference_level`): certified (status optimal with
our own lower bound at relative gap <= :data:`nctheory.verify.MAX_REL_GAP`) or uncertified (a local or conic answer
without such a bound); anything else is not drawn as a solved point and the gallery item reports it.
"""

from __future__ import annotations

from nctheory.model import Problem
from nctheory.solvers import solve
from nctheory.solvers.result import Solution
from nctheory.verify import MAX_REL_GAP


def usable(solution: Solution) -> tuple[bool, str]:
    """Whether ``solution`` may be used as a reference, and why not (the engine's rule)."""
    level, why = solution.reference_level(MAX_REL_GAP)
    return level != "unusable", why if level == "unusable" else ""


def reference_solve(problem: Problem, method: str = "auto", claim=None, **options) -> tuple[Solution | None, str]:
    """Solve ``problem``; return ``(solution, "")`` if usable, else ``(None, reason)``.

    ``claim`` (optional) contributes its declared ``solver_options`` for ``method`` (the options its tolerances
    were measured with).
    """
    opts = dict(claim.solver_options.get(method, {})) if claim is not None else {}
    opts.update(options)
    sol = solve(problem, method=method, **opts)
    ok, why = usable(sol)
    if not ok:
        return None, f"sizes {list(problem.sizes)}, λ_W={problem.lambda_w:g}, λ_H={problem.lambda_h:g}: {why}"
    return sol, ""
