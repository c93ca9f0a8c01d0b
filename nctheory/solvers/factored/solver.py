r"""The factored (nonconvex) solver as a :class:`~nctheory.solvers.base.Solver`.

Best of seeded local solves of the original variables (:mod:`~nctheory.solvers.factored.restarts`):
what training does.  Its answers are stationary points (status ``"local"``), never certified by the
solve itself; where a rigorous bound for the model exists (:mod:`nctheory.solvers.bounds`: the ReLU
doubly-nonnegative relaxation, the deep-linear MSE spectral bound) and is tight, the answer is
certified and its status becomes ``"optimal"``.  A lower objective than a claim's predicted minimiser
refutes the claim with no certificate at all (a feasible point beats it).
"""

from __future__ import annotations


from nctheory.solvers.base import Requirements, Solver


class FactoredSolver(Solver):
    name = "factored"
    requires = Requirements(depth=(1, 64))
    nonconvex = True
    description = ("L-BFGS-B / projected gradient on the original variables from seeded restarts at several scales "
                   "and ranks, with class-drop refinement")

    def extra_unmet(self, problem):
        from nctheory.solvers.memory import dense_guard

        return dense_guard(problem, "factored")

    def solve(self, problem, **options):
        from nctheory.solvers.bounds import certify
        from nctheory.solvers.factored.restarts import solve

        self.check(problem)
        return certify(problem, solve(problem, **options))

    def refine(self, problem, solution, *, factor: float = 100.0, **options):
        """A second local solve at ``gtol / factor`` from the best point perturbed by 1% (another seed),
        certified like the first answer where a bound applies."""
        from nctheory.solvers.bounds import certify
        from nctheory.solvers.factored.restarts import polish

        second = polish(problem, solution, factor=factor, **options)
        return None if second is None else certify(problem, second)
