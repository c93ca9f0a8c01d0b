"""Global solvers: ``certified`` (fast, with a duality-gap certificate), ``convex``
(cvxpy reference formulations) and ``factored`` (the nonconvex problem, as training sees it).

Use :func:`solve` (``nctheory.solvers.dispatch``) to pick one by name."""

from nctheory.solvers.dispatch import METHODS, auto_method, solve  # noqa: F401
from nctheory.solvers.solution import STATUSES, Solution  # noqa: F401
