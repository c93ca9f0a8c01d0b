r"""The reference solvers as :class:`~nctheory.solvers.base.Solver` objects (capabilities as data).

==============================  ====================================================  ========================
name                            model                                                 answer
==============================  ====================================================  ========================
``certified:lpm``               layer-peeled model (``constraint="average"``)          dense ``Solution``
``certified:lpm-symmetric``     the same, class sizes in C <= K/2 equal-size groups    ``CompactSolution``
``certified:uf-svm``            the UF-SVM of the problem's class sizes                dense ``Solution``
``certified:uf-svm-symmetric``  the same, grouped sizes                                ``CompactSolution``
==============================  ====================================================  ========================

All four certify (``certifies = True``): an optimal answer carries a lower bound of their own on the global
optimum of the full K-class model (Fenchel dual of the layer-peeled model, Lagrange dual of the UF-SVM; see
:mod:`~nctheory.solvers.references.lpm`, :mod:`~nctheory.solvers.references.uf_svm`).  The layer-peeled solvers
solve the model itself (``exact = True``); the UF-SVM solvers, like ``convex:uf-svm``, solve the max-margin problem
of the sizes, not the Problem's penalised model (``exact = False``: a claim names them as its reference).

``refine(problem, solution)`` re-solves at ``min(tol, reached gap) / factor`` (not below the rounding floor; at
the floor, at the same tol) from the first answer's mean logits perturbed by :data:`REFINE_PERTURBATION` of
their Frobenius norm in a random (for the grouped solvers: random invariant) direction, with the next seed, as
:meth:`CertifiedSolver.refine <nctheory.solvers.certified.CertifiedSolver.refine>` does.
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Constraint
from nctheory.solvers.base import Requirements, Solver
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.requirements import class_mean_requirements
from nctheory.solvers.references import lpm_solve, uf_svm_solve
from nctheory.solvers.references.compact import CompactSolution
from nctheory.solvers.result import Solution

__all__ = ["LPMSolver", "SymmetricLPMSolver", "UFSVMSolver", "SymmetricUFSVMSolver", "REFINE_PERTURBATION",
           "LPM_REQUIREMENTS", "SYMMETRIC_LPM_REQUIREMENTS", "grouping_unmet"]

#: Relative size of the warm-start perturbation of a refinement (as the certified solver's).
REFINE_PERTURBATION = 0.05

LPM_REQUIREMENTS = class_mean_requirements(Constraint.AVERAGE, grouped=False)
SYMMETRIC_LPM_REQUIREMENTS = class_mean_requirements(Constraint.AVERAGE, grouped=True)


def grouping_unmet(problem) -> list[str]:
    """``["sizes: ..."]`` when grouping the classes by size gives no reduction (C > K/2)."""
    K = problem.K
    C = len(set(problem.sizes))
    if 2 * C > K:
        return [f"sizes: the K = {K} classes fall into C = {C} groups of equal size; the symmetric reduction needs "
                "C <= K/2 (use the dense solver)"]
    return []


def _refine_tol(solution, floor: float, factor: float) -> float:
    """``min(tol, reached) / factor``, not below the floor: the larger of ``floor`` and the one the first solve
    measured (``extra["rounding_floor"]``, twice its bound's rounding allowance relative to F)."""
    tol = float(solution.options.get("tol", 1e-10))
    reached = solution.rel_gap
    if reached is not None and 0.0 < reached < tol:
        tol = reached  # a solve may overshoot its tol: refine below what it reached
    measured = solution.extra.get("rounding_floor")
    if measured is not None and measured > floor:
        floor = float(measured)
    return max(tol / float(factor), floor)


def _dense_perturbed(solution: Solution, seed: int) -> np.ndarray | None:
    Z = np.asarray(solution.logits_mean, dtype=np.float64) - np.asarray(solution.b, dtype=np.float64)[:, None]
    scale = float(np.linalg.norm(Z))
    if not np.all(np.isfinite(Z)):
        return None
    if scale == 0.0:
        return Z
    R = np.random.default_rng(seed).standard_normal(Z.shape)
    return Z + (REFINE_PERTURBATION * scale / float(np.linalg.norm(R))) * R


def _grouped_perturbed(solution: CompactSolution, seed: int) -> GroupedMatrix:
    Z = solution.gram_WH
    scale = Z.frobenius_norm()
    if scale == 0.0:
        return Z
    rng = np.random.default_rng(seed)
    C = solution.structure.C
    R = GroupedMatrix(solution.structure, rng.standard_normal(C), rng.standard_normal((C, C)))
    return Z + R.scaled(REFINE_PERTURBATION * scale / R.frobenius_norm())


class ReferenceSolver(Solver):
    """A certified reference solver on dense class means; a subclass names its ``backend`` module (``solve``,
    ``solve_grouped``, ``rounding_floor``) and its capabilities as data (module doc)."""

    certifies = True
    #: The module that solves: :mod:`~nctheory.solvers.references.lpm_solve` or ``uf_svm_solve``.
    backend = None

    def extra_unmet(self, problem):
        from nctheory.solvers.memory import dense_guard

        return dense_guard(problem, self.name)

    def solve(self, problem, **options):
        self.check(problem)
        return self.backend.solve(problem, **options)

    # -- what a refinement starts from: overridden by the grouped variant ----------------------------------
    answer_type = Solution

    def _floor_size(self, problem, solution) -> int:
        return problem.K

    def _perturbed(self, solution, seed: int):
        return _dense_perturbed(solution, seed)

    def refine(self, problem, solution, *, factor: float = 100.0, **options):
        if not isinstance(solution, self.answer_type):
            return None
        seed = int(solution.options.get("seed", 20240917)) + 1
        tol = _refine_tol(solution, self.backend.rounding_floor(self._floor_size(problem, solution)), factor)
        x0 = self._perturbed(solution, seed)
        options = {**{k: v for k, v in solution.options.items() if k not in ("tol", "seed")}, **options}
        return self.solve(problem, tol=tol, seed=seed, x0=x0, **options)


class GroupedReference(ReferenceSolver):
    """The same solver on invariant matrices for grouped class sizes (cost in C, not K): listed before a dense
    solver among the bases, it takes that solver's backend and exactness."""

    answer_type = CompactSolution

    def extra_unmet(self, problem):
        return grouping_unmet(problem)

    def solve(self, problem, **options):
        self.check(problem)
        return self.backend.solve_grouped(problem, **options)

    def _floor_size(self, problem, solution) -> int:
        return solution.structure.C + 2

    def _perturbed(self, solution, seed: int):
        return _grouped_perturbed(solution, seed)


class LPMSolver(ReferenceSolver):
    """Accelerated projected gradient on the nuclear ball with a Fenchel dual certificate
    (:mod:`~nctheory.solvers.references.lpm_solve`)."""

    name = "certified:lpm"
    requires = LPM_REQUIREMENTS
    exact = True
    backend = lpm_solve
    description = ("layer-peeled model as min f(Z) over ||Z||_* <= K sqrt(E_W E_H): accelerated projected gradient "
                   "with a Fenchel dual certificate")


class SymmetricLPMSolver(GroupedReference, LPMSolver):
    """:class:`LPMSolver` on invariant matrices for grouped class sizes: cost in C, not K."""

    name = "certified:lpm-symmetric"
    requires = SYMMETRIC_LPM_REQUIREMENTS
    description = ("layer-peeled model reduced by the permutation symmetry of equal-size classes; certificate valid "
                   "for the K-class problem")


class UFSVMSolver(ReferenceSolver):
    """ADMM on the class-mean UF-SVM with a Lagrange dual certificate
    (:mod:`~nctheory.solvers.references.uf_svm_solve`)."""

    name = "certified:uf-svm"
    requires = Requirements()
    exact = False
    backend = uf_svm_solve
    description = ("the unconstrained-features SVM of the problem's sizes by ADMM, certified by its Lagrange dual "
                   "(penalties play no role)")


class SymmetricUFSVMSolver(GroupedReference, UFSVMSolver):
    """:class:`UFSVMSolver` on invariant matrices for grouped class sizes."""

    name = "certified:uf-svm-symmetric"
    description = ("the UF-SVM reduced by the permutation symmetry of equal-size classes; certificate valid for the "
                   "K-class per-sample problem")
