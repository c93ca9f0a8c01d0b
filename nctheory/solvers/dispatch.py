r"""One entry point to every solver: ``solve(problem, method=...)``.

``method="auto"`` picks the reference that is exact for the model:

* learned classifier, depth 1, free features, penalties -> ``certified`` (reduction R2);
* layer-peeled norm constraints (``constraint="average"``, learned W) -> ``convex:lpm`` (Gram SDP, R4);
* fixed-ETF classifier -> ``convex:fixed-etf`` (convex in H);
* ReLU features or depth >= 2 -> ``factored`` (no convex form; ReLU also has the ``convex:relu-dnn`` bound).

``convex:uf-svm`` solves the unconstrained-features SVM of the problem's sizes (its penalties
play no role there); it is never chosen by ``auto``.
"""

from __future__ import annotations

import importlib

from nctheory.model import Problem
from nctheory.solvers.result import Solution

METHODS = (
    "auto",
    "certified",
    "convex",
    "convex:reduced",
    "convex:full-sample",
    "convex:lpm",
    "convex:fixed-etf",
    "convex:relu-dnn",
    "convex:uf-svm",
    "factored",
)


def auto_method(problem: Problem) -> str:
    """The exact reference method for ``problem`` (see module doc)."""
    if problem.depth > 1 or problem.features == "relu":
        return "factored"
    if problem.classifier == "fixed-etf":
        return "convex:fixed-etf"
    if problem.constraint == "average":
        return "convex:lpm"
    return "certified"


def solve(problem: Problem, method: str = "auto", **options) -> Solution:
    """Solve ``problem`` with ``method`` (one of :data:`METHODS`); options go to the solver.

    Raises
    ------
    ValueError
        ``method: ...`` for an unknown method; solver-specific ValueErrors for
        unsupported model/method combinations.
    """
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    if method not in METHODS:
        raise ValueError(f"method: unknown {method!r}; allowed: {', '.join(METHODS)}")
    if method == "auto":
        method = auto_method(problem)
    if method == "certified":
        return importlib.import_module("nctheory.solvers.certified").solve(problem, **options)
    if method == "factored":
        return importlib.import_module("nctheory.solvers.factored").solve(problem, **options)
    convex = importlib.import_module("nctheory.solvers.convex")
    table = {
        "convex": convex.solve,
        "convex:reduced": convex.solve_reduced,
        "convex:full-sample": convex.solve_full_sample,
        "convex:lpm": convex.solve_lpm_sdp,
        "convex:fixed-etf": convex.solve_fixed_etf,
        "convex:relu-dnn": convex.relu_dnn_bound,
        # the UF-SVM depends on the sizes only (no penalties): min ||Z||_* s.t. margins >= 1
        "convex:uf-svm": lambda p, **kw: convex.solve_uf_svm(p.sizes, **kw),
    }
    return table[method](problem, **options)
