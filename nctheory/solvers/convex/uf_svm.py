r"""UF-SVM: the max-margin unconstrained-features problem (catalogue §6, SELI).

.. math::

    \min_{W,H}\ \tfrac12\|W\|_F^2 + \tfrac12\|H\|_F^2 \quad\text{s.t.}\quad
    (w_{y_i} - w_c)^\top h_i \ge 1 \ \ (c \ne y_i)
    \ \Longleftrightarrow\
    \min_{Z \in \mathbb R^{K\times N}}\ \|Z\|_* \quad\text{s.t.}\quad z_{y_i,i} - z_{c,i} \ge 1 ,

by R1 with :math:`\lambda_W = \lambda_H = 1` (for d ≥ rank Z).  The catalogue's claim:
the unique solution is the SEL matrix :math:`\hat Z = S Y` (Y the one-hot labels), for
any class sizes.

**Class-mean reduction** (``form="class-mean"``, the default).  Let
:math:`P = \operatorname{blockdiag}(J_{n_k}/n_k)` (N × N), the orthogonal projection
that replaces each column by its class average.  For a feasible Z, ZP is feasible (the
constraints of a class are the same convex set for each of its columns, and
averaging stays inside it) and :math:`\|ZP\|_* \le \|Z\|_*\|P\|_2 = \|Z\|_*`.  So an
optimum with collapsed columns :math:`Z = \bar Z E^\top` (E the N × K indicator)
exists, and since :math:`E^\top = D^{1/2}\,(D^{-1/2}E^\top)` with
:math:`D^{-1/2}E^\top` having orthonormal rows,
:math:`\|\bar Z E^\top\|_* = \|\bar Z D^{1/2}\|_*`.  Hence the UF-SVM equals

.. math::

    \min_{X \in \mathbb R^{K\times K}} \|X\|_* \quad\text{s.t.}\quad
    \bar Z_{kk} - \bar Z_{ck} \ge 1\ (c \ne k), \qquad \bar Z = X D^{-1/2},

with W = UΣ^{1/2}, H̄ = Σ^{1/2}VᵀD^{-1/2} from X = UΣVᵀ.  ``form="sample"`` solves the
K × N problem directly (N ≤ 400) and returns the per-sample H as well.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from nctheory.model import Problem
from nctheory.solvers.convex._checks import rank_tolerances
from nctheory.solvers.convex._factor import RANK_ATOL, RANK_RTOL, pad_rows, truncated_factors, truncation_status
from nctheory.solvers.convex._model import class_means
from nctheory.solvers.convex._nuclear import nuclear_norm
from nctheory.solvers.convex._result import failed_solution, solved_solution
from nctheory.solvers.convex._run import run
from nctheory.solvers.result import Solution

FORMS = ("class-mean", "sample")
#: Largest N for ``form="sample"``.
MAX_SAMPLES = 400


def _margin_constraints(Z, labels: np.ndarray, K: int) -> list:
    """``z_{y_j, j} - z_{c, j} >= 1`` for every column j and c ≠ y_j."""
    m = labels.size
    E = np.zeros((K, m))
    E[labels, np.arange(m)] = 1.0
    true = cp.reshape(cp.sum(cp.multiply(E, Z), axis=0), (1, m), order="F")
    return [np.ones((K, 1)) @ true - Z >= 1.0 - E]


def min_margin(logits: np.ndarray, labels: np.ndarray) -> float:
    r""":math:`\min_j \min_{c\ne y_j} (z_{y_j,j} - z_{c,j})` (≥ 1 on the feasible set)."""
    L = np.asarray(logits, dtype=np.float64)
    cols = np.arange(labels.size)
    gaps = L[labels, cols][None, :] - L
    gaps[labels, cols] = np.inf
    return float(gaps.min())


def solve_uf_svm(sizes, *, form: str = "class-mean", d: int | None = None, solver: str | None = None,
                 solver_opts: dict | None = None, rank_rtol: float = RANK_RTOL,
                 rank_atol: float = RANK_ATOL) -> Solution:
    """Solve the UF-SVM (module doc).

    Parameters
    ----------
    sizes : sequence of int or Problem
        Class sizes (a Problem contributes its ``sizes`` only).
    form : {"class-mean", "sample"}
    d : int or None
        Feature dimension of the returned factors (default K).
    solver, solver_opts, rank_rtol, rank_atol
        As in :func:`~nctheory.solvers.convex.reduced.solve_reduced`.

    Returns
    -------
    Solution
        ``logits_mean`` = the optimal class-mean logits :math:`\\hat Z` (K × K, column k
        for class k; SEL predicts S); objective = :math:`\\tfrac12\\|W\\|^2 + \\tfrac12\\|H\\|^2`
        at the recovered point (= :math:`\\|Z\\|_*`); ``extra``: ``Z`` (the solved
        variable), ``singular_values``, ``rank``, ``min_margin`` of the recovered point, ``margin_dual``
        (the solver's multipliers of the margin constraints, K × K or K × N: a starting guess for the
        rigorous bound of :mod:`nctheory.solvers.bounds.uf_svm`, never a certificate by itself).
    """
    if form not in FORMS:
        raise ValueError(f"form: unknown option {form!r}; allowed: {', '.join(FORMS)}")
    sizes = sizes.sizes if isinstance(sizes, Problem) else sizes
    spec = Problem(sizes=sizes, d=d)  # validates sizes and d
    rank_rtol, rank_atol = rank_tolerances(rank_rtol, rank_atol)
    K, N, dim = spec.K, spec.N, spec.dim
    n = spec.n
    formulation = "uf-svm" if form == "class-mean" else "uf-svm-sample"
    if form == "sample" and N > MAX_SAMPLES:
        raise ValueError(f"sizes: form='sample' is limited to N <= {MAX_SAMPLES}, got N = {N}")

    if form == "class-mean":
        X = cp.Variable((K, K), name="Y")
        constraints = _margin_constraints(X @ np.diag(n ** -0.5), np.arange(K), K)
    else:
        X = cp.Variable((K, N), name="Z")
        constraints = _margin_constraints(X, spec.labels, K)
    nuclear_form = "normNuc"
    if form == "class-mean":
        nuclear = cp.normNuc(X)
    else:
        nuclear, lmis, nuclear_form = nuclear_norm(X)
        constraints = constraints + lmis
    margins = constraints[0]
    outcome = run(cp.Problem(cp.Minimize(nuclear), constraints), solver, solver_opts)
    if not outcome.ok:
        return failed_solution(formulation, outcome, K, dim, N=N if form == "sample" else None)

    value = np.asarray(X.value, dtype=np.float64)
    W, B, s, r, kept = truncated_factors(value, 1.0, 1.0, dim, rank_rtol, rank_atol)
    if form == "class-mean":
        H = None
        H_mean = pad_rows(B @ np.diag(n ** -0.5), dim)
        feature_sq = float(n @ np.einsum("ij,ij->j", H_mean, H_mean))
        margin = min_margin(W @ H_mean, np.arange(K))
    else:
        H = pad_rows(B, dim)
        H_mean = class_means(spec, H)
        feature_sq = float(np.vdot(H, H))
        margin = min_margin(W @ H, spec.labels)
    status, message = truncation_status(r, kept, f"d: numerical rank {r} > d = {dim}; returned the rank-{dim} "
                                                 "truncation")
    return solved_solution(
        formulation, outcome, W=W, H_mean=H_mean, b=np.zeros(K), H=H,
        objective=0.5 * float(np.vdot(W, W)) + 0.5 * feature_sq, status=status, message=message,
        extra={"Z": value, "singular_values": s, "rank": r, "min_margin": margin, "nuclear_form": nuclear_form,
               "margin_dual": None if margins.dual_value is None else np.asarray(margins.dual_value, dtype=np.float64)},
    )
