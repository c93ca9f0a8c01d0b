r"""Pick the cvxpy formulation that is exact (or, for ReLU, a certified bound) for a problem.

* ``depth > 1``: not convex (R3 is a Schatten quasi-norm) -> ``ValueError("depth: ...")``;
* ``features="relu"`` -> :func:`~nctheory.solvers.convex.relu_dnn.relu_dnn_bound`;
* ``classifier="fixed-etf"`` -> :func:`~nctheory.solvers.convex.fixed_etf.solve_fixed_etf`;
* ``constraint="average"`` -> :func:`~nctheory.solvers.convex.lpm_sdp.solve_lpm_sdp`;
* otherwise (learned classifier, penalties) -> :func:`~nctheory.solvers.convex.reduced.solve_reduced`.
"""

from __future__ import annotations

from nctheory.model import Problem
from nctheory.solvers.convex._checks import require_problem
from nctheory.solvers.convex.fixed_etf import solve_fixed_etf
from nctheory.solvers.convex.lpm_sdp import solve_lpm_sdp
from nctheory.solvers.convex.reduced import solve_reduced
from nctheory.solvers.convex.relu_dnn import relu_dnn_bound
from nctheory.solvers.result import Solution


def formulation_for(problem: Problem):
    """The solver function :func:`solve` would use for ``problem`` (module doc)."""
    require_problem(problem)
    if problem.depth > 1:
        raise ValueError(f"depth: a depth-{problem.depth} linear classifier is not convex "
                         "(Schatten quasi-norm, catalogue R3); use method='factored'")
    if problem.features == "relu":
        if problem.classifier != "learned" or problem.constraint != "penalty":
            raise ValueError("features: ReLU features are supported (as the DNN bound) only with a learned "
                             "classifier and constraint='penalty'")
        return relu_dnn_bound
    if problem.classifier == "fixed-etf":
        return solve_fixed_etf
    if problem.constraint == "average":
        return solve_lpm_sdp
    return solve_reduced


def solve(problem: Problem, **options) -> Solution:
    """Solve ``problem`` with the formulation :func:`formulation_for` picks; ``options`` go to it."""
    return formulation_for(problem)(problem, **options)
