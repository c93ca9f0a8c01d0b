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
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.lbfgs import minimize as lbfgs_minimize
from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.dual import DualBound
from nctheory.solvers.certified.svd import (balanced_factors, single_threaded, singular_value_threshold, svd,
                                            threshold_svd, top_singular_value_below)
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
#: Memory budget (bytes) for the L-BFGS history, and the fewest pairs kept whatever K.
_LBFGS_BYTES = 320 * 2**20
_LBFGS_MIN_MEMORY = 5
#: The zero test is skipped when a power iteration shows sigma_1(grad at 0)/lambda above 1 + this (module doc).
_ZERO_TEST_MARGIN = 1e-3
#: The grouped start (_grouped_start): from this K on, with this many groups of class sizes.
_GROUPED_START_MIN_K = 200
_GROUPED_START_GROUPS = 12
#: Certificate schedule of the factored phase (see _Schedule): the gradient rule's first certificate when the
#: gradient norm has fallen by _FIRST_CERTIFICATE; certificates aimed at _SCHEDULE_AIM × the target gap; the
#: primal rule's window (iterations).
_FIRST_CERTIFICATE = 1e-6
_SCHEDULE_AIM = 0.2
_WINDOW = 4
_RATE_MIN, _RATE_MAX = 0.5**_WINDOW, 0.95**_WINDOW


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
    """Best primal point seen and the largest valid lower bound (from any point).

    The primal point is kept either with its SVD (``X, U, s, Vt``: prox-gradient points) or as factors
    (``A, B`` with :math:`X = AB^\top`: factored-phase iterates, whose SVD is computed only if one of them is
    returned, :meth:`svd`).  ``lower`` is the largest *checked* bound; a provisional bound above it
    (:meth:`DualBound.confirm <nctheory.solvers.certified.dual.DualBound.confirm>`) is kept in ``pending``
    until :meth:`confirm` checks it: provisional values steer the iteration, only checked ones are reported.
    """

    value: float = math.inf
    X: np.ndarray | None = None
    U: np.ndarray | None = None
    s: np.ndarray | None = None
    Vt: np.ndarray | None = None
    b: np.ndarray | None = None
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    lower: float = -math.inf
    lower_magnitude: float = 0.0
    candidate: str = ""
    pending: object = None
    grad_norm_ratio: float = math.nan
    certificates: int = 0

    def offer(self, smooth: ReducedSmooth, ev: Evaluation, value: float, X, U, s, Vt, **bound_options) -> None:
        """Record the primal point ``X`` (value ``value``, SVD ``U s Vt``) and the bound from its gradient."""
        if value < self.value:
            self.value, self.X, self.U, self.s, self.Vt, self.b = value, X, U, s, Vt, ev.b
            self.A = self.B = None
        self.offer_bound(smooth.lower_bound(ev, **bound_options))

    def offer_factors(self, value: float, A: np.ndarray, B: np.ndarray, b: np.ndarray | None) -> None:
        """Record the primal point :math:`X = AB^\top` (bias ``b``) of value ``value`` (an upper bound on F there)."""
        if value < self.value:
            self.value, self.A, self.B, self.b = value, A, B, b
            self.X = self.U = self.s = self.Vt = None

    def offer_bound(self, bound) -> None:
        self.certificates += 1
        self.grad_norm_ratio = bound.grad_norm_ratio
        if bound.checked:
            if bound.value > self.lower:
                self.lower, self.candidate, self.lower_magnitude = bound.value, bound.candidate, bound.magnitude
            if self.pending is not None and self.pending.value <= self.lower:
                self.pending = None
        elif bound.value > max(self.lower, self.pending.value if self.pending is not None else -math.inf):
            self.pending = bound

    def confirm(self, smooth: ReducedSmooth) -> None:
        """Check the pending provisional bound (one spectral norm) and keep it if it is still the best."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            if pending.value > self.lower:
                checked = pending.confirm(smooth)
                if checked.value > self.lower:
                    self.lower, self.candidate, self.lower_magnitude = (checked.value, checked.candidate,
                                                                        checked.magnitude)

    def provisional_lower(self) -> float:
        return max(self.lower, self.pending.value) if self.pending is not None else self.lower

    def rel_gap(self, provisional: bool = False) -> float:
        lower = self.provisional_lower() if provisional else self.lower
        if not (math.isfinite(self.value) and math.isfinite(lower)):
            return math.inf
        return relative_gap(self.value, lower)

    def floor(self, K: int) -> float:
        """The relative gap this certificate can resolve here (:func:`rounding_floor` × the cancellation ratio)."""
        magnitude = self.lower_magnitude
        if self.pending is not None:
            magnitude = max(magnitude, self.pending.magnitude)
        return rounding_floor(K) * max(1.0, magnitude / max(abs(self.value), 1e-300))

    def svd(self) -> None:
        """Make ``X, U, s, Vt`` available (one SVD of :math:`AB^\top` if the best point is a factored one)."""
        if self.X is None and self.A is not None:
            self.X = self.A @ self.B.T
            self.U, self.s, self.Vt = svd(self.X)


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
        best.offer(smooth, ev_n, F_n, Xn, U, s, Vt, saturate=True)
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
        self.last = None
        self._X = self._b = self._w = self._jj = None

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
        X = A @ B.T
        value, grad_x, grad_b, Gamma = self.smooth.joint(X, b)
        value += 0.5 * lam * (float(np.sum(A * A)) + float(np.sum(B * B)))
        parts = [(grad_x @ B + lam * A).ravel(), (grad_x.T @ A + lam * B).ravel()]
        del grad_x
        if self.has_bias:
            parts.append(grad_b * self.b_scale)
        self.last = (v, value, Gamma)  # the certificate at an accepted iterate reuses its Γ (the last evaluation)
        self._X, self._b, self._w = X, b, None
        return value, np.concatenate(parts)

    def label_curvature(self) -> np.ndarray:
        r""":math:`w_k = \partial^2\varphi/\partial X_{kk}^2 = \ell''_{kk}(z_k)/N` at the last evaluation (bias fixed), by a
        forward difference of the gradient along the label logits (any loss; a preconditioner needs no more)."""
        if self._w is None:
            sm = self.smooth
            Z = self._X / sm.sqrt_n + self._b[:, None]
            h = 1e-4
            Gamma = self.last[2]
            idx = np.arange(self.K)
            Z[idx, idx] += h
            _, Gamma_h = sm.loss.value_grad(Z, sm.labels)
            self._w = np.maximum((Gamma_h[idx, idx] - Gamma[idx, idx]) / h, 0.0) / sm.N
        return self._w

    def precondition(self, q: np.ndarray) -> np.ndarray:
        r""":math:`P^{-1}q` for :math:`P = \lambda I + \sum_k w_kj_kj_k^\top` (module doc: the label directions), at the
        last evaluated point; :math:`j_k` = (row k of A: :math:`b_k`, row k of B: :math:`a_k`), so P is block diagonal
        over the pairs (row k of A, row k of B) and each block is inverted by Sherman-Morrison."""
        K, size, lam = self.K, self.size, self.smooth.lam
        v = self.last[0]
        A = v[:size].reshape(K, K)
        B = v[size : 2 * size].reshape(K, K)
        if self._jj is None or self._jj[0] is not v:
            w = self.label_curvature()
            jj = np.einsum("ij,ij->i", A, A) + np.einsum("ij,ij->i", B, B)
            self._jj = (v, w / (lam + w * jj))
        factor = self._jj[1]
        qA = q[:size].reshape(K, K)
        qB = q[size : 2 * size].reshape(K, K)
        c = (np.einsum("ij,ij->i", qA, B) + np.einsum("ij,ij->i", qB, A)) * factor
        out = np.empty_like(q)
        outA = out[:size].reshape(K, K)
        outB = out[size : 2 * size].reshape(K, K)
        np.multiply(B, c[:, None], out=outA)
        np.subtract(qA, outA, out=outA)
        np.multiply(A, c[:, None], out=outB)
        np.subtract(qB, outB, out=outB)
        out[: 2 * size] *= 1.0 / lam
        if self.has_bias:
            out[2 * size :] = q[2 * size :] / lam
        return out


    def dual_at(self, v) -> tuple[float, np.ndarray]:
        """``(f(v), Γ at v)``: from the last evaluation if it was at ``v`` (the accepted point of a line search)."""
        if self.last is None or self.last[0] is not v:
            self(v)
        return self.last[1], self.last[2]


def _lbfgs_memory(K: int) -> int:
    """History length: 20 pairs, fewer when 2·m·2K² doubles would exceed :data:`_LBFGS_BYTES`."""
    return int(max(_LBFGS_MIN_MEMORY, min(20, _LBFGS_BYTES // (2 * 2 * K * K * 8))))


class _Schedule:
    r"""When the factored phase takes a certificate (module doc, step 1); each costs about one K×K SVD.

    *Primal rule* (the usual trigger).  Near the optimum both the primal value's error and the saturated dual
    point's are second order, so the certified gap is a small multiple of :math:`f_k - f^*` (at least 1: the gap
    bounds it).  L-BFGS converges linearly, so :math:`f_k - f^*` is estimated from the decreases over the last two
    windows of :data:`_WINDOW` iterations, :math:`D_1 = f_{k-w} - f_k`, :math:`D_0 = f_{k-2w} - f_{k-w}`, as the
    geometric tail :math:`D_1 r/(1 - r)`, :math:`r = D_1/D_0` clamped to [:data:`_RATE_MIN`, :data:`_RATE_MAX`] (the
    rate is irregular, and superlinear stretches after a warm start would make the raw ratio tiny: a rate of at least
    0.5 per iteration is assumed); a certificate is taken when the estimate is below
    :data:`_SCHEDULE_AIM` × the target (relative to :math:`\max(1, |f|)`), while the decreases are well above rounding
    (:math:`D_1 > 64\varepsilon|f|`).  After a certificate that did not reach the target (gap
    :math:`\Delta` at :math:`f_c`), the next one also waits until :math:`f \le f_c - (\Delta - \text{aim})/4` (relative
    units): the gap has to fall, and it is at most 4× the primal error in the measurements behind these numbers.

    *Gradient rule* (backstop, e.g. when value differences are at rounding level).  The certified gap falls like a
    power of the gradient norm, :math:`c\|g\|^p`; p is fitted to the last two certificates (clamped to [1, 2.5]; 2
    after one), and a certificate is taken where the fit predicts the aim, but at least 2× and at most
    :math:`10^3`× below the last certificate's gradient norm; the first when the gradient norm has fallen by
    :data:`_FIRST_CERTIFICATE`.  Also every 200 iterations (the period doubling each time), and when L-BFGS stops.
    """

    def __init__(self, target: float):
        self.target = target
        self.g0 = None
        self.next = None
        self.since = 0
        self.period = 200
        self.history: list[tuple[float, float]] = []
        self.values: list[float] = []
        self.f_required = math.inf

    def primal_error(self) -> float | None:
        """The extrapolated :math:`(f_k - f^*)/\\max(1, |f_k|)`, or None when the last windows do not allow it."""
        w, fs = _WINDOW, self.values
        if len(fs) < 2 * w + 1:
            return None
        f = fs[-1]
        D1, D0 = fs[-1 - w] - f, fs[-1 - 2 * w] - fs[-1 - w]
        if not (D0 > D1 > 64.0 * _EPS * abs(f)):
            return None
        r = min(_RATE_MAX, max(_RATE_MIN, D1 / D0))
        return D1 * r / (1.0 - r) / max(1.0, abs(f))

    def due(self, gnorm: float, f: float) -> bool:
        if self.g0 is None:
            self.g0, self.next = gnorm, _FIRST_CERTIFICATE * gnorm
        self.values.append(f)
        self.since += 1
        if self.since >= self.period:
            self.period *= 2
            return True
        if f <= self.f_required or not self.history:
            error = self.primal_error()
            if error is not None and error <= _SCHEDULE_AIM * self.target:
                return True
        return gnorm <= self.next

    def taken(self, gnorm: float, f: float, gap: float, target: float) -> None:
        self.since = 0
        self.target = target
        if not (gap > 0 and gnorm > 0 and math.isfinite(gap)):
            self.next = 0.1 * gnorm
            return
        self.f_required = f - 0.25 * (gap - _SCHEDULE_AIM * target) * max(1.0, abs(f))
        power = 2.0
        if self.history:
            g_prev, gap_prev = self.history[-1]
            if g_prev > gnorm and gap_prev > gap > 0:
                power = min(2.5, max(1.0, math.log(gap_prev / gap) / math.log(g_prev / gnorm)))
        self.history.append((gnorm, gap))
        predicted = gnorm * (_SCHEDULE_AIM * target / gap) ** (1.0 / power)
        self.next = min(0.5 * gnorm, max(predicted, 1e-3 * gnorm))


def _factored_phase(smooth, start, b0, best: _Best, tol: float, budget: int, clock: _Clock, log,
                    seed: int = 20240917, certify_start: bool = False) -> _Outcome:
    """Step 1 of the algorithm (module doc): L-BFGS on the balanced factorisation with certificates.

    ``start`` is ``(A0, B0)`` with :math:`X_0 = A_0B_0^\top` (K × r each, r <= K), nearly balanced; they are
    padded to K columns.  ``certify_start``: take a certificate at the start (one expected to be optimal
    already) before the perturbation."""
    K = smooth.K
    objective = _Factored(smooth)
    A0, B0 = start
    r = A0.shape[1]
    rng = np.random.default_rng(seed)
    scale = math.sqrt(max(float(np.max(np.sum(A0 * A0, axis=0), initial=0.0)),
                          float(np.max(np.sum(B0 * B0, axis=0), initial=0.0))))
    jitter = 1e-3 * max(scale, math.sqrt(smooth.lam * smooth.N), 1e-8)
    A = np.zeros((K, K))
    B = np.zeros((K, K))
    A[:, :r] = A0
    B[:, :r] = B0
    del A0, B0
    schedule = _Schedule(max(tol, best.floor(K)))
    state = {"reason": ""}
    floor = lambda: max(tol, best.floor(K))  # noqa: E731

    def certify(v, gnorm):
        f, Gamma = objective.dual_at(v)
        A, B, b = objective.unpack(v)
        best.offer_factors(f, A.copy(), B.copy(), b.copy() if objective.has_bias else None)
        bound = DualBound.from_gradient(smooth, Gamma, saturate=True, recheck=False)
        best.offer_bound(bound)
        gap = relative_gap(f, bound.value) if math.isfinite(bound.value) else math.inf
        converged = best.rel_gap(provisional=True) <= floor()
        if converged and best.pending is not None:
            best.confirm(smooth)  # the provisional bound is measured once, when it would end the phase
            converged = best.rel_gap() <= floor()
        if log is not None:
            log(f"factored: certificate F={best.value:.15g} LB={best.provisional_lower():.15g} "
                f"rel_gap={best.rel_gap(provisional=True):.3e} |grad|={gnorm:.3e} ({bound.candidate})")
        if converged:
            return True
        schedule.taken(gnorm, f, gap, floor())
        return False

    def on_iteration(v, f, g, it):
        gnorm = float(np.linalg.norm(g))
        if clock.expired():
            state["reason"] = "time_limit"
            return True
        if schedule.due(gnorm, f) and certify(v, gnorm):
            state["reason"] = "converged"
            return True
        return False

    if certify_start and not clock.expired():
        v0 = objective.pack(A, B, b0)
        f0, g0 = objective(v0)
        if certify(v0, float(np.linalg.norm(g0))):
            if log is not None:
                log("factored phase: the start is certified")
            return _Outcome(0, "converged")
        del v0, g0
    # the padding columns (the null directions of X0: a saddle of the factored objective, where their gradient
    # vanishes) get a small deterministic perturbation, so that they are not invariant
    A[:, r:] = jitter * rng.standard_normal((K, K - r))
    B[:, r:] = jitter * rng.standard_normal((K, K - r))
    v, f, g, iterations, reason = lbfgs_minimize(objective, objective.pack(A, B, b0), _lbfgs_memory(K), budget,
                                                 on_iteration, should_stop=clock.expired,
                                                 precondition=objective.precondition)
    del A, B
    if reason == "callback":
        reason = state["reason"]
    elif reason == "stopped":
        reason = "time_limit"
    elif certify(v, float(np.linalg.norm(g))):  # final certificate at the stalled / last point
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
    severe on a busy machine); uses ``threadpoolctl`` when it is installed, else does nothing.
    (Above, the SVDs are single-threaded anyway: :func:`~nctheory.solvers.certified.svd.single_threaded`.)"""
    if K > _SINGLE_THREAD_MAX_K:
        return contextlib.nullcontext()
    return single_threaded()


def _balanced(U: np.ndarray, s: np.ndarray, Vt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Balanced factors :math:`(U\Sigma^{1/2}, V\Sigma^{1/2})` of an SVD, its nonzero part only."""
    r = int(np.count_nonzero(s[: U.shape[1]] > 0))
    root = np.sqrt(s[:r])
    return U[:, :r] * root, Vt[:r].T * root


def _grouped_sizes(n: np.ndarray, groups: int) -> np.ndarray:
    """Class sizes bucketed into at most ``groups`` groups of equal width in log n, each replaced by its group's
    geometric mean (rounded; at least 1); the sizes themselves when they take at most ``groups`` values."""
    n = np.asarray(n, dtype=np.float64)
    if np.unique(n).size <= groups:
        return n.astype(np.int64)
    logn = np.log(n)
    lo, hi = float(logn.min()), float(logn.max())
    bucket = np.minimum(((logn - lo) / (hi - lo) * groups).astype(np.int64), groups - 1)
    out = np.empty(n.size, dtype=np.int64)
    for g in np.unique(bucket):
        members = bucket == g
        out[members] = max(1, int(round(math.exp(float(np.mean(logn[members]))))))
    return out


def _grouped_start_applies(problem: Problem) -> bool:
    """Whether :func:`_grouped_start` is tried: K large enough and a loss with the compressed-column methods."""
    from nctheory.solvers.certified import symmetric

    return problem.K >= _GROUPED_START_MIN_K and not symmetric.REQUIREMENTS.unmet(problem)


def _grouped_start(problem: Problem, target: float, clock: _Clock, log):
    r"""A start from the symmetry-reduced solver (:mod:`~nctheory.solvers.certified.symmetric`) on the class sizes
    bucketed into :data:`_GROUPED_START_GROUPS` groups (:func:`_grouped_sizes`): ``((A0, B0), b0, exact)`` with
    :math:`A_0B_0^\top = \bar Z_0D^{1/2}` in the true sizes (the grouped answer's balanced factors, the H side
    rescaled by :math:`\sqrt{n/n_{group}}`; no K × K SVD), or None (K below :data:`_GROUPED_START_MIN_K`, a loss
    without compressed columns, or the grouped solve did not finish).  ``exact``: no bucketing was needed (the
    sizes take few values), so the start is the grouped optimum itself.

    Only the start: the certificate is the dense one, at the dense iterates."""
    if not _grouped_start_applies(problem):
        return None
    from nctheory.solvers.certified import symmetric

    sizes = _grouped_sizes(problem.n, _GROUPED_START_GROUPS)
    exact = bool(np.array_equal(sizes, problem.n))
    try:
        q = problem if exact else problem.with_(sizes=tuple(int(v) for v in sizes))
        if symmetric.REQUIREMENTS.unmet(q) or symmetric.grouping_unmet(q):
            return None
        remaining = None if clock.limit is None else clock.limit - clock.elapsed()
        if remaining is not None and remaining <= 0:
            return None
        g = symmetric.solve(q, tol=max(target, 1e-8) if exact else 1e-6, time_limit=remaining)
    except ValueError:
        return None
    if g.status not in ("optimal", "inaccurate", "max_iter") or not math.isfinite(g.objective):
        return None
    e = g.expand()
    kappa = (problem.lambda_h / problem.lambda_w) ** 0.25
    r = e.extra["rank"]
    A0 = e.W[:, :r] / kappa
    B0 = e.H_mean[:r].T * (kappa * np.sqrt(np.asarray(problem.n, dtype=np.float64)))[:, None]
    if log is not None:
        log(f"grouped start: {g.structure.C} groups{' (exact)' if exact else ''}, status {g.status}, "
            f"objective {g.objective:.12g}")
    b0 = np.asarray(e.b, dtype=np.float64) if problem.bias != "none" else None
    return (A0, B0), b0, exact


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

    # 0. zero test: X = 0 with the bias optimised.  Without a free bias the dual's G is the gradient itself,
    # whose SVD then also gives the first prox-gradient step -- unless the grouped start is used: then a power
    # iteration first, which proves cheaply (a lower estimate) that 0 is not optimal in the usual case.
    zero = np.zeros((K, K))
    ev0 = smooth.evaluate(zero, b_warm)
    grad_svd = None
    zero_ratio = math.nan
    if X_warm is None and _grouped_start_applies(problem):
        G0 = ev0.grad if problem.bias != "free" else (
            problem.loss.dual_zero_bias(ev0.dual, smooth.pi, smooth.labels) * (smooth.sqrt_n / smooth.N))
        zero_ratio = top_singular_value_below(G0) / smooth.lam
        del G0
    if not zero_ratio > 1.0 + _ZERO_TEST_MARGIN:
        grad_svd = svd(ev0.grad) if problem.bias != "free" else None
        best.offer(smooth, ev0, ev0.value, zero, np.zeros((K, 0)), np.zeros(K), np.zeros((0, K)), recheck=False,
                   svd_of_G=grad_svd)
        zero_ratio = best.grad_norm_ratio
        if best.rel_gap(provisional=True) <= max(target, best.floor(K)):
            best.confirm(smooth)
    elif ev0.value < best.value:
        best.value, best.X, best.U, best.s, best.Vt, best.b = (ev0.value, zero, np.zeros((K, 0)), np.zeros(K),
                                                               np.zeros((0, K)), ev0.b)
    if log is not None:
        log(f"zero test: sigma_1(grad)/lambda = {zero_ratio:.6g}, rel_gap at 0 = {best.rel_gap(provisional=True):.3e}")
    reason = "converged" if best.rel_gap() <= max(target, best.floor(K)) else ""
    if not reason and clock.expired():
        reason = "time_limit"

    if not reason:
        # 1. factored phase from x0, from a grouped approximation, or from one prox-gradient step at 0
        step = 1.0 / smooth.lipschitz
        exact = False
        if X_warm is not None:
            U0, s0, Vt0 = svd(X_warm)
            start = _balanced(U0, s0, Vt0)
        else:
            grouped = _grouped_start(problem, target, clock, log)
            if grouped is not None:
                start, b_grouped, exact = grouped
                b_warm = b_grouped if b_warm is None else b_warm
            elif grad_svd is not None:  # prox of -t grad: the SVD of grad with the signs of V flipped, thresholded
                A0, sigma0, Bt0 = grad_svd
                start = _balanced(*threshold_svd(A0, step * sigma0, -Bt0, step * smooth.lam))
                b_warm = ev0.b
            else:
                _, s0, U0, Vt0 = singular_value_threshold(-step * ev0.grad, step * smooth.lam)
                start = _balanced(U0, s0, Vt0)
                b_warm = ev0.b
        del grad_svd, ev0
        budget = min(max_iter, _FACTORED_MAX_ITER)
        outcome = _factored_phase(smooth, start, b_warm, best, target, budget, clock, log, seed, certify_start=exact)
        del start
        counts["factored"] = outcome.iterations
        reason = outcome.reason
        remaining = max_iter - counts["factored"]
        if reason in ("stalled", "max_iter") and remaining > 0 and not clock.expired():
            # 2. APG from the best certified point
            best.svd()
            outcome = _apg_phase(smooth, best.X, best.b, best, target, remaining, clock, log)
            counts["apg"] = outcome.iterations
            reason = outcome.reason
        elif reason == "stalled":
            reason = "max_iter"  # no budget left for the APG phase
        if reason == "converged" and best.A is not None:
            # rank identification: one prox-gradient step from the certified factored point (it cannot raise F;
            # its SVD replaces the one the recovery needs, so it is taken whatever the clock says)
            X = best.A @ best.B.T
            ev = smooth.evaluate(X, best.b)
            Xn, s, U, Vt, ev_n, F_n, _ = _prox_step(smooth, X, ev, 1.0 / smooth.lipschitz)
            del X, ev
            if F_n <= best.value:
                best.value, best.X, best.U, best.s, best.Vt, best.b = F_n, Xn, U, s, Vt, ev_n.b
                best.A = best.B = None
    best.confirm(smooth)  # a provisional bound better than every checked one is measured before it is reported
    best.svd()

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
    if not math.isfinite(lower):  # no certificate taken (the time limit came first)
        lower, gap = None, None
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
        "rel_gap": rel_gap if lower is not None else None,
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
