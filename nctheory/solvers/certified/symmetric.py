r"""Certified solver of R2 for class sizes in C groups of equal size, in time and memory depending on C, not K.

Setting
-------
Reduction R2 (:mod:`nctheory.solvers.certified.dense`):
:math:`\min_{\bar Z, b}\sum_k\pi_k\ell(\bar z_k + b, k) + \lambda\|\bar ZD^{1/2}\|_* + \frac{\lambda_b}2\|b\|^2`.
Group the classes by size (:mod:`~nctheory.solvers.certified.groups`): group g has :math:`m_g` classes of size
:math:`n_g`, E is the K × C indicator matrix, :math:`Q = E\operatorname{diag}(m)^{-1/2}` (orthonormal columns).

Symmetry (catalogue HL-block)
-----------------------------
For a permutation P of classes inside groups, :math:`PD^{1/2} = D^{1/2}P`, the weighted loss is invariant under
:math:`(\bar Z, b) \mapsto (P\bar ZP^\top, Pb)` (a class keeps its size and its label moves with it), and so is
the nuclear norm.  R2 is convex, so averaging any optimum over the group of such P gives an optimum that is
invariant: it suffices to minimise over

.. math::

    \bar Z = \bigoplus_g s_gI_{m_g} + EAE^\top \ (A \in \mathbb R^{C\times C}), \qquad b = E\beta .

(Nothing below relies on this argument for validity: the returned point is feasible for the K-class problem
and the certificate is a dual bound of the K-class problem.  The argument only says the reduced optimum *is*
the K-class optimum, which the certificate then confirms numerically.)

Nuclear norm split
------------------
With :math:`X = \bar ZD^{1/2} = \bigoplus_g s_g\sqrt{n_g}I_{m_g} + EA\operatorname{diag}(\sqrt n)E^\top`:
on :math:`V_g = \{v : \operatorname{supp}v\subseteq g, \mathbf 1^\top v = 0\}` we have :math:`E^\top v = 0`, so
:math:`Xv = X^\top v = u_gv` with :math:`u_g = s_g\sqrt{n_g}`; and :math:`XQ = QB`, :math:`X^\top Q = QB^\top` with

.. math::

    B = Q^\top XQ = \operatorname{diag}(u) + \operatorname{diag}(\sqrt m)\,A\,\operatorname{diag}(\sqrt n\circ\sqrt m).

:math:`\mathbb R^K = \operatorname{span}(E) \oplus \bigoplus_g V_g` orthogonally, both X and :math:`X^\top` preserve
the pieces, so the singular values of X are :math:`|u_g|` (multiplicity :math:`m_g - 1`) and those of B:

.. math::  \|X\|_* = \sum_g(m_g - 1)|u_g| + \|B\|_* .

(Checked symbolically in ``proofs_check/symmetric_split.py``.)  For :math:`m_g = 1`, :math:`V_g = \{0\}` and
:math:`u_g` drops out of everything (the label logit is :math:`B_{gg}/\sqrt{n_g} + \beta_g`); it is fixed to 0.

Loss split
----------
Column k of group g of :math:`\bar Z + b\mathbf 1^\top` has label entry :math:`s_g + a_{gg} + \beta_g`,
:math:`m_g - 1` entries :math:`a_{gg} + \beta_g` and :math:`m_h` entries :math:`a_{hg} + \beta_h` for h ≠ g -- the
same multiset for every class of the group, so :math:`\sum_k\pi_k\ell_k = \sum_g m_g\pi_g\,\ell_g(\text{compressed
column})`, evaluated by the loss's ``"grouped"`` methods with multiplicities; :math:`\|b\|^2 = \sum_g m_g\beta_g^2`.
The reduced problem in :math:`(u, B, \beta)` (:mod:`~nctheory.solvers.certified.grouped_smooth`) has
:math:`\le C^2 + 2C` variables and is solved by the dense solver's two phases restricted to invariant points
(:mod:`~nctheory.solvers.certified.symmetric_phases`): factored L-BFGS, then APG with soft-thresholding of u and
singular-value thresholding of B if needed.

Certificate (for the K-class problem)
-------------------------------------
The gradient at an invariant point is invariant, so the dual point built from it is
:math:`U = \bigoplus_g\omega_gI + E\,\text{rest}\,E^\top`, a genuine K × K dual point.  The dense bound
:math:`\mathrm{LB}(U) = -\sum_k\pi_k\ell^*(u_k) - \|U\pi\|^2/(2\lambda_b)` subject to
:math:`\|\frac1N UD^{1/2}\|_2 \le \lambda` (and :math:`U\pi = 0` for a free bias) is evaluated exactly in reduced
form: :math:`\frac1N UD^{1/2}` splits like X (spectral norm = max of the within-group scalars of groups with
:math:`m_g \ge 2` and the C × C block's norm), the conjugate sum is :math:`\sum_gm_g\pi_g(-\ell^*)(\text{compressed})`
and :math:`U\pi = Er` (:mod:`~nctheory.solvers.certified.grouped_dual`).  So ``certified`` means what it means for
the dense solver: a lower bound on the K-class R2 (hence UFM) optimum, valid up to floating-point rounding, whose
rounding floor here depends on C (:func:`~nctheory.solvers.certified.symmetric_phases.rounding_floor`), not on K.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace

import numpy as np

from nctheory.model import Problem
from nctheory.model.options import Bias, Constraint
from nctheory.solvers.base import Solver
from nctheory.solvers.certified.grouped import GroupedSolution
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.grouped_smooth import GroupedSmooth
from nctheory.solvers.certified.dual import R2_ASSUMES, R2_KIND
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.certified.requirements import class_mean_requirements
from nctheory.solvers.certified.status import certified_status, iteration_record
from nctheory.solvers.certified.warm_start import grouped_mean_logits
from nctheory.solvers.certified.svd import RANK_RTOL
from nctheory.solvers.certified.symmetric_phases import Best, Clock, apg_phase, factored_phase, prox, rounding_floor
from nctheory.solvers.result import Certificate, relative_gap

__all__ = ["SymmetricSolver", "REQUIREMENTS", "SYMMETRIC_CERTIFICATE", "solve", "rounding_floor", "grouping_unmet"]

_EPS = np.finfo(np.float64).eps
#: Iteration cap of the factored phase (as the dense solver); the rest of the budget goes to APG.
_FACTORED_MAX_ITER = 5000
#: Relative size of the warm-start perturbation of :meth:`SymmetricSolver.refine` (as the dense solver's).
REFINE_PERTURBATION = 0.05
#: The symmetric solver's texts of :func:`~nctheory.solvers.certified.status.certified_status`.
_BELOW_FLOOR = ("requested tol {tol:.1e} is below the reduced certificate's rounding floor {floor:.1e} here; relative "
                "gap reached {rel_gap:.3e} (stop: {reason})")
_LOST_ACCURACY = ("the loop certified tol {tol:.1e}, but the returned point (rank {rank}) leaves relative gap "
                  "{rel_gap:.3e} > tol (stop: {reason})")
_RELAXATION = "; rank {rank} of the R2 solution exceeds d = {d}: R2 is only a relaxation of the UFM with this d"

#: Models the symmetric solver handles: the certified solver's, with the loss's compressed-column methods.
REQUIREMENTS = class_mean_requirements(Constraint.PENALTY, grouped=True)

SYMMETRIC_CERTIFICATE = Certificate(
    kind=R2_KIND,
    description="Fenchel dual bound of the K-class nuclear-norm problem R2 at a permutation-invariant dual point "
                "(built from the gradient, pulled into the spectral ball), evaluated exactly in reduced form",
    assumes=R2_ASSUMES + " (the symmetry is not assumed by the bound)",
)


# ---------------------------------------------------------------------- input checks
def grouping_unmet(problem: Problem) -> list[str]:
    """``["sizes: ..."]`` when grouping by equal size gives no reduction (C > K/2) or C is too large for memory."""
    K = problem.K
    C = len(set(problem.sizes))
    if 2 * C > K:
        return [f"sizes: the K = {K} classes fall into C = {C} groups of equal size; the symmetric reduction needs "
                f"C <= K/2 (use the dense 'certified' solver)"]
    from nctheory.solvers import memory

    need = memory.dense_estimate(C, "certified")
    limit = memory._limit()
    if need > limit:
        return [f"sizes: a reduced solve with C = {C} groups needs about {memory.human(need)}, more than the "
                f"{memory.human(limit)} available"]
    return []


def _check_problem(problem) -> GroupStructure:
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    unmet = REQUIREMENTS.unmet(problem)
    if unmet:
        raise ValueError("problem: the symmetric solver handles a learned classifier, depth 1, free features and "
                         "penalties (reduction R2) with a loss that evaluates compressed columns; here: "
                         + "; ".join(unmet))
    unmet = grouping_unmet(problem)
    if unmet:
        raise ValueError(unmet[0])
    return GroupStructure.from_problem(problem)


def _read_warm_start(x0, structure: GroupStructure):
    r"""``x0`` (a grouped answer such as a :class:`GroupedSolution`, or a :class:`GroupedMatrix` of bias-free mean
    logits :math:`\bar Z`; :func:`~nctheory.solvers.certified.warm_start.grouped_mean_logits`) -> ``(u, B, beta)`` of
    :math:`X = \bar ZD^{1/2}`, or ``(None, None, None)``."""
    if x0 is None:
        return None, None, None
    Z, beta = grouped_mean_logits(x0, structure)
    X = Z.times_diagonal(np.sqrt(structure.sizes.astype(np.float64)))
    return X.perp, X.core, beta


# ----------------------------------------------------------------------------- solve
def solve(problem: Problem, *, tol: float = 1e-10, max_iter: int = 50_000, time_limit: float | None = None, x0=None,
          progress: bool = False, seed: int = 20240917) -> GroupedSolution:
    r"""Globally solve the UFM of a grouped instance via reduced R2, with a certificate for the K-class problem.

    Parameters
    ----------
    problem : Problem
        As for the dense certified solver (learned classifier, depth 1, free features, penalties), with at most
        K/2 distinct class sizes, and a loss with the ``"grouped"`` capabilities (CE, MSE).
    tol : float
        Target relative duality gap :math:`(F - \mathrm{LB})/|F|`; the rounding floor is
        :func:`~nctheory.solvers.certified.symmetric_phases.rounding_floor` (C), about 1e-14 for a few groups.
    max_iter, time_limit, progress, seed
        As :func:`nctheory.solvers.certified.dense.solve`.
    x0 : GroupedSolution, GroupedMatrix or None
        Warm start (a grouped matrix is read as the bias-free mean logits :math:`\bar Z`).

    Returns
    -------
    GroupedSolution
        ``method="certified:symmetric"``; statuses as the dense solver's (``"relaxation"`` when the rank of X
        exceeds ``problem.d``).  ``extra`` holds ``"singular_values"`` and ``"multiplicities"`` (of Y),
        ``"rank"``, ``"rank_exceeds_d"``, ``"rel_gap"``, ``"groups"``, per-phase iterations, the number of
        certificates, :math:`\|\nabla\varphi\|_2/\lambda` at the last certificate and at 0, which dual candidate
        won and the size of its terms (``"dual_magnitude"``), and ``"stop_reason"``.

    Raises
    ------
    ValueError
        ``problem: ...`` for a model outside R2 or a loss without compressed columns; ``sizes: ...`` when
        grouping gives no reduction (C > K/2); ``tol: / max_iter: / time_limit: / x0: / progress: / seed: ...``
        for bad options.
    """
    from nctheory.solvers.certified.dense import _check_options

    tol, max_iter, time_limit, progress = _check_options(tol, max_iter, time_limit, progress)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    clock = Clock(time_limit)
    structure = _check_problem(problem)
    u_w, B_w, beta_w = _read_warm_start(x0, structure)
    sol = _solve(problem, structure, tol, max_iter, clock, u_w, B_w, beta_w, progress, int(seed))
    return replace(sol, certificate=SYMMETRIC_CERTIFICATE if sol.lower_bound is not None else None,
                   options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": int(seed)})


def _solve(problem, structure, tol, max_iter, clock, u_w, B_w, beta_w, progress, seed) -> GroupedSolution:
    log = None
    if progress:
        log = lambda msg: print(f"[symmetric {clock.elapsed():8.3f}s] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    smooth = GroupedSmooth(problem, structure)
    C = structure.C
    target = max(tol, rounding_floor(C))
    best = Best()
    counts = {"factored": 0, "apg": 0}

    # 0. zero test
    zu, zB = np.zeros(C), np.zeros((C, C))
    ev0 = smooth.evaluate(zu, zB, beta_w)
    best.offer(smooth, ev0, ev0.value, zu, zB, np.zeros((C, 0)), np.zeros(C), np.zeros((0, C)))
    zero_ratio = best.grad_norm_ratio
    if log is not None:
        log(f"groups {structure.describe()}: zero test sigma_1(grad)/lambda = {zero_ratio:.6g}, "
            f"rel_gap at 0 = {best.rel_gap():.3e}")
    reason = "converged" if best.rel_gap() <= max(target, best.floor(C)) else ""

    if not reason:
        if u_w is None:  # one prox-gradient step from 0
            step = 1.0 / smooth.lipschitz
            u_w, B_w = prox(smooth, zu, zB, ev0.perp, ev0.core, step)[:2]
            beta_w = ev0.beta
        outcome = factored_phase(smooth, u_w, B_w, beta_w, best, target, min(max_iter, _FACTORED_MAX_ITER), clock,
                                 log, seed)
        counts["factored"], reason = outcome.iterations, outcome.reason
        remaining = max_iter - counts["factored"]
        if reason in ("stalled", "max_iter") and remaining > 0:
            outcome = apg_phase(smooth, best.u, best.B, best.beta, best, target, remaining, clock, log)
            counts["apg"], reason = outcome.iterations, outcome.reason
        elif reason == "stalled":
            reason = "max_iter"
    return _recover(problem, structure, smooth, best, tol, max_iter, clock, reason, counts, zero_ratio, log)


def _recover(problem, structure, smooth, best: Best, tol, max_iter, clock, reason, counts, zero_ratio, log):
    """The returned point (singular values at rounding level of a C × C SVD dropped), its exact objective,
    the Grams of its balanced factors, and the status (the dense solver's rules)."""
    C = structure.C
    beta = best.beta if problem.bias != Bias.NONE and best.beta is not None else np.zeros(C)
    u = np.where(smooth.active, best.u, 0.0)
    r = best.UB.shape[1]
    sB, UB, VBt = best.sB[:r], best.UB, best.VBt
    if problem.loss.shift_invariant and r:
        # ℓ(z + c1) = ℓ(z): removing the common component of every column, Z̄ -> (I - J/K)Z̄, keeps each class's
        # loss and cannot raise the nuclear norm (‖PX‖_* <= ‖P‖_2‖X‖_* for the orthogonal projection P); in the
        # core it is B -> (I - √m√mᵀ/K)B.  It removes the flat direction the iterations leave at a small level
        # (so the rank no longer depends on it), and the objective below is that of the projected point.
        sqrt_m = smooth.sqrt_m
        Bp = (UB * sB) @ VBt
        Bp = Bp - np.outer(sqrt_m, sqrt_m @ Bp) / float(structure.K)
        UBp, sBp, VBtp = np.linalg.svd(Bp)
        keep = sBp > 0
        sB, UB, VBt = sBp[keep], UBp[:, keep], VBtp[keep]
    top = max(float(np.max(np.abs(u))), float(sB.max()) if r else 0.0)
    cutoff = RANK_RTOL * (C + 1) * top  # indistinguishable from the rounding of a C × C SVD (cf. numerical_rank)
    u = np.where(np.abs(u) > cutoff, u, 0.0)
    keep = sB > cutoff
    sB, UB, VBt = sB[keep], UB[:, keep], VBt[keep]
    B = (UB * sB) @ VBt
    value = smooth.joint(u, B, beta)[0] + smooth.penalty(u, sB)
    rank = int(smooth.perp_weight[u != 0.0].sum()) + int(sB.size)

    kappa = (problem.lambda_h / problem.lambda_w) ** 0.25
    inv_sqrt_n = 1.0 / smooth.sqrt_n
    Y = GroupedMatrix(structure, u, B)
    gram_WW = GroupedMatrix(structure, kappa**2 * np.abs(u), kappa**2 * (UB * sB) @ UB.T)
    HH_core = (inv_sqrt_n[:, None] * ((VBt.T * sB) @ VBt)) * inv_sqrt_n[None, :]
    gram_HH = GroupedMatrix(structure, np.abs(u) / (smooth.n * kappa**2), HH_core / kappa**2)
    gram_WH = Y.times_diagonal(inv_sqrt_n)

    lower = best.lower
    raw_gap = value - lower
    gap = max(raw_gap, 0.0)
    rel_gap = relative_gap(value, lower)
    floor = rounding_floor(C) * max(1.0, best.lower_magnitude / max(abs(value), 1e-300))
    rank_exceeds_d = problem.d is not None and rank > problem.d
    status, message = certified_status(
        objective=value, lower=lower, lower_magnitude=best.lower_magnitude, raw_gap=raw_gap, rel_gap=rel_gap, tol=tol,
        floor=floor, reason=reason, size=C + 2, max_iter=max_iter, time_limit=clock.limit, rank=rank, d=problem.d,
        below_floor=_BELOW_FLOOR, lost_accuracy=_LOST_ACCURACY, relaxation=_RELAXATION)
    values = np.concatenate([np.abs(u), sB, np.zeros(C - sB.size)])  # exactly those of the returned point
    mult = np.concatenate([structure.counts - 1, np.ones(C, dtype=np.int64)])
    order = np.argsort(-values, kind="stable")
    values, mult = values[order], mult[order]
    extra = {
        "groups": structure.to_json(),
        "singular_values": values,
        "multiplicities": mult,
        "rank": rank,
        "rank_exceeds_d": bool(rank_exceeds_d),
        "rel_gap": rel_gap,
        **iteration_record(counts, best, smooth, zero_ratio),
        "dual_magnitude": best.lower_magnitude,
        "stop_reason": reason,
    }
    if log is not None:
        log(f"{status}: {message}")
    return GroupedSolution(structure=structure, Y=Y, beta=np.array(beta, dtype=np.float64), gram_WW=gram_WW,
                           gram_HH=gram_HH, gram_WH=gram_WH, objective=float(value),
                           lower_bound=None if not math.isfinite(lower) else float(lower), gap=gap, status=status,
                           iterations=counts["factored"] + counts["apg"], time_s=clock.elapsed(),
                           method="certified:symmetric", message=message, extra=extra, dual=best.dual, problem=problem)


# ------------------------------------------------------------------------------ solver
class SymmetricSolver(Solver):
    """The symmetry-reduced certified solver of R2 (module doc) as a :class:`~nctheory.solvers.base.Solver`."""

    name = "certified:symmetric"
    options_like = "certified"
    requires = REQUIREMENTS
    certifies = True
    exact = True
    description = ("certified R2 solver reduced by the permutation symmetry of equal-size classes: cost depends on "
                   "the number of size groups, not on K; certificate valid for the K-class problem")

    def extra_unmet(self, problem):
        from nctheory.model.sizes import integer_sizes_unmet

        return integer_sizes_unmet(problem, self.name) or grouping_unmet(problem)

    def solve(self, problem, **options):
        return solve(problem, **options)

    def min_tol(self, problem):
        from nctheory.solvers.certified.groups import GroupStructure

        return rounding_floor(GroupStructure.from_problem(problem).C)

    def refine(self, problem, solution, *, factor: float = 100.0, **options):
        r"""Re-solve at ``tol / factor`` (not below the rounding floor) from the first answer's mean logits
        perturbed by :data:`REFINE_PERTURBATION` of their Frobenius norm in a random invariant direction, with
        another seed (as :meth:`CertifiedSolver.refine <nctheory.solvers.certified.CertifiedSolver.refine>`)."""
        if not isinstance(solution, GroupedSolution):
            return None
        tol = float(solution.options.get("tol", 1e-10))
        new_tol = max(tol / factor, rounding_floor(solution.structure.C))
        if new_tol >= tol:
            return None
        seed = int(solution.options.get("seed", 20240917)) + 1
        rng = np.random.default_rng(seed)
        Z = solution.gram_WH
        scale = Z.frobenius_norm()
        x0 = None
        if scale > 0:
            C = solution.structure.C
            R = GroupedMatrix(solution.structure, rng.standard_normal(C), rng.standard_normal((C, C)))
            x0 = Z + R.scaled(REFINE_PERTURBATION * scale / R.frobenius_norm())
        opts = {**{k: v for k, v in solution.options.items() if k not in ("tol", "seed")}, **options}
        return solve(problem, tol=new_tol, seed=seed, x0=x0, **opts)
