r"""Solve Hong & Ling's two-cluster KKT system (equations in :mod:`.kkt_system`) branch by branch.

The s-branches are explicit (the threshold :math:`\lambda N \ge \sqrt{n_c}`).  The branch r = 0 is solved
first (unknowns: the active s and Δ) and kept if its subgradient inequality holds; otherwise the branch
r ≠ 0 is solved with unknowns (active s, r_A, r_B, log κ, Δ) and the six equations (i_A), (i_B), (ii-a),
(ii-b), (ii-c), (iii).  Each branch is solved by ``scipy.optimize.least_squares`` from several starts (the
first one the minimiser of the smooth restricted objective L) and accepted only if the max residual is
below :data:`RESIDUAL_TOL`.  Because L is convex, every KKT point is a global minimiser; distinct accepted
roots are compared and reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares, minimize

from nctheory.claims.sources.hong_ling.formulas import sigma3 as sigma3_of, two_clusters
from nctheory.claims.sources.hong_ling.kkt_system import (BIASES, Constants, Layout, bias_penalty, norm_ratio,
                                                          restricted_objective, terms)

#: Accept a root of the KKT system when every (relative) residual is below this.  The
#: equations are O(1)-scaled (each divided by its natural size), so 1e-11 is ~1e5 ulps: far
#: below what any downstream comparison with a solver (≥ 1e-8) can see.
RESIDUAL_TOL = 1e-11


@dataclass(frozen=True)
class TwoClusterKKT(Constants):
    r"""Solution of the two-cluster KKT system (:mod:`.kkt_system`): the instance's data (the fields and ``K``, ``N`` of
    :class:`~.kkt_system.Constants`, first) and the solved block scalars.

    Attributes
    ----------
    s_A, s_B, r_A, r_B : float
        Block parameters of :math:`\bar Z`.
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
    K_A, K_B, n_A, n_B, lam, bias, lambda_b
        The instance (inherited from :class:`~.kkt_system.Constants`).
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
    extra: dict = field(default_factory=dict)

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
        return sigma3_of(self.K_A, self.K_B, self.n_A, self.n_B, self.r_A, self.r_B)

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

    def bias_vector(self, idx_A, idx_B) -> np.ndarray:
        """The bias vector (b_A on ``idx_A``, b_B on ``idx_B``); 0 without a bias."""
        b = np.zeros(len(idx_A) + len(idx_B))
        if self.bias != "none":
            b[np.asarray(idx_A, dtype=int)] = self.b_A
            b[np.asarray(idx_B, dtype=int)] = self.b_B
        return b


def _smooth_start(c: Constants) -> tuple[float, float, float, float, float]:
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
        T = terms(c, s_A, s_B, r_A, r_B, delta)
        N = c.N
        sig = math.sqrt(c.K * (c.K_B * c.n_A * r_A ** 2 + c.K_A * c.n_B * r_B ** 2) + 1e-20)
        val = (c.n_A * c.K_A / N * T["logE_A"] + c.n_B * c.K_B / N * T["logE_B"]
               + c.lam * ((c.K_A - 1) * math.sqrt(c.n_A) * s_A + (c.K_B - 1) * math.sqrt(c.n_B) * s_B + sig)
               + bias_penalty(c, delta))
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


def _solve_branch(c: Constants, r_zero: bool, start) -> tuple[list, Layout]:
    """Roots of one branch from several starts; each root is (x, max|F|)."""
    lay = Layout(c, r_zero)
    if not lay.names:
        return [(np.zeros(0), 0.0)], lay
    s_A0, s_B0, r_A0, r_B0, d0 = start
    sig0 = sigma3_of(c.K_A, c.K_B, c.n_A, c.n_B, r_A0, r_B0)
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


def _check_inputs(K_A, K_B, n_A, n_B, lam, bias, lambda_b) -> None:
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


def _branch_notes(c: Constants) -> list[str]:
    notes = []
    for cl, Kc, act in (("A", c.K_A, c.s_A_active), ("B", c.K_B, c.s_B_active)):
        if act:
            notes.append(f"s_{cl}>0 (λN < √n_{cl})")
        elif Kc == 1:
            notes.append(f"s_{cl}=0 (K_{cl}=1: no within-cluster direction)")
        else:
            notes.append(f"s_{cl}=0 (λN ≥ √n_{cl}: cluster {cl} collapsed)")
    return notes


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

    Raises
    ------
    ValueError
        Bad input (message names the field).
    RuntimeError
        No root with residual below :data:`RESIDUAL_TOL` was found on the optimal branch.
    """
    _check_inputs(K_A, K_B, n_A, n_B, lam, bias, lambda_b)
    bias = str(bias)
    c = Constants(int(K_A), int(K_B), float(n_A), float(n_B), float(lam), bias, float(lambda_b))
    start = _smooth_start(c)
    bias_note = {"none": "no bias (Δ=0)", "regularized": "regularized bias (iii)",
                 "free": "free bias: n_A K_A m_A = n_B K_B m_B replaces (iii)"}[bias]

    # branch r = 0: kept iff its subgradient inequality holds
    roots0, lay0 = _solve_branch(c, True, start)
    chosen = None
    for x, F in roots0:
        s_A, s_B, r_A, r_B, delta, _ = lay0.unpack(x)
        if norm_ratio(c, terms(c, s_A, s_B, 0.0, 0.0, delta)) <= 1.0 + 1e-12:
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
    branch = ", ".join(_branch_notes(c) + [r_note, bias_note])
    return TwoClusterKKT(s_A=float(s_A), s_B=float(s_B), r_A=float(r_A), r_B=float(r_B), delta=float(delta),
                         kappa=float(kappa), branch=branch, residual=float(F), objective=float(obj),
                         roots=len(roots), K_A=c.K_A, K_B=c.K_B, n_A=c.n_A, n_B=c.n_B, lam=c.lam,
                         bias=bias, lambda_b=c.lambda_b, extra={"root_spread": spread})


def kkt_for(problem) -> tuple[TwoClusterKKT, np.ndarray, np.ndarray]:
    """Solve the two-cluster KKT system for ``problem``; returns (kkt, idx_A, idx_B), A the majority."""
    pair = two_clusters(problem)
    if pair is None:
        raise ValueError("sizes: the two-cluster KKT system needs exactly two distinct class sizes")
    A, B = pair
    kkt = solve_two_cluster_kkt(int(A.size), int(B.size), float(problem.sizes[A[0]]), float(problem.sizes[B[0]]),
                                problem.lam, str(problem.bias), problem.lambda_b)
    return kkt, A, B
