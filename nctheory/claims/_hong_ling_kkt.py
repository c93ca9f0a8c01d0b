r"""The two-cluster KKT system of Hong & Ling (catalogue §2, HL-angles), solved branch by branch.

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

Stationarity (derived here; it reproduces the catalogue's equations):

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

Solving.  The s-branches are explicit (threshold above).  The branch r = 0 is solved first
(unknowns: the active s and Δ) and kept if its subgradient inequality holds; otherwise the
branch r ≠ 0 is solved with unknowns (active s, r_A, r_B, log κ, Δ) and the six equations
(i_A), (i_B), (ii-a), (ii-b), (ii-c), (iii).  Each branch is solved by
``scipy.optimize.least_squares`` from several starts (the first one the minimiser of the smooth
restricted objective L) and accepted only if the max residual is below
:data:`RESIDUAL_TOL`.  Because L is convex, every KKT point is a global minimiser; distinct
accepted roots are compared and reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares, minimize

#: Accept a root of the KKT system when every (relative) residual is below this.  The
#: equations are O(1)-scaled (each divided by its natural size), so 1e-11 is ~1e5 ulps: far
#: below what any downstream comparison with a solver (≥ 1e-8) can see.
RESIDUAL_TOL = 1e-11

BIASES = ("none", "regularized", "free")


@dataclass(frozen=True)
class TwoClusterKKT:
    r"""Solution of the two-cluster KKT system (module doc).

    Attributes
    ----------
    s_A, s_B, r_A, r_B : float
        Block parameters of :math:`\bar Z` (module doc).
    delta : float
        :math:`\Delta = b_A - b_B` (0 without bias).
    kappa : float
        :math:`\sigma_3/(\lambda N)` (0 on the r = 0 branch).
    branch : str
        Which branch: e.g. ``"s_A>0, s_B=0 (λN ≥ √n_B), r≠0"``.
    residual : float
        Max relative residual of the branch's equations.
    objective : float
        Restricted objective L (equals the UFM optimum).
    roots : int
        Number of accepted roots found from the starts (all should coincide).
    K_A, K_B : int
    n_A, n_B : float
    lam : float
    bias : str
    lambda_b : float
    """

    s_A: float
    s_B: float
    r_A: float
    r_B: float
    delta: float
    kappa: float
    branch: str
    residual: float
    objective: float
    roots: int
    K_A: int
    K_B: int
    n_A: float
    n_B: float
    lam: float
    bias: str
    lambda_b: float
    extra: dict = field(default_factory=dict)

    @property
    def K(self) -> int:
        return self.K_A + self.K_B

    @property
    def N(self) -> float:
        return self.K_A * self.n_A + self.K_B * self.n_B

    @property
    def q_A(self) -> float:
        return -(self.s_A + self.K_B * self.r_A) / self.K_A

    @property
    def q_B(self) -> float:
        return -(self.s_B + self.K_A * self.r_B) / self.K_B

    @property
    def x_A(self) -> float:
        r""":math:`\sqrt{n_A} s_A`, singular value of Y on the A-centred subspace."""
        return math.sqrt(self.n_A) * self.s_A

    @property
    def x_B(self) -> float:
        return math.sqrt(self.n_B) * self.s_B

    @property
    def sigma3(self) -> float:
        r""":math:`\sqrt{K(K_B n_A r_A^2 + K_A n_B r_B^2)}`, the between-cluster singular value of Y."""
        return math.sqrt(self.K * (self.K_B * self.n_A * self.r_A ** 2 + self.K_A * self.n_B * self.r_B ** 2))

    @property
    def b_A(self) -> float:
        """Bias of cluster A in the gauge :math:`K_A b_A + K_B b_B = 0` (the regularized optimum)."""
        return self.K_B * self.delta / self.K

    @property
    def b_B(self) -> float:
        return -self.K_A * self.delta / self.K

    def singular_values(self) -> np.ndarray:
        """The K singular values of :math:`Y = \\bar Z D^{1/2}`, descending."""
        sv = [self.x_A] * (self.K_A - 1) + [self.x_B] * (self.K_B - 1) + [self.sigma3, 0.0]
        return np.sort(np.asarray(sv, dtype=np.float64))[::-1]

    def zbar(self, idx_A, idx_B) -> np.ndarray:
        r""":math:`\bar Z` (K×K, column-centred) with cluster A at ``idx_A``, B at ``idx_B``."""
        idx_A = np.asarray(idx_A, dtype=int)
        idx_B = np.asarray(idx_B, dtype=int)
        K = idx_A.size + idx_B.size
        Z = np.zeros((K, K))
        Z[np.ix_(idx_A, idx_A)] = self.q_A
        Z[idx_A, idx_A] += self.s_A
        Z[np.ix_(idx_B, idx_A)] = self.r_A
        Z[np.ix_(idx_B, idx_B)] = self.q_B
        Z[idx_B, idx_B] += self.s_B
        Z[np.ix_(idx_A, idx_B)] = self.r_B
        return Z


# --------------------------------------------------------------------------- the system
@dataclass(frozen=True)
class _Consts:
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


def _terms(c: _Consts, s_A, s_B, r_A, r_B, delta):
    """log E, m and e^{-s}/E for both clusters, in log-sum-exp form (no overflow)."""
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


def _sigma3(c: _Consts, r_A, r_B) -> float:
    return math.sqrt(c.K * (c.K_B * c.n_A * r_A ** 2 + c.K_A * c.n_B * r_B ** 2))


def _bias_penalty(c: _Consts, delta) -> float:
    if c.bias == "regularized":
        return 0.5 * c.lambda_b * c.K_A * c.K_B / c.K * delta ** 2
    return 0.0


def restricted_objective(c: _Consts, s_A, s_B, r_A, r_B, delta) -> float:
    """The restricted objective L (module doc)."""
    T = _terms(c, s_A, s_B, r_A, r_B, delta)
    N = c.N
    val = c.n_A * c.K_A / N * T["logE_A"] + c.n_B * c.K_B / N * T["logE_B"]
    nuc = (c.K_A - 1) * math.sqrt(c.n_A) * abs(s_A) + (c.K_B - 1) * math.sqrt(c.n_B) * abs(s_B)
    nuc += _sigma3(c, r_A, r_B)
    return val + c.lam * nuc + _bias_penalty(c, delta)


def _norm_ratio(c: _Consts, T) -> float:
    r""":math:`K(n_A m_A^2/K_B + n_B m_B^2/K_A)/(\lambda N)^2` (≤ 1 on the r = 0 branch)."""
    return c.K * (c.n_A * T["m_A"] ** 2 / c.K_B + c.n_B * T["m_B"] ** 2 / c.K_A) / (c.lam * c.N) ** 2


def _delta_residual(c: _Consts, T, delta) -> float:
    if c.bias == "regularized":
        target = c.K * (c.n_A * T["m_A"] / c.K_B - c.n_B * T["m_B"] / c.K_A) / (c.N * c.lambda_b)
        return (delta - target) / (1.0 + abs(target))
    # free bias: n_A K_A m_A = n_B K_B m_B (stationarity in b, module doc), in logs (m may underflow)
    return (math.log(c.n_A * c.K_A) + T["log_m_A"]) - (math.log(c.n_B * c.K_B) + T["log_m_B"])


class _Layout:
    """Which unknowns a branch has, and how to unpack them."""

    def __init__(self, c: _Consts, r_zero: bool):
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
        c = self.c
        s_A, s_B, r_A, r_B, delta, kappa = self.unpack(x)
        T = _terms(c, s_A, s_B, r_A, r_B, delta)
        lamN = c.lam * c.N
        F = []
        if c.s_A_active:
            F.append(math.sqrt(c.n_A) * (c.K_A * T["eA"] + T["m_A"]) / lamN - 1.0)
        if c.s_B_active:
            F.append(math.sqrt(c.n_B) * (c.K_B * T["eB"] + T["m_B"]) / lamN - 1.0)
        if not self.r_zero:
            scale = kappa / c.K  # natural size of r
            F.append((r_A + kappa * T["m_A"] / c.K_B) / (scale + abs(r_A)))
            F.append((r_B + kappa * T["m_B"] / c.K_A) / (scale + abs(r_B)))
            F.append(_norm_ratio(c, T) - 1.0)
        if c.bias != "none":
            F.append(_delta_residual(c, T, delta))
        return np.asarray(F, dtype=np.float64)


def _smooth_start(c: _Consts) -> tuple[float, float, float, float, float]:
    """Approximate minimiser of the restricted objective: a starting point only.

    Unconstrained BFGS in :math:`s = e^{u}` (active s only), :math:`r = -e^{v}` and Δ, with σ₃
    smoothed; the KKT solve that follows does the exact work.
    """
    act = [c.s_A_active, c.s_B_active, True, True, c.bias != "none"]
    sel = np.flatnonzero(act)

    def unpack(y):
        full = np.zeros(5)
        full[sel] = y
        s_A = math.exp(full[0]) if act[0] else 0.0
        s_B = math.exp(full[1]) if act[1] else 0.0
        return s_A, s_B, -math.exp(full[2]), -math.exp(full[3]), full[4]

    def fun(y):
        y = np.clip(y, -50.0, 50.0)
        s_A, s_B, r_A, r_B, delta = unpack(y)
        T = _terms(c, s_A, s_B, r_A, r_B, delta)
        N = c.N
        sig = math.sqrt(c.K * (c.K_B * c.n_A * r_A ** 2 + c.K_A * c.n_B * r_B ** 2) + 1e-20)
        val = (c.n_A * c.K_A / N * T["logE_A"] + c.n_B * c.K_B / N * T["logE_B"]
               + c.lam * ((c.K_A - 1) * math.sqrt(c.n_A) * s_A + (c.K_B - 1) * math.sqrt(c.n_B) * s_B + sig)
               + _bias_penalty(c, delta))
        g = np.zeros(5)  # gradient in (s_A, s_B, r_A, r_B, Δ), then chain rule
        g[0] = -(c.n_A * c.K_A / N) * (c.K_A - 1) * (T["eA"] + T["m_A"] / c.K_A) + c.lam * (c.K_A - 1) * math.sqrt(c.n_A)
        g[1] = -(c.n_B * c.K_B / N) * (c.K_B - 1) * (T["eB"] + T["m_B"] / c.K_B) + c.lam * (c.K_B - 1) * math.sqrt(c.n_B)
        g[2] = c.n_A * c.K * T["m_A"] / N + c.lam * c.K * c.K_B * c.n_A * r_A / sig
        g[3] = c.n_B * c.K * T["m_B"] / N + c.lam * c.K * c.K_A * c.n_B * r_B / sig
        g[4] = -(c.n_A * c.K_A / N) * T["m_A"] + (c.n_B * c.K_B / N) * T["m_B"]
        if c.bias == "regularized":
            g[4] += c.lambda_b * c.K_A * c.K_B / c.K * delta
        g *= np.array([s_A, s_B, r_A, r_B, 1.0])
        return val, g[sel]

    y0 = np.array([0.0, 0.0, -1.0, -1.0, 0.0])[sel]
    res = minimize(fun, y0, jac=True, method="BFGS", options={"maxiter": 400, "gtol": 1e-10})
    return unpack(np.clip(res.x, -50.0, 50.0))


def _solve_branch(c: _Consts, r_zero: bool, start) -> tuple[list, _Layout]:
    """Roots of one branch from several starts; each root is (x, max|F|)."""
    lay = _Layout(c, r_zero)
    if not lay.names:
        return [(np.zeros(0), 0.0)], lay
    s_A0, s_B0, r_A0, r_B0, d0 = start
    sig0 = _sigma3(c, r_A0, r_B0)
    kap0 = sig0 / (c.lam * c.N) if sig0 > 0 else 1.0
    starts = [lay.pack(s_A0, s_B0, r_A0, r_B0, d0, kap0)]
    for s in (0.5, 3.0, 8.0):
        for kap in (0.3, 3.0, 30.0):
            for d in ({0.0} if c.bias == "none" else {0.0, d0, math.log(c.n_A / c.n_B)}):
                starts.append(lay.pack(s, s, -kap / (2 * c.K_B), -kap / (2 * c.K_A), d, kap))
    roots = []
    for x0 in starts:
        try:
            res = least_squares(lay.residuals, x0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                max_nfev=4000)
        except (ValueError, OverflowError, FloatingPointError, ZeroDivisionError):
            continue
        if not np.all(np.isfinite(res.x)):
            continue
        F = np.abs(lay.residuals(res.x)).max()
        s_A, s_B, *_ = lay.unpack(res.x)
        if F < RESIDUAL_TOL and s_A >= 0.0 and s_B >= 0.0:
            roots.append((res.x, float(F)))
            if len(roots) >= 2:
                break
    return roots, lay


def solve_two_cluster_kkt(K_A: int, K_B: int, n_A: float, n_B: float, lam: float,
                          bias: str = "none", lambda_b: float = 0.0) -> TwoClusterKKT:
    r"""Solve the two-cluster KKT system (module doc) on the right branch.

    Parameters
    ----------
    K_A, K_B : int
        Number of classes in each cluster (≥ 1 each).
    n_A, n_B : float
        Their class sizes (> 0).
    lam : float
        :math:`\lambda = \sqrt{\lambda_W\lambda_H}` (canonical convention), > 0.
    bias : {"none", "regularized", "free"}
    lambda_b : float
        > 0 iff ``bias == "regularized"``.

    Returns
    -------
    TwoClusterKKT

    Raises
    ------
    ValueError
        Bad input (message names the field).
    RuntimeError
        No root with residual below :data:`RESIDUAL_TOL` was found on the optimal branch.
    """
    for name, v in (("K_A", K_A), ("K_B", K_B)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: must be an integer >= 1, got {v!r}")
    for name, v in (("n_A", n_A), ("n_B", n_B), ("lam", lam)):
        if not (isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: must be a finite number > 0, got {v!r}")
    if bias not in BIASES:
        raise ValueError(f"bias: unknown option {bias!r}; allowed: {', '.join(BIASES)}")
    if bias == "regularized" and not lambda_b > 0:
        raise ValueError("lambda_b: a regularized bias needs lambda_b > 0")
    if bias != "regularized" and lambda_b != 0:
        raise ValueError("lambda_b: must be 0 unless bias='regularized'")
    c = _Consts(int(K_A), int(K_B), float(n_A), float(n_B), float(lam), bias, float(lambda_b))
    start = _smooth_start(c)

    s_note = []
    for cl, Kc, nc, act in (("A", c.K_A, c.n_A, c.s_A_active), ("B", c.K_B, c.n_B, c.s_B_active)):
        if act:
            s_note.append(f"s_{cl}>0 (λN < √n_{cl})")
        elif Kc == 1:
            s_note.append(f"s_{cl}=0 (K_{cl}=1: no within-cluster direction)")
        else:
            s_note.append(f"s_{cl}=0 (λN ≥ √n_{cl}: cluster {cl} collapsed)")
    bias_note = {"none": "no bias (Δ=0)", "regularized": "regularized bias (iii)",
                 "free": "free bias: n_A K_A m_A = n_B K_B m_B replaces (iii)"}[bias]

    # branch r = 0: kept iff its subgradient inequality holds
    roots0, lay0 = _solve_branch(c, True, start)
    chosen = None
    for x, F in roots0:
        s_A, s_B, r_A, r_B, delta, _ = lay0.unpack(x)
        ratio = _norm_ratio(c, _terms(c, s_A, s_B, 0.0, 0.0, delta))
        if ratio <= 1.0 + 1e-12:
            chosen = (x, F, lay0, "r=0 (σ₃=0: K(n_A m_A²/K_B + n_B m_B²/K_A) ≤ (λN)²)", roots0)
            break
    if chosen is None:
        roots1, lay1 = _solve_branch(c, False, start)
        if not roots1:
            raise RuntimeError(
                "KKT: no root of the two-cluster system with residual below "
                f"{RESIDUAL_TOL:g} (K_A={K_A}, K_B={K_B}, n_A={n_A}, n_B={n_B}, λ={lam}, bias={bias})"
            )
        x, F = roots1[0]
        chosen = (x, F, lay1, "r≠0 (κ>0)", roots1)
    x, F, lay, r_note, roots = chosen
    s_A, s_B, r_A, r_B, delta, kappa = lay.unpack(x)
    if lay.r_zero:
        r_A = r_B = 0.0
    obj = restricted_objective(c, s_A, s_B, r_A, r_B, delta)
    # compare all accepted roots of the chosen branch (convexity: they must agree)
    ref = np.array([s_A, s_B, r_A, r_B, delta])
    spread = max(float(np.abs(np.asarray(lay.unpack(xr)[:5]) - ref).max()) for xr, _ in roots)
    branch = ", ".join(s_note + [r_note, bias_note])
    return TwoClusterKKT(s_A=float(s_A), s_B=float(s_B), r_A=float(r_A), r_B=float(r_B), delta=float(delta),
                         kappa=float(kappa), branch=branch, residual=float(F), objective=float(obj),
                         roots=len(roots), K_A=c.K_A, K_B=c.K_B, n_A=c.n_A, n_B=c.n_B, lam=c.lam,
                         bias=bias, lambda_b=c.lambda_b, extra={"root_spread": spread})
