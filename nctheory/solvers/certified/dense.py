r"""Certified global solver of the class-mean reduction R2 (catalogue §1).

Problem
-------
For a learned classifier, depth 1, free features and penalties, the UFM optimum
(canonical convention, catalogue §0) equals the optimum of the convex problem

.. math::

    \min_{\bar Z\in\mathbb R^{K\times K},\,b}\;
        \sum_k \pi_k\,\ell_k(\bar z_k + b) + \lambda\|\bar Z D^{1/2}\|_*
        + \tfrac{\lambda_b}{2}\|b\|^2,
    \qquad \pi_k = \frac{n_k}{N},\; \lambda = \sqrt{\lambda_W\lambda_H},

(b absent without bias, :math:`\lambda_b = 0` for a free bias).  We work in
:math:`X = \bar Z D^{1/2}`, i.e. minimise :math:`F(X) = \varphi(X) + \lambda\|X\|_*` with the
bias minimised out of :math:`\varphi` (:mod:`nctheory.solvers._losses`); :math:`\nabla\varphi`
is :math:`L`-Lipschitz with :math:`L = 1/(2N)` (CE) or :math:`1/N` (MSE).

Certificate (weak duality)
--------------------------
For every :math:`Y\in\mathbb R^{K\times K}` (one dual vector :math:`y_k` per class) the
Fenchel–Young inequality :math:`\ell_k(z) \ge \langle y_k, z\rangle - \ell_k^*(y_k)` gives, with
:math:`z_k = x_k/\sqrt{n_k} + b`,

.. math::

    F(X, b) \ge -\sum_k\pi_k\ell_k^*(y_k)
        + \underbrace{\langle \tfrac1N Y D^{1/2}, X\rangle + \lambda\|X\|_*}_{\ge\,0
          \text{ if } \|\frac1N Y D^{1/2}\|_2 \le \lambda}
        + \underbrace{\langle Y\pi, b\rangle + \tfrac{\lambda_b}2\|b\|^2}_{\ge\,-\|Y\pi\|^2/(2\lambda_b)},

because :math:`\sum_k \pi_k\langle y_k, x_k/\sqrt{n_k}\rangle = \langle Y\operatorname{diag}(\pi/\sqrt n), X\rangle`,
:math:`\pi_k/\sqrt{n_k} = \sqrt{n_k}/N`, and :math:`|\langle G, X\rangle| \le \|G\|_2\|X\|_*`.  For a free
bias (:math:`\lambda_b = 0`) the b-term is bounded below only if :math:`Y\pi = 0`; without
bias it is absent.  Hence, for every dual-feasible Y,

.. math::

    \mathrm{LB}(Y) = -\sum_k\pi_k\ell_k^*(y_k) - \frac{\|Y\pi\|^2}{2\lambda_b}
    \;\le\; \min F ,

with :math:`\ell_k^*(y) = \sum_i q_i\log q_i`, :math:`q = y + e_k` in the simplex (CE: the bound
is the weighted entropy :math:`\sum_k\pi_k\mathcal H(q_k)`) and :math:`\ell_k^*(y) = y_k + \frac12\|y\|^2`
(MSE).  At an optimum, :math:`Y^* = [\nabla\ell_k(z_k^*)]_k` is feasible
(:math:`-\nabla\varphi(X^*) \in \lambda\partial\|X^*\|_*`) and the bound is tight.  The solver
builds Y from the gradient at its iterate, made feasible by scaling or by clipping
its singular values into the spectral ball (:class:`~nctheory.solvers._losses.DualBound`),
so the reported ``lower_bound`` is valid whatever the iterate (up to floating-point
rounding).

Algorithm
---------
0. *Zero test.*  At :math:`X = 0` (bias optimised) the certificate is exact whenever
   :math:`\|\nabla\varphi(0)\|_2 \le \lambda`; then :math:`X^* = 0` is returned with a zero gap.
1. *Factored phase* (Burer–Monteiro).  L-BFGS on :math:`X = AB^\top`,
   :math:`A, B\in\mathbb R^{K\times K}`, jointly with b, minimising
   :math:`\sum_k\pi_k\ell_k(x_k/\sqrt{n_k} + b) + \frac{\lambda_b}2\|b\|^2 + \frac\lambda2(\|A\|_F^2 + \|B\|_F^2)`
   -- the UFM on class means, whose minimum over factorisations is :math:`F` (R1).  It is
   smooth, costs three K×K matrix products per evaluation (no SVD) and converges
   superlinearly in practice.  Its rank-deficient local minimisers are global (a
   standard fact for such factorisations), but nothing relies on it: only the
   certificate decides.
   Its line search switches from value tests (Armijo–Wolfe) to derivative-only tests
   (:math:`|\phi'(\alpha)| \le 0.9|\phi'(0)|`) once the predicted decrease falls below
   :math:`10^{-8}|f|`, so it keeps converging in X after value differences have drowned in
   rounding -- needed because the dual bound is first order in the error of X.
   Certificates are computed at checkpoints (below) and the phase stops as soon as
   the target gap is certified.
2. *Accelerated proximal gradient* (fallback when step 1 stalls above the target;
   FISTA with adaptive step size: grow by 1.25 after a success, halve on a failed
   sufficient-decrease test; momentum restart when
   :math:`\langle Y_k - X_{k+1}, X_{k+1} - X_k\rangle > 0` or F increases).  The prox of
   :math:`t\lambda\|\cdot\|_*` is singular-value soft-thresholding, which makes small singular
   values exactly zero (rank identification).  Every step is certified.

*Certificate at a point X* (both phases): one prox-gradient step
:math:`X^+ = \operatorname{prox}_{t\lambda\|\cdot\|_*}(X - t\nabla\varphi(X))`, :math:`t \le 1/L`; the primal
value is :math:`F(X^+)` and the dual point comes from :math:`\nabla\varphi(X^+)`.  The best primal
point and the largest lower bound seen are kept.  In the factored phase a
certificate is taken when the gradient norm has dropped by :math:`10^4` from the start, then
whenever it reaches the level the last certificate predicts for the target (the
gap is roughly proportional to the gradient norm), but at least 10× and at most
:math:`10^{1.5}`× below the last one; also every 200 iterations (doubling) and when
L-BFGS stalls.

Stops with status ``"optimal"`` when :math:`(F - \mathrm{LB})/\max(1, |F|) \le` ``tol``;
``"max_iter"`` when the iteration budget (both phases together; at most 5000 for the
factored phase) is spent; ``"inaccurate"`` on the time limit or when the APG phase
stalls (gap improved by less than 1% over 50 iterations -- typically the rounding floor).

Memory: the L-BFGS history holds ``m`` pairs of :math:`2K^2`-vectors, with ``m`` = 20
reduced for large K so that it stays below about 320 MB (m = 10 at K = 1000).
Threads: for K <= 200 BLAS is pinned to one thread during a solve (via
``threadpoolctl`` if installed): for small matrices threading costs more than it
gains, up to ~8× on a busy 2-core machine.

Accuracy: the certificate bounds *values*.  The optimum is flat in some directions
(e.g. column shifts of :math:`\bar Z`, penalised only at second order, with curvature of
order :math:`\lambda/\sigma`), so the returned ``W``, ``H_mean``, ``b`` are determined only to about
:math:`\sqrt{\mathrm{gap}/\text{curvature}}`: at the default ``tol = 1e-10`` positions typically
agree with the exact optimum to ~1e-6 to 1e-5 relative.  Ask a smaller ``tol`` (down to ~1e-14)
for geometric comparisons at tighter tolerances.

Recovery (R1/R2): :math:`X = U\Sigma V^\top` truncated to its numerical rank
(:data:`nctheory.solvers._svd.RANK_RTOL`), :math:`W = (\lambda_H/\lambda_W)^{1/4}U\Sigma^{1/2}`,
:math:`\bar H = (\lambda_W/\lambda_H)^{1/4}\Sigma^{1/2}V^\top D^{-1/2}`; the reported objective is the
UFM objective of exactly the returned ``(W, H_mean, b)``.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.lbfgs import minimize as lbfgs_minimize
from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.svd import balanced_factors, singular_value_threshold
from nctheory.solvers.result import Solution, relative_gap

__all__ = ["solve"]

_EPS = np.finfo(np.float64).eps
#: Step-size growth after an accepted APG step, and shrink factor on a failed test.
_STEP_GROW, _STEP_SHRINK = 1.25, 0.5
#: APG window: stop as "stalled" if the certified gap fell by less than 1% over this many iterations.
_STALL_ITERATIONS = 50
#: Iteration cap of the factored phase; any remaining budget goes to the APG phase.
_FACTORED_MAX_ITER = 5000
#: Up to this K, BLAS runs single-threaded during a solve (if threadpoolctl is installed).
_SINGLE_THREAD_MAX_K = 200
#: Memory budget (bytes) for the L-BFGS history.
_LBFGS_BYTES = 320 * 2**20


# ---------------------------------------------------------------------- input checks
def _check_problem(problem) -> Problem:
    from nctheory.solvers.certified import REQUIREMENTS

    if not isinstance(problem, Problem):
        raise ValueError(f"problem: expected a nctheory.Problem, got {type(problem).__name__}")
    unmet = REQUIREMENTS.unmet(problem)
    if unmet:
        raise ValueError(
            "problem: the certified solver handles a learned classifier, depth 1, free features and penalties "
            "(reduction R2) with a loss that has a conjugate; here: " + "; ".join(unmet)
            + " (see nctheory.solvers.registry.auto_method for the method that handles this model)"
        )
    return problem


def rounding_floor(K: int) -> float:
    r"""Smallest relative gap the certificate resolves in general: :math:`8K\varepsilon`.

    The dual point is pulled into the spectral ball with a margin of :math:`8K\varepsilon` (SVD
    rounding), which by itself can cost that much of the penalty term.  When the dual bound's terms
    cancel (magnitude M > :math:`|F|`, e.g. MSE near a perfect fit) the floor of an instance is
    :math:`8K\varepsilon\,M/|F|`.  A requested ``tol`` below the floor can be met only by luck of the last
    bits, so such a solve ends ``"inaccurate"`` whatever its measured gap (its certificate stays valid).
    """
    return 8.0 * K * _EPS


def _check_options(tol, max_iter, time_limit, progress):
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
        raise ValueError(f"tol: expected a positive real number, got {tol!r}")
    tol = float(tol)
    if not math.isfinite(tol) or tol <= 0:
        raise ValueError(f"tol: must be > 0 and finite, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter: must be an integer >= 1, got {max_iter!r}")
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.integer, np.floating)):
            raise ValueError(f"time_limit: expected seconds > 0 or None, got {time_limit!r}")
        time_limit = float(time_limit)
        if not (time_limit > 0) or math.isnan(time_limit):
            raise ValueError(f"time_limit: must be > 0 seconds, got {time_limit!r}")
    if not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress: expected True or False, got {progress!r}")
    return tol, int(max_iter), time_limit, bool(progress)


def _read_warm_start(x0, problem: Problem) -> tuple[np.ndarray | None, np.ndarray | None]:
    r"""Warm start ``x0`` -> (:math:`X_0 = \bar Z_0 D^{1/2}`, :math:`b_0`) or (None, None)."""
    if x0 is None:
        return None, None
    K = problem.K
    if isinstance(x0, Solution):
        logits = np.asarray(x0.logits_mean, dtype=np.float64)
        b0 = np.asarray(x0.b, dtype=np.float64).reshape(-1)
        if logits.shape != (K, K) or b0.shape != (K,):
            raise ValueError(f"x0: a Solution with logits_mean of shape ({K}, {K}) and b of shape ({K},) is needed")
        Zbar = logits - b0[:, None]
        if problem.bias == "none":
            b0 = None
    else:
        try:
            Zbar = np.asarray(x0, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"x0: expected a ({K}, {K}) array of mean logits or a Solution") from None
        b0 = None
        if Zbar.shape != (K, K):
            raise ValueError(f"x0: expected shape ({K}, {K}) (mean logits, column k = class k), got {Zbar.shape}")
    if not np.all(np.isfinite(Zbar)) or (b0 is not None and not np.all(np.isfinite(b0))):
        raise ValueError("x0: entries must be finite")
    return Zbar * np.sqrt(problem.n), b0


# ------------------------------------------------------------------------ bookkeeping
class _Clock:
    def __init__(self, limit: float | None):
        self.start = time.perf_counter()
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def expired(self) -> bool:
        return self.limit is not None and self.elapsed() > self.limit


@dataclass
class _Best:
    """Best primal point seen (with its SVD) and the largest valid lower bound (from any point)."""

    value: float = math.inf
    X: np.ndarray | None = None
    U: np.ndarray | None = None
    s: np.ndarray | None = None
    Vt: np.ndarray | None = None
    b: np.ndarray | None = None
    lower: float = -math.inf
    lower_magnitude: float = 0.0
    candidate: str = ""
    grad_norm_ratio: float = math.nan
    certificates: int = 0

    def offer(self, smooth: ReducedSmooth, ev: Evaluation, value: float, X, U, s, Vt) -> None:
        """Record the primal point ``X`` (value ``value``, SVD ``U s Vt``) and the bound from its gradient."""
        if value < self.value:
            self.value, self.X, self.U, self.s, self.Vt, self.b = value, X, U, s, Vt, ev.b
        bound = smooth.lower_bound(ev)
        self.certificates += 1
        if bound.value > self.lower:
            self.lower, self.candidate, self.lower_magnitude = bound.value, bound.candidate, bound.magnitude
        self.grad_norm_ratio = bound.grad_norm_ratio

    def rel_gap(self) -> float:
        if not (math.isfinite(self.value) and math.isfinite(self.lower)):
            return math.inf
        return relative_gap(self.value, self.lower)

    def floor(self, K: int) -> float:
        """The relative gap this certificate can resolve here (:func:`rounding_floor` × the cancellation ratio)."""
        return rounding_floor(K) * max(1.0, self.lower_magnitude / max(abs(self.value), 1e-300))


@dataclass
class _Outcome:
    iterations: int
    reason: str  # "converged", "max_iter", "time_limit", "stalled"


# ---------------------------------------------------------------- proximal gradient
def _prox_step(smooth: ReducedSmooth, Yp: np.ndarray, ev_Y: Evaluation, step: float):
    r"""One prox-gradient step from ``Yp`` with backtracking on the step size.

    Accepts :math:`X^+` when :math:`\varphi(X^+) \le \varphi(Y) + \langle\nabla\varphi(Y), D\rangle + \|D\|^2/(2t)`
    (:math:`D = X^+ - Y`, up to rounding of the values) or when
    :math:`\langle\nabla\varphi(X^+) - \nabla\varphi(Y), D\rangle \le \|D\|^2/(2t)`, which implies it for convex
    :math:`\varphi` and is immune to cancellation.  Returns ``(X+, s, U, Vt, ev+, F(X+), t)``.
    """
    lam = smooth.lam
    while True:
        Xn, s, U, Vt = singular_value_threshold(Yp - step * ev_Y.grad, step * lam)
        ev_n = smooth.evaluate(Xn, ev_Y.b)
        D = Xn - Yp
        dd = float(np.sum(D * D))
        model = float(np.sum(ev_Y.grad * D)) + dd / (2.0 * step)
        rounding = 8.0 * _EPS * (abs(ev_Y.value) + abs(ev_n.value))
        if (
            dd == 0.0
            or ev_n.value - ev_Y.value <= model + rounding
            or float(np.sum((ev_n.grad - ev_Y.grad) * D)) <= dd / (2.0 * step)
        ):
            return Xn, s, U, Vt, ev_n, ev_n.value + lam * float(s.sum()), step
        step *= _STEP_SHRINK


def _certify_at(smooth: ReducedSmooth, best: _Best, X: np.ndarray, b: np.ndarray | None) -> None:
    """Certificate at X: one prox-gradient step with t = 1/L, primal value and dual bound there."""
    ev = smooth.evaluate(X, b)
    Xn, s, U, Vt, ev_n, F_n, _ = _prox_step(smooth, X, ev, 1.0 / smooth.lipschitz)
    best.offer(smooth, ev_n, F_n, Xn, U, s, Vt)


def _apg_phase(smooth, X, b, best: _Best, tol: float, budget: int, clock: _Clock, log) -> _Outcome:
    r"""FISTA with adaptive steps and restarts on :math:`\varphi(X) + \lambda\|X\|_*` (module doc, step 2)."""
    step = 1.0 / smooth.lipschitz
    X_prev = X
    theta = 1.0
    F_prev = math.inf
    window_gap = best.rel_gap()
    ev_X = None
    it = 0
    while it < budget:
        it += 1
        theta_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
        momentum = (theta - 1.0) / theta_next
        if momentum > 0.0:
            Yp = X + momentum * (X - X_prev)
            ev_Y = smooth.evaluate(Yp, b)
        else:
            Yp = X
            ev_Y = ev_X if ev_X is not None else smooth.evaluate(X, b)
        Xn, s, U, Vt, ev_n, F_n, step = _prox_step(smooth, Yp, ev_Y, step)
        best.offer(smooth, ev_n, F_n, Xn, U, s, Vt)
        restart = float(np.sum((Yp - Xn) * (Xn - X))) > 0.0 or F_n > F_prev
        theta = 1.0 if restart else theta_next
        X_prev, X, b, ev_X, F_prev = X, Xn, ev_n.b, ev_n, F_n
        step *= _STEP_GROW
        gap = best.rel_gap()
        if log is not None and (it <= 3 or it % 50 == 0 or gap <= max(tol, best.floor(smooth.K))):
            log(
                f"apg it={it:5d} F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} "
                f"rank={int(np.count_nonzero(s))} step*L={step * smooth.lipschitz:.3g}"
            )
        if gap <= max(tol, best.floor(smooth.K)):
            return _Outcome(it, "converged")
        if clock.expired():
            return _Outcome(it, "time_limit")
        if it % _STALL_ITERATIONS == 0:
            if gap > 0.99 * window_gap:
                return _Outcome(it, "stalled")
            window_gap = gap
    return _Outcome(it, "max_iter")


# ------------------------------------------------------------------- factored phase
class _Factored:
    r"""The factored objective on :math:`v = (A, B, \beta)`, :math:`X = AB^\top`, :math:`b = s\beta`.

    The bias scale :math:`s = N^{-1/8}\min(1, \sqrt{10\lambda/\lambda_b})` is a diagonal
    preconditioner for L-BFGS.  When :math:`\lambda_b` dominates the curvature of the bias
    block, :math:`s^2\lambda_b \approx 10\lambda` puts it on the scale of the penalty curvature
    :math:`\lambda` of the factor blocks; otherwise (free or weakly penalised bias) the
    factor :math:`N^{-1/8}` was chosen by measured iteration counts over 28 instances
    (K = 10..300, free and regularised bias, λ from 1e-8 to 1e-3), where it beat
    :math:`N^{-1/4}`, :math:`N^{-1/2}`, 1 and multiples of them.
    """

    def __init__(self, smooth: ReducedSmooth):
        self.smooth = smooth
        self.K = smooth.K
        self.size = self.K * self.K
        self.has_bias = smooth.bias != "none"
        bias_weight = math.sqrt(10.0 * smooth.lam / smooth.lambda_b) if smooth.lambda_b > 0 else 1.0
        self.b_scale = smooth.N**-0.125 * min(1.0, bias_weight)
        self.evaluations = 0

    def pack(self, A, B, b) -> np.ndarray:
        parts = [A.ravel(), B.ravel()]
        if self.has_bias:
            parts.append((np.zeros(self.K) if b is None else b) / self.b_scale)
        return np.concatenate(parts)

    def unpack(self, v):
        K, size = self.K, self.size
        A = v[:size].reshape(K, K)
        B = v[size : 2 * size].reshape(K, K)
        b = v[2 * size :] * self.b_scale if self.has_bias else np.zeros(K)
        return A, B, b

    def __call__(self, v):
        self.evaluations += 1
        lam = self.smooth.lam
        A, B, b = self.unpack(v)
        value, grad_x, grad_b, _ = self.smooth.joint(A @ B.T, b)
        value += 0.5 * lam * (float(np.sum(A * A)) + float(np.sum(B * B)))
        parts = [(grad_x @ B + lam * A).ravel(), (grad_x.T @ A + lam * B).ravel()]
        if self.has_bias:
            parts.append(grad_b * self.b_scale)
        return value, np.concatenate(parts)


def _lbfgs_memory(K: int) -> int:
    """History length: 20 pairs, fewer when 2·m·2K² doubles would exceed about 320 MB."""
    return int(max(5, min(20, _LBFGS_BYTES // (2 * 2 * K * K * 8))))


def _factored_phase(smooth, X0, b0, best: _Best, tol: float, budget: int, clock: _Clock, log,
                    seed: int = 20240917) -> _Outcome:
    """Step 1 of the algorithm (module doc): L-BFGS on the balanced factorisation with certificates."""
    K = smooth.K
    objective = _Factored(smooth)
    U, s, Vt = np.linalg.svd(X0)
    root = np.sqrt(s)
    # Balanced factors of X0 plus a small deterministic perturbation, so that the null
    # directions of X0 (a saddle of the factored objective) are not invariant.
    rng = np.random.default_rng(seed)
    jitter = 1e-3 * max(float(root[0]) if root.size else 0.0, math.sqrt(smooth.lam * smooth.N), 1e-8)
    A = U * root + jitter * rng.standard_normal((K, K))
    B = Vt.T * root + jitter * rng.standard_normal((K, K))
    state = {"g0": None, "next": None, "since": 0, "period": 200, "reason": ""}

    def certify(v, gnorm):
        A, B, b = objective.unpack(v)
        _certify_at(smooth, best, A @ B.T, b if objective.has_bias else None)
        gap = best.rel_gap()
        if log is not None:
            log(f"factored: certificate F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} |grad|={gnorm:.3e}")
        if gap <= max(tol, best.floor(smooth.K)):
            return True
        # the gap is about proportional to the gradient norm: aim the next certificate at tol
        ratio = (best.value - best.lower) / max(gnorm, 1e-300)
        target = max(tol, best.floor(smooth.K)) * abs(best.value) / max(ratio, 1e-300)
        state["next"] = min(0.1 * gnorm, max(target, 10.0**-1.5 * gnorm))
        state["since"] = 0
        return False

    def on_iteration(v, f, g, it):
        gnorm = float(np.linalg.norm(g))
        if state["g0"] is None:
            state["g0"] = gnorm
            state["next"] = 1e-4 * gnorm
        state["since"] += 1
        if clock.expired():
            state["reason"] = "time_limit"
            return True
        if gnorm <= state["next"] or state["since"] >= state["period"]:
            if state["since"] >= state["period"]:
                state["period"] *= 2
            if certify(v, gnorm):
                state["reason"] = "converged"
                return True
        return False

    v, f, g, iterations, reason = lbfgs_minimize(objective, objective.pack(A, B, b0), _lbfgs_memory(K), budget, on_iteration)
    if reason == "callback":
        reason = state["reason"]
    else:
        if certify(v, float(np.linalg.norm(g))):  # final certificate at the stalled / last point
            reason = "converged"
    if log is not None:
        log(f"factored phase: {iterations} L-BFGS iterations, {objective.evaluations} evaluations, stop: {reason}")
    return _Outcome(iterations, reason)


# -------------------------------------------------------------------------- recovery
def _ufm_objective(problem: Problem, W: np.ndarray, H_mean: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Canonical UFM objective with every :math:`h_{k,i} = \bar h_k`, and the mean logits.

    Returns ``(f(W, H, b), W H_mean + b 1^T)``; the feature penalty is
    :math:`\frac{\lambda_H}2\sum_k n_k\|\bar h_k\|^2` (summed over samples, catalogue §0).
    """
    logits = W @ H_mean + b[:, None]
    values, _ = problem.loss.value_grad(logits, np.arange(problem.K))
    value = (
        float(values @ problem.weights)
        + 0.5 * problem.lambda_w * float(np.sum(W * W))
        + 0.5 * problem.lambda_h * float((H_mean * H_mean).sum(axis=0) @ problem.n)
        + 0.5 * problem.lambda_b * float(b @ b)
    )
    return value, logits


# ----------------------------------------------------------------------------- solve
def solve(
    problem: Problem,
    *,
    tol: float = 1e-10,
    max_iter: int = 50_000,
    time_limit: float | None = None,
    x0=None,
    progress: bool = False,
    seed: int = 20240917,
) -> Solution:
    r"""Globally solve the UFM via reduction R2, with a duality-gap certificate.

    Parameters
    ----------
    problem : Problem
        ``classifier="learned"``, ``depth=1``, ``features="free"``, ``constraint="penalty"``;
        any loss (``"ce"``, ``"mse"``) and bias (``"none"``, ``"regularized"``, ``"free"``).
    tol : float
        Target relative duality gap :math:`(F - \mathrm{LB})/\max(1, |F|)`.  The certificate
        itself has a rounding floor of roughly :math:`10^{-15}`–:math:`10^{-12}` (growing with K).
    max_iter : int
        Budget of iterations, factored (L-BFGS) and APG together.
    time_limit : float or None
        Wall-clock limit in seconds (checked between iterations).
    x0 : ndarray of shape (K, K), Solution or None
        Warm start.  An array is read as the bias-free mean-logit matrix
        :math:`\bar Z` (column k = class k's mean logit, i.e. ``logits_mean - b 1^T``); a
        :class:`Solution` contributes its ``logits_mean`` and ``b``.
    progress : bool
        Print progress lines to stderr.
    seed : int
        Seed of the small perturbation of the factored phase's start (a different seed gives a
        different path to the same optimum; used to estimate how precisely positions are known).

    Returns
    -------
    Solution
        ``method="certified"``; ``status="optimal"`` only if the certified relative gap is
        ``<= tol``.  ``W`` (K×d), ``H_mean`` (d×K) are the balanced factors of the
        solution's :math:`Y = \bar Z D^{1/2}` with d = its numerical rank (at least 1), padded
        with zeros to ``problem.d`` when that is larger.  If ``problem.d`` is smaller than
        the rank, R2 is only a relaxation of the UFM with that d: the relaxation's
        solution is returned with ``extra["rank_exceeds_d"] = True`` and a message.
        ``objective`` is the UFM objective of exactly the returned ``(W, H_mean, b)``,
        ``lower_bound`` a dual bound, ``gap = max(objective - lower_bound, 0)``.
        ``extra`` holds ``"singular_values"`` (of Y, length K), ``"rank"``,
        ``"rank_exceeds_d"``, ``"rel_gap"``, iteration counts per phase, the number of
        certificates, :math:`\sigma_1(\nabla\varphi)/\lambda` at the last certificate and at 0, and
        which dual construction gave the bound.

    Raises
    ------
    ValueError
        ``problem: ...`` for models outside R2 (with the method to use instead) and
        ``tol: / max_iter: / time_limit: / x0: / progress: ...`` for bad options.
    """
    _check_problem(problem)
    tol, max_iter, time_limit, progress = _check_options(tol, max_iter, time_limit, progress)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    X_warm, b_warm = _read_warm_start(x0, problem)
    with _blas_threads(problem.K):
        sol = _solve(problem, tol, max_iter, time_limit, X_warm, b_warm, progress, int(seed))
    from dataclasses import replace

    from nctheory.solvers.certified import R2_CERTIFICATE

    return replace(sol, certificate=R2_CERTIFICATE if sol.lower_bound is not None else None,
                   options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": int(seed)})


def _blas_threads(K: int):
    """Pin BLAS to one thread for small K (threading overhead dominates there, and is
    severe on a busy machine); uses ``threadpoolctl`` when it is installed, else does nothing."""
    if K > _SINGLE_THREAD_MAX_K:
        return contextlib.nullcontext()
    controller = _threadpool_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def _threadpool_controller():
    """One cached ``threadpoolctl.ThreadpoolController`` (library discovery is slow), or None."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional dependency
        return None
    return ThreadpoolController()


def _solve(problem: Problem, tol, max_iter, time_limit, X_warm, b_warm, progress, seed=20240917) -> Solution:
    """:func:`solve` after input validation."""
    clock = _Clock(time_limit)
    target = max(tol, rounding_floor(problem.K))  # the loop cannot do better than the floor (see rounding_floor)
    log = None
    if progress:
        log = lambda msg: print(f"[certified {clock.elapsed():8.2f}s] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    smooth = ReducedSmooth(problem)
    K = problem.K
    best = _Best()
    counts = {"factored": 0, "apg": 0}

    # 0. zero test: X = 0 with the bias optimised
    zero = np.zeros((K, K))
    ev0 = smooth.evaluate(zero, b_warm)
    best.offer(smooth, ev0, ev0.value, zero, np.zeros((K, 0)), np.zeros(K), np.zeros((0, K)))
    zero_ratio = best.grad_norm_ratio
    if log is not None:
        log(f"zero test: sigma_1(grad)/lambda = {zero_ratio:.6g}, rel_gap at 0 = {best.rel_gap():.3e}")
    reason = "converged" if best.rel_gap() <= max(target, best.floor(K)) else ""

    if not reason:
        # 1. factored phase from x0, or from one prox-gradient step at 0
        if X_warm is None:
            step = 1.0 / smooth.lipschitz
            X_warm = singular_value_threshold(-step * ev0.grad, step * smooth.lam)[0]
            b_warm = ev0.b
        budget = min(max_iter, _FACTORED_MAX_ITER)
        outcome = _factored_phase(smooth, X_warm, b_warm, best, target, budget, clock, log, seed)
        counts["factored"] = outcome.iterations
        reason = outcome.reason
        remaining = max_iter - counts["factored"]
        if reason in ("stalled", "max_iter") and remaining > 0:
            # 2. APG from the best certified point
            outcome = _apg_phase(smooth, best.X, best.b, best, target, remaining, clock, log)
            counts["apg"] = outcome.iterations
            reason = outcome.reason
        elif reason == "stalled":
            reason = "max_iter"  # no budget left for the APG phase

    # 3. recovery of (W, H_mean, b) and the objective of exactly those factors
    b = best.b if problem.bias != "none" else np.zeros(K)
    W, H_mean, rank = balanced_factors(
        best.U, best.s, best.Vt, problem.n, problem.lambda_w, problem.lambda_h, problem.d
    )
    objective, logits = _ufm_objective(problem, W, H_mean, b)
    lower = best.lower
    raw_gap = objective - lower
    gap = max(raw_gap, 0.0)
    rel_gap = relative_gap(objective, lower)
    rank_exceeds_d = problem.d is not None and rank > problem.d
    floor = rounding_floor(K) * max(1.0, best.lower_magnitude / max(abs(objective), 1e-300))
    if raw_gap < -64.0 * K * _EPS * max(abs(objective), best.lower_magnitude):
        status = "failed"
        message = f"inconsistent certificate: lower bound {lower!r} exceeds the objective {objective!r}"
    elif tol < floor:
        status = "inaccurate"
        message = (f"requested tol {tol:.1e} is below the certificate's rounding floor {floor:.1e} here (8Kε times the "
                   f"cancellation in the dual bound), which a gap can meet only by luck of the last bits; relative gap "
                   f"reached {rel_gap:.3e} (stop: {reason})")
    elif rel_gap <= tol:
        status, message = "optimal", f"certified: relative duality gap {rel_gap:.3e} <= tol {tol:.3e}"
        if raw_gap < 0:
            message += " (the bound exceeds the objective by rounding only)"
    elif reason == "max_iter":
        status = "max_iter"
        message = f"iteration budget {max_iter} spent at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    elif reason == "time_limit":
        status = "inaccurate"
        message = f"time limit {time_limit} s reached at relative gap {rel_gap:.3e} > tol {tol:.3e}"
    elif reason == "stalled":
        status = "inaccurate"
        message = (
            f"progress stalled (certified gap improved < 1% over {_STALL_ITERATIONS} APG iterations, "
            f"typically the rounding floor); relative gap {rel_gap:.3e} > tol {tol:.3e}"
        )
    else:  # converged in the loop, but the recovered factors (numerical rank applied) lost accuracy
        status = "inaccurate"
        message = (f"the loop certified tol {tol:.1e}, but the objective of the recovered factors (rank {rank}) leaves "
                   f"relative gap {rel_gap:.3e} > tol (stop: {reason})")
    if rank_exceeds_d and status == "optimal":
        status = "relaxation"  # certified for R2, but R2 is not exact at this d: not an answer for the model
    if rank_exceeds_d:
        message += (
            f"; rank {rank} of the R2 solution exceeds d = {problem.d}: R2 is only a relaxation of the UFM "
            f"with this d, and W, H_mean have width {rank} (the relaxation's solution)"
        )
    singular_values = np.zeros(K)  # of the returned Y (numerical rank applied)
    singular_values[:rank] = best.s[:rank]
    extra = {
        "singular_values": singular_values,
        "rank": rank,
        "rank_exceeds_d": bool(rank_exceeds_d),
        "rel_gap": rel_gap,
        "iterations_factored": counts["factored"],
        "iterations_apg": counts["apg"],
        "certificates": best.certificates,
        "bias_newton_steps": smooth.bias_newton_steps,
        "grad_norm_ratio": best.grad_norm_ratio,
        "zero_grad_norm_ratio": zero_ratio,
        "dual_candidate": best.candidate,
        "stop_reason": reason,
    }
    if log is not None:
        log(f"{status}: {message}")
    return Solution(
        W=W,
        H_mean=H_mean,
        b=np.array(b, dtype=np.float64),
        logits_mean=logits,
        objective=objective,
        lower_bound=lower,
        gap=gap,
        status=status,
        iterations=counts["factored"] + counts["apg"],
        time_s=clock.elapsed(),
        method="certified",
        message=message,
        H=None,
        extra=extra,
    )
