"""The deep linear MSE spectral bound (nctheory.solvers.bounds.deep_linear_mse)."""

import math

import numpy as np
import pytest
from bound_helpers import logits_solution, seed_st
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims import all_claims
from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds.deep_linear_mse import (bias_shrink, deep_linear_mse_bound, penalty_constants,
                                                     spectral_bound, targets)
from nctheory.solvers.factored.objective import FactoredObjective

small_sizes = st.lists(st.integers(1, 12), min_size=2, max_size=4).map(tuple)
lam_st = st.floats(-3.0, -1.0).map(lambda e: 10.0 ** e)


def _deep(sizes, M, lam, bias="none", ratio=1.0, d=None):
    return Problem(sizes=sizes, loss="mse", depth=M, lambda_w=lam * ratio, lambda_h=lam / ratio, bias=bias, d=d)


@settings(max_examples=20)
@given(K=st.integers(2, 4), d=st.integers(1, 5), M=st.integers(1, 4), lw=lam_st, lh=lam_st, seed=seed_st)
def test_product_penalty_inequality_of_R3(K, d, M, lw, lh, seed):
    """sum_i (lambda_i/2)||A_i||^2 >= c sum_j sigma_j(A_L ... A_1)^p for random factors (derivation, step 2)."""
    rng = np.random.default_rng(seed)
    p = Problem(sizes=(1,) * K, loss="mse", depth=M, lambda_w=lw, lambda_h=lh)
    c, pw = penalty_constants(p)
    layers = [rng.standard_normal((d, K))] + [rng.standard_normal((d, d)) for _ in range(M - 1)] + \
             [rng.standard_normal((K, d))]
    X = layers[0]
    for A in layers[1:]:
        X = A @ X
    penalty = 0.5 * lh * float(np.vdot(layers[0], layers[0])) + sum(0.5 * lw * float(np.vdot(A, A)) for A in layers[1:])
    assert penalty >= c * float(np.sum(np.linalg.svd(X, compute_uv=False) ** pw)) * (1 - 1e-12)


@settings(max_examples=20)
@given(sizes=small_sizes, seed=seed_st)
def test_bias_minimum_of_the_derivation(sizes, seed):
    """min_b (1/2N)||R + b sqrt(n)^T||^2 = (1/2N)||R (I - u u^T)||^2 for a free bias (step 3), and no b does better."""
    p = Problem(sizes=sizes, loss="mse", bias="free")
    K, N, root = p.K, p.N, np.sqrt(p.n)
    rng = np.random.default_rng(seed)
    R = rng.standard_normal((K, K))
    b = -R @ root / N  # the minimiser (stationarity)
    direct = float(np.sum((R + np.outer(b, root)) ** 2)) / (2 * N)
    others = [float(np.sum((R + np.outer(b + rng.standard_normal(K), root)) ** 2)) / (2 * N) for _ in range(5)]
    assert all(direct <= o for o in others)
    u = root / math.sqrt(N)
    formula = float(np.sum((R @ (np.eye(K) - bias_shrink(p) * np.outer(u, u))) ** 2)) / (2 * N)
    assert direct == pytest.approx(formula, rel=1e-12)


@settings(max_examples=12)
@given(sizes=small_sizes, M=st.integers(1, 4), lam=lam_st, ratio=st.floats(0.3, 3.0),
       bias=st.sampled_from(["none", "free"]), d=st.integers(1, 6), seed=seed_st)
def test_bound_is_below_the_objective_of_random_factorisations(sizes, M, lam, ratio, bias, d, seed):
    """Validity for every depth, bias and width: the canonical objective of random deep points (per-sample
    features, layers, bias) is above the bound."""
    p = _deep(sizes, M, lam, bias, ratio, d=d)
    lb = spectral_bound(p)
    obj = FactoredObjective(p, on="samples")
    rng = np.random.default_rng(seed)
    for scale in np.geomspace(0.05, 5.0, 25):
        x = rng.standard_normal(obj.layout.size) * scale * rng.random()
        assert lb <= obj.value_and_grad(x)[0]


@pytest.mark.parametrize("sizes,M,lam,bias", [((4, 2, 1), 2, 0.02, "none"), ((3, 3, 1), 3, 0.01, "none"),
                                              ((5, 2, 2), 2, 0.01, "free"), ((4, 2, 1), 3, 0.005, "free"),
                                              ((6, 2, 1), 4, 0.005, "none")])
def test_bound_equals_the_global_optimum_found_by_many_restarts(sizes, M, lam, bias):
    """Tightness on small cases: 24 restarts of the factored solver (their best, a feasible value) meet the
    bound to the solver's accuracy (measured rel gaps <= 2e-13)."""
    p = _deep(sizes, M, lam, bias)
    sol = SOLVERS["factored"].solve(p, restarts=24)
    lb = spectral_bound(p)
    assert lb <= sol.objective
    assert (sol.objective - lb) / sol.objective <= 1e-10
    assert sol.certified and sol.certificate.kind == "spectral:deep-linear-mse"


@pytest.mark.parametrize("sizes,lam,bias", [((200, 100, 50, 50), 5e-4, "none"), ((5, 3, 1), 0.02, "free"),
                                            ((3, 3, 3), 0.01, "free")])
def test_depth_one_matches_the_certified_R2_optimum(sizes, lam, bias):
    """M = 1 (p = 1): the bound equals the optimum of the independent certified solver of R2."""
    p = _deep(sizes, 1, lam, bias)
    ref = SOLVERS["certified"].solve(p, tol=1e-13)
    lb = spectral_bound(p)
    assert lb <= ref.objective and (ref.objective - lb) / ref.objective <= 1e-11


@pytest.mark.parametrize("claim_id", ["dang2023/mse-imbalanced", "dang2023/mse-balanced"])
def test_tight_at_the_claims_default_deep_instances(claim_id):
    """Measured rel gaps 1.4e-13 and 1.7e-13 (the depth-2 instances; depth 1 goes to the certified solver)."""
    claim = next(c for c in all_claims() if c.id == claim_id)
    for p in claim.default_instances():
        if p.depth < 2:
            continue
        sol = SOLVERS["factored"].solve(p)
        assert sol.certified and sol.rel_gap <= 1e-8, sol.message


def test_targets_without_bias_are_the_square_roots_of_the_sizes():
    p = _deep((9, 4, 1), 2, 0.01)
    np.testing.assert_allclose(targets(p), [3.0, 2.0, 1.0], rtol=1e-15)  # lowered by 2 ulp only
    assert np.all(targets(p) <= [3.0, 2.0, 1.0])


def test_declines_and_bad_input():
    sol = logits_solution(np.eye(3))
    assert deep_linear_mse_bound(Problem(sizes=(3, 2, 1), depth=2), sol) is None  # CE
    assert deep_linear_mse_bound(_deep((3, 2, 1), 2, 0.01).with_(features="relu"), sol) is None
    assert deep_linear_mse_bound(_deep((3, 2, 1), 2, 0.01).with_(bias="regularized", lambda_b=0.1), sol) is None
    with pytest.raises(ValueError, match="^problem: "):
        deep_linear_mse_bound("p", sol)
    with pytest.raises(ValueError, match="^solution: "):
        deep_linear_mse_bound(_deep((3, 2, 1), 2, 0.01), None)
