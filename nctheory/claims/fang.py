r"""Claims of Fang et al. 2021, "Exploring Deep Neural Networks via Layer-Peeled Model: Minority Collapse
in Imbalanced Training" (arXiv 2101.12699), catalogue §6 (FANG-LPM).

Layer-peeled model (LPM): CE, learned classifier, no bias, norm budgets instead of penalties,

.. math::

    \min \frac1N\sum_k\sum_i \ell(Wh_{k,i}, k)\quad\text{s.t.}\quad
    \frac1K\sum_k\|w_k\|^2 \le E_W,\qquad \frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H .

**Reduction used for the predictions (derived).**  At a minimiser :math:`h_{k,i} = \bar h_k` (Jensen; the
constraint is strictly convex), and :math:`\min\{\|W\|_F\|\bar H\|_F : W\bar H = Z\} = \|Z\|_*` (d ≥ rank Z),
so the LPM is the convex problem

.. math::

    \min_Z \sum_k \pi_k\,\ell(z_k, k)\quad\text{s.t.}\quad \|Z\|_* \le \rho := K\sqrt{E_WE_H},
    \qquad \pi_k = n_k/N,

with factors :math:`WW^\top = \gamma^2 (ZZ^\top)^{1/2}`, :math:`\bar H^\top\bar H = \gamma^{-2}(Z^\top Z)^{1/2}`,
:math:`\gamma^2 = \sqrt{E_W/E_H}` (both budgets active).  Only :math:`E_WE_H` matters and the sizes enter only
through the weights :math:`\pi_k`.

**Two clusters** (:math:`K_A` classes of :math:`n_A`, :math:`K_B` of :math:`n_B`, :math:`R = n_A/n_B`).  By
permutation symmetry and centering (:math:`1^\top Z = 0`) the optimum is

.. math::

    Z = s_A P_A + s_B P_B + u g^\top,\quad u = \tfrac{1_A}{K_A} - \tfrac{1_B}{K_B},\quad g = \alpha 1_A - t 1_B,

(:math:`P_c` the centering projector inside cluster c) with singular values :math:`s_A` (×(K_A−1)),
:math:`s_B` (×(K_B−1)) and :math:`\sigma_3 = \|u\|\|g\| = \sqrt{K/(K_AK_B)}\sqrt{K_A\alpha^2 + K_Bt^2}`.  The CE of a
majority class is :math:`\log(1 + (K_A-1)e^{-s_A} + K_Be^{-(s_A(K_A-1)/K_A + \alpha K/(K_AK_B))})` (minority:
swap A↔B, α→t).  The minority classifiers (and means) coincide iff :math:`s_B = 0`, and
:math:`\|w_k - w_{k'}\|^2 = 2\gamma^2 s_B`, :math:`\|\bar h_k - \bar h_{k'}\|^2 = 2s_B/\gamma^2` for minority pairs.

**Exact collapse onset.**  At :math:`s_B = 0` the loss has :math:`\partial_{s_B}\sum\pi\ell = -\pi_B(K_B-1)`
whatever the rest, so with μ the multiplier of the nuclear-norm budget, the minority is collapsed iff
:math:`\mu \ge \pi_B = 1/(K_AR + K_B)`.  The onset :math:`R_0(K_A, K_B, E_WE_H)` solves :math:`\mu(R) = \pi_B(R)`
on the collapsed branch (:func:`predicted_onset`); Fang et al.'s Theorem 5 states the limit R → ∞.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.model import Problem

SOURCE = "Fang et al. 2021, arXiv 2101.12699"

#: Relative squared minority spread :math:`\max\|w_k-w_{k'}\|^2/E_W` at or below which the minority counts as
#: collapsed in an SDP solve.  Measured with Clarabel at gap/feasibility tolerance 1e-11 (K <= 5): collapsed
#: instances give 1e-9 .. 1e-7, but the interior point degenerates at the onset itself (strict complementarity
#: fails), where the spread reads up to 5e-6 (1e-5 at tolerance 1e-10).  Past the onset the exact squared spread
#: grows like (1..3) x (R0 - R)/R0, so 1e-5 separates the branches and biases a located onset by <~1e-5 relative.
COLLAPSE_SQ_TOL = 1e-5


# =========================================================================== two-cluster reduction
@dataclass(frozen=True)
class TwoClusterLPM:
    r"""The symmetric optimum of the two-cluster LPM (see module doc).

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


def _cluster_loss(s_own: float, x: float, K_own: int, K_other: int, cross: float):
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


class _Penalized:
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
        s_A, s_B, q, phi = x
        s_A, s_B, alpha, t = self.params(x)
        lA, a_s, a_x = _cluster_loss(s_A, alpha, self.K_A, self.K_B, self.cross)
        lB, b_s, b_x = _cluster_loss(s_B, t, self.K_B, self.K_A, self.cross)
        F_al, F_t = self.wA * a_x, self.wB * b_x
        ca, sa = math.cos(phi) / math.sqrt(self.K_A), math.sin(phi) / math.sqrt(self.K_B)
        F = self.wA * lA + self.wB * lB
        g = np.array([self.wA * a_s, self.wB * b_s, F_al * ca + F_t * sa,
                      q * (-F_al * math.sin(phi) / math.sqrt(self.K_A) + F_t * math.cos(phi) / math.sqrt(self.K_B))])
        return F, g

    def nuc(self, x) -> float:
        return float(self.coef @ np.asarray(x))

    def value_grad(self, x, mu):
        F, g = self.loss(x)
        return F + mu * self.nuc(x), g + mu * self.coef

    def steepest_direction(self, x) -> np.ndarray:
        """At q = 0, the phi along which the loss decreases fastest when q grows (the subgradient test)."""
        s_A, s_B = x[0], x[1]
        _, a_s, a_x = _cluster_loss(s_A, 0.0, self.K_A, self.K_B, self.cross)
        _, b_s, b_x = _cluster_loss(s_B, 0.0, self.K_B, self.K_A, self.cross)
        F_al, F_t = self.wA * a_x, self.wB * b_x
        y = np.array(x, dtype=float)
        y[3] = math.atan2(-F_t / math.sqrt(self.K_B), -F_al / math.sqrt(self.K_A))
        return y


_IS_BOUNDED = np.array([True, True, True, False])


def _active(fixed, x, g):
    act = fixed | (_IS_BOUNDED & (x <= 0.0) & (g > 0.0))
    if act[2]:  # no rank-one part: its direction is meaningless
        act = act.copy()
        act[3] = True
    return act


def _penalized_solve(pen: _Penalized, mu: float, fixed: np.ndarray, x0: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Minimise P_mu over s_A, s_B, q >= 0 (``fixed`` entries held at 0).

    Projected Newton with a Levenberg shift where the (finite-difference) Hessian of the analytic
    gradient is not positive definite, and backtracking; starts from ``x0`` (warm start) or a fixed
    point.  Returns the point and its projected-gradient norm.
    """
    if x0 is None:
        x0 = np.array([1.0, 1.0, 1.0, math.atan(math.sqrt(pen.K_B / pen.K_A))])
    x = np.where(fixed, 0.0, np.asarray(x0, dtype=float))
    if x[2] <= 0.0:
        x = pen.steepest_direction(x)
    val, g = pen.value_grad(x, mu)
    pnorm = float("inf")
    # the gradient's natural scale is mu (the loss gradient balances mu x the budget's coefficients):
    # stop relative to it, so tiny multipliers (huge budgets, saturated CE) are resolved as well
    stop = 1e-14 * min(1.0, mu)
    for _ in range(300):
        act = _active(fixed, x, g)
        pg = np.where(act, 0.0, g)
        pnorm = float(np.linalg.norm(pg))
        if pnorm < stop:
            break
        free = ~act
        h = 1e-6
        Hm = np.zeros((4, 4))
        for i in np.flatnonzero(free):
            e = np.zeros(4)
            e[i] = h
            Hm[:, i] = (pen.value_grad(x + e, mu)[1] - pen.value_grad(x - e, mu)[1]) / (2 * h)
        Hf = 0.5 * (Hm + Hm.T)[np.ix_(free, free)]
        ev = np.linalg.eigvalsh(Hf)
        shift = 0.0 if ev[0] > 1e-10 * max(ev[-1], 1e-300) else (1e-8 - ev[0] + 1e-3 * abs(ev[-1]))
        d = -np.linalg.solve(Hf + shift * np.eye(Hf.shape[0]), g[free])
        if not np.all(np.isfinite(d)) or d @ g[free] >= 0:
            d = -g[free]
        step = np.zeros(4)
        step[free] = d
        a, moved = 1.0, False
        while a >= 1e-14:
            xn = x + a * step
            xn[_IS_BOUNDED] = np.maximum(xn[_IS_BOUNDED], 0.0)
            if xn[2] <= 0.0:
                xn = pen.steepest_direction(xn)
            vn, gn = pen.value_grad(xn, mu)
            if vn < val or (vn <= val + 1e-15 * max(1.0, abs(val))
                            and np.linalg.norm(np.where(_active(fixed, xn, gn), 0.0, gn)) < pnorm):
                moved = True
                break
            a *= 0.5
        if not moved:
            break
        x, val, g = xn, vn, gn
    act = _active(fixed, x, g)
    return x, float(np.linalg.norm(np.where(act, 0.0, g)))


def _check_two_cluster_args(K_A, K_B, R, ewh):
    for name, v in (("K_A", K_A), ("K_B", K_B)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: must be an integer >= 1, got {v!r}")
    if K_A + K_B < 2:
        raise ValueError("K_B: need K_A + K_B >= 2 classes")
    if isinstance(R, bool) or not (math.isfinite(R) and R > 0):
        raise ValueError(f"R: must be a finite ratio > 0, got {R!r}")
    if isinstance(ewh, bool) or not (math.isfinite(ewh) and ewh > 0):
        raise ValueError(f"ewh: E_W*E_H must be a finite number > 0, got {ewh!r}")


def _fixed_mask(K_A, K_B, collapsed):
    return np.array([K_A == 1, K_B == 1 or collapsed, False, False])


def two_cluster_lpm(K_A: int, K_B: int, R: float, ewh: float) -> TwoClusterLPM:
    r"""Solve the symmetric two-cluster LPM reduction (module doc) to ~1e-13.

    Parameters
    ----------
    K_A, K_B : int
        Classes per cluster (>= 1 each, K_A + K_B >= 2).
    R : float
        :math:`n_A/n_B > 0` (real: the problem depends on the sizes only through :math:`\pi`).
    ewh : float
        :math:`E_WE_H > 0`.

    Notes
    -----
    For a multiplier μ the penalised problem :math:`P_\mu` (bounds :math:`s_A, s_B, q \ge 0`) is solved by
    projected Newton (warm-started); μ is found by Brent's method in log μ so that the budget holds with
    equality, :math:`\|Z\|_* = K\sqrt{E_WE_H}` (the budget used decreases in μ).
    """
    _check_two_cluster_args(K_A, K_B, R, ewh)
    pen = _Penalized(K_A, K_B, R)
    rho = pen.K * math.sqrt(ewh)
    fixed = _fixed_mask(K_A, K_B, False)
    state = {"x": None}

    def excess(log_mu: float) -> float:
        x, _ = _penalized_solve(pen, math.exp(log_mu), fixed, state["x"])
        state["x"] = x
        return pen.nuc(x) / rho - 1.0

    lo = math.log(pen.wB / pen.K_B)  # pi_B: the natural scale of mu
    while excess(lo) < 0:
        lo -= 1.0
    hi = lo + 1.0
    while excess(hi) > 0:
        lo, hi = hi, hi + 1.0
    log_mu = brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=300)
    mu = math.exp(log_mu)
    x, pg = _penalized_solve(pen, mu, fixed, state["x"])
    F, _ = pen.loss(x)
    s_A, s_B, alpha, t = pen.params(x)
    return TwoClusterLPM(int(K_A), int(K_B), float(R), float(ewh), float(s_A), float(s_B), float(alpha),
                         float(t), mu, float(F), pg)


def onset_indicator(K_A: int, K_B: int, R: float, ewh: float) -> float:
    r""":math:`\|Z\|_*/\rho - 1` at the collapsed-branch optimum of :math:`P_{\pi_B}`; >= 0 iff collapsed at R.

    The minority is collapsed iff the budget multiplier :math:`\mu(R) \ge \pi_B(R)`; since the budget used by
    the penalised optimum decreases in μ, that holds iff the optimum of :math:`P_{\pi_B}` with :math:`s_B = 0`
    uses at least the budget ρ.
    """
    return _onset_indicator(K_A, K_B, R, ewh, None)[0]


def _onset_indicator(K_A, K_B, R, ewh, x0):
    _check_two_cluster_args(K_A, K_B, R, ewh)
    pen = _Penalized(K_A, K_B, R)
    rho = pen.K * math.sqrt(ewh)
    x, _ = _penalized_solve(pen, pen.wB / pen.K_B, _fixed_mask(K_A, K_B, True), x0)
    return pen.nuc(x) / rho - 1.0, x


def predicted_onset(K_A: int, K_B: int, ewh: float, *, R_max: float = 1e12) -> float:
    r"""The exact minority-collapse onset :math:`R_0`: the root of :math:`\mu(R) = \pi_B(R)` (module doc).

    For :math:`R \ge R_0` the minority classifiers (and class means) coincide exactly; for
    :math:`1 \le R < R_0` they are distinct.  Returns ``math.inf`` if still separated at ``R_max``.

    Raises
    ------
    ValueError
        ``K_B`` < 2 (a single minority class cannot collapse onto another).
    """
    if isinstance(K_B, bool) or not isinstance(K_B, (int, np.integer)) or K_B < 2:
        raise ValueError(f"K_B: minority collapse needs at least 2 minority classes, got {K_B!r}")
    state = {"x": None}

    def f(log_R: float) -> float:
        val, state["x"] = _onset_indicator(K_A, K_B, math.exp(log_R), ewh, state["x"])
        return val

    lo = 0.0
    if f(lo) >= 0:  # balanced weights give the ETF for every budget, so this is not expected
        return 1.0
    hi = math.log(2.0)
    while f(hi) < 0:
        lo, hi = hi, hi + math.log(4.0)
        if hi > math.log(R_max):
            return math.inf
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=300))


# =========================================================================== SDP with real weights
@dataclass(frozen=True)
class LpmGram:
    r"""An SDP solve of the LPM for given class weights.

    Attributes
    ----------
    X : ndarray, shape (2K, 2K)
        Gram of :math:`[\bar H\ W^\top]`: rows/columns 0..K-1 are the class means, K..2K-1 the classifiers.
    objective : float
    mu : float
        The budget multiplier :math:`\mu = -\partial f/\partial\rho` recovered from the duals
        :math:`\nu_H, \nu_W` of the two trace constraints: :math:`\mu = \nu_H\sqrt{E_H/E_W} + \nu_W\sqrt{E_W/E_H}`
        (each term alone equals μ/2 at an exact optimum, as :math:`f` depends on :math:`\rho = K\sqrt{E_WE_H}` only).
    status : str
        ``"optimal"``, ``"inaccurate"`` or ``"failed"``.
    tol : float
        Clarabel gap/feasibility tolerance used.
    """

    X: np.ndarray
    objective: float
    mu: float
    status: str
    tol: float

    @property
    def K(self) -> int:
        return self.X.shape[0] // 2

    @property
    def gram_WW(self) -> np.ndarray:
        return self.X[self.K:, self.K:]

    @property
    def gram_HH(self) -> np.ndarray:
        return self.X[:self.K, :self.K]

    @property
    def logits(self) -> np.ndarray:
        """:math:`W\bar H` (column k = class k's logits)."""
        return self.X[self.K:, :self.K]


def lpm_sdp_weights(weights, e_w: float, e_h: float, *, tol: float = 1e-11, **clarabel_options) -> LpmGram:
    r"""Gram SDP of the LPM (catalogue §6) with real class weights :math:`\pi_k` (they need not come from integers).

    .. math::

        \min_{X\succeq 0} \sum_k \pi_k\Big(\operatorname{logsumexp}_j X_{K+j,k} - X_{K+k,k}\Big)
        \ \text{s.t.}\ \operatorname{tr}X_{HH} \le KE_H,\ \operatorname{tr}X_{WW}\le KE_W .

    Clarabel with gap and feasibility tolerances ``tol`` (further Clarabel settings via ``clarabel_options``,
    e.g. ``equilibrate_enable=False``); the status is ``"optimal"`` only if cvxpy reports
    optimal (``"optimal_inaccurate"`` becomes ``"inaccurate"``).  This is an internal reference for real-valued
    ratios R; Problem instances are verified with ``nctheory.solvers.convex.solve_lpm_sdp``.
    """
    import cvxpy as cp

    pi = np.asarray(weights, dtype=float)
    if pi.ndim != 1 or pi.size < 2 or np.any(pi <= 0) or not np.all(np.isfinite(pi)):
        raise ValueError(f"weights: need >= 2 positive finite class weights, got {weights!r}")
    for name, v in (("e_w", e_w), ("e_h", e_h)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: must be > 0, got {v!r}")
    pi = pi / pi.sum()
    K = pi.size
    X = cp.Variable((2 * K, 2 * K), PSD=True)
    terms = [pi[k] * (cp.log_sum_exp(X[K:, k]) - X[K + k, k]) for k in range(K)]
    cons = [cp.trace(X[:K, :K]) <= K * e_h, cp.trace(X[K:, K:]) <= K * e_w]
    prob = cp.Problem(cp.Minimize(cp.sum(cp.hstack(terms))), cons)
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "may be inaccurate": reported through the status
            prob.solve(solver="CLARABEL", tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol, max_iter=500,
                       **clarabel_options)
        status = {"optimal": "optimal", "optimal_inaccurate": "inaccurate"}.get(prob.status, "failed")
    except cp.error.SolverError:
        status = "failed"
    if X.value is None:
        return LpmGram(np.zeros((2 * K, 2 * K)), float("nan"), float("nan"), "failed", tol)
    nu_h, nu_w = (float(c.dual_value) for c in cons)
    mu = nu_h * math.sqrt(e_h / e_w) + nu_w * math.sqrt(e_w / e_h)
    return LpmGram(0.5 * (X.value + X.value.T), float(prob.value), mu, status, tol)


def two_cluster_weights(K_A: int, K_B: int, R: float) -> np.ndarray:
    """:math:`\\pi` for K_A classes of relative size R and K_B of size 1."""
    return np.r_[np.full(K_A, float(R)), np.ones(K_B)] / (K_A * R + K_B)


def minority_spread_sq(G_WW: np.ndarray, minority) -> float:
    r"""Relative squared spread :math:`\max_{j,k\in B}\|w_j - w_k\|^2 / \operatorname{mean}_k\|w_k\|^2` from a Gram."""
    idx = list(minority)
    d = np.diag(G_WW)
    sub = G_WW[np.ix_(idx, idx)]
    dd = d[idx]
    sq = dd[:, None] + dd[None, :] - 2 * sub
    return float(np.max(sq) / np.mean(d))


@dataclass(frozen=True)
class OnsetSearch:
    """Result of :func:`sdp_onset`: the located onset and the bisection record."""

    value: float | None
    bracket: tuple
    evaluations: int
    conclusive: bool
    message: str
    predicate: str


#: Clarabel settings tried in turn by :func:`_sdp_two_cluster`.  At ratios within ~1e-4 of the onset the
#: default settings can stall ("inaccurate": strict complementarity fails there); turning equilibration off or
#: shortening the step fraction got every such case tried here to "optimal" with the objective within 1e-11 of
#: the exact reduction (:func:`two_cluster_lpm`).
SDP_ATTEMPTS = (
    {"tol": 1e-11},
    {"tol": 1e-11, "equilibrate_enable": False},
    {"tol": 1e-11, "max_step_fraction": 0.9},
    {"tol": 1e-10},
)


def _sdp_two_cluster(K_A, K_B, R, ewh) -> LpmGram | None:
    """The first optimal SDP solve over :data:`SDP_ATTEMPTS`, else None."""
    e = math.sqrt(ewh)
    for opts in SDP_ATTEMPTS:
        sol = lpm_sdp_weights(two_cluster_weights(K_A, K_B, R), e, e, **opts)
        if sol.status == "optimal":
            return sol
    return None


def sdp_onset(K_A: int, K_B: int, ewh: float, lo: float, hi: float, *, rtol: float = 1e-6,
              predicate: str = "spread", sq_tol: float = COLLAPSE_SQ_TOL) -> OnsetSearch:
    r"""Locate the minority-collapse onset R₀ by log-scale bisection on SDP solves (:func:`lpm_sdp_weights`).

    Parameters
    ----------
    K_A, K_B : int
    ewh : float
        :math:`E_WE_H` (solved with :math:`E_W = E_H = \sqrt{E_WE_H}`; only the product matters).
    lo, hi : float
        Bracket with the minority separated at ``lo`` and collapsed at ``hi``.
    rtol : float
        Relative width of the final bracket.
    predicate : {"spread", "dual"}
        ``"spread"`` (the direct observation): collapsed iff the relative squared minority spread of
        :math:`WW^\top` is at most ``sq_tol``; accurate to ~1e-5 relative (:data:`COLLAPSE_SQ_TOL`).
        ``"dual"``: collapsed iff the SDP's budget multiplier μ is at least :math:`\pi_B` — the derived
        criterion (module doc); μ comes from the duals of the budget constraints, accurate to ~1e-5
        relative near the onset (measured: onsets within 2e-6 .. 2e-5 of :func:`predicted_onset`, no sharper
        than the spread predicate).
    Solves that are not optimal are retried with the settings of :data:`SDP_ATTEMPTS`; a ratio where none
    reaches "optimal" makes the search inconclusive.
    """
    from nctheory.threshold import bisect_onset

    if predicate not in ("spread", "dual"):
        raise ValueError(f"predicate: must be 'spread' or 'dual', got {predicate!r}")
    minority = range(K_A, K_A + K_B)

    def collapsed(R: float):
        sol = _sdp_two_cluster(K_A, K_B, R, ewh)
        if sol is None:
            return None
        if predicate == "dual":
            return sol.mu >= 1.0 / (K_A * R + K_B)
        return minority_spread_sq(sol.gram_WW, minority) <= sq_tol

    res = bisect_onset(collapsed, lo, hi, rtol=rtol, log=True)
    return OnsetSearch(res.value, res.bracket, res.evaluations, res.conclusive, res.message, predicate)


# =========================================================================== claims: shared pieces
def _clusters(problem: Problem):
    """(majority mask, K_A, K_B, R) for a one- or two-size profile, else None."""
    sizes = sorted(set(problem.sizes))
    if len(sizes) > 2:
        return None
    n = problem.n
    is_a = n == n.max()
    K_A = int(is_a.sum())
    K_B = problem.K - K_A
    R = float(n.max() / n.min())
    return is_a, K_A, K_B, R


def _lpm_unmet(problem: Problem) -> list[str]:
    unmet = []
    if problem.constraint != "average":
        unmet.append("constraint: must be 'average' (the layer-peeled model's norm budgets)")
    if problem.classifier != "learned":
        unmet.append("classifier: must be 'learned'")
    if problem.loss.name != "ce":
        unmet.append("loss: must be 'ce'")
    if problem.bias != "none":
        unmet.append("bias: must be 'none' (the LPM has no bias)")
    if problem.features != "free":
        unmet.append("features: must be 'free'")
    if problem.depth != 1:
        unmet.append("depth: must be 1")
    return unmet


def _e(problem: Problem) -> tuple[float, float]:
    return float(problem.e_w), float(problem.e_h)


def _lpm_observe(problem: Problem, solution) -> dict:
    W = np.asarray(solution.W, dtype=float)
    M = np.asarray(solution.H_mean, dtype=float)
    out = {
        "gram_WW": W @ W.T,
        "gram_HH": M.T @ M,
        "logits_mean": W @ M,
        "objective": float(solution.objective),
    }
    cl = _clusters(problem)
    if cl is not None and cl[2] >= 2:
        is_a = cl[0]
        minority = np.flatnonzero(~is_a)
        e_w, e_h = _e(problem)
        dw = W[minority][:, None, :] - W[minority][None, :, :]
        dh = M[:, minority].T[:, None, :] - M[:, minority].T[None, :, :]
        out["minority_w_spread_sq"] = float(np.max(np.sum(dw * dw, axis=2))) / e_w
        out["minority_h_spread_sq"] = float(np.max(np.sum(dh * dh, axis=2))) / e_h
        out["minority_collapsed"] = bool(out["minority_w_spread_sq"] <= COLLAPSE_SQ_TOL)
    return out


def _lpm_tolerances() -> dict:
    why = ("Clarabel stops at relative gap 1e-11 (1e-10 on its fallback); Gram entries of a class of weight pi_k "
           "are then fixed only to ~sqrt(gap / pi_k) ~ 1e-5: measured up to 9e-6 on 25 random two-cluster "
           "instances (minority weight down to 1/80), x5 margin")
    return {
        "*": Tolerance(5e-5, 5e-5, why),
        "objective": Tolerance(1e-9, 1e-9, "interior-point objective accurate to its 1e-11 .. 1e-10 gap "
                               "(measured <= 3.5e-11)"),
        "minority_w_spread_sq": Tolerance(5e-5, 5e-5, "linear in the Gram (relative to E_W): " + why),
        "minority_h_spread_sq": Tolerance(5e-5, 5e-5, "linear in the Gram (relative to E_H): " + why),
        "minority_collapsed": Tolerance(0.0, 0.0, "boolean; instances within ~1e-4 of the onset are ambiguous "
                                        "(COLLAPSE_SQ_TOL) and are not used as defaults"),
    }


# =========================================================================== fang/lpm-balanced
def balanced_prediction(K: int, e_w: float, e_h: float) -> dict:
    r"""ETF: :math:`WW^\top = E_W\frac{K}{K-1}S`, :math:`\bar H^\top\bar H = E_H\frac{K}{K-1}S`,
    :math:`W\bar H = \sqrt{E_WE_H}\frac{K}{K-1}S`, objective :math:`\log(1 + (K-1)e^{-\sqrt{E_WE_H}K/(K-1)})`."""
    S = np.eye(K) - 1.0 / K
    f = K / (K - 1.0)
    m = math.sqrt(e_w * e_h) * f
    return {
        "gram_WW": e_w * f * S,
        "gram_HH": e_h * f * S,
        "logits_mean": m * S,
        "objective": math.log1p((K - 1) * math.exp(-m)),
    }


def _balanced_assumptions(problem: Problem) -> list[str]:
    unmet = _lpm_unmet(problem)
    if not problem.balanced:
        unmet.append("sizes: must be balanced (all n_k equal)")
    return unmet


def _balanced_predict(problem: Problem) -> Prediction:
    e_w, e_h = _e(problem)
    return Prediction("fang/lpm-balanced", problem, balanced_prediction(problem.K, e_w, e_h),
                      notes="simplex ETF, h_k = sqrt(E_H/E_W) w_k")


def _balanced_sympy() -> dict:
    import sympy as sp

    K, E_W, E_H = sp.symbols("K E_W E_H", positive=True)
    return {
        "norm_w_sq": E_W,
        "norm_h_sq": E_H,
        "cos_ww": -1 / (K - 1),
        "own_logit": sp.sqrt(E_W * E_H),
        "other_logit": -sp.sqrt(E_W * E_H) / (K - 1),
        "objective": sp.log(1 + (K - 1) * sp.exp(-sp.sqrt(E_W * E_H) * K / (K - 1))),
    }


# =========================================================================== fang/minority-collapse
def _collapse_assumptions(problem: Problem) -> list[str]:
    unmet = _lpm_unmet(problem)
    cl = _clusters(problem)
    if cl is None or problem.balanced:
        unmet.append("sizes: must be two clusters (K_A classes of n_A > n_B, K_B classes of n_B)")
    elif cl[2] < 2:
        unmet.append("sizes: need K_B >= 2 minority classes (collapse is between minority classes)")
    return unmet


def two_cluster_prediction(problem: Problem) -> tuple[dict, TwoClusterLPM]:
    """Grams, logits, objective and minority spreads of the two-cluster LPM optimum (module doc)."""
    is_a, K_A, K_B, R = _clusters(problem)
    e_w, e_h = _e(problem)
    sol = two_cluster_lpm(K_A, K_B, R, e_w * e_h)
    mats = sol.matrices(order=is_a)
    gamma2 = math.sqrt(e_w / e_h)
    q = {
        "gram_WW": gamma2 * mats["sqrtZZt"],
        "gram_HH": mats["sqrtZtZ"] / gamma2,
        "logits_mean": mats["Z"],
        "objective": sol.objective,
        "minority_w_spread_sq": 2 * gamma2 * sol.s_B / e_w,
        "minority_h_spread_sq": 2 * sol.s_B / gamma2 / e_h,
        "minority_collapsed": sol.minority_collapsed,
    }
    return q, sol


def _collapse_predict(problem: Problem) -> Prediction:
    q, sol = two_cluster_prediction(problem)
    e_w, e_h = _e(problem)
    R0 = predicted_onset(sol.K_A, sol.K_B, e_w * e_h)
    return Prediction("fang/minority-collapse", problem, q,
                      notes=f"R = {sol.R:.6g}, onset R0 = {R0:.8g}: minority "
                            + ("collapsed (s_B = 0)" if sol.minority_collapsed else f"separated (s_B = {sol.s_B:.4g})"))


def _collapse_sympy() -> dict:
    import sympy as sp

    K_A, K_B, R, mu = sp.symbols("K_A K_B R mu", positive=True)
    s_B, t = sp.symbols("s_B t", nonnegative=True)
    K = K_A + K_B
    loss_B = sp.log(1 + (K_B - 1) * sp.exp(-s_B) + K_A * sp.exp(-(s_B * (K_B - 1) / K_B + t * K / (K_A * K_B))))
    pi_B = 1 / (K_A * R + K_B)
    return {
        # d/ds_B of the minority loss at s_B = 0 equals -(K_B-1)/K_B for every t: the key identity
        "minority_loss_slope_at_collapse": sp.diff(loss_B, s_B).subs(s_B, 0),
        "pi_B": pi_B,
        # collapse iff mu - pi_B >= 0
        "collapse_indicator": mu - pi_B,
    }


# =========================================================================== fang/oversampling
def oversample(problem: Problem, factor: int | None = None) -> Problem:
    r"""The problem after oversampling.

    ``factor=None``: every class is replicated up to the largest class size (balance).  An integer
    ``factor`` multiplies the size of every class smaller than the largest by it (capped at the largest).
    Duplicated samples share their features, so in the LPM only the weights :math:`\pi_k` change.
    """
    n_max = max(problem.sizes)
    if factor is None:
        return problem.with_(sizes=(n_max,) * problem.K)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor: must be an integer >= 1, got {factor!r}")
    return problem.with_(sizes=tuple(n if n == n_max else min(n_max, n * int(factor)) for n in problem.sizes))


def _oversampling_assumptions(problem: Problem) -> list[str]:
    unmet = _lpm_unmet(problem)
    if not problem.balanced:
        unmet.append("sizes: the claim is about the oversampled (balanced) training set; pass "
                     "fang.oversample(problem)")
    return unmet


def _oversampling_predict(problem: Problem) -> Prediction:
    e_w, e_h = _e(problem)
    q = balanced_prediction(problem.K, e_w, e_h)
    q["min_pair_w_dist_sq"] = 2 * e_w * problem.K / (problem.K - 1) / e_w
    return Prediction("fang/oversampling", problem, q,
                      notes="oversampled to balance: the simplex ETF is restored (no class pair collapses)")


def _oversampling_observe(problem: Problem, solution) -> dict:
    out = _lpm_observe(problem, solution)
    W = np.asarray(solution.W, dtype=float)
    D = np.sum((W[:, None, :] - W[None, :, :]) ** 2, axis=2)
    iu = np.triu_indices(problem.K, 1)
    out["min_pair_w_dist_sq"] = float(np.min(D[iu])) / float(problem.e_w)
    return out


def _default_collapse() -> list[Problem]:
    # R0(2, 2, 1) = 3.3805 (predicted_onset; SDP bisection agrees to ~4e-6): one separated and one collapsed instance
    return [
        Problem(sizes=(20, 20, 10, 10), constraint="average", e_w=1.0, e_h=1.0, lambda_w=0.0, lambda_h=0.0),
        Problem(sizes=(50, 50, 5, 5), constraint="average", e_w=1.0, e_h=1.0, lambda_w=0.0, lambda_h=0.0),
    ]


CLAIMS = [
    Claim(
        id="fang/lpm-balanced",
        source=SOURCE,
        provenance=("recalled", "derived"),
        statement=(
            "Layer-peeled model (CE, (1/K) sum ||w_k||^2 <= E_W, (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H), "
            "balanced classes: the global minimiser is a simplex ETF with h_{k,i} = sqrt(E_H/E_W) w_k, "
            "WW^T = E_W K/(K-1) S; logits and objective depend on E_W E_H only."
        ),
        requires=requires_from(_balanced_assumptions),
        predict=_balanced_predict,
        observe=_lpm_observe,
        reference=("convex:lpm",),
        defaults=lambda: [Problem(sizes=(5, 5, 5), constraint="average", e_w=2.0, e_h=0.5,
                                           lambda_w=0.0, lambda_h=0.0)],
        tolerances=_lpm_tolerances(),
        symbolic=_balanced_sympy,
    ),
    Claim(
        id="fang/minority-collapse",
        source=SOURCE,
        provenance=("recalled", "derived"),
        statement=(
            "LPM with two clusters (K_A classes of n_A, K_B >= 2 of n_B, R = n_A/n_B): as R -> infinity the "
            "minority classifiers collapse, w_k - w_k' -> 0 (Fang et al. Theorem 5). Derived here: the collapse "
            "is exact at a finite onset R0(K_A, K_B, E_W E_H), where the multiplier mu of the nuclear-norm budget "
            "||WH||_* <= K sqrt(E_W E_H) reaches pi_B = 1/(K_A R + K_B); the Grams are gamma^2 (ZZ^T)^(1/2), "
            "(Z^T Z)^(1/2)/gamma^2 of a 4-parameter symmetric Z, gamma^2 = sqrt(E_W/E_H). Collapse is tested with "
            "squared distances ||w_k - w_k'||^2 / E_W, never cosines."
        ),
        requires=requires_from(_collapse_assumptions),
        predict=_collapse_predict,
        observe=_lpm_observe,
        reference=("convex:lpm",),
        defaults=_default_collapse,
        tolerances=_lpm_tolerances(),
        symbolic=_collapse_sympy,
    ),
    Claim(
        id="fang/oversampling",
        source=SOURCE,
        provenance=("recalled", "derived"),
        statement=(
            "Oversampling the minority classes to balance (duplicates share their features) restores the "
            "simplex ETF in the LPM, whatever the original imbalance: in the LPM only the class weights change, "
            "and they become equal. The claim applies to the oversampled problem (fang.oversample(problem))."
        ),
        requires=requires_from(_oversampling_assumptions),
        predict=_oversampling_predict,
        observe=_oversampling_observe,
        reference=("convex:lpm",),
        defaults=lambda: [oversample(_default_collapse()[1])],
        tolerances={**_lpm_tolerances(),
                    "min_pair_w_dist_sq": Tolerance(5e-5, 5e-5, "linear in the Gram, as the other quantities")},
        symbolic=_balanced_sympy,
    ),
]
