"""Tests of the cvxpy reference formulations (nctheory.solvers.convex).

Every expected value comes from independent math: closed forms of the catalogue
(Dang et al. MSE M=1, Zhu et al. balanced CE, Yang et al. fixed ETF, Fang et al.
balanced LPM, the SEL matrix, the ReLU structure of Dang et al. 2024), a 1-D scipy
minimisation, numpy SVDs, or another formulation solving the same model.

Accuracy model used for the tolerances: the accepted interior-point solve stops at
a relative objective gap of 1e-11 (first attempt) to 1e-8 (default fallback).  Objective
values are then accurate to ~1e-8 relative; variables at a nondegenerate optimum to
about the square root of the gap, i.e. 1e-5.5 .. 1e-4 in the worst (flat) directions
(a class of weight π_k has its features determined to ~sqrt(gap/π_k)).
"""

from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from nctheory import Problem
from nctheory.solvers import convex as C
from nctheory.solvers.convex import _run
from nctheory.solvers.convex._model import collapsed_objective
from nctheory.solvers.convex.relu_dnn import _nonnegative_factor
from nctheory.solvers.result import STATUSES

sizes_st = st.lists(st.integers(1, 40), min_size=2, max_size=5).map(tuple)
small_sizes_st = st.lists(st.integers(1, 6), min_size=2, max_size=4).map(tuple)
log_lambda = st.floats(-4.0, -1.5).map(lambda e: 10.0 ** e)
budget_st = st.floats(-1.0, 1.0).map(lambda e: 10.0 ** e)

#: Variables (relative to their scale): sqrt of the accepted gap, <= sqrt(1e-8) = 1e-4 (module doc).
VAR_TOL = 1e-4
#: Objective values: accepted gap <= 1e-8 relative, x10 for the factor recovery / rank cutoff.
OBJ_RTOL = 1e-7


def centering(K: int) -> np.ndarray:
    return np.eye(K) - np.full((K, K), 1.0 / K)


def assert_optimal(sol):
    assert sol.status == "optimal", sol.message
    assert sol.status in STATUSES
    assert np.isfinite(sol.objective)


# ------------------------------------------------------------------ reduced (R2)
def test_reduced_mse_worked_example():
    # Catalogue §3, M = 1 worked example; the quoted digits are rounded to 5 decimals.
    p = Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse")
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    assert sol.method == "convex:reduced/CLARABEL"
    eig = np.sort(np.linalg.eigvalsh(sol.W @ sol.W.T))[::-1]
    np.testing.assert_allclose(eig, [13.94214, 9.8, 6.87107, 6.87107], atol=1e-5)  # 5-decimal rounding


@settings(max_examples=10)
@given(sizes=sizes_st, lambda_w=log_lambda, lambda_h=log_lambda)
def test_reduced_mse_matches_closed_form(sizes, lambda_w, lambda_h):
    # Dang et al. M = 1: WWᵀ has eigenvalues σ_k = √(n_k λ_H/λ_W) − Nλ_H (0 if n_k ≤ N²λ_Wλ_H),
    # and w_k·h̄_k = 1 − N√(λ_Wλ_H/n_k) for nonzero classes.
    p = Problem(sizes=sizes, lambda_w=lambda_w, lambda_h=lambda_h, loss="mse")
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    n, N = p.n, p.N
    sigma = np.maximum(np.sqrt(n * lambda_h / lambda_w) - N * lambda_h, 0.0)
    eig = np.sort(np.clip(np.linalg.eigvalsh(sol.W @ sol.W.T), 0, None))
    scale = max(1.0, sigma.max())
    # variables: ~sqrt(gap) accuracy, gap <= 1e-8 relative (module doc)
    np.testing.assert_allclose(eig, np.sort(sigma), atol=1e-4 * scale)
    alive = sigma > 1e-3 * scale
    dots = np.einsum("kd,dk->k", sol.W, sol.H_mean)
    np.testing.assert_allclose(dots[alive], (1 - N * np.sqrt(lambda_w * lambda_h / n))[alive], atol=1e-4)


def test_reduced_zhu_balanced_ce_worked_example():
    # Catalogue §6 ZHU-balanced-CE worked example (7 significant digits quoted).
    p = Problem(sizes=(5,) * 4, lambda_w=1e-2, lambda_h=1e-2, lambda_b=1e-2, bias="regularized")
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    # the conic answer stops at gap ~1e-11: positions in flat directions are known to ~sqrt(gap) x scale (~2e-5 here),
    # and where in that range it lands depends on the BLAS kernel (measured: max error 1e-6 on SkylakeX, 8.6e-6 on
    # Prescott); the quoted 7 digits themselves are checked on the certified solve at its rounding floor below
    np.testing.assert_allclose((sol.W ** 2).sum(axis=1), 6.257099, atol=2e-5)
    np.testing.assert_allclose((sol.H_mean ** 2).sum(axis=0), 1.251420, atol=2e-5)
    np.testing.assert_allclose(sol.b, 0.0, atol=1e-5)  # b* = 0 with λ_b > 0
    from nctheory.solvers.registry import solve

    ref = solve(p, method="certified", tol=1e-14)
    np.testing.assert_allclose((ref.W ** 2).sum(axis=1), 6.257099, atol=5e-7)  # quoted-digit rounding only
    np.testing.assert_allclose((ref.H_mean ** 2).sum(axis=0), 1.251420, atol=5e-7)


@settings(max_examples=10)
@given(K=st.integers(2, 5), n=st.integers(1, 30), lambda_w=log_lambda, lambda_h=log_lambda,
       lambda_b=log_lambda)
def test_reduced_zhu_balanced_ce_closed_form(K, n, lambda_w, lambda_h, lambda_b):
    s = math.sqrt(n * lambda_w * lambda_h)
    assume(abs(K * s - 1) > 0.05)  # stay off the collapse boundary, where variables are ill-conditioned
    p = Problem(sizes=(n,) * K, lambda_w=lambda_w, lambda_h=lambda_h, lambda_b=lambda_b, bias="regularized")
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    if K * s >= 1:
        assert np.abs(sol.logits_mean).max() < 1e-6  # unique minimizer 0; solver noise only
        return
    rho = (K - 1) / K * math.log((1 - (K - 1) * s) / s)
    w2 = math.sqrt(n * lambda_h / lambda_w) * rho
    h2 = math.sqrt(lambda_w / (n * lambda_h)) * rho
    np.testing.assert_allclose(sol.W @ sol.W.T, w2 * K / (K - 1) * centering(K), rtol=0, atol=1e-4 * w2)
    np.testing.assert_allclose(sol.H_mean.T @ sol.H_mean, h2 * K / (K - 1) * centering(K), atol=1e-4 * h2)
    np.testing.assert_allclose(sol.H_mean, math.sqrt(lambda_w / (lambda_h * n)) * sol.W.T, atol=1e-4 * math.sqrt(h2))


def test_reduced_objective_is_the_canonical_value_at_the_factors():
    # R1: the recovered factors carry exactly the nuclear-norm penalty λ‖Y‖_* (numpy SVD of extra["Y"]).
    p = Problem(sizes=(30, 10, 3), lambda_w=2e-3, lambda_h=5e-3, bias="free", loss="ce")
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    Y = sol.extra["Y"]
    penalty = 0.5 * p.lambda_w * (sol.W ** 2).sum() + 0.5 * p.lambda_h * p.n @ (sol.H_mean ** 2).sum(axis=0)
    assert penalty == pytest.approx(p.lam * np.linalg.svd(Y, compute_uv=False).sum(), rel=1e-7)  # rank cutoff 1e-7
    np.testing.assert_allclose(sol.W @ sol.H_mean, Y @ np.diag(p.n ** -0.5), atol=1e-7 * np.abs(Y).max())
    assert abs(sol.b.sum()) < 1e-9  # CE free-bias gauge 1ᵀb = 0 is a constraint (feasibility tol 1e-10)


# ------------------------------------------------------------- full sample (NC1)
@settings(max_examples=8)
@given(sizes=small_sizes_st, lam=st.floats(-3.0, -1.5).map(lambda e: 10.0 ** e),
       loss=st.sampled_from(["ce", "mse"]), bias=st.sampled_from(["none", "regularized", "free"]))
def test_full_sample_equals_reduced_and_collapses(sizes, lam, loss, bias):
    lambda_b = 1e-2 if bias == "regularized" else 0.0
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=2 * lam, loss=loss, bias=bias, lambda_b=lambda_b)
    full, red = C.solve_full_sample(p), C.solve_reduced(p)
    assert_optimal(full)
    assert_optimal(red)
    assert full.H.shape == (p.dim, p.N)
    # both are optimal values of the same model up to a gap <= 1e-8 relative
    assert full.objective == pytest.approx(red.objective, rel=1e-7, abs=1e-9)
    # NC1: features of a class coincide; sqrt(gap) accuracy allows ~1e-5 spread, non-collapse is O(1)
    assert full.extra["within_class_spread"] < 1e-4
    np.testing.assert_allclose(full.logits_mean, red.logits_mean, atol=1e-4 * max(1, np.abs(red.logits_mean).max()))


def test_full_sample_column_lmi_form_and_size_limit():
    p = Problem(sizes=(20, 12, 6, 2), lambda_w=1e-2, lambda_h=1e-2)  # K + N = 44 > 30: column-LMI form
    full, red = C.solve_full_sample(p), C.solve_reduced(p)
    assert_optimal(full)
    assert full.extra["nuclear_form"] == "column-lmi"
    assert full.objective == pytest.approx(red.objective, rel=1e-7)  # gap <= 1e-8 relative
    assert full.extra["within_class_spread"] < 1e-4  # see test above
    with pytest.raises(ValueError, match=r"^sizes:"):
        C.solve_full_sample(Problem(sizes=(300, 101)))


# ------------------------------------------------------------------- LPM (Fang)
@example(K=2, n=28, e_w=5.5155, e_h=10 ** 0.99)  # value 4.2e-7: only the absolute stop bounds its error
@settings(max_examples=8)
@given(K=st.integers(2, 5), n=st.integers(1, 50), e_w=budget_st, e_h=budget_st)
def test_lpm_balanced_is_etf(K, n, e_w, e_h):
    p = Problem(sizes=(n,) * K, constraint="average", e_w=e_w, e_h=e_h)
    sol = C.solve_lpm_sdp(p)
    assert_optimal(sol)
    # Fang et al.: simplex ETF with full budgets, h̄_k = sqrt(E_H/E_W) w_k; sqrt(gap) variable accuracy
    np.testing.assert_allclose(sol.W @ sol.W.T, e_w * K / (K - 1) * centering(K), atol=1e-4 * e_w)
    np.testing.assert_allclose(sol.H_mean, math.sqrt(e_h / e_w) * sol.W.T, atol=1e-4 * math.sqrt(e_h))
    # ETF value: mean logits sqrt(E_W E_H) K/(K-1) (e_k - 1/K) -> CE = log(1 + (K-1) exp(-sqrt(E_W E_H) K/(K-1)))
    value = math.log1p((K - 1) * math.exp(-math.sqrt(e_w * e_h) * K / (K - 1)))
    # Clarabel also stops on its absolute gap (tol_gap_abs): at E_W E_H ~ 50 the value is ~4e-7 and the budget is used
    # to 1 - 6e-7, 3.5e-12 off in absolute terms (8e-6 relative), inside that stop.  The value is known to x10 of it.
    known_abs = 10 * sol.extra["attempts"][-1]["options"]["tol_gap_abs"]
    assert sol.extra["convex_value"] == pytest.approx(value, rel=OBJ_RTOL, abs=known_abs)
    assert sol.objective == pytest.approx(value, rel=OBJ_RTOL, abs=known_abs)


@settings(max_examples=8)
@given(sizes=sizes_st, e_w=budget_st, e_h=budget_st, loss=st.sampled_from(["ce", "mse"]))
def test_lpm_beats_feasible_points(sizes, e_w, e_h, loss):
    # The optimum is no worse than two feasible points: the ETF point and the origin.
    p = Problem(sizes=sizes, constraint="average", e_w=e_w, e_h=e_h, loss=loss)
    sol = C.solve_lpm_sdp(p)
    assert_optimal(sol)
    K = p.K
    assert np.vdot(sol.W, sol.W) / K <= e_w * (1 + 1e-9)  # feasibility (recovered point is scaled onto it)
    assert np.vdot(sol.H_mean, sol.H_mean) / K <= e_h * (1 + 1e-9)
    M = math.sqrt(K / (K - 1)) * centering(K)
    W0 = math.sqrt(e_w) * M
    etf_value = collapsed_objective(p, W0, math.sqrt(e_h / e_w) * W0.T, np.zeros(K))
    zero_value = collapsed_objective(p, np.zeros((K, K)), np.zeros((K, K)), np.zeros(K))
    assert sol.objective <= min(etf_value, zero_value) + 1e-8  # objective gap <= 1e-8
    assert sol.extra["rank"] <= K


# ---------------------------------------------------------------- UF-SVM (SEL)
@settings(max_examples=10)
@given(sizes=sizes_st)
def test_uf_svm_is_sel(sizes):
    sol = C.solve_uf_svm(sizes)
    assert_optimal(sol)
    K = len(sizes)
    S = centering(K)
    np.testing.assert_allclose(sol.logits_mean, S, atol=VAR_TOL)
    n = np.asarray(sizes, dtype=float)
    # optimal value ‖S D^{1/2}‖_* by numpy SVD, a gap <= 1e-8 relative
    nuc = np.linalg.svd(S @ np.diag(np.sqrt(n)), compute_uv=False).sum()
    assert sol.objective == pytest.approx(nuc, rel=1e-7)


def test_uf_svm_sample_form_is_sel_on_every_sample():
    sizes = (4, 2, 1)
    sol = C.solve_uf_svm(sizes, form="sample")
    assert_optimal(sol)
    labels = np.repeat(np.arange(3), sizes)
    np.testing.assert_allclose(sol.extra["Z"], centering(3)[:, labels], atol=VAR_TOL)  # S·Y
    assert sol.extra["min_margin"] >= 1 - 1e-6  # feasibility tolerance 1e-10, amplified by the factor recovery
    assert sol.objective == pytest.approx(C.solve_uf_svm(sizes).objective, rel=1e-7)  # class-mean reduction


# ------------------------------------------------------------- fixed ETF (Yang)
@settings(max_examples=10)
@given(K=st.integers(2, 5), extra_dim=st.sampled_from([-1, 0, 2]))
def test_simplex_etf_rows(K, extra_dim):
    M = C.simplex_etf_rows(K, K + extra_dim)
    np.testing.assert_allclose(M @ M.T, K / (K - 1) * centering(K), atol=1e-12)  # exact construction


@settings(max_examples=10)
@given(sizes=sizes_st, e_w=budget_st, e_h=budget_st, extra_dim=st.sampled_from([-1, 0, 2]),
       loss=st.sampled_from([None, "dr"]))
def test_fixed_etf_per_sample_is_scaled_classifier(sizes, e_w, e_h, extra_dim, loss):
    K = len(sizes)
    p = Problem(sizes=sizes, classifier="fixed-etf", constraint="per-sample", e_w=e_w, e_h=e_h, d=K + extra_dim,
                loss=loss or "ce")
    sol = C.solve_fixed_etf(p)
    assert_optimal(sol)
    np.testing.assert_allclose(sol.W @ sol.W.T, e_w * K / (K - 1) * centering(K), atol=1e-12)
    # Yang et al.: h̄_k = sqrt(E_H/E_W) w*_k for any sizes; the DR loss is flat (quadratic in the
    # tangent direction of the ball), so its variables are only sqrt(gap) ~ 1e-5 accurate
    np.testing.assert_allclose(sol.H_mean, math.sqrt(e_h / e_w) * sol.W.T, atol=1e-4 * math.sqrt(e_h))


@settings(max_examples=8)
@given(sizes=sizes_st, lambda_h=log_lambda, e_w=budget_st)
def test_fixed_etf_penalty_scale_is_class_independent(sizes, lambda_h, e_w):
    K = len(sizes)
    p = Problem(sizes=sizes, classifier="fixed-etf", constraint="penalty", lambda_h=lambda_h, e_w=e_w)
    sol = C.solve_fixed_etf(p)
    assert_optimal(sol)
    # Catalogue ETF-variants: h̄_k = c w*_k, c minimising the 1-D function below (independent scipy solve):
    # logits c E_W K/(K-1) (e_k - 1/K)  ->  CE = log(1 + (K-1) exp(-c E_W K/(K-1))), penalty (λ_H/2) N c² E_W
    a = e_w * K / (K - 1)
    res = minimize_scalar(lambda c: math.log1p((K - 1) * math.exp(-c * a)) + 0.5 * lambda_h * p.N * c * c * e_w,
                          bounds=(0, 1e4), method="bounded", options={"xatol": 1e-12})
    np.testing.assert_allclose(sol.H_mean, res.x * sol.W.T, atol=VAR_TOL * max(1, res.x))


def test_fixed_etf_input_errors():
    # the loss is part of the model: an unknown loss, or dot regression without the budget its target needs,
    # are rejected when the Problem is built
    with pytest.raises(ValueError, match=r"^loss:"):
        Problem(sizes=(3, 2), classifier="fixed-etf", constraint="penalty", lambda_h=1e-2, loss="hinge")
    with pytest.raises(ValueError, match=r"^e_h:"):
        Problem(sizes=(3, 2), classifier="fixed-etf", constraint="penalty", lambda_h=1e-2, loss="dr")
    with pytest.raises(ValueError, match=r"^bias:"):
        Problem(sizes=(3, 2), classifier="fixed-etf", constraint="per-sample", e_h=1.0, lambda_w=0.0, lambda_h=0.0,
                loss="dr", bias="free")
    with pytest.raises(ValueError, match=r"^classifier:"):
        C.solve_fixed_etf(Problem(sizes=(3, 2)))


# ------------------------------------------------------------ ReLU DNN bound (R5)
def relu_closed_form(p: Problem):
    """Dang et al. 2024 (catalogue §4): a ReLU-feasible point, optimal if the catalogue is right."""
    K, N, n = p.K, p.N, p.n
    lw, lh = p.lambda_w, p.lambda_h
    tau = K * N ** 2 * lw * lh / (K - 1)
    t = np.zeros(K)
    alive = n > tau
    t[alive] = np.log((K - 1) * (np.sqrt(n[alive]) / (N * math.sqrt((K - 1) * lw * lh / K)) - 1))
    h2 = np.sqrt((K - 1) * lw / (K * lh * n)) * t
    H = np.zeros((p.dim, K))
    H[:K, :K] = np.diag(np.sqrt(h2))
    W = math.sqrt(K * lh / ((K - 1) * lw)) * centering(K) @ np.diag(np.sqrt(n)) @ H.T
    return W, H


@settings(max_examples=8)
@given(sizes=sizes_st, lam=st.floats(-3.5, -1.5).map(lambda e: 10.0 ** e), seed=st.integers(0, 2 ** 16))
def test_relu_bound_sandwich(sizes, lam, seed):
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, features="relu")
    sol = C.relu_dnn_bound(p)
    assert sol.status in ("optimal", "local"), sol.message
    bound = sol.lower_bound
    slack = 1e-8 * max(1.0, abs(bound))  # relaxation value accurate to its gap (<= 1e-8 relative)
    # free features relax H >= 0: the free optimum is below the bound
    free = C.solve_reduced(p.with_(features="free"))
    assert free.objective <= bound + slack
    # any ReLU-feasible point is above it: the catalogue's closed form and a random one
    W, H = relu_closed_form(p)
    assert bound <= collapsed_objective(p, W, H, np.zeros(p.K)) + slack
    rng = np.random.default_rng(seed)
    Hr = np.abs(rng.standard_normal((p.dim, p.K)))
    Wr = rng.standard_normal((p.K, p.dim))
    assert bound <= collapsed_objective(p, Wr, Hr, np.zeros(p.K)) + slack
    # the recovered point is ReLU-feasible and its objective is >= the bound
    assert sol.H_mean.min() >= 0
    assert sol.objective >= bound - slack
    assert sol.extra["tight"] == (sol.status == "optimal")


def test_relu_bound_tight_and_matches_catalogue():
    p = Problem(sizes=(50, 10, 1, 1, 1), lambda_w=1e-3, lambda_h=1e-3, features="relu")
    sol = C.relu_dnn_bound(p)
    assert_optimal(sol)
    assert sol.extra["tight"]
    W, H = relu_closed_form(p)
    # catalogue closed form attains the bound up to the relaxation's objective gap
    assert collapsed_objective(p, W, H, np.zeros(p.K)) == pytest.approx(sol.lower_bound, rel=1e-8)
    # disjoint supports: H̄ᵀH̄ diagonal (catalogue RELU-structure); sqrt(gap) accuracy
    G = sol.H_mean.T @ sol.H_mean
    assert np.abs(G - np.diag(np.diag(G))).max() < 1e-5 * np.abs(G).max()


@settings(max_examples=8)
@given(K=st.integers(2, 5), seed=st.integers(0, 2 ** 16))
def test_nonnegative_factor_recovers_completely_positive_matrix(K, seed):
    rng = np.random.default_rng(seed)
    Q = np.abs(rng.standard_normal((K, K))) * (rng.random((K, K)) < 0.7)
    Q[:, 0] += 0.1  # no zero column, so B is not diagonal by accident
    B = Q.T @ Q
    H, _, residual = _nonnegative_factor(B, 2 * K, restarts=8, iters=3000, seed=0)
    assert H.min() >= 0
    # a heuristic: it must at least report its residual honestly, and usually find a factor
    assert residual == pytest.approx(np.linalg.norm(H.T @ H - B) / np.diag(B).max(), rel=1e-9, abs=1e-15)


def test_nonnegative_factor_finds_factor_for_sparse_examples():
    # Small CP matrices with an exact nonnegative factor of inner dimension K: expect recovery.
    rng = np.random.default_rng(0)
    found = 0
    for K in (3, 4, 5):
        Q = np.abs(rng.standard_normal((K, K))) * (rng.random((K, K)) < 0.6)
        Q[:, 0] += 0.1
        _, _, residual = _nonnegative_factor(Q.T @ Q, 2 * K, restarts=8, iters=3000, seed=0)
        found += residual < 1e-8  # a genuine factor reproduces B to rounding
    assert found == 3


# ------------------------------------------------------- status handling, dispatch
def test_forced_scs_failure_is_not_optimal():
    p = Problem(sizes=(10, 3, 1), lambda_w=1e-2, lambda_h=1e-2)
    sol = C.solve_reduced(p, solver="SCS", solver_opts={"max_iters": 1})
    assert sol.status != "optimal"
    assert sol.status in STATUSES
    assert not sol.success and not sol.certified
    assert math.isnan(sol.objective) and np.isnan(sol.W).all()
    assert sol.method == "convex:reduced/SCS"
    assert sol.extra["cvxpy_status"] in sol.message


def test_infeasible_problem_reported_infeasible():
    x = cp.Variable()
    outcome = _run.run(cp.Problem(cp.Minimize(x), [x >= 1, x <= 0]))
    assert outcome.status == "infeasible" and not outcome.ok
    assert len(outcome.attempts) == 1  # a certificate of infeasibility ends the chain


def test_fallback_chain_accepts_a_later_optimal_attempt(monkeypatch):
    monkeypatch.setattr(_run, "CLARABEL_TIGHT", {"max_iter": 1})  # cannot converge in one iteration
    p = Problem(sizes=(10, 3, 1), lambda_w=1e-2, lambda_h=1e-2)
    sol = C.solve_reduced(p)
    assert_optimal(sol)
    attempts = sol.extra["attempts"]
    assert attempts[0]["cvxpy_status"] != "optimal"
    assert attempts[-1]["cvxpy_status"] == "optimal" and len(attempts) >= 2
    ref = C.solve_reduced(p, solver="CLARABEL", solver_opts={})  # Clarabel defaults, not the patched options
    assert sol.objective == pytest.approx(ref.objective, rel=1e-7)  # both gaps <= 1e-8 relative


def test_input_errors_name_the_field():
    with pytest.raises(ValueError, match=r"^depth:.*factored"):
        C.solve(Problem(sizes=(3, 2), depth=2))
    with pytest.raises(ValueError, match=r"^solver:"):
        C.solve_reduced(Problem(sizes=(3, 2)), solver="MOSEK")
    with pytest.raises(ValueError, match=r"^solver_opts:"):
        C.solve_reduced(Problem(sizes=(3, 2)), solver_opts={"max_iter": 3})
    with pytest.raises(ValueError, match=r"^form:"):
        C.solve_uf_svm((3, 2), form="dual")
    with pytest.raises(ValueError, match=r"^constraint:"):
        C.solve_reduced(Problem(sizes=(3, 2), constraint="average", e_w=1.0, e_h=1.0))
    with pytest.raises(ValueError, match=r"^bias:"):
        C.relu_dnn_bound(Problem(sizes=(3, 2), features="relu", bias="free"))
    with pytest.raises(ValueError, match=r"^problem:"):
        C.solve_reduced((3, 2))


@pytest.mark.parametrize("kwargs, formulation", [
    ({}, "reduced"),
    ({"constraint": "average", "e_w": 1.0, "e_h": 1.0}, "lpm"),
    ({"classifier": "fixed-etf", "constraint": "per-sample", "e_h": 1.0}, "fixed-etf"),
    ({"features": "relu"}, "relu-dnn"),
])
def test_dispatch_picks_formulation(kwargs, formulation):
    sol = C.solve(Problem(sizes=(6, 3, 1), lambda_w=1e-2, lambda_h=1e-2, **kwargs))
    assert_optimal(sol)
    assert sol.method == f"convex:{formulation}/CLARABEL"
