r"""Exact Euclidean projections onto the feasible sets of the factored problems.

Sets (on the columns :math:`h_j` of the feature block, class means or samples):

* ReLU features: :math:`H \ge 0` entrywise.
* Per-sample constraint (Yang et al.): :math:`\|h_j\|^2 \le E_H` for every column.
* Average constraint (Fang et al.): :math:`\sum_j a_j \|h_j\|^2 \le E_H` with
  :math:`a_j = 1/K` on class means and :math:`a_j = 1/(K n_{y_j})` on samples, i.e.
  :math:`\frac1K\sum_k \frac1{n_k}\sum_i \|h_{k,i}\|^2 \le E_H`; for a learned classifier also
  :math:`\frac1K\|W\|_F^2 \le E_W`.

Projection onto :math:`\{H \ge 0\} \cap \{\sum_j a_j\|h_j\|^2 \le c\}`.  The KKT conditions of
:math:`\min \tfrac12\|X - Y\|^2 + \tfrac\mu2 \sum_j a_j\|x_j\|^2` over :math:`X \ge 0` separate per
entry: :math:`x_j = (y_j)_+ / (1 + \mu a_j)`, with :math:`\mu = 0` if :math:`(Y)_+` is feasible and
otherwise the unique root of the convex decreasing
:math:`\varphi(\mu) = \sum_j a_j s_j/(1+\mu a_j)^2 - c` (:math:`s_j = \|(y_j)_+\|^2`), found by
Newton's method from :math:`\mu = 0` (monotone for a convex decreasing function).  Without ReLU
drop the :math:`(\cdot)_+`.  A per-column ball is the case of one column at a time.
"""

from __future__ import annotations

import numpy as np


def project_ball_columns(Y: np.ndarray, radius_sq: float) -> np.ndarray:
    """Each column of ``Y`` projected onto the ball :math:`\\|h\\|^2 \\le r^2`."""
    norms_sq = np.einsum("ij,ij->j", Y, Y)
    scale = np.ones_like(norms_sq)
    outside = norms_sq > radius_sq
    scale[outside] = np.sqrt(radius_sq / norms_sq[outside])
    return Y * scale


def project_weighted_ball(Y: np.ndarray, col_weights: np.ndarray, budget: float) -> np.ndarray:
    r"""Projection of ``Y`` onto :math:`\{X : \sum_j a_j \|x_j\|^2 \le c\}` (see module doc)."""
    s = np.einsum("ij,ij->j", Y, Y)
    a = col_weights
    total = float(a @ s)
    if total <= budget:
        return Y.copy()
    if np.ptp(a) == 0.0:  # equal weights: a plain Frobenius ball
        return Y * np.sqrt(budget / total)
    mu = 0.0
    for _ in range(200):
        q = 1.0 + mu * a
        phi = float(a @ (s / q**2)) - budget
        dphi = -2.0 * float((a * a) @ (s / q**3))
        step = -phi / dphi
        mu += step
        if abs(step) <= 1e-15 * max(mu, 1e-300) or phi <= 0.0:
            break
    X = Y / (1.0 + mu * a)
    value = float(a @ np.einsum("ij,ij->j", X, X))
    if value > budget:  # rounding: scale back onto the set
        X *= np.sqrt(budget / value)
    return X
