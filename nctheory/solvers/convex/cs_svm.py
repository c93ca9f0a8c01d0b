r"""The cost-sensitive UF-SVM (CS-SVM): the λ → 0 limit of the unconstrained feature model under a VS loss.

Which CS-SVM a VS loss leads to
-------------------------------
The VS loss (:mod:`nctheory.model.losses.vector_scaling`) of a logit vector z with label y is
:math:`\mathrm{CE}(\omega_y(\Delta\circ z + \iota), y) = \log\big(1 + \sum_{c\ne y}
e^{-\omega_y(\Delta_y z_y - \Delta_c z_c) - \omega_y(\iota_y - \iota_c)}\big)`: a sum of exponentials of the
*normalised margins* :math:`\omega_y(\Delta_y z_y - \Delta_c z_c)`, each with a constant factor
:math:`e^{-\omega_y(\iota_y - \iota_c)}`.  In the reduced problem R2 (catalogue §1; NC1 holds because the loss is
convex in z) the UFM is :math:`\min_X \sum_k\pi_k\ell_k(x_k/\sqrt{n_k}) + \lambda\|X\|_*`, a norm-regularised
sum of exponential-tailed losses of linear functions of X.  For such problems the direction of the
regularised minimiser converges, as λ → 0, to the direction of the maximiser of the smallest normalised margin
over the unit ball of the norm, whenever that maximiser is unique (Rosset, Zhu & Hastie 2004, *Margin maximizing
loss functions* [recalled]; the argument: at scale t along a direction of smallest normalised margin γ the loss is
:math:`\Theta(e^{-t\gamma})`, so a direction with a larger γ wins for large t, and t → ∞ as λ → 0 because the
data are separable).  Constant factors in front of the exponentials -- the logit adjustment ι and the class
weights :math:`\pi_k` -- change the rate, not the limit.  Rescaled to margin ≥ 1 that maximiser solves

.. math::

    \min_{\bar Z}\ \|\bar Z D^{1/2}\|_* \quad\text{s.t.}\quad
    \Delta_k\bar z_{kk} - \Delta_c\bar z_{ck} \ge m_k := 1/\omega_k \quad (c \ne k),

which, by R1 (for d ≥ rank) and the class-mean argument of :mod:`nctheory.solvers.convex.uf_svm` (the margin
set of a class is convex and the same for all its samples, and averaging a class's columns does not increase
the nuclear norm), is the per-sample CS-SVM

.. math::

    \min_{W,H}\ \tfrac12\|W\|^2 + \tfrac12\|H\|^2 \quad\text{s.t.}\quad
    \Delta_{y_i}w_{y_i}^\top h_i - \Delta_c w_c^\top h_i \ge m_{y_i} .

So CDT (Δ) scales the classifiers inside the margins, LDT (ω) sets class-dependent margins 1/ω_y, and the
logit adjustment ι drops out.  With Δ = ω = 1 it is the UF-SVM (SELI, catalogue §6).

Solve and certificate
---------------------
cvxpy in :math:`X = \bar ZD^{1/2}` (K × K; Clarabel first, the fallback chain of
:mod:`nctheory.solvers.convex._run`), factors :math:`W = U\Sigma^{1/2}`, :math:`\bar H = \Sigma^{1/2}V^\top D^{-1/2}`
from :math:`X = U\Sigma V^\top` (value :math:`\tfrac12\|W\|^2 + \tfrac12\sum_k n_k\|\bar h_k\|^2 = \|X\|_*`).  The
recovered point is scaled exactly into the feasible set (smallest normalised margin ≥ 1 in float64), and the
rigorous dual bound of :mod:`nctheory.solvers.bounds.cs_svm`, evaluated at the solver's (clipped) margin
multipliers, is attached; the answer is certified (status ``"optimal"`` with a lower bound) when the relative gap
is at most :data:`CERTIFY_TOL`, otherwise it keeps status ``"optimal"`` without a bound and the bound is recorded
in ``extra["uncertified_bound"]``.

The problem's penalties and bias play no role (like ``convex:uf-svm``); the loss gives Δ and ω
(:func:`cs_svm_parameters`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.model.options import Classifier, Features
from nctheory.solvers.base import Requirements, Solver
from nctheory.solvers.bounds.cs_svm import CERTIFICATE, cs_svm_dual_bound
from nctheory.solvers.bounds.rounding import EPS
from nctheory.solvers.convex._factor import RANK_ATOL, RANK_RTOL, pad_rows, truncated_factors, truncation_status
from nctheory.solvers.convex._result import failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution, relative_gap

#: Relative gap at which the dual bound certifies an answer (as :data:`nctheory.solvers.bounds.CERTIFY_TOL`).
CERTIFY_TOL = 1e-8
#: Attempts at scaling a recovered point whose rounded margins are still below 1.
MAX_SCALINGS = 8
#: Registry name of the solver.
METHOD = "convex:cs-svm"


def cs_svm_parameters(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    r"""``(delta, margins)`` of the CS-SVM the problem's loss leads to (module doc): VS -> (Δ, 1/ω), CE -> ones.

    Raises ``loss: ...`` for other losses.
    """
    K = problem.K
    loss = problem.loss
    if loss.name == "ce":
        return np.ones(K), np.ones(K)
    if loss.name == "vs":
        delta = np.ones(K) if loss.delta is None else np.asarray(loss.delta, dtype=np.float64)
        omega = np.ones(K) if loss.omega is None else np.asarray(loss.omega, dtype=np.float64)
        return delta, 1.0 / omega
    raise ValueError(f"loss: the CS-SVM is the λ → 0 limit of the CE / VS losses, got {loss.name!r}")


def normalised_margins(Z: np.ndarray, delta: np.ndarray, margins: np.ndarray) -> np.ndarray:
    r"""K × K array :math:`(\Delta_k\bar z_{kk} - \Delta_c\bar z_{ck})/m_k` (column k, row c; +inf on the diagonal)."""
    Z = np.asarray(Z, dtype=np.float64)
    own = delta * np.diag(Z)
    G = (own[None, :] - delta[:, None] * Z) / margins[None, :]
    G[np.diag_indices_from(G)] = np.inf
    return G


def _into_feasible(W, H_mean, delta, margins):
    """Scale W and H̄ by one common factor so that every computed normalised margin is >= 1 (+ rounding)."""
    factor = 1.0
    for _ in range(MAX_SCALINGS):
        Z = W @ H_mean
        need = 1.0 + 16.0 * EPS * (1.0 + float(np.abs(delta[:, None] * Z).max()) / float(margins.min()))
        m = float(normalised_margins(Z, delta, margins).min())
        if m >= need:
            return W, H_mean, factor
        if not m > 0:
            raise RuntimeError("the recovered point has a non-positive margin: not a scaling problem")
        f = float(np.sqrt(need / m)) * (1.0 + 2.0 * EPS)
        W, H_mean, factor = W * f, H_mean * f, factor * f
    raise RuntimeError("could not scale the recovered point into the margin constraints")


def solve_cs_svm(sizes, delta=None, margins=None, *, d: int | None = None, solver: str | None = None,
                 solver_opts: dict | None = None) -> Solution:
    r"""Solve the class-mean CS-SVM (module doc) and certify it with the dual bound.

    Parameters
    ----------
    sizes : sequence of int (or positive reals)
        Class sizes :math:`n_k` (they weight the feature norm; the per-sample problem has integer sizes).
    delta, margins : arrays (K,), optional
        :math:`\Delta_k` and :math:`m_k` (default ones: the UF-SVM).
    d : int or None
        Width of the returned factors (default K).
    solver, solver_opts
        As :func:`nctheory.solvers.convex._run.run`.

    Returns
    -------
    Solution
        ``W`` (K × d), ``H_mean`` (d × K), ``b = 0``; ``objective`` = the value of the (feasible) returned point;
        ``lower_bound`` the dual bound when it certifies; ``extra``: ``X`` (solved variable), ``singular_values``,
        ``rank``, ``min_margin`` (smallest normalised margin of the returned point), ``margin_dual``,
        ``delta``, ``margins``.
    """
    n = np.asarray(sizes, dtype=np.float64)
    K = n.size
    if K < 2 or not np.all(np.isfinite(n)) or not np.all(n > 0):
        raise ValueError(f"sizes: need at least two positive class sizes, got {sizes!r}")
    delta = np.ones(K) if delta is None else np.asarray(delta, dtype=np.float64)
    margins = np.ones(K) if margins is None else np.asarray(margins, dtype=np.float64)
    for name, v in (("delta", delta), ("margins", margins)):
        if v.shape != (K,) or not np.all(np.isfinite(v)) or not np.all(v > 0):
            raise ValueError(f"{name}: expected {K} positive finite entries, got {v!r}")
    dim = K if d is None else int(d)
    if dim < 1:
        raise ValueError(f"d: must be a positive integer, got {d!r}")
    t0 = time.perf_counter()
    X = cp.Variable((K, K), name="X")
    Z = X @ np.diag(n ** -0.5)
    own = cp.reshape(cp.diag(Z), (1, K), order="F")
    # column k, row c: Δ_k z_kk − Δ_c z_ck >= m_k (the diagonal reads 0 >= 0)
    gaps = np.ones((K, 1)) @ cp.multiply(delta[None, :], own) - cp.multiply(delta[:, None] * np.ones((1, K)), Z)
    rhs = (1.0 - np.eye(K)) * margins[None, :]
    constraint = gaps >= rhs
    outcome = run(cp.Problem(cp.Minimize(cp.normNuc(X)), [constraint]), solver, solver_opts)
    if not outcome.ok:
        return failed_solution("cs-svm", outcome, K, dim)
    value = np.asarray(X.value, dtype=np.float64)
    W, B, s, r, kept = truncated_factors(value, 1.0, 1.0, dim, RANK_RTOL, RANK_ATOL)
    H_mean = pad_rows(B / np.sqrt(n)[None, :], dim)
    W, H_mean, scale = _into_feasible(W, H_mean, delta, margins)
    objective = 0.5 * float(np.vdot(W, W)) + 0.5 * float(n @ np.einsum("ij,ij->j", H_mean, H_mean))
    dual = None if constraint.dual_value is None else np.asarray(constraint.dual_value, dtype=np.float64)
    extra = {"X": value, "singular_values": s, "rank": r, "margin_scale": scale,
             "min_margin": float(normalised_margins(W @ H_mean, delta, margins).min()), "margin_dual": dual,
             "delta": delta.copy(), "margins": margins.copy()}
    status, message = truncation_status(r, kept, f"d: numerical rank {r} > d = {dim}; returned the rank-{dim} "
                                                 "truncation")
    sol = solved_solution("cs-svm", outcome, W=W, H_mean=H_mean, b=np.zeros(K), objective=objective, status=status,
                          message=message, extra=extra)
    sol = replace(sol, time_s=time.perf_counter() - t0)
    bound = None if dual is None else cs_svm_dual_bound(dual, n, delta, margins)
    if bound is None or status != "optimal":
        return sol
    rg = relative_gap(objective, bound)
    if rg is not None and rg <= CERTIFY_TOL:
        return sol.with_certificate(bound, CERTIFICATE, tol=CERTIFY_TOL)
    record = {"lower_bound": float(bound), "gap": max(objective - bound, 0.0), "rel_gap": rg,
              "certificate": CERTIFICATE.to_json()}
    return replace(sol, extra={**sol.extra, "uncertified_bound": record},
                   message=f"{sol.message}; dual bound leaves relative gap {rg:.2e} > {CERTIFY_TOL:.0e}: not attached")


class ConvexCSSVM(Solver):
    """The CS-SVM of the problem's sizes and VS loss (module doc), certified by its dual bound."""

    name = METHOD
    requires = Requirements(classifier=frozenset({Classifier.LEARNED}), features=frozenset({Features.FREE}),
                            losses=frozenset({"ce", "vs"}))
    certifies = True
    exact = False  # the λ → 0 limit of the model, not the model
    description = ("the cost-sensitive UF-SVM a VS loss leads to as λ → 0 (margins Δ_k z_kk − Δ_c z_ck >= 1/ω_k), "
                   "with a Lagrange dual certificate; penalties and bias play no role")

    def solve(self, problem, **options):
        self.check(problem)
        delta, margins = cs_svm_parameters(problem)
        sol = solve_cs_svm(problem.sizes, delta, margins, d=problem.dim, **options)
        return replace(sol, options=dict(options))


def register() -> None:
    """Add :class:`ConvexCSSVM` to the solver registry (idempotent) until the registry lists it itself."""
    from nctheory.solvers.registry import SOLVERS, register_solver

    if METHOD not in SOLVERS:
        register_solver(ConvexCSSVM())


__all__ = ["ConvexCSSVM", "METHOD", "cs_svm_parameters", "normalised_margins", "register", "solve_cs_svm"]
