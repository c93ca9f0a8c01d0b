r"""The symmetric two-cluster reduction of the layer-peeled model (Fang et al. 2021, catalogue §6), derived here.

Layer-peeled model (LPM): CE, learned classifier, no bias, norm budgets instead of penalties,

.. math::

    \min \frac1N\sum_k\sum_i \ell(Wh_{k,i}, k)\quad\text{s.t.}\quad
    \frac1K\sum_k\|w_k\|^2 \le E_W,\qquad \frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H .

At a minimiser :math:`h_{k,i} = \bar h_k` (Jensen; the constraint is strictly convex) and
:math:`\min\{\|W\|_F\|\bar H\|_F : W\bar H = Z\} = \|Z\|_*` (d >= rank Z), so the LPM is the convex problem
:math:`\min_Z\sum_k\pi_k\ell(z_k, k)` s.t. :math:`\|Z\|_* \le \rho := K\sqrt{E_WE_H}`, :math:`\pi_k = n_k/N`, with
factors :math:`WW^\top = \gamma^2(ZZ^\top)^{1/2}`, :math:`\bar H^\top\bar H = \gamma^{-2}(Z^\top Z)^{1/2}`,
:math:`\gamma^2 = \sqrt{E_W/E_H}` (both budgets active).  Only :math:`E_WE_H` matters; the sizes enter through π.

Two clusters (:math:`K_A` classes of :math:`n_A`, :math:`K_B` of :math:`n_B`, :math:`R = n_A/n_B`): by permutation
symmetry and centring (:math:`1^\top Z = 0`) the optimum is

.. math::

    Z = s_AP_A + s_BP_B + ug^\top,\quad u = \tfrac{1_A}{K_A} - \tfrac{1_B}{K_B},\quad g = \alpha 1_A - t1_B,

(:math:`P_c` the centring projector inside cluster c), with singular values :math:`s_A` (×(K_A−1)), :math:`s_B`
(×(K_B−1)) and :math:`\sigma_3 = \|u\|\|g\| = \sqrt{K/(K_AK_B)}\sqrt{K_A\alpha^2 + K_Bt^2}`.  A majority class's CE
is :math:`\log(1 + (K_A-1)e^{-s_A} + K_Be^{-(s_A(K_A-1)/K_A + \alpha K/(K_AK_B))})` (minority: swap A↔B, α→t).
The minority classifiers (and means) coincide iff :math:`s_B = 0`; for minority pairs
:math:`\|w_k - w_{k'}\|^2 = 2\gamma^2s_B`, :math:`\|\bar h_k - \bar h_{k'}\|^2 = 2s_B/\gamma^2`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

@dataclass(frozen=True)
class TwoClusterLPM:
    r"""The symmetric optimum of the two-cluster LPM (module doc).

    Attributes
    ----------
    K_A, K_B : int
    R : float
        :math:`n_A / n_B` (any positive real).
    ewh : float
        :math:`E_WE_H`.
    s_A, s_B, alpha, t : float
        The four parameters of Z.
    mu : float
        Multiplier of :math:`\|Z\|_* \le \rho` (objective weighted by :math:`\pi`).
    objective : float
        :math:`\sum_k\pi_k\ell(z_k,k)`.
    grad_norm : float
        Norm of the projected gradient at the returned point (its accuracy).
    """

    K_A: int
    K_B: int
    R: float
    ewh: float
    s_A: float
    s_B: float
    alpha: float
    t: float
    mu: float
    objective: float
    grad_norm: float

    @property
    def K(self) -> int:
        return self.K_A + self.K_B

    @property
    def pi_B(self) -> float:
        return 1.0 / (self.K_A * self.R + self.K_B)

    @property
    def minority_collapsed(self) -> bool:
        """True iff s_B = 0 at the optimum (needs K_B >= 2 to mean anything)."""
        return self.s_B == 0.0

    def grouped_matrices(self, structure) -> dict:
        r""":meth:`matrices` as invariant matrices of the two-group ``structure`` (group 0 = the majority, the larger
        size; :class:`~nctheory.solvers.certified.grouped_matrix.GroupedMatrix`), for any K, in O(1).

        Entry form: :math:`s_AP_A + s_BP_B` puts :math:`s_h` on the within-group diagonal and :math:`-s_h/K_h` on
        the within-group block; the rank-one parts add :math:`u_hg_g` (Z), :math:`\sigma_3u_hu_g/\|u\|^2` and
        :math:`\sigma_3g_hg_g/\|g\|^2` to the block, with :math:`u = (1/K_A, -1/K_B)`, :math:`g = (\alpha, -t)`
        per group, :math:`\|u\|^2 = 1/K_A + 1/K_B`, :math:`\|g\|^2 = K_A\alpha^2 + K_Bt^2`."""
        from nctheory.solvers.certified.grouped_matrix import GroupedMatrix

        if structure.C != 2 or tuple(int(m) for m in structure.counts) != (self.K_A, self.K_B):
            raise ValueError(f"sizes: expected two groups of {self.K_A} and {self.K_B} classes (majority first)")
        counts = np.array([self.K_A, self.K_B], dtype=np.float64)
        s = np.array([self.s_A, self.s_B])
        u = np.array([1.0 / self.K_A, -1.0 / self.K_B])
        g = np.array([self.alpha, -self.t])
        nu2, ng2 = float(counts @ (u * u)), float(counts @ (g * g))
        sigma3 = math.sqrt(nu2 * ng2)
        within = -np.diag(s / counts)
        uu = np.outer(u, u) / nu2
        gg = np.outer(g, g) / ng2 if ng2 > 0 else np.zeros((2, 2))
        return {"Z": GroupedMatrix.from_entries(structure, s, within + np.outer(u, g)),
                "sqrtZZt": GroupedMatrix.from_entries(structure, s, within + sigma3 * uu),
                "sqrtZtZ": GroupedMatrix.from_entries(structure, s, within + sigma3 * gg)}

    def matrices(self, order=None) -> dict:
        r"""``Z``, ``sqrtZZt`` :math:`=(ZZ^\top)^{1/2}` and ``sqrtZtZ`` :math:`=(Z^\top Z)^{1/2}` (K×K).

        ``order``: a length-K boolean array, True at the majority classes (default: the K_A majority
        classes first, then the K_B minority classes).
        """
        K_A, K_B, K = self.K_A, self.K_B, self.K
        is_a = np.r_[np.ones(K_A, bool), np.zeros(K_B, bool)] if order is None else np.asarray(order, bool)
        a, b = is_a.astype(float), (~is_a).astype(float)
        P_A = np.diag(a) - np.outer(a, a) / K_A
        P_B = np.diag(b) - np.outer(b, b) / K_B
        u = a / K_A - b / K_B
        g = self.alpha * a - self.t * b
        Z = self.s_A * P_A + self.s_B * P_B + np.outer(u, g)
        nu, ng = np.linalg.norm(u), np.linalg.norm(g)
        sigma3 = nu * ng
        uu = np.outer(u, u) / (nu * nu)
        gg = np.outer(g, g) / (ng * ng) if ng > 0 else np.zeros((K, K))
        return {"Z": Z,
                "sqrtZZt": self.s_A * P_A + self.s_B * P_B + sigma3 * uu,
                "sqrtZtZ": self.s_A * P_A + self.s_B * P_B + sigma3 * gg}


def cluster_loss(s_own: float, x: float, K_own: int, K_other: int, cross: float):
    r"""CE of one class of a cluster and its partials in (s_own, x).

    :math:`\log(1 + (K_o-1)e^{-s} + K_x e^{-(s(K_o-1)/K_o + x\,K/(K_AK_B))})` with ``cross`` = K/(K_A K_B).
    """
    m2 = s_own * (K_own - 1) / K_own + x * cross
    terms = [0.0, math.log(K_other) - m2]
    if K_own > 1:
        terms.append(math.log(K_own - 1) - s_own)
    top = max(terms)
    ex = [math.exp(v - top) for v in terms]
    tot = sum(ex)
    p_cross = ex[1] / tot
    p_own = ex[2] / tot if K_own > 1 else 0.0
    return top + math.log(tot), -p_own - p_cross * (K_own - 1) / K_own, -p_cross * cross


class Penalized:
    r"""The two-cluster reduction with the budget moved into the objective, in polar form:

    .. math::

        P_\mu(s_A, s_B, q, \varphi) = \sum_k \pi_k\ell_k + \mu\big[(K_A-1)s_A + (K_B-1)s_B + \sqrt{K/(K_AK_B)}\,q\big],
        \quad \alpha = q\cos\varphi/\sqrt{K_A},\ t = q\sin\varphi/\sqrt{K_B},\quad s_A, s_B, q \ge 0,

    so that :math:`\sigma_3 = \sqrt{K/(K_AK_B)}\,q` and the objective is smooth also where the rank-one part
    vanishes (q = 0 is a bound, handled by the active set).
    """

    def __init__(self, K_A: int, K_B: int, R: float):
        self.K_A, self.K_B = int(K_A), int(K_B)
        self.K = self.K_A + self.K_B
        self.wA = self.K_A * R / (self.K_A * R + self.K_B)  # K_A pi_A
        self.wB = self.K_B / (self.K_A * R + self.K_B)  # K_B pi_B
        self.c0 = math.sqrt(self.K / (self.K_A * self.K_B))
        self.cross = self.K / (self.K_A * self.K_B)
        self.coef = np.array([self.K_A - 1.0, self.K_B - 1.0, self.c0, 0.0])

    def params(self, x):
        """(s_A, s_B, alpha, t) from (s_A, s_B, q, phi)."""
        s_A, s_B, q, phi = x
        return s_A, s_B, q * math.cos(phi) / math.sqrt(self.K_A), q * math.sin(phi) / math.sqrt(self.K_B)

    def loss(self, x):
        r""":math:`\sum_k\pi_k\ell_k` at x = (s_A, s_B, q, φ) and its gradient in x."""
        s_A, s_B, q, phi = x
        s_A, s_B, alpha, t = self.params(x)
        lA, a_s, a_x = cluster_loss(s_A, alpha, self.K_A, self.K_B, self.cross)
        lB, b_s, b_x = cluster_loss(s_B, t, self.K_B, self.K_A, self.cross)
        F_al, F_t = self.wA * a_x, self.wB * b_x
        ca, sa = math.cos(phi) / math.sqrt(self.K_A), math.sin(phi) / math.sqrt(self.K_B)
        F = self.wA * lA + self.wB * lB
        g = np.array([self.wA * a_s, self.wB * b_s, F_al * ca + F_t * sa,
                      q * (-F_al * math.sin(phi) / math.sqrt(self.K_A) + F_t * math.cos(phi) / math.sqrt(self.K_B))])
        return F, g

    def nuc(self, x) -> float:
        r"""The nuclear norm :math:`(K_A-1)s_A + (K_B-1)s_B + \sqrt{K/(K_AK_B)}\,q` of Z at x."""
        return float(self.coef @ np.asarray(x))

    def value_grad(self, x, mu):
        r""":math:`P_\mu` at x and its gradient."""
        F, g = self.loss(x)
        return F + mu * self.nuc(x), g + mu * self.coef

    def steepest_direction(self, x) -> np.ndarray:
        """At q = 0, the phi along which the loss decreases fastest when q grows (the subgradient test)."""
        s_A, s_B = x[0], x[1]
        _, a_s, a_x = cluster_loss(s_A, 0.0, self.K_A, self.K_B, self.cross)
        _, b_s, b_x = cluster_loss(s_B, 0.0, self.K_B, self.K_A, self.cross)
        F_al, F_t = self.wA * a_x, self.wB * b_x
        y = np.array(x, dtype=float)
        y[3] = math.atan2(-F_t / math.sqrt(self.K_B), -F_al / math.sqrt(self.K_A))
        return y
