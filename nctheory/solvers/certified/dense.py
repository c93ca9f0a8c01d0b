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
   When the grouped start (below) is used, a power iteration on :math:`G(0)` comes first
   (:func:`~nctheory.solvers.certified.svd.top_singular_value_below`, a few matrix-vector products): a lower
   estimate of :math:`\sigma_1(G(0))` above :math:`(1 + 10^{-3})\lambda` proves that 0 is not optimal, and the
   K x K SVD at 0 is skipped (the margin :math:`10^{-3}` is far above the estimate's rounding, :math:`\sim K\varepsilon`;
   closer cases take the SVD).  ``extra["zero_grad_norm_ratio"]`` is then that lower estimate.
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
gap is roughly proportional to the gradient norm), but at least 10 times and at most
:math:`10^{1.5}` times below the last one; also every 200 iterations (doubling) and when
L-BFGS stalls.

Stops with status ``"optimal"`` when :math:`(F - \mathrm{LB})/\max(1, |F|) \le` ``tol``;
``"max_iter"`` when the iteration budget (both phases together; at most 5000 for the
factored phase) is spent; ``"inaccurate"`` on the time limit or when the APG phase
stalls (gap improved by less than 1% over 50 iterations -- typically the rounding floor).

Memory: the L-BFGS history holds ``m`` pairs of :math:`2K^2`-vectors (and one spare), with ``m`` = 20
reduced for large K so that it stays near 160 MB, but at least 3 (m = 5 at K = 1000, 3 from K = 1300 on); the
rest is a few dozen K x K matrices (iterates, gradients, the SVD's workspace); peak resident memory per K is
measured by ``benchmarks/bench_all.py``.  Large temporaries (the start, the padded factors) are released before
the iterations.
Threads: BLAS is pinned to one thread during a solve, whatever K (via ``threadpoolctl`` if installed).  On the
project's 2-core machine shared with other jobs, OpenBLAS threads that wait for each other cost far more than they
gain: measured under load, a 300 x 300 product took 12 ms on two threads against 0.9 ms on one, its SVD 1.7 s
against 0.029 s, and at K = 1000 the product 52 ms against 32 ms, the SVD 2.3 s against 0.59 s.  (On a quiet
many-core machine products would gain from threads; the solver's time is then still bounded by its SVDs, which
gain little.)

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

import math
import sys
import time

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.apg import _apg_phase, _prox_step
from nctheory.solvers.certified.bookkeeping import _Best, _Clock, rounding_floor
from nctheory.solvers.certified.factored_phase import _factored_phase
from nctheory.solvers.certified.recovery import _assemble, _ufm_objective  # noqa: F401  (re-exported)
from nctheory.solvers.certified.smooth import ReducedSmooth
from nctheory.solvers.certified.starts import _balanced, _grouped_start, _grouped_start_applies
from nctheory.solvers.certified.svd import (single_threaded, singular_value_threshold, svd,
                                            threshold_svd, top_singular_value_below)
from nctheory.solvers.certified.warm_start import dense_mean_logits
from nctheory.solvers.result import Solution, relative_gap

__all__ = ["solve", "rounding_floor"]

_EPS = np.finfo(np.float64).eps
#: Iteration cap of the factored phase; any remaining budget goes to the APG phase.
_FACTORED_MAX_ITER = 5000
#: The zero test is skipped when a power iteration shows sigma_1(grad at 0)/lambda above 1 + this (module doc).
_ZERO_TEST_MARGIN = 1e-3


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
    r"""Warm start ``x0`` -> (:math:`X_0 = \bar Z_0 D^{1/2}`, :math:`b_0`) or (None, None)
    (:func:`~nctheory.solvers.certified.warm_start.dense_mean_logits`; b is dropped without bias)."""
    if x0 is None:
        return None, None
    Zbar, b0 = dense_mean_logits(x0, problem.K)
    if problem.bias == "none":
        b0 = None
    return Zbar * np.sqrt(problem.n), b0


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
        Wall-clock limit in seconds.  Checked between iterations (and inside line searches), keeping in reserve
        the time of about three K x K SVDs for the finish (a bound at the best point if none was taken yet, its
        check, the recovery); a solve stopped by it reports ``"inaccurate"`` with ``extra["stop_reason"] ==
        "time_limit"`` and a valid lower bound.
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
    with single_threaded():  # module doc, Threads
        sol = _solve(problem, tol, max_iter, time_limit, X_warm, b_warm, progress, int(seed))
    from dataclasses import replace

    from nctheory.solvers.certified import R2_CERTIFICATE

    return replace(sol, certificate=R2_CERTIFICATE if sol.lower_bound is not None else None,
                   options={"tol": tol, "max_iter": max_iter, "time_limit": time_limit, "seed": int(seed)})


def _initial_factors(problem, smooth, X_warm, b_warm, ev0, grad_svd, target, clock, log):
    """The factored phase's start ``((A0, B0), b0, exact)``: from x0, from a grouped approximation
    (:func:`~nctheory.solvers.certified.starts._grouped_start`), or from one prox-gradient step at 0 (reusing the
    SVD of the gradient at 0 when there is one).  A function so that its K x K temporaries die on return."""
    step = 1.0 / smooth.lipschitz
    if X_warm is not None:
        return _balanced(*svd(X_warm)), b_warm, False
    grouped = _grouped_start(problem, target, clock, log)
    if grouped is not None:
        start, b_grouped, exact = grouped
        return start, (b_grouped if b_warm is None else b_warm), exact
    if grad_svd is not None:  # prox of -t grad: the SVD of grad with the signs of V flipped, thresholded
        A0, sigma0, Bt0 = grad_svd
        return _balanced(*threshold_svd(A0, step * sigma0, -Bt0, step * smooth.lam)), ev0.b, False
    _, s0, U0, Vt0 = singular_value_threshold(-step * ev0.grad, step * smooth.lam)
    return _balanced(U0, s0, Vt0), ev0.b, False


def _solve(problem: Problem, tol, max_iter, time_limit, X_warm, b_warm, progress, seed=20240917) -> Solution:
    """:func:`solve` after input validation."""
    clock = _Clock(time_limit, problem.K)
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
        zero_ratio = top_singular_value_below(G0, stop_above=(1.0 + _ZERO_TEST_MARGIN) * smooth.lam) / smooth.lam
        del G0
    if not zero_ratio > 1.0 + _ZERO_TEST_MARGIN:
        t0 = time.perf_counter()
        grad_svd = svd(ev0.grad) if problem.bias != "free" else None
        best.offer(smooth, ev0, ev0.value, zero, np.zeros((K, 0)), np.zeros(K), np.zeros((0, K)), recheck=False,
                   svd_of_G=grad_svd)
        clock.observe_svd(time.perf_counter() - t0)
        zero_ratio = best.grad_norm_ratio
        if best.rel_gap(provisional=True) <= max(target, best.floor(K)):
            best.confirm(smooth)
    elif ev0.value < best.value:
        best.value, best.X, best.U, best.s, best.Vt, best.b = (ev0.value, zero, np.zeros((K, 0)), np.zeros(K),
                                                               np.zeros((0, K)), ev0.b)
    del zero  # (kept by best if it is the best point so far)
    if log is not None:
        log(f"zero test: sigma_1(grad)/lambda = {zero_ratio:.6g}, rel_gap at 0 = {best.rel_gap(provisional=True):.3e}")
    reason = "converged" if best.rel_gap() <= max(target, best.floor(K)) else ""
    if not reason and clock.expired():
        reason = "time_limit"

    if not reason:
        # 1. factored phase from x0, from a grouped approximation, or from one prox-gradient step at 0
        starts = [None]
        starts[0], b_warm, exact = _initial_factors(problem, smooth, X_warm, b_warm, ev0, grad_svd, target, clock, log)
        del grad_svd, ev0
        budget = min(max_iter, _FACTORED_MAX_ITER)
        outcome = _factored_phase(smooth, starts, b_warm, best, target, budget, clock, log, seed,
                                  certify_start=exact)
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
            # taken also when it raises F by rounding but stays certified: its exact zeros (soft-thresholded singular
            # values) are what collapse and onset decisions read -- the factored iterate has ~1e-8 in their place
            keeps_certificate = relative_gap(F_n, best.lower) is not None and \
                relative_gap(F_n, best.lower) <= max(target, best.floor(K))
            if F_n <= best.value or keeps_certificate:
                best.value, best.X, best.U, best.s, best.Vt, best.b = F_n, Xn, U, s, Vt, ev_n.b
                best.A = best.B = None
    if not math.isfinite(best.lower) and best.pending is None:
        # no certificate yet (the time limit came first): one dual bound at the best point, so that the answer still
        # carries a valid lower bound (its cost is in the clock's reserve)
        best.svd()
        best.offer_bound(smooth.lower_bound(smooth.evaluate(best.X, best.b), saturate=True))
    best.confirm(smooth)  # a provisional bound better than every checked one is measured before it is reported
    best.svd()

    return _assemble(problem, smooth, best, counts, reason, tol, max_iter, time_limit, zero_ratio, clock, log)
