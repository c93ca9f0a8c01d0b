r"""The cvxpy formulations as :class:`~nctheory.solvers.base.Solver` objects (capabilities as data).

Each wraps one formulation function of this package.  Every one needs the loss's ``"cvxpy"``
capability.  ``certifies`` is False: a conic solver's OPTIMAL status is not a lower bound of ours;
where a rigorous bound exists (:mod:`nctheory.solvers.bounds`), it is attached to the answer and the
answer becomes certified.
"""

from __future__ import annotations

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.base import Requirements, Solver
from nctheory.solvers.memory import dense_guard

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

    def solve(self, problem, **options):
        from nctheory.solvers.bounds import certify

        self.check(problem)
        sol = self._function()(problem, **options)
        return certify(problem, sol)


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


class ConvexUFSVM(_Convex):
    name = "convex:uf-svm"
    requires = Requirements()
    exact = False
    description = "the unconstrained-features SVM of the problem's sizes (the λ → 0 limit; penalties play no role)"

    def solve(self, problem, **options):
        from nctheory.solvers.bounds import certify
        from nctheory.solvers.convex.uf_svm import solve_uf_svm

        self.check(problem)
        return certify(problem, solve_uf_svm(problem.sizes, **options), target="uf-svm")


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
