"""Dang et al. 2023, deep linear MSE (``dang2023/mse-imbalanced``, ``dang2023/mse-balanced``).

Independent references: the certified solver (M = 1), factored L-BFGS solves with restarts (M >= 2), the
catalogue's worked example and M = 1 closed forms, sympy, and explicit feasible points whose canonical objective
is evaluated with plain numpy (so the predicted value, used for value refutation, is a feasible point's objective).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.claims.sources import dang2023 as D
from nctheory.claims.sources.dang2023 import root as R
from nctheory.geometry import helmert_basis
from nctheory.solvers import solve
from nctheory.verify import verify_claim
from claim_helpers import assert_quantities_match

#: Start scales for deep factored solves: M >= 2 has a local minimum at zero for every class, so a spread of
#: start scales (up to 4x the default) keeps each class's nonzero basin in reach.
DEEP_SCALES = [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]
TOL = D.MSE_IMBALANCED.solver_options["certified"]["tol"]


def _check(claim, problem, solution):
    assert_quantities_match(claim, problem, solution, min_compared=1)


def _reference(problem):
    """Certified solve (at the claims' reference gap) for M = 1, best-of-restarts factored solve for M >= 2."""
    if problem.depth == 1:
        sol = solve(problem, method="certified", tol=TOL)
        assert sol.success and sol.rel_gap <= 1e-8, sol.message
    else:
        sol = solve(problem, method="factored", restarts=len(DEEP_SCALES), init_scale=DEEP_SCALES)
        assert sol.status == "local" or sol.certified, sol.message  # certified by the spectral bound when global
    return sol


def _away_from_threshold(problem, margin=0.25):
    """No beta_k within ``margin`` (relative) of the zero threshold: near it the nonzero basin of a deep model is
    tiny (M >= 2) or sigma_k ~ 0 (M = 1), so a mismatch there would be about the solver or the zero test."""
    ratio = R.betas(problem) / R.zero_threshold(problem.depth)
    return bool(np.all(np.abs(ratio - 1.0) > margin))


# ================================================================================ imbalanced
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
    """The catalogue's value sum_k [n_k lambda_H/(2(sigma_k+N lambda_H)) + M lambda_W s_k^2/2] equals
    sum_k (n_k/2N) G_{beta_k}(x_k): the per-class objective in the root variable x."""
    lam = 10.0**log_lam
    p = Problem(sizes=tuple(sizes), lambda_w=lam, lambda_h=lam, loss="mse", depth=M)
    x = np.array([R.global_x(b, M) for b in R.betas(p)])
    via_g = float(np.sum(p.n / (2 * p.N) * R.scaled_class_objective(x, R.betas(p), M)))
    assert D.mse_quantities(p)["objective"] == pytest.approx(via_g, rel=1e-12)  # two float64 paths of one value


@pytest.mark.parametrize("M", [1, 2, 3, 6])
def test_catalogue_optimal_value_symbolically(M):
    """sympy: with sigma = N lambda_H x^M the claim's class value is (n/2N) G_beta(x)."""
    from nctheory.claims.sources.dang2023.symbolic import N, beta, lambda_H, n_k, sigma_k, x

    forms = D.MSE_IMBALANCED.symbolic()
    Ms = next(s for s in forms["beta"].free_symbols if s.name == "M")
    value = forms["class_optimal_value"].subs(Ms, M).subs(sigma_k, N * lambda_H * x**M)
    g = forms["scaled_class_objective"].subs(Ms, M).subs(beta, forms["beta"].subs(Ms, M))
    assert sp.simplify(sp.powdenest(sp.expand_power_base(value - n_k / (2 * N) * g, force=True), force=True)) == 0


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
    """Default instance (40, 20, 10), lambda = 3e-2, M = 2: beta_3 = 0.609 lies between the threshold 0.5 and the
    peak 0.6495.  The global rule says class 3 is zero; the authors' code keeps a nonzero root whose value is
    higher; the factored solve reaches the global rule's value."""
    p = Problem(sizes=(40, 20, 10), lambda_w=3e-2, lambda_h=3e-2, loss="mse", depth=2)
    beta = R.betas(p)
    assert R.zero_threshold(2) < beta[2] < R.peak_value(2)
    good = D.mse_quantities(p)
    code = D.predict_mse_authors_code(p).quantities
    assert good["zero_class"].tolist() == [False, False, True]
    assert code["sigma"][2] > 0
    assert code["objective"] > good["objective"] + 1e-4  # G(x_code) > 1 = G(0) for that class
    sol = _reference(p)
    assert sol.objective == pytest.approx(good["objective"], rel=1e-9)  # L-BFGS to gradient ~1e-9: value ~1e-12
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
    with pytest.raises(ValueError, match="^layers:"):
        D.layer_imbalance([np.ones((2, 3)), np.ones((4, 5))])


# ================================================================================ balanced
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


# ====================================================================== the predicted value
def _canonical_mse_objective(problem, layers, Hbar, b):
    """(1/N) sum_k n_k (1/2)||P hbar_k + b - e_k||^2 + (lambda_W/2) sum_i ||W_i||^2 + (lambda_H/2) sum_k n_k ||hbar_k||^2
    with every sample at its class mean, written out with numpy (no project code)."""
    P = layers[0]
    for L in layers[1:]:
        P = L @ P
    R_ = P @ Hbar + b[:, None] - np.eye(problem.K)
    n = problem.n
    return float(0.5 * n @ np.sum(R_**2, axis=0) / problem.N
                 + problem.lambda_w / 2 * sum(np.sum(L**2) for L in layers)
                 + problem.lambda_h / 2 * n @ np.sum(Hbar**2, axis=0))


@settings(max_examples=30)
@given(mse_instances(depths=(1, 2, 3, 5)))
def test_predicted_value_is_the_objective_of_a_feasible_point(problem):
    """Bias-free: layers diag(sigma_k^(1/2M)) (balanced), hbar_k = sqrt(sigma_k)/(sigma_k + N lambda_H) e_k have the
    predicted Grams and, evaluated with numpy, the predicted objective -- so value refutation is sound."""
    pred = D.MSE_IMBALANCED.predict(problem)
    sig = pred.quantities["sigma"]
    layers = [np.diag(sig ** (1.0 / (2 * problem.depth)))] * problem.depth
    Hbar = np.diag(np.sqrt(sig) / (sig + problem.N * problem.lambda_h))
    assert D.layer_imbalance(layers) == 0.0
    P = np.linalg.multi_dot(layers) if problem.depth > 1 else layers[0]
    np.testing.assert_allclose(P @ P.T, pred.quantities["gram_PP"], rtol=1e-13, atol=1e-15)  # rounding only
    np.testing.assert_allclose(P @ Hbar, pred.quantities["gram_PH"], rtol=1e-13, atol=1e-15)
    f = _canonical_mse_objective(problem, layers, Hbar, np.zeros(problem.K))
    assert f == pytest.approx(pred.objective, rel=1e-12)  # the same value by two routes: rounding only


@settings(max_examples=20)
@given(st.integers(2, 5), st.integers(1, 40), st.sampled_from([1, 2, 4]), st.floats(-3.0, -0.5))
def test_free_bias_value_is_the_objective_of_a_feasible_point(K, n, M, log_lam):
    """Balanced, free bias: layers s U U^T (U a basis of 1-perp, s^2M = sigma), Hbar = sqrt(sigma)/(sigma+N lH) U U^T,
    b = 1/K: the predicted Grams and the predicted objective (numpy)."""
    lam = 10.0**log_lam
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, loss="mse", bias="free", depth=M)
    pred = D.MSE_BALANCED.predict(p)
    sigma = float(pred.quantities["gram_PP"][0, 0]) * K / (K - 1)  # gram_PP = sigma S
    U = helmert_basis(K)
    layers = [sigma ** (1.0 / (2 * M)) * U @ U.T] * M
    Hbar = np.sqrt(sigma) / (sigma + p.N * lam) * U @ U.T
    f = _canonical_mse_objective(p, layers, Hbar, pred.quantities["bias"])
    assert f == pytest.approx(pred.objective, rel=1e-12, abs=1e-15)  # rounding only
    assert np.abs(Hbar.sum(axis=1)).max() < 1e-14  # centred features


@pytest.mark.parametrize("claim", [D.MSE_IMBALANCED, D.MSE_BALANCED], ids=lambda c: c.id)
def test_a_lower_objective_refutes_by_value(claim):
    """The predicted objective is wired into the engine: a solve reporting a lower value fails the claim."""
    p = claim.default_instances()[0]
    pred = claim.predict(p)
    sol = _reference(p)
    fake = replace(sol, objective=pred.objective - 1e-3)
    v = verify_claim(claim, p, methods=[sol.method], solutions={sol.method: fake}, refine=False)
    assert v.verdict == "fail" and v.refutation is not None, v.to_json()["reason"]
    honest = verify_claim(claim, p, methods=[sol.method], solutions={sol.method: sol}, refine=False)
    assert honest.refutation is None
