"""Tests for nctheory.solvers.factored: the nonconvex problems solved in their own variables.

Known values come from independent math written here: the canonical objective (§0) coded
directly, finite differences, the closed forms of catalogue §3 (deep linear MSE, with the
root equation solved here and the global threshold test), §4 (ReLU CE), §5 (fixed ETF), §6
(Zhu's balanced example), and small cvxpy programs (fixed-ETF average constraint, Fang's LPM
Gram SDP) solved here as independent references.
"""

from __future__ import annotations

import math

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.special import logsumexp

from nctheory import Problem
from nctheory.solvers.factored import FactoredObjective, gradient_descent, solve
from nctheory.solvers.factored.feasible import project_ball_columns, project_weighted_ball

# --------------------------------------------------------------------------- helpers


def canonical_objective(problem: Problem, layers: list[np.ndarray], H: np.ndarray, b: np.ndarray) -> float:
    """§0 written out sample by sample: (1/N)Σℓ + Σ(λ_W/2)‖W_i‖² + (λ_H/2)‖H‖² + (λ_b/2)‖b‖² (penalty model),
    only the loss and the bias penalty under the layer-peeled constraints."""
    P = layers[-1]
    for W in reversed(layers[:-1]):
        P = P @ W
    total = 0.0
    for i, y in enumerate(problem.labels):
        z = P @ H[:, i] + b
        if problem.loss == "ce":
            total += logsumexp(z) - z[y]
        else:
            e = np.zeros(problem.K)
            e[y] = 1.0
            total += 0.5 * float(np.sum((z - e) ** 2))
    value = total / problem.N
    if problem.constraint == "penalty":
        value += 0.5 * problem.lambda_h * float(np.sum(H * H))
        if problem.classifier == "learned":
            value += sum(0.5 * problem.lambda_w * float(np.sum(W * W)) for W in layers)
    if problem.bias == "regularized":
        value += 0.5 * problem.lambda_b * float(b @ b)
    return value


def unpack(objective: FactoredObjective, x: np.ndarray):
    parts = objective.layout.split(x)
    layers = objective.layers(parts)
    H = parts["H"] if objective.on == "samples" else parts["H"][:, objective.problem.labels]
    return layers, H, objective.bias(parts)


def central_difference(fun, x: np.ndarray, eps: float) -> np.ndarray:
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (fun(x + e) - fun(x - e)) / (2 * eps)
    return g


@st.composite
def model_variant(draw):
    """Any model the factored solver accepts, at small sizes."""
    K = draw(st.integers(2, 4))
    sizes = tuple(draw(st.lists(st.integers(1, 4), min_size=K, max_size=K)))
    classifier = draw(st.sampled_from(["learned", "fixed-etf"]))
    constraint = draw(st.sampled_from(["penalty", "average"] + (["per-sample"] if classifier == "fixed-etf" else [])))
    depth = draw(st.integers(1, 3)) if (classifier == "learned" and constraint == "penalty") else 1
    bias = draw(st.sampled_from(["none", "regularized", "free"]))
    lam = lambda: 10 ** draw(st.floats(-3, 0))  # noqa: E731
    kw = dict(sizes=sizes, loss=draw(st.sampled_from(["ce", "mse"])), bias=bias,
              lambda_b=lam() if bias == "regularized" else 0.0, features=draw(st.sampled_from(["free", "relu"])),
              classifier=classifier, depth=depth, constraint=constraint,
              d=draw(st.integers(max(K - 1, 1) if classifier == "fixed-etf" else 1, K + 2)))
    if constraint == "penalty":
        kw.update(lambda_w=lam(), lambda_h=lam())
    else:
        kw.update(lambda_w=0.0, lambda_h=0.0, e_h=draw(st.floats(0.5, 3.0)), e_w=draw(st.floats(0.5, 3.0)))
    return Problem(**kw), draw(st.sampled_from(["means", "samples"])), draw(st.integers(0, 2**31 - 1))


# ------------------------------------------------------------- objective & gradient


@given(model_variant())
def test_value_is_the_canonical_objective_and_gradient_matches_finite_differences(case):
    problem, on, seed = case
    obj = FactoredObjective(problem, on)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(obj.layout.size)
    f, g = obj.value_and_grad(x)
    # value: same formula coded independently (sample by sample); agreement to rounding of an
    # O(1..100)-term sum, hence 1e-12 relative.
    assert f == pytest.approx(canonical_objective(problem, *unpack(obj, x)), rel=1e-12, abs=1e-12)
    # gradient: central differences with step 1e-6 have truncation error ~ eps²·|f'''| ≈ 1e-12·O(10)
    # and rounding error ~ 1e-16·|f|/1e-6 ≈ 1e-10·|f|; 1e-6 relative to max(1, |g|_inf) is far above
    # both and far below any genuine gradient error (which would be O(|g|)).
    fd = central_difference(lambda z: obj.value_and_grad(z)[0], x, 1e-6)
    scale = max(1.0, float(np.max(np.abs(g))), abs(f))
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-6 * scale)


@given(st.integers(1, 5), st.integers(1, 7), st.floats(0.1, 5.0), st.integers(0, 2**31 - 1), st.booleans())
def test_projections_are_feasible_and_satisfy_the_projection_inequality(d, m, budget, seed, per_column):
    rng = np.random.default_rng(seed)
    Y = 3 * rng.standard_normal((d, m))
    a = rng.uniform(0.05, 1.0, m)
    if per_column:
        P = project_ball_columns(Y, budget)
        feasible = lambda Z: bool(np.all(np.sum(Z * Z, axis=0) <= budget * (1 + 1e-12)))  # noqa: E731
        sample = lambda: project_ball_columns(rng.standard_normal((d, m)) * 3, budget)  # noqa: E731
    else:
        P = project_weighted_ball(Y, a, budget)
        feasible = lambda Z: float(a @ np.sum(Z * Z, axis=0)) <= budget * (1 + 1e-12)  # noqa: E731
        sample = lambda: project_weighted_ball(rng.standard_normal((d, m)) * 3, a, budget)  # noqa: E731
    # feasibility to rounding (1e-12 relative: a few dozen float operations)
    assert feasible(P)
    # the Euclidean projection onto a convex set is characterised by <Y - P, Z - P> <= 0 for all
    # feasible Z; rounding of O(10)-sized inner products allows ~1e-12.
    for _ in range(5):
        Z = sample()
        assert float(np.sum((Y - P) * (Z - P))) <= 1e-10 * max(1.0, float(np.sum(Y * Y)))
    if not feasible(Y):
        # the projection of an outside point lies on the boundary (1e-10: Newton stops at 1e-15 in μ)
        value = float(np.max(np.sum(P * P, axis=0))) if per_column else float(a @ np.sum(P * P, axis=0))
        assert value == pytest.approx(budget, rel=1e-10)


# ------------------------------------------------------------ closed forms: §6 Zhu


def test_zhu_balanced_ce_worked_example():
    # catalogue §6: K=4, n=5, λ_W=λ_H=λ_b=1e-2 (canonical) -> ‖w‖² = 6.257099, ‖h‖² = 1.251420
    p = Problem(sizes=(5,) * 4, lambda_w=1e-2, lambda_h=1e-2, lambda_b=1e-2, bias="regularized")
    s = solve(p, restarts=3)
    assert s.status == "local" and s.method == "factored" and s.lower_bound is None
    # the catalogue prints 7 digits: rounding error <= 5e-7
    np.testing.assert_allclose(np.sum(s.W**2, axis=1), 6.257099, atol=6e-7)
    np.testing.assert_allclose(np.sum(s.H_mean**2, axis=0), 1.251420, atol=6e-7)
    # full-precision closed form: s = √(nλ_Wλ_H), ρ* = ((K-1)/K) log((1-(K-1)s)/s)
    K, n, lam = 4, 5, 1e-2
    sz = math.sqrt(n * lam * lam)
    rho = (K - 1) / K * math.log((1 - (K - 1) * sz) / sz)
    # stationarity to gtol=1e-10 with curvature ≳ λ = 1e-2 leaves errors ~1e-8 in the variables
    np.testing.assert_allclose(np.sum(s.W**2, axis=1), math.sqrt(n * lam / lam) * rho, rtol=1e-7)
    np.testing.assert_allclose(np.sum(s.H_mean**2, axis=0), math.sqrt(lam / (n * lam)) * rho, rtol=1e-7)
    G = s.W @ s.W.T
    S = np.eye(K) - 1.0 / K
    np.testing.assert_allclose(G, math.sqrt(n) * rho * K / (K - 1) * S, atol=1e-7)  # WWᵀ = ‖w‖²(K/(K-1))S
    np.testing.assert_allclose(s.b, 0.0, atol=1e-7)  # b = 0 with λ_b > 0


# ------------------------------------------------------- closed forms: §3 deep linear


def deep_linear_prediction(sizes, lam: float, M: int):
    """§3 with all λ equal: b = M N (N λ^{M+1})^{1/M}, β_k = b/n_k, x_k the largest root of
    β = M x^{M-1}/(x^M+1)^2 right of the peak, σ_k = Nλ x_k^M, class zero iff β_k ≥ threshold
    ((M-1)^{(M-1)/M}/M for M ≥ 2; M = 1: n_k ≤ N²λ²).  Objective Σ n_kλ/(2(σ_k+Nλ)) + Mλσ_k^{1/M}/2."""
    n = np.asarray(sizes, dtype=float)
    N = n.sum()
    beta = M * N * (N * lam ** (M + 1)) ** (1.0 / M) / n
    rhs = lambda x: M * x ** (M - 1) / (x**M + 1) ** 2  # noqa: E731
    x_peak = ((M - 1) / (M + 1)) ** (1.0 / M)
    threshold = (M - 1) ** ((M - 1) / M) / M if M >= 2 else 1.0
    sigma = np.zeros_like(n)
    for k, bk in enumerate(beta):
        if bk >= threshold:  # the global threshold test (not merely "a root exists")
            continue
        x = brentq(lambda t: rhs(t) - bk, x_peak, 1e8, xtol=1e-15, rtol=1e-15)
        sigma[k] = N * lam * x**M
    value = float(np.sum(n * lam / (2 * (sigma + N * lam)) + M * lam * sigma ** (1.0 / M) / 2))
    return beta, threshold, rhs(x_peak), sigma, value


def test_deep_linear_m1_worked_example():
    # catalogue §3: M = 1, n = [200,100,50,50], λ_W = λ_H = 5e-4 -> eig(PPᵀ) = [13.94214, 9.8, 6.87107, 6.87107]
    p = Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse")
    s = solve(p, restarts=3)
    assert s.status == "local"
    eig = np.sort(np.linalg.eigvalsh(s.W @ s.W.T))[::-1]
    np.testing.assert_allclose(eig, [13.94214, 9.8, 6.87107, 6.87107], atol=6e-6)  # catalogue rounding
    closed = np.sqrt(p.n) - p.N * 5e-4  # σ_k = √(n_kλ_H/λ_W) − Nλ_H
    # σ ~ 10 is a product of variables known to ~gtol/curvature ~ 1e-10/5e-4 ~ 2e-7
    np.testing.assert_allclose(eig, closed, rtol=1e-6)
    _, _, _, sigma, value = deep_linear_prediction(p.sizes, 5e-4, 1)
    np.testing.assert_allclose(sigma, closed, rtol=1e-12)  # the root equation reproduces the M = 1 form
    assert s.objective == pytest.approx(value, rel=1e-9)  # objective is stationary: error ~ (1e-7)²


@pytest.mark.parametrize("M, lam, window", [(2, 5e-4, False), (3, 5e-4, False), (2, 0.0143, True), (3, 0.01, False)])
def test_deep_linear_mse_matches_root_equation(M, lam, window):
    sizes = (200, 100, 50, 50)
    beta, threshold, peak, sigma, value = deep_linear_prediction(sizes, lam, M)
    if window:  # the case the authors' code gets wrong: a root exists but the class is zero
        assert np.any((beta >= threshold) & (beta < peak)) and np.any(sigma == 0)
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, loss="mse", depth=M, d=8)
    s = solve(p, restarts=4)
    assert s.status == "local"
    assert len(s.extra["layers"]) == M and s.extra["layers"][0].shape == (8, 8)
    eig = np.sort(np.linalg.eigvalsh(s.W @ s.W.T))[::-1]
    # eigenvalues ~10-50 of a product of M+1 factors each accurate to ~gtol/curvature ≈ 1e-7 relative
    np.testing.assert_allclose(eig, np.sort(sigma)[::-1], rtol=1e-6, atol=1e-6)
    assert s.objective == pytest.approx(value, rel=1e-9)  # stationary point: objective error is second order
    Nl = p.N * lam
    Hbar = s.H_mean
    # H̄ᵀH̄ = diag(σ/(σ+Nλ)²) and P H̄ = diag(σ/(σ+Nλ)) (class order, entries O(1); 1e-6 as above)
    np.testing.assert_allclose(Hbar.T @ Hbar, np.diag(sigma / (sigma + Nl) ** 2), atol=1e-6)
    np.testing.assert_allclose(s.W @ Hbar, np.diag(sigma / (sigma + Nl)), atol=1e-6)
    if window:
        # plain restarts stop at the nonzero local minimum; the class-drop refinement finds the global one
        assert s.extra["refined_by_class_drop"]
        flags = {f for r in s.extra["restarts"] for f in r["flags"]}
        assert {"spurious_nonzero_class:2", "spurious_nonzero_class:3"} <= flags


@settings(max_examples=12)
@given(st.integers(2, 3), st.lists(st.integers(5, 80), min_size=3, max_size=3), st.floats(-3.5, -1.5))
def test_deep_linear_mse_random_instances(M, sizes, log_lam):
    lam = 10**log_lam
    beta, threshold, peak, sigma, value = deep_linear_prediction(sizes, lam, M)
    assume(np.all(np.abs(beta / threshold - 1) > 0.02))  # at the threshold two minima tie and σ jumps
    p = Problem(sizes=tuple(sizes), lambda_w=lam, lambda_h=lam, loss="mse", depth=M, d=6)
    s = solve(p, restarts=3)
    assert s.status == "local"
    assert s.objective == pytest.approx(value, rel=1e-8)  # see the parametrized test; value is O(0.1..1)
    eig = np.sort(np.linalg.eigvalsh(s.W @ s.W.T))[::-1]
    np.testing.assert_allclose(eig, np.sort(sigma)[::-1], rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------- closed forms: §4 ReLU


def relu_prediction(sizes, lam_w: float, lam_h: float):
    """§4: τ = K N² λ_Wλ_H/(K-1); t_k = log((K-1)[√n_k/(N√((K-1)λ_Wλ_H/K)) − 1]) if n_k > τ else 0;
    ‖h̄_k‖² = √((K-1)λ_W/(Kλ_H n_k)) t_k."""
    n = np.asarray(sizes, dtype=float)
    K, N = n.size, n.sum()
    tau = K * N**2 * lam_w * lam_h / (K - 1)
    t = np.zeros(K)
    alive = n > tau
    t[alive] = np.log((K - 1) * (np.sqrt(n[alive]) / (N * np.sqrt((K - 1) * lam_w * lam_h / K)) - 1))
    return tau, t, np.sqrt((K - 1) * lam_w / (K * lam_h * n)) * t


@settings(max_examples=15)
@given(st.integers(3, 4), st.data(), st.floats(-3.0, -1.7), st.sampled_from([2, 3]))
def test_relu_ce_margins_and_norms(K, data, log_lam, d_factor):
    sizes = tuple(data.draw(st.lists(st.integers(2, 60), min_size=K, max_size=K)))
    lam = 10**log_lam
    tau, t, hnorm2 = relu_prediction(sizes, lam, lam)
    assume(np.all(np.abs(np.asarray(sizes) / tau - 1) >= 0.05))  # away from a class's collapse point
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, features="relu", d=d_factor * K)
    s = solve(p, restarts=6)
    assert s.status == "local"
    assert s.extra["feasibility_violation"] == 0.0  # bounds are exact in L-BFGS-B and in the projection
    S = np.eye(K) - 1.0 / K
    # W H̄ = S diag(t): logits O(1..5), variables accurate to ~gtol/curvature ≈ 1e-10/1e-3
    np.testing.assert_allclose(s.logits_mean, S @ np.diag(t), atol=1e-6)
    np.testing.assert_allclose(np.sum(s.H_mean**2, axis=0), hnorm2, atol=1e-6)
    # class means are non-negative and mutually orthogonal (disjoint supports)
    G = s.H_mean.T @ s.H_mean
    np.testing.assert_allclose(G - np.diag(np.diag(G)), 0.0, atol=1e-9)


# ------------------------------------------------------------------ spurious points


def test_relu_small_dim_tiny_minority_has_flagged_dead_class():
    # d = K leaves one coordinate per class; random non-negative starts often starve the tiny class
    sizes = (100, 100, 100, 5)
    p = Problem(sizes=sizes, lambda_w=2e-3, lambda_h=2e-3, features="relu", d=4)
    tau, t, _ = relu_prediction(sizes, 2e-3, 2e-3)
    assert sizes[3] > tau  # the minority is alive at the global minimum (§4)
    s = solve(p, restarts=8)
    assert np.linalg.norm(s.H_mean[:, 3]) > 0.1
    flagged = [r for r in s.extra["restarts"] if "relu_dead_class:3" in r["flags"]]
    assert flagged and all(r["objective"] > s.objective for r in flagged)
    assert len(s.extra["distinct_solutions"]) >= 2
    # best restart agrees with the §4 margins (it exists in d = K: disjoint single-coordinate supports)
    np.testing.assert_allclose(s.logits_mean, (np.eye(4) - 0.25) @ np.diag(t), atol=1e-6)
    # every restart is reproducible from its recorded seed
    r = flagged[0]
    again = solve(p, restarts=1, seed=r["seed"], init_scale=r["init_scale"], drop_classes=False)
    assert again.objective == r["objective"]


def test_deep_linear_zero_is_a_local_minimum_and_is_flagged():
    # §3: for M >= 2 zero is a local minimum of every class; tiny starts stop there
    p = Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse", depth=2, d=6)
    s = solve(p, restarts=4, init_scale=[1.0, 1.0, 1e-3, 1e-3])
    stuck = s.extra["restarts"][2:]
    for r in stuck:
        assert r["converged"]  # a genuine stationary point, not an unfinished run
        assert r["flags"] == [f"zero_class:{k}" for k in range(4)]
        assert r["objective"] == pytest.approx(0.5, rel=1e-12)  # Σ n_k/(2N): the zero solution
    assert all(not r["flags"] for r in s.extra["restarts"][:2])
    groups = s.extra["distinct_solutions"]
    assert [g["count"] for g in groups] == [2, 2] and groups[0]["objective"] < groups[1]["objective"]


# ---------------------------------------------------------------- §5 fixed ETF


@pytest.mark.parametrize("on", ["means", "samples"])
def test_fixed_etf_per_sample_features_align_with_classifier(on):
    sizes, e_w, e_h = (40, 10, 3, 1), 1.7, 0.6
    p = Problem(sizes=sizes, classifier="fixed-etf", constraint="per-sample", e_w=e_w, e_h=e_h,
                lambda_w=0.0, lambda_h=0.0, d=5)
    s = solve(p, restarts=2, on=on)
    assert s.status == "local"
    K = len(sizes)
    # the fixed classifier is a simplex ETF with row norms √E_W: WWᵀ = E_W (K/(K-1)) S (to rounding)
    np.testing.assert_allclose(s.W @ s.W.T, e_w * K / (K - 1) * (np.eye(K) - 1 / K), atol=1e-14)
    # ETF-CE: every h_{k,i} = √(E_H/E_W) w*_k, whatever n_k; variables accurate to ~gtol/curvature
    target = math.sqrt(e_h / e_w) * s.W.T
    np.testing.assert_allclose(s.H_mean, target, atol=1e-8)
    if on == "samples":
        np.testing.assert_allclose(s.H, target[:, p.labels], atol=1e-8)
    assert s.extra["feasibility_violation"] <= 1e-15  # exact projection, rounding only


def test_fixed_etf_penalty_scale_is_independent_of_class_size():
    sizes, lam_h = (50, 20, 5), 1e-3
    p = Problem(sizes=sizes, classifier="fixed-etf", lambda_w=0.0, lambda_h=lam_h, d=3)
    s = solve(p, restarts=2)
    K, N = 3, sum(sizes)
    a = K / (K - 1)  # logit gap per unit of c with E_W = 1
    # per class: min_c (n_k/N) log(1+(K-1)e^{-ca}) + (λ_H/2) n_k c²  ->  n_k cancels in the stationarity equation
    c = brentq(lambda c: -(K - 1) * a * math.exp(-c * a) / (1 + (K - 1) * math.exp(-c * a)) / N + lam_h * c, 0, 100,
               xtol=1e-15)
    np.testing.assert_allclose(s.H_mean, c * s.W.T, atol=1e-8)  # gtol 1e-10 / curvature ~ λ_H n_k ≥ 5e-3


def test_fixed_etf_average_constraint_matches_cvxpy():
    sizes, e_h = (30, 10, 5, 2), 2.0
    p = Problem(sizes=sizes, classifier="fixed-etf", constraint="average", e_h=e_h, lambda_w=0.0, lambda_h=0.0)
    s = solve(p, restarts=2)
    K = len(sizes)
    Wf = s.W
    Hv = cp.Variable((p.dim, K))
    Z = Wf @ Hv
    loss = sum(sizes[k] / p.N * (cp.log_sum_exp(Z[:, k]) - Z[k, k]) for k in range(K))
    ref = cp.Problem(cp.Minimize(loss), [cp.sum_squares(Hv) / K <= e_h])
    # tightened tolerances: the objective is nearly flat along budget exchanges between classes,
    # so variables are only ~sqrt(objective accuracy) accurate (Clarabel defaults: 4e-5 off here)
    ref.solve(solver=cp.CLARABEL, tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    assert ref.status == "optimal"
    assert s.objective == pytest.approx(ref.value, rel=1e-9)  # both near-exact; objective O(0.1)
    # directions align with w*_k, but lengths depend on n_k (§5 ETF-variants)
    cos = np.sum(s.H_mean * Wf.T, axis=0) / (np.linalg.norm(s.H_mean, axis=0) * np.linalg.norm(Wf, axis=1))
    np.testing.assert_allclose(cos, 1.0, atol=1e-9)
    norms = np.linalg.norm(s.H_mean, axis=0)
    # measured: the tightened interior-point variables are within ~3e-8 of the factored ones
    np.testing.assert_allclose(norms, np.linalg.norm(Hv.value, axis=0), atol=1e-6)
    assert np.ptp(norms) > 0.1


# ---------------------------------------------------------------- §6 Fang LPM


@pytest.mark.parametrize("sizes, on", [((20, 20, 5), "means"), ((30, 10, 5, 2), "means"), ((6, 3, 1), "samples")])
def test_layer_peeled_average_constraints_match_gram_sdp(sizes, on):
    e_w, e_h = 1.0, 2.0
    p = Problem(sizes=sizes, constraint="average", e_w=e_w, e_h=e_h, lambda_w=0.0, lambda_h=0.0, d=2 * len(sizes))
    s = solve(p, restarts=3, on=on)
    assert s.status == "local"
    assert s.extra["feasibility_violation"] <= 1e-14
    K = len(sizes)
    X = cp.Variable((2 * K, 2 * K), PSD=True)  # rows 0..K-1: h̄, K..2K-1: w (catalogue §6)
    loss = sum(sizes[k] / p.N * (cp.log_sum_exp(X[K:, k]) - X[K + k, k]) for k in range(K))
    cons = [cp.trace(X[:K, :K]) / K <= e_h, cp.trace(X[K:, K:]) / K <= e_w]
    ref = cp.Problem(cp.Minimize(loss), cons)
    ref.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    assert ref.status == "optimal"
    # the SDP is exact for d >= 2K; at these tolerances the interior-point value is ~1e-10 relative
    # accurate (measured 1.4e-10 at most), so 1e-8 separates solver noise from a wrong local solution
    assert s.objective == pytest.approx(ref.value, rel=1e-8)


# --------------------------------------------------------------- NC1 & honesty


def test_samples_and_means_formulations_agree_and_samples_collapse():
    p = Problem(sizes=(6, 3, 2), lambda_w=5e-3, lambda_h=5e-3, bias="free")
    means = solve(p, restarts=2)
    samples = solve(p, restarts=2, on="samples")
    assert samples.objective == pytest.approx(means.objective, rel=1e-9)  # NC1 reduction is exact
    # every sample sits on its class mean (HL-NC1); variables accurate to ~gtol/λ_H ~ 2e-8
    np.testing.assert_allclose(samples.H, samples.H_mean[:, p.labels], atol=1e-7)


def test_budget_exhaustion_is_not_reported_as_a_solution():
    p = Problem(sizes=(50, 20, 5), lambda_w=1e-3, lambda_h=1e-3)
    s = solve(p, restarts=1, max_iter=3)
    assert s.status == "max_iter"
    assert s.extra["restarts"][0]["converged"] is False


@pytest.mark.parametrize("kwargs, field", [
    (dict(restarts=0), "restarts"), (dict(seed=-1), "seed"), (dict(on="batch"), "on"), (dict(gtol=0.0), "gtol"),
    (dict(max_iter=1.5), "max_iter"), (dict(init_scale=[1.0]), "init_scale"), (dict(progress="yes"), "progress"),
    (dict(drop_classes="sometimes"), "drop_classes"),
])
def test_bad_options_raise_value_error_naming_the_field(kwargs, field):
    p = Problem(sizes=(3, 2))
    with pytest.raises(ValueError, match=f"^{field}:"):
        solve(p, restarts=kwargs.pop("restarts", 2), **kwargs)


# ------------------------------------------------------------------ gradient descent


def largest_curvature(obj: FactoredObjective, x: np.ndarray) -> float:
    """Largest Hessian eigenvalue at x by power iteration on finite-difference Hessian-vector products."""
    v = np.random.default_rng(1).standard_normal(x.size)
    g0 = obj.value_and_grad(x)[1]
    lam = 0.0
    for _ in range(50):
        v /= np.linalg.norm(v)
        hv = (obj.value_and_grad(x + 1e-6 * v)[1] - g0) / 1e-6
        lam = float(v @ hv)
        v = hv
    return abs(lam)


def test_gradient_descent_without_momentum_decreases_objective_and_is_silent(capsys):
    p = Problem(sizes=(20, 10, 4), lambda_w=1e-2, lambda_h=1e-2, loss="ce")
    obj = FactoredObjective(p)
    L = largest_curvature(obj, obj.initial_point(np.random.default_rng(0)))
    # descent lemma: f decreases monotonically when lr < 2/L; use 0.2/L to leave room for L growing
    sol, hist = gradient_descent(p, lr=0.2 / L, iterations=300, momentum=0.0, record_every=5)
    assert capsys.readouterr().err == ""  # progress=False prints nothing
    assert set(hist) == {"iteration", "loss", "objective", "grad_norm"}
    assert hist["iteration"][0] == 0 and hist["iteration"][-1] == 300
    assert np.all(np.diff(hist["objective"]) < 0)
    assert np.all(hist["loss"] <= hist["objective"])  # penalties are non-negative
    assert sol.objective == pytest.approx(hist["objective"][-1], rel=1e-12)
    assert sol.status in ("local", "max_iter")


def test_gradient_descent_with_momentum_reaches_the_lbfgs_solution_and_tracks_nc1(capsys):
    # a convex-in-H model (fixed ETF, penalty): heavy-ball GD and L-BFGS must reach the same minimum
    p = Problem(sizes=(8, 4, 2), classifier="fixed-etf", lambda_w=0.0, lambda_h=5e-2)
    ref = solve(p, restarts=1)
    sol, hist = gradient_descent(p, lr=2.0, iterations=1500, momentum=0.9, on="samples", progress=True,
                                 record_every=50)
    err = capsys.readouterr().err
    assert "1500/1500" in err and "#" in err  # the bar is drawn when asked
    # the Hessian at the minimum has eigenvalues in [0.05, 0.088] (finite differences), so with
    # lr·L ≈ 0.18 heavy ball contracts like √0.9 per step: after 1500 steps the error is at rounding
    # level; 1e-7 on the means only allows for the L-BFGS reference's own ~gtol/0.05 = 2e-9 error
    assert sol.objective == pytest.approx(ref.objective, rel=1e-10)
    np.testing.assert_allclose(sol.H_mean, ref.H_mean, atol=1e-7)
    assert sol.status == "local"
    nc1 = hist["nc1"]
    assert np.all(np.isfinite(nc1)) and nc1[0] > 1e-2 and nc1[-1] < 1e-10  # within-class spread vanishes


def test_solve_progress_bar_only_when_asked(capsys):
    p = Problem(sizes=(4, 2), lambda_w=1e-2, lambda_h=1e-2)
    solve(p, restarts=2)
    assert capsys.readouterr().err == ""
    solve(p, restarts=2, progress=True)
    err = capsys.readouterr().err
    assert "restarts [" in err and "2/2" in err


def test_gradient_descent_reports_divergence_honestly():
    p = Problem(sizes=(5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="mse")
    sol, hist = gradient_descent(p, lr=1e6, iterations=200, momentum=0.9)
    assert sol.status == "failed"
