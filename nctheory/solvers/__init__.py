"""Global solvers: ``certified`` (fast, with a duality-gap certificate), ``convex``
(cvxpy reference formulations) and ``factored`` (the nonconvex problem, as training sees it)."""

from nctheory.solvers.solution import STATUSES, Solution  # noqa: F401
