r"""Dual bound for the cost-sensitive unconstrained-features SVM (CS-SVM; the λ → 0 limit of the VS losses).

Model
-----
Per-class scalings :math:`\Delta_k > 0` (class-dependent temperatures) and margins :math:`m_k > 0`
(:math:`m_k = 1/\omega_k` for label-dependent temperatures :math:`\omega`; see
:mod:`nctheory.solvers.convex.cs_svm`):

.. math::

    \min_{W, H}\ \tfrac12\|W\|_F^2 + \tfrac12\|H\|_F^2 \quad\text{s.t.}\quad
    \Delta_{y_i} w_{y_i}^\top h_i - \Delta_c w_c^\top h_i \ge m_{y_i}\quad(c \ne y_i),

over per-sample features.  :math:`\Delta = \mathbf 1`, :math:`m = \mathbf 1` is the UF-SVM of
:mod:`nctheory.solvers.bounds.uf_svm`.

Bound
-----
Take multipliers :math:`\beta_{ck} \ge 0` (:math:`c \ne k`, one per class pair) and put
:math:`\alpha_{ci} = \beta_{ck}/n_k` on every sample i of class k.  For a feasible (W, H) with Z = WH
(K × N),

.. math::

    \sum_{i}\sum_{c\ne y_i}\alpha_{ci}\,(\Delta_{y_i} z_{y_i i} - \Delta_c z_{ci})
    = \langle M_\Delta(\beta)\operatorname{diag}(1/n)E^\top,\ Z\rangle
    \ \ge\ \sum_{c\ne k}\beta_{ck}\,m_k ,

where E is the N × K class indicator and :math:`M_\Delta(\beta)` the K × K matrix with
:math:`(M_\Delta)_{kk} = \Delta_k\sum_{c\ne k}\beta_{ck}`, :math:`(M_\Delta)_{ck} = -\Delta_c\beta_{ck}`
(expand the sum column by column: the label entry of column k collects :math:`\Delta_k\beta_{ck}` over c, entry
c collects :math:`-\Delta_c\beta_{ck}`).  With :math:`E^\top = D^{1/2}Q` (Q with orthonormal rows),
:math:`\|M_\Delta\operatorname{diag}(1/n)E^\top\|_2 = \|M_\Delta D^{-1/2}\|_2`, and trace duality with AM–GM
(:math:`\tfrac12\|W\|^2 + \tfrac12\|H\|^2 \ge \|WH\|_*`) give

.. math::

    \tfrac12\|W\|^2 + \tfrac12\|H\|^2 \ \ge\ \|Z\|_*\ \ge\
    \mathrm{LB}(\beta) = \frac{\sum_{c\ne k}\beta_{ck}\,m_k}{\|M_\Delta(\beta)D^{-1/2}\|_2} .

It is a bound of the per-sample problem itself (no class-mean reduction is assumed), valid for every
:math:`\beta \ge 0`; at the Lagrange multipliers of the class-mean problem (scaled so that the dual spectral
constraint is tight) it equals the optimum.  Rounding: the numerator (non-negative terms) is lowered by its
summation allowance, the spectral norm replaced by an upper bound (:mod:`~nctheory.solvers.bounds.rounding`).
"""

from __future__ import annotations

import numpy as np

from nctheory.solvers.bounds.rounding import spectral_upper, sum_allowance
from nctheory.solvers.bounds.uf_svm import VARIATIONAL_ASSUMES, margin_matrix
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="lagrange-dual:cs-svm",
    description="Lagrange dual bound of the cost-sensitive UF-SVM: margin-weighted sum of non-negative multipliers "
                "over the spectral norm of their Δ-scaled dual matrix",
    assumes=VARIATIONAL_ASSUMES,
)


def dual_matrix(beta: np.ndarray, delta: np.ndarray) -> np.ndarray:
    r""":math:`M_\Delta(\beta) = \operatorname{diag}(\Delta)M(\beta)` of the module doc (``beta`` K × K, its diagonal
    ignored), M the UF-SVM's margin matrix (:func:`~nctheory.solvers.bounds.uf_svm.margin_matrix`) with column k
    labelled k."""
    b = np.array(beta, dtype=np.float64)
    np.fill_diagonal(b, 0.0)
    return delta[:, None] * margin_matrix(b, np.arange(b.shape[0]))


def cs_svm_dual_bound(beta, sizes, delta, margins) -> float | None:
    r""":math:`\mathrm{LB}(\beta)` (module doc) for multipliers ``beta`` (K × K; clipped at 0, diagonal ignored), or
    None when they are all zero or not finite.

    Parameters
    ----------
    beta : array (K, K)
        Column k, row c: the multiplier of class k's margin against class c.
    sizes, delta, margins : arrays (K,)
        :math:`n_k`, :math:`\Delta_k`, :math:`m_k` (all > 0).
    """
    b = np.maximum(np.asarray(beta, dtype=np.float64), 0.0)
    n = np.asarray(sizes, dtype=np.float64)
    delta = np.asarray(delta, dtype=np.float64)
    m = np.asarray(margins, dtype=np.float64)
    K = n.size
    if b.shape != (K, K) or delta.shape != (K,) or m.shape != (K,):
        raise ValueError(f"beta: expected a {K} x {K} array and length-{K} delta, margins; got {b.shape}, "
                         f"{delta.shape}, {m.shape}")
    if not (np.all(n > 0) and np.all(delta > 0) and np.all(m > 0)):
        raise ValueError("sizes: sizes, delta and margins must be positive")
    if not np.all(np.isfinite(b)):
        return None
    np.fill_diagonal(b, 0.0)
    weighted = b * m[None, :]
    total = float(weighted.sum())
    if not np.isfinite(total) or total <= 0.0:
        return None
    total -= sum_allowance(total, b.size)
    norm = spectral_upper(dual_matrix(b, delta) / np.sqrt(n)[None, :])
    if not norm > 0.0:
        return None
    return total / norm


__all__ = ["CERTIFICATE", "cs_svm_dual_bound", "dual_matrix"]
