r"""The cvxpy formulations as :class:`~nctheory.solvers.base.Solver` objects (capabilities as data).

Each wraps one formulation function of this package.  Every one needs the loss's ``"cvxpy"``
capability.  ``certifies`` is False: a conic solver's OPTIMAL status is not a lower bound of ours.
Every answer goes through two steps before it is returned:

1. :func:`nctheory.solvers.bounds.feasible.repair` -- the point is scaled exactly into the feasible
   set (an interior-point answer meets norm budgets and margins only to ~1e-10) and its objective
   recomputed, so the objective is the value of a feasible point;
2. :func:`nctheory.solvers.bounds.certify` -- where a rigorous bound exists
   (:mod:`nctheory.solvers.bounds`), it is attached and the answer becomes certified when the
   relative gap is at most ``CERTIFY_TOL``.

The ReLU relaxation's own value (cvxpy's optimum of the DNN relaxation, accurate only to the conic
solver's tolerance) is not a lower bound of ours either: the solver keeps it in
``extra["relaxation_value"]`` and leaves ``lower_bound`` to the rigorous dual bound.

``refine`` (used by the verification engine to estimate how precisely positions are known) solves the
same formulation once more with CLARABEL at :data:`REFINE_OPTIONS` -- gap 1e-10 *relative to the first
answer's objective* (so an objective far below 1 is resolved relative to itself, where the first
attempt's absolute 1e-11 says nothing), feasibility 1e-10 -- and certifies it the same way.  A
refinement is not refined again (another interior-point solve retraces the same path), and an
uncertified refinement of a certified answer is not returned: the engine keeps the answer with the
smaller relative gap, and an answer without a gap would otherwise win
(:func:`nctheory.verify.precision.better_of`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.base import Requirements, Solver
from nctheory.solvers.memory import dense_guard

#: CLARABEL options of the refinement; ``tol_gap_abs`` is multiplied by :math:`\min(1, |F|)` of the first answer.
REFINE_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "tol_ktratio": 1e-9,
                  "max_iter": 500}
#: Formulation options a refinement keeps from the first solve (the solver choice is replaced).
_KEEP = ("form", "d", "rank_rtol", "rank_atol", "restarts", "iters", "seed")

_CVXPY = frozenset({"cvxpy"})
_LEARNED = frozenset({Classifier.LEARNED})
_FREE = frozenset({Features.FREE})
_PENALTY = frozenset({Constraint.PENALTY})


class _Convex(Solver):
    """Shared: memory guard and the optional certificate attached after a solve."""

    formulation = ""

    def extra_unmet(self, problem):
        return dense_guard(problem, self.name)

    def _function(self):
        raise AttributeError("subclasses name their formulation function")

    def _raw(self, problem, **options):
        """The formulation's answer (before repair and certification)."""
        return self._function()(problem, **options)

    def _finish(self, problem, sol, options):
        from nctheory.solvers.bounds import certify
        from nctheory.solvers.bounds.feasible import repair

        sol = replace(repair(problem, sol), options=dict(options))
        return certify(problem, sol, target=self.bound_target(sol))

    def bound_target(self, sol) -> str | None:
        """The bound registry's target for an answer (None: the method's prefix)."""
        return None

    def solve(self, problem, **options):
        self.check(problem)
        return self._finish(problem, self._raw(problem, **options), options)

    def refine(self, problem, solution, **options):
        """The same formulation with CLARABEL at :data:`REFINE_OPTIONS` (module doc); None for a refinement,
        a failed first answer, or when the problem is not handled."""
        if solution.options.get("refinement") or not np.isfinite(solution.objective) or not self.supports(problem):
            return None
        opts = {k: v for k, v in solution.options.items() if k in _KEEP}
        opts.update(options)
        tight = dict(REFINE_OPTIONS)
        tight["tol_gap_abs"] = REFINE_OPTIONS["tol_gap_abs"] * min(1.0, abs(float(solution.objective)))
        opts.update(solver="CLARABEL", solver_opts=tight)
        sol = self._finish(problem, self._raw(problem, **opts), opts)
        if solution.certified and not sol.certified:
            return None  # an uncertified second opinion must not replace a certified answer (module doc)
        return replace(sol, options={**sol.options, "refinement": 1})


class ConvexReduced(_Convex):
    name = "convex:reduced"
    requires = Requirements(classifier=_LEARNED, features=_FREE, constraint=_PENALTY, loss_needs=_CVXPY)
    description = "R2 (class-mean nuclear norm) in cvxpy"

    def _function(self):
        from nctheory.solvers.convex.reduced import solve_reduced

        return solve_reduced


class ConvexFullSample(_Convex):
    name = "convex:full-sample"
    requires = ConvexReduced.requires
    description = "the UFM over per-sample logits (no NC1 assumed) in cvxpy"

    def extra_unmet(self, problem):
        from nctheory.solvers.convex.full_sample import MAX_SAMPLES

        from nctheory.model.sizes import integer_sizes_unmet

        out = super().extra_unmet(problem) + integer_sizes_unmet(problem, self.name)
        if out:
            return out
        if problem.N > MAX_SAMPLES:
            out.append(f"sizes: the full-sample formulation has K x N logits and handles N <= {MAX_SAMPLES} samples, "
                       f"got N = {problem.N}")
        return out

    def _function(self):
        from nctheory.solvers.convex.full_sample import solve_full_sample

        return solve_full_sample


class ConvexLPM(_Convex):
    name = "convex:lpm"
    requires = Requirements(classifier=_LEARNED, features=_FREE, constraint=frozenset({Constraint.AVERAGE}),
                            loss_needs=_CVXPY)
    description = "Fang et al.'s layer-peeled model as a 2K×2K Gram SDP"

    def _function(self):
        from nctheory.solvers.convex.lpm_sdp import solve_lpm_sdp

        return solve_lpm_sdp


class ConvexFixedETF(_Convex):
    name = "convex:fixed-etf"
    requires = Requirements(classifier=frozenset({Classifier.FIXED_ETF}), features=_FREE, loss_needs=_CVXPY)
    description = "features under a fixed simplex-ETF classifier (convex in H)"

    def _function(self):
        from nctheory.solvers.convex.fixed_etf import solve_fixed_etf

        return solve_fixed_etf


class ConvexReluDNN(_Convex):
    name = "convex:relu-dnn"
    requires = Requirements(classifier=_LEARNED, features=frozenset({Features.RELU}), constraint=_PENALTY,
                            bias=frozenset({Bias.NONE}), loss_needs=_CVXPY)
    exact = False
    description = "doubly-nonnegative relaxation of the ReLU UFM (a lower bound; tight when a recovery matches it)"

    def _function(self):
        from nctheory.solvers.convex.relu_dnn import relu_dnn_bound

        return relu_dnn_bound

    def _raw(self, problem, **options):
        sol = self._function()(problem, **options)
        if sol.lower_bound is None:
            return sol
        # cvxpy's relaxation value is accurate to the conic solver's tolerance only: not a bound of ours
        extra = {**sol.extra, "relaxation_value": sol.lower_bound}
        return replace(sol, lower_bound=None, gap=None, extra=extra)


class ConvexUFSVM(_Convex):
    name = "convex:uf-svm"
    requires = Requirements()
    exact = False
    description = "the unconstrained-features SVM of the problem's sizes (the λ → 0 limit; penalties play no role)"

    def extra_unmet(self, problem):
        from nctheory.model.sizes import integer_sizes_unmet

        return super().extra_unmet(problem) + integer_sizes_unmet(problem, self.name)

    def _raw(self, problem, **options):
        from nctheory.solvers.convex.uf_svm import solve_uf_svm

        return solve_uf_svm(problem.sizes, **options)

    def bound_target(self, sol):
        return "uf-svm"


class ConvexAuto(_Convex):
    """``method="convex"``: the formulation that is exact for the problem (or the ReLU bound)."""

    name = "convex"
    requires = Requirements(depth=(1, 1), loss_needs=_CVXPY)
    description = "the exact cvxpy formulation for the model (reduced, layer-peeled, fixed-ETF or the ReLU bound)"

    def extra_unmet(self, problem):
        out = super().extra_unmet(problem)
        if problem.features == Features.RELU and (problem.classifier != Classifier.LEARNED
                                                  or problem.constraint != Constraint.PENALTY):
            out.append("features: ReLU features are supported (as the DNN bound) only with a learned classifier and "
                       "constraint='penalty'")
        return out

    def _function(self):
        from nctheory.solvers.convex.dispatch import solve

        return solve
