"""Solvers: ``certified`` (fast, with a duality-gap certificate), ``convex:*`` (cvxpy references) and
``factored`` (the nonconvex problem, as training sees it), as :class:`Solver` objects with declared
capabilities (:mod:`nctheory.solvers.registry`).  ``solve(problem, method=...)`` picks one by name."""

from nctheory.solvers.base import Requirements, Solver, Support  # noqa: F401
from nctheory.solvers.registry import METHODS, SOLVERS, auto_method, get_solver, register_solver, solve  # noqa: F401
from nctheory.solvers.result import STATUSES, Certificate, Solution, Status  # noqa: F401
