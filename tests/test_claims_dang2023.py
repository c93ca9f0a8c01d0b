"""Dang et al. 2023 (deep linear UFM): MSE closed forms, the scalar root, and the CE ETF claims.

Independent references: the certified solver (M = 1), factored L-BFGS solves with restarts
(M >= 2), brute-force minimisation of the scalar objective, the catalogue's worked examples,
and explicit deep points whose objective is evaluated with plain numpy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from nctheory import Problem
from nctheory.claims import _dln_root as R
from nctheory.claims import dang2023 as D
from nctheory.solvers import solve
from nctheory.verify import verify_claim
from claim_helpers import assert_quantities_match

#: Start scales for deep factored solves: M >= 2 has a local minimum at zero for every class,
#: so a spread of start scales (up to 4x the default) keeps each class's nonzero basin in reach.
DEEP_SCALES = [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]


def _check(claim, problem, solution):
    """Compare every predicted quantity the solution exposes, with the claim's tolerances."""
    assert_quantities_match(claim, problem, solution, min_compared=1)


def _reference(problem):
    """Certified solve for M = 1, best-of-restarts factored solve for M >= 2.

    CE solves are certified to gap 1e-13: CE's Grams are only sqrt(gap)-accurate (flat
    per-class logit shifts), see the ce-etf-m1 tolerance."""
    if problem.depth == 1:
        sol = solve(problem, method="certified", tol=1e-13 if problem.loss == "ce" else 1e-10)
        assert sol.success and sol.rel_gap <= 1e-8, sol.message
    else:
        sol = solve(problem, method="factored", restarts=len(DEEP_SCALES), init_scale=DEEP_SCALES)
        assert sol.status == "local", sol.message
    return sol


def _away_from_threshold(problem, margin=0.25):
    """True when no beta_k is within ``margin`` (relative) of the zero threshold: near it the
    nonzero basin of a deep model is tiny (M >= 2) or sigma_k ~ 0 (M = 1), so a mismatch there
    would say something about the solver or the zero test, not the claim."""
    ratio = R.betas(problem) / R.zero_threshold(problem.depth)
    return bool(np.all(np.abs(ratio - 1.0) > margin))


# =============================================================== the scalar root
@settings(max_examples=60)
@given(st.integers(1, 8), st.floats(0.01, 0.99))  # at frac = 1 the root is the inflection point
def test_right_root_solves_the_equation_right_of_the_peak(M, frac):
    beta = frac * R.peak_value(M)
    if M == 1:
        assume(beta < 1.0)
    x = R.right_root(beta, M)
    assert x >= R.peak_location(M)
    assert float(R.root_rhs(x, M)) == pytest.approx(beta, rel=1e-12)  # brentq to ~1e-15 in x
    # a local minimum of G_beta: both neighbours are higher
    h = 1e-4 * max(x, 1e-3)
    g = lambda y: float(R.scaled_class_objective(y, beta, M))  # noqa: E731
    assert g(x) < g(x + h) and g(x) < g(max(x - h, 0.0))


@settings(max_examples=60)
@given(st.sampled_from([1, 2, 3, 4, 6]), st.floats(-4.0, 1.0))
def test_global_rule_matches_brute_force_minimisation(M, log_beta):
    """min over x >= 0 of G(x) = 1/(1+x^M) + beta x by a dense grid + bounded refinement."""
    beta = 10.0**log_beta
    thr = R.zero_threshold(M)
    assume(abs(beta / thr - 1.0) > 1e-3)
    g = lambda y: float(R.scaled_class_objective(y, beta, M))  # noqa: E731
    top = 2.0 / beta + 2.0  # beyond it beta x > 2 > G(0)
    grid = np.linspace(0.0, top, 20001)
    vals = R.scaled_class_objective(grid, beta, M)
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    ref = minimize_scalar(g, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    x_brute = ref.x if ref.fun < vals[i] else grid[i]
    x = R.global_x(beta, M)
    assert g(x) <= min(ref.fun, vals[i]) + 1e-13  # the rule is at least as good as brute force
    assert x == pytest.approx(x_brute, abs=1e-6 * max(1.0, x))  # bounded Brent locates x to ~1e-7
    assert (x == 0.0) == (beta >= thr)


@pytest.mark.parametrize("M", [2, 3, 4, 6, 10])
def test_threshold_is_where_zero_and_the_root_tie(M):
    """At beta = (M-1)^((M-1)/M)/M the right root is x = (M-1)^(1/M) and G there equals G(0) = 1."""
    thr = R.zero_threshold(M)
    x_t = (M - 1.0) ** (1.0 / M)
    assert float(R.root_rhs(x_t, M)) == pytest.approx(thr, rel=1e-14)
    assert R.right_root(thr, M) == pytest.approx(x_t, rel=1e-12)
    assert float(R.scaled_class_objective(x_t, thr, M)) == pytest.approx(1.0, rel=1e-14)
    assert thr < R.peak_value(M)  # so the authors'-code window below is non-empty


@pytest.mark.parametrize("M", [2, 3, 6])
def test_authors_code_rule_differs_exactly_in_the_window(M):
    thr, top = R.zero_threshold(M), R.peak_value(M)
    inside = 0.5 * (thr + top)
    # in the window: the global minimizer is zero, the authors' rule keeps a worse nonzero root
    assert R.global_x(inside, M) == 0.0
    x_code = R.authors_code_x(inside, M)
    assert x_code > 0 and float(R.scaled_class_objective(x_code, inside, M)) > 1.0
    # above the peak the authors' code has no root (it crashes): NaN here
    assert math.isnan(R.authors_code_x(1.01 * top, M))
    assert R.global_x(1.01 * top, M) == 0.0
    # below the threshold both rules agree
    assert R.authors_code_x(0.9 * thr, M) == R.global_x(0.9 * thr, M) > 0


@settings(max_examples=30)
@given(st.floats(1e-3, 0.999))
def test_depth_one_root_closed_form(beta):
    assert R.right_root(beta, 1) == pytest.approx(1.0 / math.sqrt(beta) - 1.0, rel=1e-14)
    assert R.global_x(beta, 1) > 0 and R.global_x(1.0 / beta, 1) == 0.0


@pytest.mark.parametrize("call, field", [
    (lambda: R.right_root(0.0, 2), "beta"),
    (lambda: R.right_root(float("nan"), 2), "beta"),
    (lambda: R.global_x(0.3, 0), "M"),
    (lambda: R.peak_location(1.5), "M"),
    (lambda: R.class_sigmas(Problem(sizes=(3, 2), loss="mse"), rule="paper"), "rule"),
])
def test_root_helpers_reject_bad_input(call, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        call()


# ======================================================== MSE, imbalanced
def test_worked_example_m1():
    """Catalogue §3: n = [200,100,50,50], lambda_W = lambda_H = 5e-4: sigma = [13.94214, 9.8, 6.87107, 6.87107]."""
    p = Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse")
    q = D.MSE_IMBALANCED.predict(p).quantities
    # the catalogue prints 5-6 significant digits: agreement to half a unit in the last digit
    assert np.allclose(q["sigma"], [13.94214, 9.8, 6.87107, 6.87107], atol=5e-6)
    assert not q["zero_class"].any()
    _check(D.MSE_IMBALANCED, p, _reference(p))


@settings(max_examples=30)
@given(st.lists(st.integers(1, 300), min_size=2, max_size=6), st.floats(-5.0, -1.0), st.floats(-5.0, -1.0))
def test_m1_closed_forms(sizes, lw_exp, lh_exp):
    """M = 1: sigma_k = sqrt(n_k lambda_H/lambda_W) - N lambda_H (or 0), ||hbar_k||^2 = sigma_k lambda_W/(n_k lambda_H),
    w_k . hbar_k = 1 - N sqrt(lambda_W lambda_H/n_k) -- the catalogue's closed forms vs the root path."""
    lw, lh = 10.0**lw_exp, 10.0**lh_exp
    p = Problem(sizes=tuple(sizes), lambda_w=lw, lambda_h=lh, loss="mse")
    q = D.mse_quantities(p)
    n, N = p.n, p.N
    closed = np.maximum(np.sqrt(n * lh / lw) - N * lh, 0.0)
    assert np.allclose(q["sigma"], closed, rtol=1e-12, atol=1e-12 * N * lh)
    assert np.array_equal(q["zero_class"], n <= N**2 * lw * lh)
    assert np.allclose(np.diag(q["gram_HH"]), closed * lw / (n * lh), rtol=1e-10, atol=1e-14)
    assert np.allclose(np.diag(q["gram_PH"]), np.maximum(1 - N * np.sqrt(lw * lh / n), 0.0), rtol=1e-10, atol=1e-14)


@settings(max_examples=40)
@given(st.lists(st.integers(1, 200), min_size=2, max_size=5), st.integers(1, 6), st.floats(-4.0, -0.5))
def test_catalogue_optimal_value_equals_scaled_class_objectives(sizes, M, log_lam):
    """The catalogue's value sum_k [n_k lambda_H/(2(sigma_k+N lambda_H)) + M lambda_W s_k^2/2]
    (sigma_k = c s_k^2M, c = 1) equals sum_k (n_k/2N) G_{beta_k}(x_k): the per-class objective
    rewritten in the root variable x."""
    lam = 10.0**log_lam
    p = Problem(sizes=tuple(sizes), lambda_w=lam, lambda_h=lam, loss="mse", depth=M)
    x = np.array([R.global_x(b, M) for b in R.betas(p)])
    via_g = float(np.sum(p.n / (2 * p.N) * R.scaled_class_objective(x, R.betas(p), M)))
    assert D.mse_quantities(p)["objective"] == pytest.approx(via_g, rel=1e-12)


@pytest.mark.parametrize("M", [1, 2, 3, 6])
def test_catalogue_optimal_value_symbolically(M):
    """sympy: with sigma = N lambda_H x^M and s^2 = sigma^(1/M) the catalogue's class value is (n/2N) G_beta(x)."""
    forms = D.MSE_IMBALANCED.sympy_forms()
    x, beta, n, N, lw, lh = sp.symbols("x beta n_k N lambda_W lambda_H", positive=True)
    Ms, sigma, s = sp.Symbol("M", positive=True), sp.Symbol("sigma_k", positive=True), sp.Symbol("s_k", positive=True)
    sig = N * lh * x**M
    value = forms["class_optimal_value"].subs(Ms, M).subs({s: sig ** sp.Rational(1, 2 * M)}).subs(sigma, sig)
    g = forms["scaled_class_objective"].subs(Ms, M).subs(beta, forms["beta"].subs(Ms, M))
    assert sp.simplify(value - n / (2 * N) * g) == 0


@st.composite
def mse_instances(draw, balanced=False, depths=(1, 2, 3)):
    K = draw(st.integers(2, 4))
    if balanced:
        sizes = (draw(st.integers(1, 60)),) * K
    else:
        sizes = tuple(draw(st.lists(st.integers(1, 80), min_size=K, max_size=K)))
    M = draw(st.sampled_from(depths))
    lam_w = 10 ** draw(st.floats(-3.5, -0.5))
    lam_h = 10 ** draw(st.floats(-3.5, -0.5))
    bias = draw(st.sampled_from(["none", "free"])) if balanced else "none"
    p = Problem(sizes=sizes, lambda_w=lam_w, lambda_h=lam_h, loss="mse", depth=M, bias=bias)
    assume(_away_from_threshold(p))
    return p


@settings(max_examples=30)
@given(mse_instances())
def test_mse_imbalanced_matches_global_solves(problem):
    assert D.MSE_IMBALANCED.assumptions(problem) == []
    event(f"M={problem.depth}, zero classes={int(D.mse_quantities(problem)['zero_class'].sum())}/{problem.K}")
    _check(D.MSE_IMBALANCED, problem, _reference(problem))


@pytest.mark.parametrize("sizes, lam", [
    ((40, 20, 10), 3e-2),   # beta/thr = [0.56, 1.12, 2.24]: one class alive
    ((40, 20, 10), 1e-2),   # beta/thr = [0.08, 0.16, 0.32]: all alive
    ((40, 20, 10), 1e-1),   # every class zero: objective 1/2
])
def test_mse_imbalanced_depth_six(sizes, lam):
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, loss="mse", depth=6)
    _check(D.MSE_IMBALANCED, p, _reference(p))


def test_authors_code_window_instance():
    """Default instance (40, 20, 10), lambda = 3e-2, M = 2: beta_3 = 0.609 lies between the
    threshold 0.5 and the peak 0.6495.  The global rule says class 3 is zero; the authors'
    code keeps a nonzero root whose catalogue objective is higher; the factored solve reaches
    the global rule's value."""
    p = Problem(sizes=(40, 20, 10), lambda_w=3e-2, lambda_h=3e-2, loss="mse", depth=2)
    beta = R.betas(p)
    assert R.zero_threshold(2) < beta[2] < R.peak_value(2)
    good = D.mse_quantities(p)
    code = D.predict_mse_authors_code(p).quantities
    assert good["zero_class"].tolist() == [False, False, True]
    assert code["sigma"][2] > 0
    assert code["objective"] > good["objective"] + 1e-4  # G(x_code) > 1 = G(0) for that class
    sol = _reference(p)
    assert sol.objective == pytest.approx(good["objective"], rel=1e-9)
    assert sol.objective < code["objective"] - 1e-4
    # above the peak the authors' code crashes: NaN in its prediction
    crash = D.predict_mse_authors_code(p.with_(lambda_w=1e-1, lambda_h=1e-1)).quantities
    assert np.isnan(crash["sigma"]).any()


def test_layer_imbalance_detects_unbalanced_layers():
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((3, 3))
    U, s, _ = np.linalg.svd(W1)
    # balanced pair: W1 = U S V^T, W2 = Q S U^T  =>  W2^T W2 = U S^2 U^T = W1 W1^T
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    W2 = Q @ np.diag(s) @ U.T
    assert D.layer_imbalance([W1, W2]) < 1e-13  # rounding only
    assert D.layer_imbalance([W2 * 2.0, W1][::-1]) > 0.1  # scaled top layer: unbalanced


# ========================================================== MSE, balanced
@settings(max_examples=25)
@given(mse_instances(balanced=True))
def test_mse_balanced_matches_global_solves(problem):
    assert D.MSE_BALANCED.assumptions(problem) == []
    event(f"M={problem.depth}, bias={problem.bias}, zero={bool(D.mse_quantities(problem)['zero_class'].all())}")
    _check(D.MSE_BALANCED, problem, _reference(problem))


@pytest.mark.parametrize("K, n, lam, zero", [(3, 20, 1e-2, False), (3, 20, 0.1, True)])
def test_mse_balanced_m1_threshold(K, n, lam, zero):
    """M = 1, balanced: nonzero iff K N lambda_W lambda_H < 1 (catalogue); here K N lam^2 = 0.018 or 1.8."""
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, loss="mse", bias="free")
    assert (K * p.N * lam * lam >= 1.0) == zero
    q = D.MSE_BALANCED.predict(p).quantities
    assert bool(q["zero_class"].all()) == zero
    _check(D.MSE_BALANCED, p, _reference(p))


@pytest.mark.parametrize("lam, zero", [(0.03, False), (0.1, True)])
def test_mse_balanced_deep_free_bias(lam, zero):
    """M = 2, K = 3, n = 10, free bias: beta = 6 lam sqrt(30 lam) = 0.171 (alive) or 1.04 (> 0.5: zero)."""
    p = Problem(sizes=(10, 10, 10), lambda_w=lam, lambda_h=lam, loss="mse", bias="free", depth=2)
    assert bool(D.MSE_BALANCED.predict(p).quantities["zero_class"].all()) == zero
    _check(D.MSE_BALANCED, p, _reference(p))


# ================================================================= CE, M = 1
def test_zhu_worked_example():
    """Catalogue §6: K = 4, n = 5, all lambda = 1e-2: ||w||^2 = 6.257099, ||h||^2 = 1.251420."""
    p = Problem(sizes=(5,) * 4, lambda_w=1e-2, lambda_h=1e-2, loss="ce", bias="regularized", lambda_b=1e-2)
    q = D.CE_ETF_M1.predict(p).quantities
    assert np.allclose(q["w_norm_sq"], 6.257099, atol=5e-7)  # printed to 7 digits
    assert np.allclose(q["h_norm_sq"], 1.251420, atol=5e-7)
    _check(D.CE_ETF_M1, p, _reference(p))


@st.composite
def ce_balanced(draw, depths=(1,)):
    K = draw(st.integers(2, 6))
    n = draw(st.integers(1, 100))
    lam = 10 ** draw(st.floats(-4.0, -0.5))
    bias = draw(st.sampled_from(["none", "regularized"]))
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, loss="ce", bias=bias,
                lambda_b=lam if bias == "regularized" else 0.0, depth=draw(st.sampled_from(depths)))
    s = math.sqrt(n) * lam
    assume(abs(K * s - 1.0) > 0.05)  # at K s = 1 the ETF scale a -> 0 continuously
    return p


@settings(max_examples=25)
@given(ce_balanced())
def test_ce_etf_m1_matches_certified(problem):
    event(f"zero={D.zhu_etf_scale(problem) == 0.0}")
    _check(D.CE_ETF_M1, problem, _reference(problem))


@settings(max_examples=40)
@given(ce_balanced())
def test_generic_etf_scale_reduces_to_zhu_at_depth_one(problem):
    a, value = D.best_etf_scale(problem)
    assert a == pytest.approx(D.zhu_etf_scale(problem), rel=1e-10, abs=1e-12)
    assert value == pytest.approx(D.CE_ETF_M1.predict(problem).quantities["objective"], rel=1e-12)


# ================================================================= CE, deep
REFUTING = Problem(sizes=(5, 5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="ce", depth=3)


def test_deep_etf_claim_is_refuted():
    """K = 4, n = 5, lambda = 1e-2, M = 3: the best ETF-structured objective is 0.220633; factored
    solves reach ~0.201427 with a rank-2 logit matrix (found with restarts)."""
    a, etf = D.best_etf_scale(REFUTING)
    assert etf == pytest.approx(0.2206326, abs=1e-6)  # independent: dense grid below
    sol = solve(REFUTING, method="factored")
    beaten = D.CE_ETF_DEEP.observe(REFUTING, sol)["etf_beaten_by"]
    assert beaten > 0.01, (etf, sol.objective)  # ~9% lower: far beyond any rounding
    sv = np.linalg.svd(sol.logits_mean, compute_uv=False)
    assert np.sum(sv > 1e-6 * sv[0]) == 2  # low rank, not the rank-(K-1) ETF
    v = verify_claim(D.CE_ETF_DEEP, REFUTING)
    assert v.verdict == "fail" and v.as_expected


def test_deep_etf_claim_holds_where_no_lower_point_is_found():
    """K = 3, n = 5, lambda = 1e-2, M = 2: factored solves do not beat the ETF (verdict pass) --
    the check does not fail by construction."""
    p = Problem(sizes=(5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="ce", depth=2)
    _, etf = D.best_etf_scale(p)
    sol = solve(p, method="factored")
    assert sol.objective == pytest.approx(etf, rel=1e-8)  # the factored optimum is the ETF itself
    assert verify_claim(D.CE_ETF_DEEP, p).verdict == "pass"


@settings(max_examples=40)
@given(st.integers(2, 6), st.integers(1, 100), st.floats(-4.0, -0.5), st.integers(1, 6))
def test_best_etf_scale_is_the_global_minimum_of_the_scale_problem(K, n, log_lam, M):
    lam = 10.0**log_lam
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, loss="ce", depth=M)
    a, value = D.best_etf_scale(p)
    grid = np.concatenate([[0.0], np.geomspace(1e-8, 200.0, 40001)])
    vals = D.etf_objective(grid, p)
    assert value <= vals.min() + 1e-12  # never worse than a dense grid
    assert value == pytest.approx(float(D.etf_objective(a, p)), rel=1e-14)


@pytest.mark.parametrize("M", [1, 2, 3, 5])
def test_etf_objective_is_attained_by_an_explicit_deep_point(M):
    """Build balanced layers W_i = alpha U U^T, Hbar = (eta/sqrt n) U U^T with alpha^M eta = sqrt(n) a and
    lambda_W alpha^2 = lambda_H eta^2; evaluate the canonical objective with numpy; compare with E_M(a)."""
    K, n, lam_w, lam_h, a = 4, 7, 3e-3, 2e-2, 2.5
    p = Problem(sizes=(n,) * K, lambda_w=lam_w, lambda_h=lam_h, loss="ce", depth=M)
    U = np.linalg.svd(np.eye(K) - 1.0 / K)[0][:, : K - 1]
    proj = U @ U.T
    y = math.sqrt(n) * a
    alpha = (y * math.sqrt(lam_h / lam_w)) ** (1.0 / (M + 1))
    eta = alpha * math.sqrt(lam_w / lam_h)
    layers = [alpha * proj for _ in range(M)]
    Hbar = eta / math.sqrt(n) * proj
    P = np.linalg.multi_dot(layers) if M > 1 else layers[0]
    Z = P @ Hbar
    assert np.allclose(Z, a * (np.eye(K) - 1.0 / K), atol=1e-12)
    ce = np.log(np.exp(Z).sum(axis=0)) - np.diag(Z)
    f = float(ce.mean() + lam_w / 2 * sum(np.sum(L**2) for L in layers) + lam_h / 2 * n * np.sum(Hbar**2))
    assert f == pytest.approx(float(D.etf_objective(a, p)), rel=1e-13)


# ============================================================== assumptions
@pytest.mark.parametrize("claim, bad, field", [
    (D.MSE_IMBALANCED, dict(loss="ce"), "loss"),
    (D.MSE_IMBALANCED, dict(bias="free"), "bias"),
    (D.MSE_IMBALANCED, dict(features="relu"), "features"),
    (D.MSE_IMBALANCED, dict(classifier="fixed-etf"), "classifier"),
    (D.MSE_BALANCED, dict(sizes=(20, 10, 10)), "sizes"),
    (D.MSE_BALANCED, dict(bias="regularized", lambda_b=1e-3), "bias"),
    (D.CE_ETF_M1, dict(loss="mse"), "loss"),
    (D.CE_ETF_M1, dict(depth=2), "depth"),
    (D.CE_ETF_M1, dict(sizes=(20, 10, 10)), "sizes"),
    (D.CE_ETF_M1, dict(bias="free", lambda_b=0.0), "bias"),
    (D.CE_ETF_DEEP, dict(depth=1), "depth"),
    (D.CE_ETF_DEEP, dict(bias="regularized", lambda_b=1e-3), "bias"),
    (D.CE_ETF_DEEP, dict(constraint="average", e_h=1.0, e_w=1.0, depth=1), "constraint"),
])
def test_assumptions_reject_outside_instances(claim, bad, field):
    base = claim.default_instances()[0]
    assert claim.assumptions(base) == []
    p = base.with_(**bad)
    unmet = claim.assumptions(p)
    assert any(u.startswith(field + ":") for u in unmet), unmet


def test_default_instances_are_inside_their_claims():
    for claim in D.CLAIMS:
        for p in claim.default_instances():
            assert claim.assumptions(p) == [], (claim.id, p)
