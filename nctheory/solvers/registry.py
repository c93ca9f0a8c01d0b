r"""Every solver by name, in preference order, and ``solve(problem, method=...)``.

``method="auto"`` picks the first solver of :data:`AUTO_ORDER` that supports the problem and solves
the model exactly (not a relaxation):

* class sizes in few groups of equal size (C <= K/2) and K >= :data:`SYMMETRIC_MIN_K`, CE or MSE ->
  ``certified:symmetric`` (the invariant problem of size O(C²), certified for the full K-class problem);
* learned classifier, depth 1, free features, penalties, a loss with a conjugate -> ``certified``;
* layer-peeled norm constraints (learned W) -> ``certified:lpm-symmetric`` (grouped sizes, K >= 50) or
  ``certified:lpm`` (a first-order solver of the nuclear-ball problem with its own dual bound), ``convex:lpm``
  (the Gram SDP, R4) as the independent reference;
* fixed-ETF classifier -> ``convex:fixed-etf`` (convex in H);
* ReLU features or depth >= 2 -> ``factored`` (no convex form; certified where a rigorous bound is
  tight: the ReLU doubly-nonnegative relaxation, the deep-linear MSE spectral bound).

``certified:uf-svm`` (and its grouped version ``certified:uf-svm-symmetric``) and ``convex:uf-svm`` solve the
unconstrained-features SVM of the problem's sizes (its penalties play no role); ``convex:relu-dnn`` is a relaxation.
None of these is chosen by ``auto``.

A new solver is one :class:`~nctheory.solvers.base.Solver` subclass and one row in :data:`SOLVERS`.
"""

from __future__ import annotations

from nctheory.model.problem import Problem
from nctheory.solvers.base import Solver
from nctheory.solvers.certified import CertifiedSolver
from nctheory.solvers.certified.symmetric import SymmetricSolver
from nctheory.solvers.convex.solvers import (ConvexAuto, ConvexFixedETF, ConvexFullSample, ConvexLPM, ConvexReduced,
                                             ConvexReluDNN, ConvexUFSVM)
from nctheory.solvers.factored.solver import FactoredSolver
from nctheory.solvers.references.solvers import LPMSolver, SymmetricLPMSolver, SymmetricUFSVMSolver, UFSVMSolver
from nctheory.solvers.result import Solution

#: name -> solver, in preference order.
SOLVERS: dict[str, Solver] = {s.name: s for s in (
    SymmetricSolver(), CertifiedSolver(), SymmetricLPMSolver(), LPMSolver(), ConvexLPM(), ConvexFixedETF(),
    FactoredSolver(), ConvexReduced(), ConvexFullSample(), ConvexReluDNN(), SymmetricUFSVMSolver(), UFSVMSolver(),
    ConvexUFSVM(), ConvexAuto(),
)}

#: Candidates of ``method="auto"``, in order.
AUTO_ORDER = ("certified:symmetric", "certified", "certified:lpm-symmetric", "certified:lpm", "convex:lpm",
              "convex:fixed-etf", "factored")
#: Symmetric (group-reduced) solvers: ``auto`` prefers them only from SYMMETRIC_MIN_K classes on.
SYMMETRIC = ("certified:symmetric", "certified:lpm-symmetric")
#: ``auto`` prefers the symmetric solver from this K on: below it both are fast, and the dense solver's answer
#: (the default instances' reference since the first release) is kept.
SYMMETRIC_MIN_K = 50
#: A dense certified solver -> its symmetry-reduced variant (same problem, certificate valid for all K classes).
GROUPED_VARIANTS = {"certified": "certified:symmetric", "certified:lpm": "certified:lpm-symmetric",
                    "certified:uf-svm": "certified:uf-svm-symmetric"}

METHODS = ("auto",) + tuple(SOLVERS)


def register_solver(solver: Solver, *, before: str | None = None) -> None:
    """Add a solver (optionally ahead of ``before`` in the preference order)."""
    global SOLVERS
    if not isinstance(solver, Solver) or not solver.name:
        raise ValueError("solver: expected a named Solver instance")
    items = [(k, v) for k, v in SOLVERS.items() if k != solver.name]
    idx = next((i for i, (k, _) in enumerate(items) if k == before), len(items))
    items.insert(idx, (solver.name, solver))
    SOLVERS.clear()
    SOLVERS.update(items)


def get_solver(name: str) -> Solver:
    if name not in SOLVERS:
        raise ValueError(f"method: unknown {name!r}; allowed: auto, {', '.join(SOLVERS)}")
    return SOLVERS[name]


def auto_method(problem: Problem) -> str:
    """The exact reference method for ``problem`` (module doc); ValueError naming why none applies."""
    reasons = []
    for name in AUTO_ORDER:
        s = SOLVERS[name]
        if name in SYMMETRIC and problem.K < SYMMETRIC_MIN_K:
            continue
        sup = s.supports(problem)
        if sup and s.exact:
            return name
        reasons.append(f"{name}: {sup.message()}")
    raise ValueError("problem: no solver handles this model (" + " | ".join(reasons) + ")")


def preferred_method(name: str, problem: Problem) -> str:
    """``name``, or its grouped variant (:data:`GROUPED_VARIANTS`) when that supports ``problem`` and K >=
    :data:`SYMMETRIC_MIN_K` -- the rule ``auto`` applies, for a claim whose reference names the dense solver.

    The variant answers the same K-class problem with a certificate for it, in O(C²) memory instead of O(K²),
    so a claim written against ``certified`` keeps its meaning at K = 10⁵."""
    variant = GROUPED_VARIANTS.get(name)
    if variant is None or problem.K < SYMMETRIC_MIN_K or not SOLVERS[variant].supports(problem):
        return name
    return variant


def solve(problem: Problem, method: str = "auto", **options) -> Solution:
    """Solve ``problem`` with ``method`` (``"auto"`` or a name of :data:`SOLVERS`); options go to the solver.

    Raises
    ------
    ValueError
        ``method: ...`` for an unknown method; ``problem: ...`` naming the unmet fields when the solver
        does not handle the model; solver-specific ValueErrors for bad options.
    """
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    if not isinstance(method, str):
        raise ValueError(f"method: expected a name, got {method!r}")
    if method == "auto":
        method = auto_method(problem)
    return get_solver(method).solve(problem, **options)
