r"""The equations of Hong & Ling's two-cluster KKT system (catalogue §2, HL-angles); :mod:`.kkt` solves them.

Model: reduction R2 (catalogue §1) with CE loss, :math:`K_A` classes of size :math:`n_A` and
:math:`K_B` classes of size :math:`n_B`, :math:`N = K_A n_A + K_B n_B`,
:math:`\lambda = \sqrt{\lambda_W\lambda_H}` (canonical convention, catalogue §0).

Structure (HL-block).  By convexity and permutation symmetry inside each cluster the optimum
can be taken column-centred and block symmetric: for a column k of cluster A (mean logits of
class k) the own entry is :math:`s_A + q_A`, the other A entries :math:`q_A` and every B entry
:math:`r_A`, with :math:`q_A = -(s_A + K_B r_A)/K_A` (columns sum to zero); B likewise.  The
bias is constant per cluster and only :math:`\Delta = b_A - b_B` enters the loss.  Margins:

.. math::

    t_A = \frac{(K_A-1)s_A - K r_A}{K_A},\quad
    E_A = 1 + (K_A-1)e^{-s_A} + K_B e^{-(t_A+\Delta)},\quad
    m_A = \frac{K_B e^{-(t_A+\Delta)}}{E_A}

(B: swap A↔B and :math:`\Delta \to -\Delta`).  :math:`Y = \bar Z D^{1/2}` has singular values
:math:`x_A = \sqrt{n_A}s_A` (multiplicity :math:`K_A-1`), :math:`x_B = \sqrt{n_B}s_B`
(:math:`K_B-1`), :math:`\sigma_3 = \sqrt{K(K_B n_A r_A^2 + K_A n_B r_B^2)}` and 0, so the
reduced objective restricted to this subspace is

.. math::

    L = \frac{n_AK_A}{N}\log E_A + \frac{n_BK_B}{N}\log E_B
        + \lambda\big[(K_A-1)x_A + (K_B-1)x_B + \sigma_3\big]
        + \frac{\lambda_b}{2}\frac{K_AK_B}{K}\Delta^2 ,

the last term being :math:`\min\{\tfrac{\lambda_b}2(K_Ab_A^2+K_Bb_B^2): b_A-b_B=\Delta\}`
(attained at :math:`b_A = K_B\Delta/K`, :math:`b_B = -K_A\Delta/K`).

Stationarity (``proofs_check/hong_ling_angles.py`` derives these from L):

(i)  :math:`\partial_{s_A}L = 0 \iff (\sqrt{n_A}/N)(K_A e^{-s_A}/E_A + m_A) = \lambda`, and
     :math:`K_Ae^{-s_A}/E_A + m_A = 1 - (1-e^{-s_A})/E_A`.  At :math:`s_A = 0` the left side is
     exactly :math:`\sqrt{n_A}/N` whatever the other variables, so :math:`s_A = 0` is optimal iff
     :math:`\lambda N \ge \sqrt{n_A}` (the threshold), else :math:`s_A > 0` solves (i).
     For :math:`K_A = 1` there is no within-cluster direction and :math:`s_A` is set to 0.
(ii) :math:`\partial_{r_A}L = 0 \iff r_A = -\kappa m_A/K_B` with :math:`\kappa = \sigma_3/(\lambda N)`;
     likewise :math:`r_B = -\kappa m_B/K_A`; eliminating :math:`\sigma_3` gives
     :math:`K(n_A m_A^2/K_B + n_B m_B^2/K_A) = (\lambda N)^2`.  The branch :math:`r = 0`
     (:math:`\sigma_3 = 0`) is optimal iff the subgradient condition
     :math:`K(n_A m_A^2/K_B + n_B m_B^2/K_A) \le (\lambda N)^2` holds at :math:`r = 0`.
(iii) :math:`\partial_\Delta L = 0`: with a regularized bias
     :math:`\Delta = K(n_A m_A/K_B - n_B m_B/K_A)/(N\lambda_b)`.  With a **free** bias
     (:math:`\lambda_b = 0`) that formula divides by zero; stationarity in b instead reads
     :math:`n_A K_A m_A = n_B K_B m_B` (the softmax mass each cluster sends to the other,
     weighted by its sample count, balances), which determines :math:`\Delta`.  Without a
     bias :math:`\Delta = 0`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.claims.sources.hong_ling.formulas import sigma3

BIASES = ("none", "regularized", "free")


@dataclass(frozen=True)
class Constants:
    """The data of one two-cluster instance (module doc)."""

    K_A: int
    K_B: int
    n_A: float
    n_B: float
    lam: float
    bias: str
    lambda_b: float

    @property
    def K(self):
        return self.K_A + self.K_B

    @property
    def N(self):
        return self.K_A * self.n_A + self.K_B * self.n_B

    @property
    def s_A_active(self) -> bool:
        return self.K_A >= 2 and self.lam * self.N < math.sqrt(self.n_A)

    @property
    def s_B_active(self) -> bool:
        return self.K_B >= 2 and self.lam * self.N < math.sqrt(self.n_B)


def _lse(xs) -> float:
    """log Σ exp(x) of a few floats (pure Python: this runs inside root finders)."""
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def terms(c: Constants, s_A, s_B, r_A, r_B, delta) -> dict:
    """log E, m and e^{-s}/E for both clusters (module doc), in log-sum-exp form (no overflow)."""
    K = c.K
    t_A = ((c.K_A - 1) * s_A - K * r_A) / c.K_A
    t_B = ((c.K_B - 1) * s_B - K * r_B) / c.K_B
    la_other = math.log(c.K_B) - (t_A + delta)
    lb_other = math.log(c.K_A) - (t_B - delta)
    la = [0.0, la_other] + ([math.log(c.K_A - 1) - s_A] if c.K_A >= 2 else [])
    lb = [0.0, lb_other] + ([math.log(c.K_B - 1) - s_B] if c.K_B >= 2 else [])
    logE_A = _lse(la)
    logE_B = _lse(lb)
    return {
        "logE_A": logE_A,
        "logE_B": logE_B,
        "m_A": math.exp(la_other - logE_A),
        "m_B": math.exp(lb_other - logE_B),
        "log_m_A": la_other - logE_A,
        "log_m_B": lb_other - logE_B,
        "eA": math.exp(-s_A - logE_A),
        "eB": math.exp(-s_B - logE_B),
    }


def bias_penalty(c: Constants, delta) -> float:
    r""":math:`\frac{\lambda_b}2\frac{K_AK_B}K\Delta^2` with a regularized bias, else 0 (module doc)."""
    if c.bias == "regularized":
        return 0.5 * c.lambda_b * c.K_A * c.K_B / c.K * delta ** 2
    return 0.0


def restricted_objective(c: Constants, s_A, s_B, r_A, r_B, delta) -> float:
    """The restricted objective L (module doc)."""
    T = terms(c, s_A, s_B, r_A, r_B, delta)
    N = c.N
    val = c.n_A * c.K_A / N * T["logE_A"] + c.n_B * c.K_B / N * T["logE_B"]
    nuc = (c.K_A - 1) * math.sqrt(c.n_A) * abs(s_A) + (c.K_B - 1) * math.sqrt(c.n_B) * abs(s_B)
    nuc += sigma3(c.K_A, c.K_B, c.n_A, c.n_B, r_A, r_B)
    return val + c.lam * nuc + bias_penalty(c, delta)


# --------------------------------------------------------------------------------- the equations
def within_residual(c: Constants, T, cluster: str) -> float:
    r"""(i): :math:`(\sqrt{n_c}/N)(K_c e^{-s_c}/E_c + m_c) - \lambda` for cluster ``"A"`` or ``"B"``."""
    if cluster == "A":
        return math.sqrt(c.n_A) / c.N * (c.K_A * T["eA"] + T["m_A"]) - c.lam
    return math.sqrt(c.n_B) / c.N * (c.K_B * T["eB"] + T["m_B"]) - c.lam


def norm_residual(c: Constants, T) -> float:
    r"""(ii), σ₃ eliminated: :math:`K(n_Am_A^2/K_B + n_Bm_B^2/K_A) - (\lambda N)^2`."""
    return c.K * (c.n_A * T["m_A"] ** 2 / c.K_B + c.n_B * T["m_B"] ** 2 / c.K_A) - (c.lam * c.N) ** 2


def norm_ratio(c: Constants, T) -> float:
    r""":math:`K(n_A m_A^2/K_B + n_B m_B^2/K_A)/(\lambda N)^2` (≤ 1 on the r = 0 branch)."""
    return c.K * (c.n_A * T["m_A"] ** 2 / c.K_B + c.n_B * T["m_B"] ** 2 / c.K_A) / (c.lam * c.N) ** 2


def regularized_bias_target(c: Constants, T) -> float:
    r"""(iii), regularized bias: :math:`K(n_Am_A/K_B - n_Bm_B/K_A)/(N\lambda_b)` (the stationary Δ)."""
    return c.K * (c.n_A * T["m_A"] / c.K_B - c.n_B * T["m_B"] / c.K_A) / (c.N * c.lambda_b)


def free_bias_residual(c: Constants, T) -> float:
    r"""(iii), free bias: :math:`n_AK_Am_A - n_BK_Bm_B` (stationarity in b)."""
    return c.n_A * c.K_A * T["m_A"] - c.n_B * c.K_B * T["m_B"]


def delta_residual(c: Constants, T, delta) -> float:
    """(iii) as the root finder uses it: relative for a regularized bias, in logs for a free one (m may underflow)."""
    if c.bias == "regularized":
        target = regularized_bias_target(c, T)
        return (delta - target) / (1.0 + abs(target))
    # free: log(n_A K_A m_A) - log(n_B K_B m_B), the log of free_bias_residual's two terms
    return (math.log(c.n_A * c.K_A) + T["log_m_A"]) - (math.log(c.n_B * c.K_B) + T["log_m_B"])


class Layout:
    """Which unknowns a branch has, how to (un)pack them, and its O(1)-scaled residuals."""

    def __init__(self, c: Constants, r_zero: bool):
        self.c = c
        self.r_zero = r_zero
        names = []
        if c.s_A_active:
            names.append("s_A")
        if c.s_B_active:
            names.append("s_B")
        if not r_zero:
            names += ["r_A", "r_B", "u"]
        if c.bias != "none":
            names.append("delta")
        self.names = names

    def unpack(self, x):
        v = dict(zip(self.names, x))
        return (v.get("s_A", 0.0), v.get("s_B", 0.0), v.get("r_A", 0.0), v.get("r_B", 0.0),
                v.get("delta", 0.0), math.exp(v["u"]) if "u" in v else 0.0)

    def pack(self, s_A, s_B, r_A, r_B, delta, kappa):
        vals = {"s_A": s_A, "s_B": s_B, "r_A": r_A, "r_B": r_B, "delta": delta,
                "u": math.log(max(kappa, 1e-300))}
        return np.array([vals[n] for n in self.names], dtype=np.float64)

    def residuals(self, x) -> np.ndarray:
        """(i) / λ, (ii-a, ii-b) relative to the size of r, (ii-c) / (λN)², (iii) as :func:`delta_residual`."""
        c = self.c
        s_A, s_B, r_A, r_B, delta, kappa = self.unpack(x)
        T = terms(c, s_A, s_B, r_A, r_B, delta)
        F = []
        if c.s_A_active:
            F.append(within_residual(c, T, "A") / c.lam)
        if c.s_B_active:
            F.append(within_residual(c, T, "B") / c.lam)
        if not self.r_zero:
            scale = kappa / c.K  # natural size of r
            F.append((r_A + kappa * T["m_A"] / c.K_B) / (scale + abs(r_A)))
            F.append((r_B + kappa * T["m_B"] / c.K_A) / (scale + abs(r_B)))
            F.append(norm_residual(c, T) / (c.lam * c.N) ** 2)
        if c.bias != "none":
            F.append(delta_residual(c, T, delta))
        return np.asarray(F, dtype=np.float64)
