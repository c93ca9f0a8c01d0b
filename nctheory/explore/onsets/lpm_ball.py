r"""A first-order solver of the layer-peeled model's reduced problem with exact singular-value zeros.

Fang et al.'s layer-peeled model (catalogue §6, R4), learned classifier, no bias, with :math:`d \ge K`, has the
optimal value of the convex problem over the mean logits :math:`Z = W\bar H` (column k = class k's logits)

.. math::

    \min_{Z\in\mathbb R^{K\times K}} F(Z) = \sum_k \pi_k\,\ell(z_k, k)
    \quad\text{s.t.}\quad \|Z\|_* \le \rho = K\sqrt{E_WE_H}

(the products :math:`W\bar H` with :math:`\frac1K\|W\|^2 \le E_W`, :math:`\frac1K\|\bar H\|^2 \le E_H` are exactly the
nuclear-norm ball of radius ρ, by :math:`\|AB\|_* \le \|A\|_F\|B\|_F` and the balanced factorisation below).

Why another solver.  The interior-point SDP (``convex:lpm``) returns the relative interior of the optimal face
to its gap tolerance, so a singular value that is exactly 0 at the optimum reads ~1e-6 .. 1e-5 there, and at a
collapse onset (where strict complementarity fails) the minority spread is known only to ~5e-6 (catalogue §9;
:data:`nctheory.claims.sources.fang.accuracy.COLLAPSE_SQ_TOL`).  Projected gradient steps end in the Euclidean
projection onto the ball, which soft-thresholds the singular values at a level θ: a singular value whose
multiplier margin is positive is then **exactly** 0 once the iterate is close enough, as in the certified R2
solver's proximal step.  That makes a sharp collapse test possible (:mod:`nctheory.explore.onsets.decide`).

Method: FISTA with backtracking on the Lipschitz estimate (start: ``loss.curvature · max π``) and the
gradient-based adaptive restart of O'Donoghue and Candès, projecting with one K×K SVD per step
(:func:`project_nuclear_ball`); every ``check_every`` steps the answer is certified by the registered Fenchel bound
of the layer-peeled model (:func:`nctheory.solvers.bounds.lpm.lpm_bound`, independent of this solver), and the
solve stops when the relative gap is at most ``tol`` and the last step moved Z by at most ``xtol`` relative.

Recovery (as in :mod:`nctheory.solvers.convex.lpm_sdp`): from :math:`Z = U\Sigma V^\top`,
:math:`W = (E_W/E_H)^{1/4}U\Sigma^{1/2}`, :math:`\bar H = (E_H/E_W)^{1/4}\Sigma^{1/2}V^\top`, so
:math:`\frac1K\|W\|^2 = \sqrt{E_W/E_H}\operatorname{tr}\Sigma/K \le E_W` and likewise for H̄: a feasible point of the
model whose objective is F(Z).
"""

from __future__ import annotations

import math
import time

import numpy as np

from nctheory.model import Problem
from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.result import Solution, Status

__all__ = ["project_nuclear_ball", "solve_lpm_ball", "METHOD"]

#: The ``method`` of the returned solutions.
METHOD = "onsets:lpm-ball"


def project_simplex_ball(s: np.ndarray, radius: float) -> tuple[np.ndarray, float]:
    r"""Euclidean projection of a non-negative vector onto :math:`\{x \ge 0, \sum x \le r\}`: ``(x, θ)``.

    :math:`x = \max(s - \theta, 0)` with θ = 0 when :math:`\sum s \le r`, else the θ > 0 with :math:`\sum x = r`
    (sorting rule of the simplex projection).
    """
    s = np.maximum(np.asarray(s, dtype=np.float64), 0.0)
    if s.sum() <= radius:
        return s, 0.0
    u = np.sort(s)[::-1]
    css = np.cumsum(u) - radius
    idx = np.arange(1, u.size + 1)
    k = int(np.flatnonzero(u - css / idx > 0)[-1])
    theta = float(css[k] / (k + 1))
    return np.maximum(s - theta, 0.0), theta


def project_nuclear_ball(Z: np.ndarray, radius: float) -> tuple[np.ndarray, float]:
    r"""Projection of Z onto :math:`\{\|Z\|_* \le r\}` in the Frobenius norm: singular values projected by
    :func:`project_simplex_ball` (a soft threshold at θ); returns ``(projection, θ)``."""
    U, s, Vt = np.linalg.svd(Z)
    t, theta = project_simplex_ball(s, radius)
    if theta == 0.0:
        return Z.copy(), 0.0
    keep = t > 0
    return (U[:, keep] * t[keep]) @ Vt[keep], theta


def _check_problem(problem: Problem) -> None:
    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    bad = []
    if problem.constraint != Constraint.AVERAGE:
        bad.append("constraint: the layer-peeled ball solver needs constraint='average'")
    if problem.classifier != Classifier.LEARNED:
        bad.append("classifier: needs a learned classifier")
    if problem.features != Features.FREE:
        bad.append("features: needs free features")
    if problem.bias != Bias.NONE:
        bad.append("bias: needs bias='none'")
    if problem.depth != 1:
        bad.append("depth: needs depth 1")
    if problem.d is not None and problem.d < problem.K:
        bad.append(f"d: needs d >= K = {problem.K} (or d unset)")
    if not problem.loss.has("conjugate"):
        bad.append(f"loss: {problem.loss.name!r} has no conjugate: the answer could not be certified")
    if bad:
        raise ValueError("; ".join(bad))


def _solution(problem, Z, objective, iterations, elapsed, message, extra) -> Solution:
    K = problem.K
    U, s, Vt = np.linalg.svd(Z)
    root = np.sqrt(s)
    g = (problem.e_w / problem.e_h) ** 0.25
    W = g * U * root
    H = (root[:, None] * Vt) / g
    return Solution(W=W, H_mean=H, b=np.zeros(K), logits_mean=Z.copy(), objective=float(objective),
                    lower_bound=None, gap=None, status=Status.LOCAL, iterations=iterations, time_s=elapsed,
                    method=METHOD, message=message, extra=extra)


def solve_lpm_ball(problem: Problem, *, tol: float = 1e-12, xtol: float = 1e-14, max_iter: int = 20_000,
                   check_every: int = 250, x0: np.ndarray | None = None) -> Solution:
    r"""Solve the layer-peeled model's reduced problem by projected FISTA and certify it (module doc).

    Parameters
    ----------
    problem : Problem
        ``constraint="average"``, learned classifier, free features, no bias, depth 1, d unset or >= K, a loss
        with a conjugate; real sizes are allowed (only :math:`\pi` enters).
    tol : float
        Target relative gap of the Fenchel certificate (default 1e-12: the bound's own rounding floor is ~1e-13 --
        measured 1.0e-13 .. 1.2e-13 at K = 4 and 10 after the iterate had stopped moving).
    xtol : float
        The last step's relative change :math:`\|Z_{t+1}-Z_t\|_F/\max(1,\|Z_t\|_F)` must be at most this too
        (the zero pattern of the singular values settles only once the iterate does).
    max_iter : int
    check_every : int
        Steps between certificate evaluations.
    x0 : ndarray, optional
        Start (projected onto the ball); default the scaled simplex-ETF logits :math:`\rho S/(K-1)`.

    Returns
    -------
    Solution
        ``status`` "optimal" with ``lower_bound``/``gap`` of the Fenchel certificate when the relative gap is at
        most ``tol`` (also when only the step test failed: ``extra["step"]`` tells), "max_iter" otherwise;
        ``extra``: ``theta`` (the last soft-threshold level), ``step`` (the last relative step), ``restarts``,
        ``singular_values``.
    """
    from nctheory.solvers.bounds.lpm import lpm_bound

    _check_problem(problem)
    for name, v in (("tol", tol), ("xtol", xtol)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: must be a finite number > 0, got {v!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter: must be an integer >= 1, got {max_iter!r}")
    t0 = time.perf_counter()
    K = problem.K
    pi = problem.weights
    labels = np.arange(K)
    loss = problem.loss
    rho = K * math.sqrt(problem.e_w * problem.e_h)

    def value_grad(Z):
        v, G = loss.value_grad(Z, labels)
        return float(v @ pi), G * pi

    if x0 is None:
        S = np.eye(K) - 1.0 / K
        x = S * (rho / (K - 1))
    else:
        x, _ = project_nuclear_ball(np.asarray(x0, dtype=np.float64), rho)
    L = float(loss.curvature) * float(pi.max())
    fx, _ = value_grad(x)
    y, t, theta, restarts, step = x.copy(), 1.0, 0.0, 0, math.inf
    best = None
    for it in range(1, max_iter + 1):
        fy, gy = value_grad(y)
        while True:
            z, th = project_nuclear_ball(y - gy / L, rho)
            fz, _ = value_grad(z)
            d = z - y
            if fz <= fy + float(np.vdot(gy, d)) + 0.5 * L * float(np.vdot(d, d)) + 1e-15 * abs(fy):
                break
            L *= 2.0
        step = float(np.linalg.norm(z - x)) / max(1.0, float(np.linalg.norm(x)))
        if float(np.vdot(y - z, z - x)) > 0.0:  # adaptive restart: the momentum points uphill
            t, y_next, restarts = 1.0, z, restarts + 1
        else:
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            y_next = z + ((t - 1.0) / t_next) * (z - x)
            t = t_next
        x, fx, theta, y = z, fz, th, y_next
        # the bound (the expensive part: a golden-section search over dual levels) only where it can end the loop:
        # both stop tests need step <= xtol
        if (it % check_every == 0 and step <= xtol) or it == max_iter:
            sol = _solution(problem, x, fx, it, time.perf_counter() - t0, "", {})
            out = lpm_bound(problem, sol)
            if out is not None:
                lb, cert = out
                rg = max(fx - lb, 0.0) / abs(fx) if fx != 0 else math.inf
                stalled = best is not None and rg >= best[2] * (1.0 - 1e-3) and step <= xtol
                best = (lb, cert, rg) if best is None or rg < best[2] else best
                if (rg <= tol and step <= xtol) or stalled:
                    break
    elapsed = time.perf_counter() - t0
    s = np.linalg.svd(x, compute_uv=False)
    extra = {"theta": theta, "step": step, "restarts": restarts, "singular_values": s, "lipschitz": L}
    if best is None:
        return _solution(problem, x, fx, it, elapsed, "no Fenchel certificate applied", extra)
    lb, cert, rg = best
    sol = _solution(problem, x, fx, it, elapsed, "", extra)
    from dataclasses import replace

    ok = rg <= tol
    msg = (f"projected FISTA, {it} steps ({restarts} restarts), last relative step {step:.1e}; "
           f"{cert.kind} relative gap {rg:.2e}" + (f" <= {tol:.0e}" if ok else f" > {tol:.0e}: not certified"))
    return replace(sol, lower_bound=lb if ok else None, gap=max(fx - lb, 0.0) if ok else None,
                   certificate=cert if ok else None, status=Status.OPTIMAL if ok else Status.MAX_ITER, message=msg,
                   extra={**extra, "rel_gap_reached": rg, "lower_bound_reached": lb})
