r"""The UF-SVM in class-mean coordinates, its Lagrange dual bound and the primal value of any point.

Model (catalogue §6, SELI; only the class sizes of a Problem enter):

.. math::

    \min_{W, H}\ \tfrac12\|W\|_F^2 + \tfrac12\|H\|_F^2 \quad\text{s.t.}\quad (w_{y_i} - w_c)^\top h_i \ge 1
    \quad(\text{every sample } i,\ c \ne y_i).

Class-mean form
---------------
:mod:`nctheory.solvers.convex.uf_svm` shows that the problem equals
:math:`\min\|X\|_*` over :math:`X \in \mathbb R^{K\times K}` subject to :math:`\bar Z_{kk} - \bar Z_{ck} \ge 1` with
:math:`\bar Z = XD^{-1/2}` (class means, then the variational identity R1), i.e. column by column

.. math::  x \in \mathcal C = \mathcal C_1\times\dots\times\mathcal C_K,\qquad
    \mathcal C_k = \{x_k : x_{kk} - x_{ck} \ge \sqrt{n_k}\ (c \ne k)\} ,

a product of simple polyhedra (projection: :mod:`~nctheory.solvers.references.margins`).  The balanced factors of
:math:`X = U\Sigma V^\top` are :math:`W = U\Sigma^{1/2}`, :math:`\bar H = \Sigma^{1/2}V^\top D^{-1/2}`, with
:math:`\tfrac12\|W\|^2 + \tfrac12\sum_kn_k\|\bar h_k\|^2 = \|X\|_*`.

Lower bound (for the per-sample problem itself)
-----------------------------------------------
Take multipliers :math:`\beta_{ck} \ge 0` (:math:`c \ne k`) and the matrix :math:`G(\beta)` with columns
:math:`g_k = \sum_{c\ne k}\beta_{ck}(e_k - e_c)` (label entry :math:`\sum_c\beta_{ck}`, the others :math:`-\beta_{ck}`).
For any feasible per-sample point put :math:`\alpha_{ci} = \beta_{ck}/\sqrt{n_k}` for the samples i of class k, and
let :math:`M` be the K × N matrix with columns :math:`\sum_c\alpha_{ci}(e_{y_i} - e_c)`, i.e.
:math:`M = G(\beta)D^{-1/2}E^\top` (E the N × K class indicator).  Then

.. math::

    \tfrac12\|W\|^2 + \tfrac12\|H\|^2 \ \ge\ \|WH\|_* \ \ge\ \frac{\langle M, WH\rangle}{\|M\|_2}
    = \frac{\sum_{i,c}\alpha_{ci}(w_{y_i} - w_c)^\top h_i}{\|M\|_2} \ \ge\ \frac{\sum_{i,c}\alpha_{ci}}{\|M\|_2}

(AM–GM with :math:`\|AB\|_* \le \|A\|_F\|B\|_F`, trace duality, the margins).  Since :math:`E^\top = D^{1/2}Q` with Q
having orthonormal rows, :math:`\|M\|_2 = \|G(\beta)\|_2`, and :math:`\sum\alpha = \sum_k\sqrt{n_k}\sum_c\beta_{ck}`:

.. math::  \mathrm{LB}(\beta) = \frac{\sum_k\sqrt{n_k}\sum_{c\ne k}\beta_{ck}}{\|G(\beta)\|_2}
    \ \le\ \text{the UF-SVM optimum},

for every :math:`\beta \ge 0` -- no reduction is assumed, and the bound is scale-invariant in β.  It is the
Lagrange dual of the class-mean problem
(:math:`\max\sum_k\sqrt{n_k}\sum_c\beta_{ck}` s.t. :math:`\|G(\beta)\|_2 \le 1`),
tight at its solution.  The reported bound uses the summation allowance of the numerator and a rigorous upper
bound on :math:`\|G(\beta)\|_2` (:mod:`~nctheory.solvers.references.rounding`).  The dual point comes from the
ADMM multiplier (:mod:`~nctheory.solvers.references.uf_svm_solve`): any matrix Γ gives
:math:`\beta = \max(-\Gamma_{\text{off-label}}, 0)`.

Primal value of any X
---------------------
If the smallest class-mean margin μ of :math:`XD^{-1/2}` is positive, :math:`X/\mu` is feasible with value
:math:`\|X\|_*/\mu` -- so every iterate gives an upper bound after one scaling.  In grouped form (invariant X) the
same formulas hold with compressed columns: :math:`\sum_k\sqrt{n_k}\sum_c\beta_{ck} =
\sum_gm_g\sqrt{n_g}\sum_hc_{hg}\beta_{hg}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.solvers.references.margins import smallest_margin
from nctheory.solvers.references.rounding import sum_allowance

__all__ = ["SVMBound", "svm_lower_bound", "uf_svm_objective", "UF_SVM_CERTIFICATE"]

from nctheory.solvers.result import Certificate

UF_SVM_CERTIFICATE = Certificate(
    kind="lagrange-dual:uf-svm",
    description="Lagrange dual bound of the UF-SVM: the margin multipliers' weighted sum over a rigorous bound on the "
                "spectral norm of their dual matrix, minus a float64 summation allowance",
    assumes="the variational inequality (1/2)||W||^2 + (1/2)||H||^2 >= ||W H||_* (AM-GM) and trace duality, for the "
            "per-sample problem (no class-mean reduction assumed); nothing about the claim under test",
)


@dataclass(frozen=True)
class SVMBound:
    """A rigorous UF-SVM lower bound and its multipliers (compressed: label entries ``own``, others ``rest``)."""

    value: float
    numerator: float
    spectral: float
    own: np.ndarray
    rest: np.ndarray


def column_multiplicity(layout) -> np.ndarray:
    """How many classes each stored column stands for: 1 (dense) or :math:`m_g` (grouped)."""
    return layout.m if layout.grouped else np.ones(layout.K)


def svm_lower_bound(layout, Gamma) -> SVMBound | None:
    r""":math:`\mathrm{LB}(\beta)` (module doc) for :math:`\beta = \max(-\Gamma_{\text{off-label}}, 0)`;
    None when β = 0."""
    _, rest = layout.compress(Gamma)
    counts = layout.counts
    beta = np.where(counts > 0, np.maximum(-np.asarray(rest, dtype=np.float64), 0.0), 0.0)
    own = (counts * beta).sum(axis=0)
    weights = column_multiplicity(layout) * layout.sqrt_n
    numerator = float(weights @ own)
    if not np.isfinite(numerator) or numerator <= 0.0:
        return None
    # each label entry sums one column (R terms), then the weighted sum runs over the columns: 2 sums in sequence
    numerator -= sum_allowance(numerator, counts.shape[0] + counts.shape[1])
    spectral = layout.compressed_spectral_upper(own, -beta, sum_terms=counts.shape[0])
    if not spectral > 0.0:
        return None
    return SVMBound(value=numerator / spectral, numerator=numerator, spectral=spectral, own=own, rest=-beta)


def primal_margin(layout, X) -> float:
    r"""Smallest class-mean margin of :math:`\bar Z = XD^{-1/2}`."""
    own, rest = layout.compress(X)
    return smallest_margin(own, rest, layout.counts, layout.sqrt_n)


def uf_svm_objective(problem, W: np.ndarray, H_mean: np.ndarray, b=None) -> float:
    r""":math:`\tfrac12\|W\|_F^2 + \tfrac12\sum_kn_k\|\bar h_k\|^2` (every sample at its class mean)."""
    return 0.5 * float(np.vdot(W, W)) + 0.5 * float(problem.n @ np.einsum("ij,ij->j", H_mean, H_mean))
