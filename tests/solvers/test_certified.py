r"""Tests of the certified R2 solver (``nctheory.solvers.certified``) against independent references.

References used here, none of them derived from the solver's code:

* a cvxpy/Clarabel formulation of R2 written below (``cp.log_sum_exp``, ``cp.normNuc``);
* the catalogue's closed forms: Dang et al. M = 1 MSE (§3) and Zhu et al. balanced CE (§6),
  including their worked examples;
* for K = 2 with CE and no bias, an exact two-variable reduction (columns of the
  mean-logit matrix sum to zero at the optimum, so Z̄ = [[u, -v], [-u, v]] and
  ‖Z̄ D^{1/2}‖_* = √2·√(n₁u² + n₂v²)), minimised with scipy;
* objectives evaluated here from scratch on the full-sample UFM (canonical convention, §0).

Value comparisons use the solver's certified gap: for any point P the reference gives,
``lower_bound <= F(P)`` must hold exactly (weak duality, up to rounding), and when P is
optimal ``F(P) >= objective - gap``.
"""

from __future__ import annotations

import math
import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import logsumexp

from nctheory.model import Problem
from nctheory.solvers.certified.smooth import Evaluation, ReducedSmooth
from nctheory.solvers.certified.dense import _apg_phase, _Best, _Clock, solve
from nctheory.solvers.result import STATUSES, Solution

# Rounding allowance for comparing two evaluations of the same objective value
# (sums of at most K^2 + K terms of size <= max(1, |F|), K <= 60): 1e-13 relative.
ROUNDING = 1e-13
# One rounding of a subtraction.
EPS_REL = 4 * np.finfo(np.float64).eps


# ------------------------------------------------------------------ independent references
def r2_value(problem: Problem, Zbar: np.ndarray, b: np.ndarray) -> float:
    r"""The R2 objective
    :math:`\sum_k \pi_k \ell(\bar z_k + b, k) + \lambda\|\bar Z D^{1/2}\|_* + \frac{\lambda_b}2\|b\|^2`."""
    K = problem.K
    logits = Zbar + b[:, None]
    if problem.loss == "ce":
        per_class = logsumexp(logits, axis=0) - np.diagonal(logits)
    else:
        per_class = 0.5 * np.sum((logits - np.eye(K)) ** 2, axis=0)
    nuclear = np.linalg.svd(Zbar * np.sqrt(problem.n), compute_uv=False).sum()
    return float(per_class @ problem.weights + problem.lam * nuclear + 0.5 * problem.lambda_b * b @ b)


def ufm_value(problem: Problem, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> float:
    r"""Full-sample canonical UFM :math:`\frac1N\sum_i \ell(Wh_i + b, y_i)
    + \frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\|H\|^2 + \frac{\lambda_b}2\|b\|^2` (catalogue §0)."""
    labels = problem.labels
    logits = W @ H + b[:, None]
    if problem.loss == "ce":
        losses = logsumexp(logits, axis=0) - logits[labels, np.arange(problem.N)]
    else:
        target = np.eye(problem.K)[:, labels]
        losses = 0.5 * np.sum((logits - target) ** 2, axis=0)
    return float(
        losses.mean()
        + 0.5 * problem.lambda_w * np.sum(W**2)
        + 0.5 * problem.lambda_h * np.sum(H**2)
        + 0.5 * problem.lambda_b * np.sum(b**2)
    )


def cvxpy_r2(problem: Problem):
    """R2 with cvxpy + Clarabel; returns (Zbar, b) or None if Clarabel does not report optimal."""
    K, pi = problem.K, problem.weights
    Z = cp.Variable((K, K))
    b = cp.Variable(K) if problem.has_bias else None
    terms = []
    for k in range(K):
        z = Z[:, k] + b if b is not None else Z[:, k]
        if problem.loss == "ce":
            terms.append(pi[k] * (cp.log_sum_exp(z) - z[k]))
        else:
            terms.append(pi[k] * 0.5 * cp.sum_squares(z - np.eye(K)[:, k]))
    objective = cp.sum(cp.hstack(terms)) + problem.lam * cp.normNuc(Z @ np.diag(np.sqrt(problem.n)))
    if problem.bias == "regularized":
        objective = objective + 0.5 * problem.lambda_b * cp.sum_squares(b)
    prob = cp.Problem(cp.Minimize(objective))
    try:
        with warnings.catch_warnings():  # an inaccurate solve is rejected below, no need to warn
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10, max_iter=400)
    except cp.error.SolverError:
        return None
    if prob.status != cp.OPTIMAL:
        return None
    return np.asarray(Z.value), (np.asarray(b.value) if b is not None else np.zeros(K))


def dang_m1_sigma(n: np.ndarray, lambda_w: float, lambda_h: float) -> np.ndarray:
    r"""Catalogue §3, M = 1: :math:`\sigma_k = \sqrt{n_k\lambda_H/\lambda_W} - N\lambda_H` (class k zero when <= 0)."""
    return np.sqrt(n * lambda_h / lambda_w) - n.sum() * lambda_h


def zhu_prediction(K: int, n: int, lambda_w: float, lambda_h: float):
    r"""Catalogue §6: (W, H_mean) of Zhu et al.'s balanced CE minimiser, b = 0; zero if Ks >= 1."""
    s = math.sqrt(n * lambda_w * lambda_h)
    if K * s >= 1:
        return np.zeros((K, K)), np.zeros((K, K)), 0.0, 0.0
    rho = (K - 1) / K * math.log((1 - (K - 1) * s) / s)
    w_sq = math.sqrt(n * lambda_h / lambda_w) * rho
    h_sq = math.sqrt(lambda_w / (n * lambda_h)) * rho
    S = np.eye(K) - np.ones((K, K)) / K
    W = math.sqrt(w_sq * K / (K - 1)) * S  # W W^T = |w|^2 K/(K-1) S since S^2 = S
    H_mean = math.sqrt(lambda_w / (lambda_h * n)) * W.T  # h_k = sqrt(lambda_W/(lambda_H n)) w_k
    return W, H_mean, w_sq, h_sq


def two_class_ce_optimum(n1: int, n2: int, lam: float) -> float:
    r"""K = 2, CE, no bias: min over (u, v) of
    :math:`\pi_1\log(1+e^{-2u}) + \pi_2\log(1+e^{-2v}) + \lambda\sqrt2\sqrt{n_1u^2 + n_2v^2}` (see module doc)."""
    N = n1 + n2

    def f(x):
        u, v = x
        r = math.sqrt(n1 * u * u + n2 * v * v)
        value = n1 / N * np.logaddexp(0.0, -2 * u) + n2 / N * np.logaddexp(0.0, -2 * v) + lam * math.sqrt(2) * r
        du = -2 * n1 / N / (1 + math.exp(2 * u)) + lam * math.sqrt(2) * n1 * u / r
        dv = -2 * n2 / N / (1 + math.exp(2 * v)) + lam * math.sqrt(2) * n2 * v / r
        return value, np.array([du, dv])

    runs = [minimize(f, x0, jac=True, method="BFGS", options={"gtol": 1e-15, "maxiter": 10_000}) for x0 in ([1, 1], [8, 8])]
    best = min(runs, key=lambda r: r.fun)
    # 0 is the only other candidate (the function is not differentiable there)
    return min(float(best.fun), math.log(2.0))


def check_certificate(sol: Solution, tol: float) -> None:
    """Invariants of every certified solve."""
    assert sol.method == "certified"
    assert sol.status in STATUSES
    assert sol.lower_bound <= sol.objective + ROUNDING * max(1.0, abs(sol.objective))
    # gap = max(objective - lower_bound, 0) from the same two floats: identical up to one rounding
    assert sol.gap == pytest.approx(max(sol.objective - sol.lower_bound, 0.0), rel=EPS_REL, abs=1e-300)
    if sol.status == "optimal":
        assert sol.rel_gap <= tol


# ------------------------------------------------------------------------------- strategies
log_uniform = lambda lo, hi: st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0**e)  # noqa: E731


@st.composite
def problems(draw, losses=("ce", "mse"), biases=("none", "regularized", "free")):
    K = draw(st.integers(2, 6))
    sizes = tuple(draw(st.lists(st.integers(1, 50), min_size=K, max_size=K)))
    bias = draw(st.sampled_from(biases))
    return Problem(
        sizes,
        lambda_w=draw(log_uniform(1e-4, 1e-1)),
        lambda_h=draw(log_uniform(1e-4, 1e-1)),
        loss=draw(st.sampled_from(losses)),
        bias=bias,
        lambda_b=draw(log_uniform(1e-3, 1.0)) if bias == "regularized" else 0.0,
    )


# ------------------------------------------------------------------- (1) against cvxpy
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems())
def test_matches_independent_cvxpy_formulation(problem):
    reference = cvxpy_r2(problem)
    assume(reference is not None)
    F_ref = r2_value(problem, *reference)  # exact value of a feasible point: >= the optimum
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.status == "optimal"
    scale = max(1.0, abs(F_ref))
    # weak duality against an independent feasible point (rounding only)
    assert sol.lower_bound <= F_ref + ROUNDING * scale
    # ours is certified within gap of the optimum, cvxpy's point cannot be better than that
    assert sol.objective <= F_ref + sol.gap + ROUNDING * scale
    # the two solvers agree (Clarabel's own accuracy is ~1e-9 at these tolerances)
    assert abs(sol.objective - F_ref) <= 1e-7 * scale


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems(), st.integers(0, 2**32 - 1), st.floats(-2.0, 2.0))
def test_bound_is_valid_at_arbitrary_points(problem, seed, log_scale):
    # the certificate must be a true lower bound whatever the point it is built from,
    # including a bias that is far from optimal (free bias: dual feasibility Y pi = 0 is enforced)
    reference = cvxpy_r2(problem)
    assume(reference is not None)
    F_ref = r2_value(problem, *reference)
    rng = np.random.default_rng(seed)
    K = problem.K
    X = 10.0**log_scale * rng.standard_normal((K, K))
    b = 3.0 * rng.standard_normal(K) if problem.has_bias else np.zeros(K)
    smooth = ReducedSmooth(problem)
    value, grad, _, dual = smooth.joint(X, b)
    bound = smooth.lower_bound(Evaluation(value=value, grad=grad, b=b, dual=dual))
    assert bound.value <= F_ref + ROUNDING * max(1.0, abs(F_ref))


@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_free_bias_bound_enforces_dual_feasibility(loss):
    # At the optimum of the bias-free problem, the gradient's dual point Y has Y pi != 0 and is
    # worth the (higher) bias-free optimum; for the free-bias problem it must be made feasible.
    sizes = (60, 30, 10, 5)
    free = Problem(sizes, lambda_w=1e-3, lambda_h=1e-3, loss=loss, bias="free")
    no_bias = free.with_(bias="none")
    sol_free, sol_none = solve(free), solve(no_bias)
    assert sol_none.lower_bound > sol_free.objective + 1e-6  # the bias helps: a meaningful test
    X = sol_none.logits_mean * np.sqrt(free.n)
    smooth = ReducedSmooth(free)
    value, grad, _, dual = smooth.joint(X, np.zeros(free.K))
    bound = smooth.lower_bound(Evaluation(value=value, grad=grad, b=np.zeros(free.K), dual=dual))
    assert bound.value <= sol_free.objective + ROUNDING


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems())
def test_apg_phase_alone_converges(problem):
    # the APG fallback (used when the factored phase stalls above tol), run from X = 0
    reference = cvxpy_r2(problem)
    assume(reference is not None)
    F_ref = r2_value(problem, *reference)
    smooth = ReducedSmooth(problem)
    best = _Best()
    outcome = _apg_phase(smooth, np.zeros((problem.K, problem.K)), None, best, 1e-9, 20_000, _Clock(None), None)
    assert outcome.reason == "converged"
    scale = max(1.0, abs(F_ref))
    assert best.lower <= F_ref + ROUNDING * scale
    assert abs(best.value - F_ref) <= 1e-7 * scale  # cvxpy's accuracy (see the test above)


# ------------------------------------------------------------ (2) MSE closed form (§3)
def test_mse_worked_example_dang():
    # catalogue §3 worked example: n = [200,100,50,50], lambda_W = lambda_H = 5e-4, M = 1
    problem = Problem((200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse")
    sol = solve(problem, tol=1e-14)
    assert sol.status == "optimal"
    eigs = np.sort(np.linalg.eigvalsh(sol.W @ sol.W.T))[::-1]
    # the catalogue prints 5 decimals (half a unit in the last place: 5e-6)
    np.testing.assert_allclose(eigs, [13.94214, 9.8, 6.87107, 6.87107], atol=5e-6)


@settings(max_examples=50)
@given(problems(losses=("mse",), biases=("none",)))
def test_mse_closed_form_dang(problem):
    sigma = np.maximum(dang_m1_sigma(problem.n, problem.lambda_w, problem.lambda_h), 0.0)
    # 1e-13: a tol of 1e-14 is below the certificate's rounding floor 8Kε·(cancellation) for K >= 4 and would
    # end "inaccurate" by design (the radius below uses the gap actually certified either way)
    sol = solve(problem, tol=1e-13)
    check_certificate(sol, 1e-13)
    assert sol.status == "optimal"
    N = problem.N
    # MSE in X = Z D^{1/2} is (1/N)-strongly convex, so |X - X*|_F <= sqrt(2 N gap'), where gap' is the
    # certified gap plus the rounding of the two objective values it is computed from; W W^T =
    # sqrt(lambda_H/lambda_W) U Sigma U^T then moves by at most sqrt(lambda_H/lambda_W) |X - X*|_F.
    radius = math.sqrt(2 * N * (sol.gap + ROUNDING * max(1.0, abs(sol.objective))))
    err = np.abs(sol.W @ sol.W.T - np.diag(sigma)).max()
    assert err <= math.sqrt(problem.lambda_h / problem.lambda_w) * radius
    # optimal value: sum_k [n_k lambda_H / (2(sigma_k + N lambda_H)) + lambda_W sigma_k / 2]
    lw, lh = problem.lambda_w, problem.lambda_h
    value = float(np.sum(problem.n * lh / (2 * (sigma + N * lh)) + lw * sigma / 2))
    assert abs(sol.objective - value) <= sol.gap + ROUNDING * max(1.0, value)
    # class k's column of X = Z D^{1/2} is within radius of the closed form: zero iff
    # n_k <= N^2 lambda_W lambda_H, else mean logit w_k.h_k = 1 - N sqrt(lambda_W lambda_H / n_k)
    # and every other logit 0 (catalogue §3, M = 1: P H = diag(...))
    zero = problem.n <= N**2 * problem.lambda_w * problem.lambda_h
    X_pred = np.diag(np.where(zero, 0.0, 1.0 - N * np.sqrt(problem.lambda_w * problem.lambda_h / problem.n)))
    X_pred = X_pred * np.sqrt(problem.n)
    assert np.linalg.norm(sol.logits_mean * np.sqrt(problem.n) - X_pred) <= radius


# ------------------------------------------------------------- (3) Zhu balanced CE (§6)
@pytest.mark.parametrize("bias", ["regularized", "none", "free"])
def test_zhu_worked_example(bias):
    # catalogue §6: K = 4, n = 5, all lambdas 1e-2 (canonical convention)
    lambda_b = 1e-2 if bias == "regularized" else 0.0
    problem = Problem((5,) * 4, lambda_w=1e-2, lambda_h=1e-2, lambda_b=lambda_b, bias=bias)
    s = math.sqrt(5 * 1e-2 * 1e-2)
    assert problem.K * s < 1  # Zhu's zero threshold Ks >= 1 is not met: nonzero solution
    sol = solve(problem, tol=1e-13)
    assert sol.status == "optimal"
    # the catalogue prints 7 digits (<= 1e-7 relative); positions are determined to about
    # sqrt(gap / curvature) with flat directions of curvature ~ lambda/sigma ~ 1e-3: ~1e-5.
    np.testing.assert_allclose(np.sum(sol.W**2, axis=1), 6.257099, rtol=1e-5)
    np.testing.assert_allclose(np.sum(sol.H_mean**2, axis=0), 1.251420, rtol=1e-5)
    np.testing.assert_allclose(sol.b, 0.0, atol=1e-5)
    # rigorous value check: the closed-form point is optimal
    W, H_mean, _, _ = zhu_prediction(4, 5, 1e-2, 1e-2)
    F_pred = ufm_value(problem, W, np.repeat(H_mean, problem.sizes, axis=1), np.zeros(4))
    assert sol.lower_bound <= F_pred + ROUNDING * F_pred
    assert F_pred <= sol.objective + ROUNDING * F_pred


@settings(max_examples=50)
@given(
    K=st.integers(2, 6),
    n=st.integers(1, 50),
    lambda_w=log_uniform(1e-4, 1e-1),
    lambda_h=log_uniform(1e-4, 1e-1),
    lambda_b=log_uniform(1e-3, 1.0),
)
def test_zhu_balanced_ce_closed_form(K, n, lambda_w, lambda_h, lambda_b):
    problem = Problem((n,) * K, lambda_w=lambda_w, lambda_h=lambda_h, lambda_b=lambda_b, bias="regularized")
    W, H_mean, _, _ = zhu_prediction(K, n, lambda_w, lambda_h)
    F_pred = ufm_value(problem, W, np.repeat(H_mean, problem.sizes, axis=1), np.zeros(K))
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.status == "optimal"
    scale = max(1.0, F_pred)
    assert sol.lower_bound <= F_pred + ROUNDING * scale  # the prediction is a feasible point
    assert F_pred <= sol.objective + ROUNDING * scale  # ... and no worse than the certified optimum
    # zero threshold Ks >= 1 (s = sqrt(n lambda_W lambda_H)) is our zero test sigma_1(grad phi(0)) <= lambda
    zero = K * math.sqrt(n * lambda_w * lambda_h) >= 1
    assert (sol.extra["zero_grad_norm_ratio"] <= 1.0) == zero


# ---------------------------------------------------------- (4) zero regime and tiny lambda
@given(K=st.integers(2, 8), n=st.integers(1, 200), excess=st.floats(1.0, 3.0))
def test_zero_regime_balanced(K, n, excess):
    # balanced, no bias: Z = 0 iff K sqrt(n) lambda >= 1 (catalogue §2 general clause / §6)
    lam = excess / (K * math.sqrt(n))
    problem = Problem((n,) * K, lambda_w=lam, lambda_h=lam)
    sol = solve(problem)
    assert sol.status == "optimal"
    assert sol.extra["rank"] == 0 and sol.iterations == 0
    assert np.all(sol.W == 0.0) and np.all(sol.logits_mean == 0.0)
    # F(0) = log K; the bound at 0 is the entropy of the uniform distribution, also log K
    assert sol.objective == pytest.approx(math.log(K), rel=1e-15)  # log1p/log of exact inputs: 1 ulp
    assert sol.gap <= 1e-14 * math.log(K)  # exact up to rounding (sums of K^2 <= 64 entropy terms)


@given(K=st.integers(2, 8), n=st.integers(1, 200), shortfall=st.floats(0.5, 0.98))
def test_just_below_zero_threshold_is_nonzero(K, n, shortfall):
    lam = shortfall / (K * math.sqrt(n))
    sol = solve(Problem((n,) * K, lambda_w=lam, lambda_h=lam))
    assert sol.status == "optimal"
    assert sol.extra["rank"] == K - 1  # a simplex-ETF of rank K-1 (catalogue §6)
    assert sol.objective < math.log(K)


def test_mse_zero_regime():
    # every n_k <= N^2 lambda_W lambda_H -> W = H = 0 (catalogue §3, M = 1); F(0) = 1/2
    problem = Problem((3, 2, 2), lambda_w=1.0, lambda_h=0.1, loss="mse")
    assert max(problem.sizes) <= problem.N**2 * 1.0 * 0.1
    sol = solve(problem)
    assert sol.status == "optimal" and sol.extra["rank"] == 0
    assert sol.objective == pytest.approx(0.5, rel=1e-15)  # sums of exact halves: 1 ulp


@pytest.mark.parametrize("sizes", [(5, 5), (7, 3), (9, 1)])
@pytest.mark.parametrize("lam", [1e-6, 1e-4, 1e-2])
def test_two_classes_exact_reduction_including_tiny_lambda(sizes, lam):
    problem = Problem(sizes, lambda_w=lam, lambda_h=lam)
    F_ref = two_class_ce_optimum(*sizes, lam)
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.status == "optimal"
    assert np.all(np.isfinite(sol.W)) and np.all(np.isfinite(sol.logits_mean))
    # BFGS in two variables reaches the optimum to rounding (gtol 1e-15): both directions hold
    assert sol.lower_bound <= F_ref + ROUNDING
    assert abs(sol.objective - F_ref) <= sol.gap + ROUNDING


def test_tiny_lambda_large_logits():
    # lambda = 1e-6 with N = 10: margins grow like log(1/lambda); no overflow, still certified
    problem = Problem((4, 3, 2, 1), lambda_w=1e-6, lambda_h=1e-6)
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.status == "optimal"
    # an upper bound from a feasible point: Z = 20 S (margins 20)
    S = np.eye(4) - np.ones((4, 4)) / 4
    F_upper = r2_value(problem, 20.0 * S, np.zeros(4))
    assert sol.objective <= F_upper + ROUNDING and F_upper < 0.009
    # a margin m < log 10 would cost class k at least pi_k log(1 + e^{-m}) > 0.1 log 1.1 > 0.009
    margins = np.diagonal(sol.logits_mean)[None, :] - sol.logits_mean
    assert margins[~np.eye(4, dtype=bool)].min() > math.log(10.0)


# ------------------------------------------------------------ (5) recovered factors
@settings(max_examples=50)
@given(problems(), st.integers(0, 3))
def test_recovered_factors_reproduce_logits_and_objective(problem, pad):
    sol = solve(problem)
    check_certificate(sol, 1e-10)
    assert sol.status == "optimal"
    K = problem.K
    assert sol.logits_mean.shape == (K, K) and sol.b.shape == (K,)
    rank = sol.extra["rank"]
    assert sol.W.shape == (K, max(rank, 1)) and sol.H_mean.shape == (max(rank, 1), K)
    scale = max(1.0, np.abs(sol.logits_mean).max())
    # the same product recomputed: rounding of K-term dot products only
    np.testing.assert_allclose(sol.W @ sol.H_mean + sol.b[:, None], sol.logits_mean, rtol=0, atol=1e-12 * scale)
    # full-sample UFM objective with every feature at its class mean equals the reported objective
    H = np.repeat(sol.H_mean, problem.sizes, axis=1)
    assert ufm_value(problem, sol.W, H, sol.b) == pytest.approx(sol.objective, rel=ROUNDING, abs=ROUNDING)
    # R1 balance: lambda_W |W|^2 = lambda_H sum_k n_k |h_k|^2 (both = lambda |Y|_*), exact up to rounding
    assert problem.lambda_w * np.sum(sol.W**2) == pytest.approx(problem.lambda_h * np.sum(H**2), rel=ROUNDING, abs=1e-300)
    assert sol.extra["singular_values"].shape == (K,)
    assert rank == int(np.count_nonzero(sol.extra["singular_values"]))
    Y = (sol.logits_mean - sol.b[:, None]) * np.sqrt(problem.n)  # Y = Z D^{1/2}
    sv_scale = max(1e-300, np.linalg.norm(Y, 2))  # singular values are backward stable: ~K eps |Y|_2
    np.testing.assert_allclose(
        np.linalg.svd(Y, compute_uv=False), sol.extra["singular_values"], rtol=0, atol=1e-12 * sv_scale
    )
    if problem.bias == "none":
        assert np.all(sol.b == 0.0)
    # a larger d pads with zero dimensions; the same solution otherwise
    d = max(rank, 1) + pad
    padded = solve(problem.with_(d=d))
    assert padded.W.shape == (K, d) and padded.H_mean.shape == (d, K)
    assert not padded.extra["rank_exceeds_d"]
    assert np.all(padded.W[:, rank:] == 0.0) and np.all(padded.H_mean[rank:, :] == 0.0)


def test_d_below_rank_is_reported_as_relaxation():
    problem = Problem((50, 40, 30, 20, 10), lambda_w=1e-3, lambda_h=1e-3, d=2)
    sol = solve(problem)
    assert sol.extra["rank"] > 2  # CE without bias: rank K-1 = 4 here (all classes separated)
    assert sol.extra["rank_exceeds_d"] is True
    assert "relaxation" in sol.message
    assert sol.status == "relaxation"  # certified for R2, which is only a relaxation at this d: not an answer
    assert sol.lower_bound is not None and sol.gap <= 1e-8 * max(1.0, abs(sol.objective))
    assert sol.W.shape[1] == sol.extra["rank"]


# --------------------------------------------------------------- honesty of the status
def test_factored_phase_does_the_work_on_an_ordinary_instance():
    # two clusters (5 x 500, 5 x 50), lambda = 1e-3: the APG fallback should not be needed
    sol = solve(Problem((500,) * 5 + (50,) * 5, lambda_w=1e-3, lambda_h=1e-3))
    assert sol.status == "optimal" and sol.extra["iterations_apg"] == 0


def test_iteration_budget_is_reported_not_hidden():
    problem = Problem((500,) * 5 + (50,) * 5, lambda_w=1e-3, lambda_h=1e-3)
    sol = solve(problem, max_iter=2)
    check_certificate(sol, 1e-10)
    assert sol.status == "max_iter" and sol.rel_gap > 1e-10
    assert sol.iterations <= 2


def test_time_limit_is_reported_as_inaccurate():
    problem = Problem((500,) * 5 + (50,) * 5, lambda_w=1e-3, lambda_h=1e-3)
    sol = solve(problem, time_limit=1e-9)
    check_certificate(sol, 1e-10)
    assert sol.status == "inaccurate" and "time limit" in sol.message


def test_unreachable_tolerance_ends_inaccurate():
    # below the certificate's rounding floor: never "optimal", whatever the last bits of the gap (the decision
    # does not depend on them), and the message names the floor, not a stall that did not happen
    problem = Problem((30, 20, 10), lambda_w=1e-3, lambda_h=1e-3)
    sol = solve(problem, tol=1e-17)
    check_certificate(sol, 1e-17)
    assert sol.status == "inaccurate" and "rounding floor" in sol.message
    assert f"stop: {sol.extra['stop_reason']}" in sol.message
    assert sol.rel_gap < 1e-12  # still an excellent (honest) certificate


@pytest.mark.parametrize("bias", ["none", "free", "regularized"])
def test_warm_start_reaches_the_same_optimum(bias):
    problem = Problem((40, 30, 20, 10), lambda_w=1e-3, lambda_h=1e-3, bias=bias,
                      lambda_b=1e-2 if bias == "regularized" else 0.0)
    cold = solve(problem)
    warm = solve(problem, x0=cold)
    warm_array = solve(problem, x0=cold.logits_mean - cold.b[:, None])
    for sol in (warm, warm_array):
        assert sol.status == "optimal"
        assert abs(sol.objective - cold.objective) <= cold.gap + sol.gap + ROUNDING


def test_dispatch_reaches_this_solver():
    from nctheory.solvers import solve as dispatch_solve

    sol = dispatch_solve(Problem((5, 3)), method="certified")
    assert sol.method == "certified" and sol.status == "optimal"


# ------------------------------------------------------------------------ (6) bad input
@pytest.mark.parametrize(
    "changes",
    [
        {"features": "relu"},
        {"depth": 2},
        {"classifier": "fixed-etf", "e_w": 1.0},
        {"constraint": "average", "e_w": 1.0, "e_h": 1.0},
    ],
)
def test_models_outside_r2_are_rejected(changes):
    problem = Problem((5, 3, 2), **changes)
    with pytest.raises(ValueError, match=r"^problem: the certified solver handles .*; here: .* not handled"):
        solve(problem)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"tol": 0.0}, "tol"),
        ({"tol": -1e-3}, "tol"),
        ({"tol": float("nan")}, "tol"),
        ({"tol": True}, "tol"),
        ({"tol": "1e-8"}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 10.5}, "max_iter"),
        ({"time_limit": 0.0}, "time_limit"),
        ({"time_limit": -1}, "time_limit"),
        ({"time_limit": "1"}, "time_limit"),
        ({"x0": np.zeros((2, 2))}, "x0"),
        ({"x0": np.full((3, 3), np.nan)}, "x0"),
        ({"x0": "zeros"}, "x0"),
        ({"progress": "yes"}, "progress"),
    ],
)
def test_bad_options_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        solve(Problem((5, 3, 2)), **kwargs)


def test_not_a_problem():
    with pytest.raises(ValueError, match=r"^problem: "):
        solve({"sizes": (5, 3)})


def test_progress_prints_to_stderr(capsys):
    solve(Problem((5, 3, 2), lambda_w=1e-2, lambda_h=1e-2), progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "[certified" in captured.err
