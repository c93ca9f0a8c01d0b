r"""Hong & Ling's closed forms and exact tests (catalogue §2), in the canonical convention (catalogue §0).

:math:`f = \frac1N\sum\ell + \frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\|H\|^2 + \frac{\lambda_b}2\|b\|^2`,
:math:`\lambda = \sqrt{\lambda_W\lambda_H}`.  The authors' code writes the penalties without the ½
(:math:`\lambda_W\|W\|^2`, ...): convert with :meth:`nctheory.model.problem.Problem.from_no_half_penalties`
(canonical λ = 2 × theirs), so their nuclear-norm weight is :math:`2\sqrt{\lambda_W\lambda_H}` in their symbols.

* clusters: :func:`two_clusters`, :func:`collapse_clusters` (classes grouped by equal size);
* the threshold (HL-threshold): :func:`threshold_lambda`, :func:`critical_minority_size`,
  :func:`critical_majority_size`;
* the zero regime (HL-asymptotic): :func:`bias_at_zero`, :func:`zero_gradient_ratio`, :func:`zero_solution`,
  :func:`zero_objective`, :func:`epsilon`, :func:`critical_epsilon`;
* the geometry of the two-cluster optimum (HL-angles): :func:`natural_units`, :func:`angle_formulas`
  (from the KKT scalars of :mod:`.kkt`).

Numeric, no solver calls.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure

from nctheory.model import Bias, Problem, equal_size_groups

#: Newton on the zero-regime bias stops when :math:`\max|\mathrm{softmax}(b) - \pi + \lambda_b b|` is below this (rounding level of
#: an O(1) residual; the iteration is quadratically convergent on a strongly convex problem).
BIAS_NEWTON_TOL = 1e-15


# ----------------------------------------------------------------------------------- clusters
def two_clusters(problem: Problem):
    """``(A, B)``: index arrays of the larger-size (majority) and smaller-size cluster, or None unless two sizes."""
    groups = equal_size_groups(problem.sizes)
    if len(groups) != 2:
        return None
    return groups[0], groups[1]


def collapse_clusters(problem: Problem) -> list[np.ndarray]:
    """The clusters the threshold rule speaks about: equal-size classes, at least 2 of them, largest size first."""
    return [c for c in equal_size_groups(problem.sizes) if c.size >= 2]


# ---------------------------------------------------------------------------------- threshold
def threshold_lambda(n_c: float, N: float) -> float:
    r"""Critical :math:`\lambda^* = \sqrt{n_c}/N`: a cluster of ≥ 2 classes of size :math:`n_c` collapses iff λ ≥ λ*."""
    return math.sqrt(n_c) / N


def critical_minority_size(n_A: float, K_A: int, K_B: int, lam: float) -> float:
    r"""Largest minority size that collapses at fixed :math:`n_A` (catalogue §2).

    :math:`\lambda(K_An_A + K_Bn_B) \ge \sqrt{n_B}` is a quadratic in :math:`x = \sqrt{n_B}`;
    collapse holds for :math:`x \le x_-`, :math:`x_- = (1 - \sqrt{1 - 4\lambda^2K_AK_Bn_A})/(2\lambda K_B)`,
    so the critical size is :math:`x_-^2`.  Returns ``inf`` when :math:`4\lambda^2K_AK_Bn_A \ge 1`
    (every minority size collapses).  (Sizes above the larger root :math:`x_+^2` also satisfy the
    inequality; they are not minorities unless :math:`x_+^2 < n_A`.)
    """
    disc = 1.0 - 4.0 * lam ** 2 * K_A * K_B * n_A
    if disc <= 0:
        return math.inf
    x = (1.0 - math.sqrt(disc)) / (2.0 * lam * K_B)
    return x * x


def critical_majority_size(n_B: float, K_A: int, K_B: int, lam: float) -> float:
    r"""Smallest majority size :math:`n_A` at which the minority (size :math:`n_B`) collapses:
    :math:`n_A \ge (\sqrt{n_B}/\lambda - K_Bn_B)/K_A` (≤ 0 means: for every :math:`n_A`)."""
    return (math.sqrt(n_B) / lam - K_B * n_B) / K_A


# ---------------------------------------------------------------------------------- zero regime
def bias_at_zero(problem: Problem) -> np.ndarray:
    r"""The optimal bias when :math:`\bar Z = 0`: argmin of :math:`\sum_k\pi_k\mathrm{CE}(b,k) + \frac{\lambda_b}2\|b\|^2`.

    No bias: 0.  Free bias: :math:`b = \log\pi` (centred; CE is shift invariant).  Regularized: Newton on
    :math:`\operatorname{softmax}(b) - \pi + \lambda_b b = 0` (strongly convex, from b = 0).
    """
    # the optimal bias at Z̄ = 0 is constant on groups of equal-size classes (the problem is invariant under
    # permuting them and strictly convex in b for a regularized bias); it is solved per group, so any K is cheap
    groups = GroupStructure.from_problem(problem)
    return groups.expand(_group_bias_at_zero(problem, groups))


def _group_bias_at_zero(problem: Problem, groups) -> np.ndarray:
    r"""Per-group optimal bias at :math:`\bar Z = 0`: Newton on :math:`p_g(\beta) - \pi_g + \lambda_b\beta_g = 0`,
    :math:`p_g = e^{\beta_g}/\sum_h m_he^{\beta_h}`, with Jacobian :math:`p_g(\delta_{gh} - m_hp_h) + \lambda_b\delta_{gh}`."""
    C = groups.C
    m = groups.counts.astype(np.float64)
    pi = groups.class_weights
    if problem.bias == Bias.NONE:
        return np.zeros(C)
    if problem.bias == Bias.FREE:
        b = np.log(pi)
        return b - float(m @ b) / float(m.sum())  # mean over classes 0
    b = np.zeros(C)
    lb = problem.lambda_b
    for _ in range(200):
        e = np.exp(b - b.max())
        p = e / float(m @ e)
        F = p - pi + lb * b
        if np.abs(F).max() < BIAS_NEWTON_TOL:
            break
        J = np.diag(p) - np.outer(p, m * p) + lb * np.eye(C)
        b = b - np.linalg.solve(J, F)
    return b


def zero_gradient_ratio(problem: Problem) -> float:
    r""":math:`\|\nabla_X\varphi(0)\|_2/\lambda` for reduction R2 with CE (bias optimised at :math:`\bar Z = 0`).

    In :math:`X = \bar Z D^{1/2}` the loss gradient at :math:`\bar Z = 0` has columns
    :math:`(\sqrt{n_k}/N)(p - e_k)`, :math:`p = \operatorname{softmax}(b_0)`.  By convexity
    :math:`\bar Z = 0` is the global minimiser iff this ratio is ≤ 1.
    """
    groups = GroupStructure.from_problem(problem)
    b0 = _group_bias_at_zero(problem, groups)
    m = groups.counts.astype(np.float64)
    e = np.exp(b0 - b0.max())
    p = e / float(m @ e)  # softmax probability of one class of each group
    col = np.sqrt(groups.sizes.astype(np.float64)) / problem.N
    # G = (p1ᵀ - I) diag(√n/N) is invariant under permuting equal-size classes: a grouped matrix, whose spectral
    # norm needs no K × K matrix
    G = GroupedMatrix.from_entries(groups, -col, p[:, None] * col[None, :])
    return float(G.spectral_norm() / problem.lam)


def zero_solution(problem: Problem) -> bool:
    r"""True iff :math:`\bar Z = 0` (hence W = 0, H = 0) is the global minimiser (CE, R2)."""
    return zero_gradient_ratio(problem) <= 1.0


def zero_objective(problem: Problem) -> float:
    r"""The UFM objective of the feasible point W = 0, H = 0, b = :func:`bias_at_zero`.

    :math:`\sum_k\pi_k(\log\sum_j e^{b_j} - b_k) + \frac{\lambda_b}2\|b\|^2` (canonical convention; the
    penalty only with a regularized bias).  It is the global minimum exactly when :func:`zero_solution`.
    """
    b = bias_at_zero(problem)
    m = float(b.max())
    lse = m + math.log(float(np.sum(np.exp(b - m))))
    value = float(problem.weights @ (lse - b))
    if problem.bias == Bias.REGULARIZED:
        value += 0.5 * problem.lambda_b * float(b @ b)
    return value


def epsilon(problem: Problem) -> float:
    r""":math:`\varepsilon = \lambda\sqrt N`, the only parameter besides π (and the bias) that matters."""
    return problem.lam * math.sqrt(problem.N)


def critical_epsilon(problem: Problem) -> float:
    r""":math:`\varepsilon_0` with :math:`\bar Z = 0 \iff \varepsilon = \lambda\sqrt N \ge \varepsilon_0`.

    :math:`\varepsilon_0 = \|(p\mathbf 1^\top - I)\operatorname{diag}(\sqrt{\pi})\|_2` depends on the
    proportions π and the bias model only (see :func:`zero_gradient_ratio`).
    """
    return zero_gradient_ratio(problem) * problem.lam * math.sqrt(problem.N)


# ---------------------------------------------------------------------------------- geometry (HL-angles)
def natural_units(problem: Problem) -> tuple[float, float]:
    r"""Units :math:`(u_W, u_H) = (\rho\sqrt N, 1/(\rho\sqrt N))`, :math:`\rho = \sqrt{\lambda_H/\lambda_W}`.

    :math:`WW^\top/u_W = (\bar Z\Pi\bar Z^\top)^{1/2}` and
    :math:`\bar H^\top\bar H/u_H = \Pi^{-1/2}(\Pi^{1/2}\bar Z^\top\bar Z\Pi^{1/2})^{1/2}\Pi^{-1/2}` depend on the
    mean logits and the proportions only (R1/R2), so Gram quantities in these units are
    dimensionless and comparable across λ_W/λ_H ratios and sample counts.
    """
    rho = math.sqrt(problem.lambda_h / problem.lambda_w)
    return rho * math.sqrt(problem.N), 1.0 / (rho * math.sqrt(problem.N))


def sigma3(K_A: int, K_B: int, n_A: float, n_B: float, r_A: float, r_B: float) -> float:
    r""":math:`\sigma_3 = \sqrt{K(K_Bn_Ar_A^2 + K_An_Br_B^2)}`, the between-cluster singular value of :math:`Y = \bar ZD^{1/2}`."""
    return math.sqrt((K_A + K_B) * (K_B * n_A * r_A ** 2 + K_A * n_B * r_B ** 2))


def angle_scalars(K_A: int, K_B: int, n_A: float, n_B: float, s_A: float, s_B: float, r_A: float,
                  r_B: float) -> dict:
    r"""Norms, inner products and cosines of w and h̄ within/between clusters from the block scalars (catalogue §2).

    Grams are in the natural units of :func:`natural_units`, in which
    :math:`WW^\top = (YY^\top)^{1/2}/\sqrt N` and
    :math:`\bar H^\top\bar H = \sqrt N D^{-1/2}(Y^\top Y)^{1/2}D^{-1/2}`; write :math:`\nu = 1/\sqrt N`.
    With :math:`x_c = \sqrt{n_c}s_c`, :math:`\sigma_3`, :math:`Q = n_AK_Br_A^2 + n_BK_Ar_B^2`,
    :math:`a = \sqrt K n_AK_Br_A^2/\sqrt Q`, :math:`\beta = \sqrt K n_BK_Ar_B^2/\sqrt Q`,
    :math:`c = -\sqrt K\sqrt{n_An_BK_AK_B}\,r_Ar_B/\sqrt Q` (all 0 when Q = 0):

    * :math:`\|w_A\|^2 = \nu\,(x_A(K_A-1)/K_A + \sigma_3K_B/(K_AK))`,
      :math:`\langle w_A, w_{A'}\rangle = \nu\,(-x_A/K_A + \sigma_3K_B/(K_AK))`,
      :math:`\langle w_A, w_B\rangle = -\nu\,\sigma_3/K`;
    * :math:`\|\bar h_A\|^2 = (a + (K_A-1)x_A)/(\nu\,n_AK_A)`,
      :math:`\langle\bar h_A,\bar h_{A'}\rangle = (a - x_A)/(\nu\,n_AK_A)`,
      :math:`\langle\bar h_A,\bar h_B\rangle = c/(\nu\sqrt{n_An_BK_AK_B})`;
    * cosines as in the catalogue (defined only where both norms are > 0; None otherwise).
    """
    K = K_A + K_B
    nA, nB, rA, rB = n_A, n_B, r_A, r_B
    xA, xB = math.sqrt(nA) * s_A, math.sqrt(nB) * s_B
    s3 = sigma3(K_A, K_B, nA, nB, rA, rB)
    nu = 1.0 / math.sqrt(K_A * nA + K_B * nB)  # ν of the docstring
    Q = nA * K_B * rA ** 2 + nB * K_A * rB ** 2
    if Q > 0:
        a = math.sqrt(K) * nA * K_B * rA ** 2 / math.sqrt(Q)
        be = math.sqrt(K) * nB * K_A * rB ** 2 / math.sqrt(Q)
        c = -math.sqrt(K) * math.sqrt(nA * nB * K_A * K_B) * rA * rB / math.sqrt(Q)
    else:
        a = be = c = 0.0
    out = {
        "w_sq_norm_A": nu * (xA * (K_A - 1) / K_A + s3 * K_B / (K_A * K)),
        "w_sq_norm_B": nu * (xB * (K_B - 1) / K_B + s3 * K_A / (K_B * K)),
        "w_inner_AB": -nu * s3 / K,
        "h_sq_norm_A": (a + (K_A - 1) * xA) / (nu * nA * K_A),
        "h_sq_norm_B": (be + (K_B - 1) * xB) / (nu * nB * K_B),
        "h_inner_AB": c / (nu * math.sqrt(nA * nB * K_A * K_B)),
    }
    if K_A >= 2:
        out["w_inner_AA"] = nu * (-xA / K_A + s3 * K_B / (K_A * K))
        out["h_inner_AA"] = (a - xA) / (nu * nA * K_A)
    if K_B >= 2:
        out["w_inner_BB"] = nu * (-xB / K_B + s3 * K_A / (K_B * K))
        out["h_inner_BB"] = (be - xB) / (nu * nB * K_B)
    dwa, dwb = s3 * K_B / K + (K_A - 1) * xA, s3 * K_A / K + (K_B - 1) * xB
    dha, dhb = a + (K_A - 1) * xA, be + (K_B - 1) * xB
    out["cos_w_AA"] = (s3 * K_B / K - xA) / dwa if K_A >= 2 and dwa > 0 else None
    out["cos_w_BB"] = (s3 * K_A / K - xB) / dwb if K_B >= 2 and dwb > 0 else None
    den = (xA * (K_A - 1) / K_A + s3 * K_B / (K_A * K)) * (xB * (K_B - 1) / K_B + s3 * K_A / (K_B * K))
    out["cos_w_AB"] = -(s3 / K) / math.sqrt(den) if den > 0 else None
    out["cos_h_AA"] = (a - xA) / dha if K_A >= 2 and dha > 0 else None
    out["cos_h_BB"] = (be - xB) / dhb if K_B >= 2 and dhb > 0 else None
    out["cos_h_AB"] = c / math.sqrt(dha * dhb) if dha > 0 and dhb > 0 else None
    return out


def angle_formulas(kkt) -> dict:
    """:func:`angle_scalars` at the scalars of a solved KKT system (:class:`.kkt.TwoClusterKKT`)."""
    return angle_scalars(kkt.K_A, kkt.K_B, kkt.n_A, kkt.n_B, kkt.s_A, kkt.s_B, kkt.r_A, kkt.r_B)
