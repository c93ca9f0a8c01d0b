r"""Certified first-order references that scale: the layer-peeled model and the UF-SVM (issue 15, item 3).

The cvxpy references (:mod:`nctheory.solvers.convex`: Fang's 2K × 2K Gram SDP, the UF-SVM with a nuclear norm)
stop around K = 40-100.  The solvers here reach the same optima with first-order methods whose cost per
iteration is one K × K SVD -- or, for class sizes in C groups of equal size, one C × C SVD -- and certify them
with dual bounds of their own:

* :mod:`.lpm` -- Fang et al.'s layer-peeled model equals :math:`\min_{\bar Z, b}\sum_k\pi_k\ell(\bar z_k + b, k)`
  (+ bias penalty) over the nuclear ball :math:`\|\bar Z\|_* \le K\sqrt{E_WE_H}`; Fenchel dual bound
  :math:`-\sum_k\pi_k\ell^*(u_k) - K\sqrt{E_WE_H}\,\|U\operatorname{diag}\pi\|_2` (+ bias term), valid for the
  per-sample model with any loss and any d.  Solved by accelerated projected gradient (:mod:`.lpm_solve`).
* :mod:`.uf_svm` -- the UF-SVM in class-mean coordinates, :math:`\min\|X\|_*` over a product of column
  polyhedra (:mod:`.margins`); Lagrange dual bound :math:`\sum\sqrt n\beta/\|G(\beta)\|_2`, valid for the
  per-sample problem.  Solved by ADMM (:mod:`.uf_svm_solve`).

Shared pieces: :mod:`.layout` (dense K × K arrays or group-invariant blocks, one algorithm for both),
:mod:`.spectrum` (nuclear-ball projection and prox on singular values with multiplicities), :mod:`.rounding`
(float64 allowances subtracted from every bound), :mod:`.compact` (the grouped answers), :mod:`.options`.
The :class:`~nctheory.solvers.base.Solver` classes are in :mod:`.solvers`.
"""

from nctheory.solvers.references.compact import CompactSolution
from nctheory.solvers.references.solvers import LPMSolver, SymmetricLPMSolver, SymmetricUFSVMSolver, UFSVMSolver

__all__ = ["LPMSolver", "SymmetricLPMSolver", "UFSVMSolver", "SymmetricUFSVMSolver", "CompactSolution"]
