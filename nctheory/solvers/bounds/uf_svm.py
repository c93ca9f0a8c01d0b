r"""Dual bound for the unconstrained-features SVM (catalogue §6, SELI).

Model
-----
:math:`\min \tfrac12\|W\|_F^2 + \tfrac12\|H\|_F^2` over per-sample features, subject to the margins
:math:`(w_{y_i} - w_c)^\top h_i \ge 1` for every sample i and class :math:`c \ne y_i`
(:mod:`nctheory.solvers.convex.uf_svm`; the problem's penalties play no role).

Bound
-----
For any feasible (W, H), with Z = WH (K × N) and multipliers :math:`\alpha_{ci} \ge 0`
(:math:`\alpha_{y_i i} = 0`), let :math:`M(\alpha)` be the K × N matrix with columns
:math:`m_i = \sum_{c\ne y_i}\alpha_{ci}(e_{y_i} - e_c)`.  Then
:math:`\langle M, Z\rangle = \sum_{i,c}\alpha_{ci}(z_{y_i i} - z_{ci}) \ge \sum\alpha`, and by AM–GM, trace duality
and :math:`\|AB\|_* \le \|A\|_F\|B\|_F`,

.. math::

    \tfrac12\|W\|^2 + \tfrac12\|H\|^2 \ge \|Z\|_* \ge \frac{\langle M, Z\rangle}{\|M\|_2}
    \ge \mathrm{LB}(\alpha) = \frac{\sum_{i,c}\alpha_{ci}}{\|M(\alpha)\|_2} .

This is the Lagrange dual of :math:`\min\|Z\|_*` s.t. margins, with α scaled so that the dual spectral
constraint :math:`\|M\|_2 \le 1` holds exactly; it is tight at the dual optimum.

*Class-mean form.*  The class-mean formulation solves for :math:`X = \bar ZD^{1/2}` and its multipliers
:math:`\beta_{ck}` (K × K).  The per-sample point :math:`\alpha_{ci} = \beta_{ck}/n_k` (i in class k) has
:math:`\sum\alpha = \sum\beta` and :math:`M_{\rm sample} = M(\beta)\operatorname{diag}(1/n)E^\top`, E the N × K class
indicator; since :math:`E^\top = D^{1/2}Q` with Q having orthonormal rows,
:math:`\|M_{\rm sample}\|_2 = \|M(\beta)D^{-1/2}\|_2`.  So :math:`\sum\beta/\|M(\beta)D^{-1/2}\|_2` is a bound of the
per-sample problem itself: no class-mean reduction is assumed.

Dual point: the conic solver's multipliers of the margin constraints (``extra["margin_dual"]``),
clipped at 0 -- a starting guess only; the scaling by :math:`\|M\|_2`, computed here, makes it feasible.
Rounding: :math:`\sum\alpha` (non-negative terms) is lowered by its summation allowance and
:math:`\|M\|_2` replaced by an upper bound (:mod:`~nctheory.solvers.bounds.rounding`).
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.inputs import finite_objective, require
from nctheory.solvers.bounds.rounding import spectral_upper, sum_allowance
from nctheory.solvers.result import Certificate

#: What the SVM dual bounds (this one and :mod:`~nctheory.solvers.bounds.cs_svm`) rest on.
VARIATIONAL_ASSUMES = ("the variational inequality (1/2)||W||^2 + (1/2)||H||^2 >= ||WH||_* (AM-GM); nothing about "
                       "the claim under test")

CERTIFICATE = Certificate(
    kind="lagrange-dual:uf-svm",
    description="Lagrange dual bound of the UF-SVM: sum of non-negative margin multipliers over the spectral norm of "
                "their dual matrix",
    assumes=VARIATIONAL_ASSUMES,
)


def margin_matrix(alpha: np.ndarray, labels: np.ndarray) -> np.ndarray:
    r""":math:`M(\alpha)`: column j is :math:`\sum_{c\ne y_j}\alpha_{cj}(e_{y_j} - e_c)` (module doc)."""
    cols = np.arange(labels.size)
    M = -alpha
    M[labels, cols] = alpha.sum(axis=0)
    return M


def svm_dual_bound(alpha: np.ndarray, labels: np.ndarray, column_scale: np.ndarray) -> float | None:
    r""":math:`\sum\alpha/\|M(\alpha)\operatorname{diag}(s)\|_2` for multipliers ``alpha`` (clipped at 0, label
    entries zeroed), or None when they are all zero.

    Parameters
    ----------
    alpha : ndarray, shape (K, m)
    labels : int ndarray, shape (m,)
    column_scale : ndarray, shape (m,)
        :math:`n_k^{-1/2}` for the class-mean form, ones for the per-sample form.
    """
    a = np.maximum(np.asarray(alpha, dtype=np.float64), 0.0)
    if a.ndim != 2 or a.shape[1] != labels.size:
        raise ValueError(f"solution: margin multipliers have shape {a.shape}, expected (K, {labels.size})")
    a[labels, np.arange(labels.size)] = 0.0
    total = float(a.sum())
    if not np.isfinite(total) or total <= 0.0:
        return None
    total -= sum_allowance(total, a.size, per_term=0)
    return total / spectral_upper(margin_matrix(a, labels) * column_scale)


def uf_svm_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a UF-SVM answer (module doc), or None without multipliers."""
    require(problem, solution)
    alpha = solution.extra.get("margin_dual")
    if alpha is None or not finite_objective(solution):
        return None
    alpha = np.asarray(alpha, dtype=np.float64)
    if not np.all(np.isfinite(alpha)):
        return None
    if "uf-svm-sample" in solution.method:
        labels, scale = problem.labels, np.ones(problem.N)
    else:
        labels, scale = np.arange(problem.K), problem.n ** -0.5
    value = svm_dual_bound(alpha, labels, scale)
    return None if value is None else (value, CERTIFICATE)


register_bound("uf-svm", uf_svm_bound)

__all__ = ["uf_svm_bound", "svm_dual_bound", "margin_matrix", "CERTIFICATE"]
