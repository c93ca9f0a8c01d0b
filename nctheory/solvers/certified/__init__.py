r"""The certified solver of reduction R2 (:mod:`nctheory.solvers.certified.dense`) as a :class:`Solver`.

``solve(problem, tol=1e-10, ...)`` returns a :class:`~nctheory.solvers.result.Solution` whose lower
bound is a Fenchel dual bound of R2 (:mod:`~nctheory.solvers.certified.dual`), valid for the UFM
because R2 is exact for it (NC1 by Jensen for losses convex in the logits, R1 for d >= rank).
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Constraint
from nctheory.solvers.base import Solver
from nctheory.solvers.certified.dense import rounding_floor, solve
from nctheory.solvers.certified.dual import R2_ASSUMES, R2_KIND
from nctheory.solvers.certified.requirements import class_mean_requirements
from nctheory.solvers.result import Certificate

#: Models the certified solver handles (capabilities as data).
REQUIREMENTS = class_mean_requirements(Constraint.PENALTY, grouped=False)

R2_CERTIFICATE = Certificate(
    kind=R2_KIND,
    description="Fenchel dual bound of the class-mean nuclear-norm problem R2, built from the gradient and pulled "
                "into the spectral ball",
    assumes=R2_ASSUMES,
)

#: Relative size of the perturbation of the warm start used by :meth:`CertifiedSolver.refine`.
REFINE_PERTURBATION = 0.05


class CertifiedSolver(Solver):
    """Accelerated solver of R2 with a duality-gap certificate (see :mod:`nctheory.solvers.certified.dense`)."""

    name = "certified"
    requires = REQUIREMENTS
    certifies = True
    exact = True
    description = "factored L-BFGS + APG on the class-mean nuclear-norm problem R2 with a Fenchel dual certificate"

    def extra_unmet(self, problem):
        from nctheory.solvers.memory import dense_guard

        return dense_guard(problem, "certified")

    def solve(self, problem, **options):
        self.check(problem)
        return solve(problem, **options)

    def min_tol(self, problem):
        return rounding_floor(problem.K)

    def refine(self, problem, solution, *, factor: float = 100.0, **options):
        r"""Re-solve at ``min(tol, reached gap) / factor`` (not below :func:`rounding_floor`; at the floor, at the
        same tol) from the first solution's mean logits perturbed by :data:`REFINE_PERTURBATION` of their norm,
        with another seed: a different path, so that a flat valley shows up as a difference between the two
        answers."""
        tol = float(solution.options.get("tol", 1e-10))
        reached = solution.rel_gap
        if reached is not None and reached > 0:
            tol = min(tol, reached)  # a solve may overshoot its tol: refine below what it actually reached
        floor = rounding_floor(problem.K)
        new_tol = max(tol / factor, floor)
        seed = int(solution.options.get("seed", 20240917)) + 1
        rng = np.random.default_rng(seed)
        Z = np.asarray(solution.logits_mean, dtype=np.float64) - np.asarray(solution.b)[:, None]
        scale = float(np.linalg.norm(Z))
        x0 = None
        if scale > 0:
            R = rng.standard_normal(Z.shape)
            x0 = Z + REFINE_PERTURBATION * scale * R / np.linalg.norm(R)
        opts = {**{k: v for k, v in solution.options.items() if k not in ("tol", "seed")}, **options}
        return solve(problem, tol=new_tol, seed=seed, x0=x0, **opts)


__all__ = ["CertifiedSolver", "REQUIREMENTS", "R2_CERTIFICATE", "solve", "rounding_floor"]
