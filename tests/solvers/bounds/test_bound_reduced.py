"""The R2 dual bound at a cvxpy answer (nctheory.solvers.bounds.reduced)."""

import numpy as np
import pytest
from bound_helpers import lam_st, logits_solution, seed_st, sizes_st
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims import all_claims
from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds.reduced import reduced_bound
from nctheory.solvers.bounds.rounding import sum_allowance
from nctheory.solvers.certified.dual import DualBound
from nctheory.solvers.certified.smooth import ReducedSmooth
from nctheory.solvers.convex._model import sample_objective


@settings(max_examples=15)
@given(sizes=sizes_st, lam=lam_st, loss=st.sampled_from(["ce", "mse"]),
       bias=st.sampled_from(["none", "regularized", "free"]), seed=seed_st)
def test_bound_from_any_point_is_below_every_feasible_value(sizes, lam, loss, bias, seed):
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, loss=loss, bias=bias,
                lambda_b=0.1 if bias == "regularized" else 0.0)
    K, N = p.K, p.N
    rng = np.random.default_rng(seed)
    lb, cert = reduced_bound(p, logits_solution(2.0 * rng.standard_normal((K, K)), rng.standard_normal(K)))
    assert cert.kind == "fenchel-dual:R2"
    for _ in range(30):  # per-sample features, any width: R2 is below the UFM for every d
        d = int(rng.integers(1, K + 2))
        W, H = rng.standard_normal((K, d)) * rng.random() * 3, rng.standard_normal((d, N)) * rng.random() * 3
        b = rng.standard_normal(K) if bias != "none" else np.zeros(K)
        assert lb <= sample_objective(p, W, H, b)
    assert lb <= SOLVERS["certified"].solve(p).objective


@pytest.mark.parametrize("kw", [
    {"sizes": (5, 5, 5, 5), "lambda_w": 1e-2, "lambda_h": 1e-2},
    {"sizes": (20, 5, 2), "lambda_w": 1e-3, "lambda_h": 3e-3, "bias": "regularized", "lambda_b": 1e-2},
    {"sizes": (20, 5, 2), "lambda_w": 1e-3, "lambda_h": 1e-3, "bias": "free"},
    {"sizes": (20, 5, 2), "lambda_w": 1e-3, "lambda_h": 1e-3, "loss": "mse", "bias": "free"},
])
def test_tight_at_conic_answers(kw):
    p = Problem(**kw)
    sol = SOLVERS["convex:reduced"].solve(p)
    assert sol.certified and sol.rel_gap <= 1e-8, sol.message


def test_tight_at_the_second_reference_of_ce_etf_m1():
    p = next(c for c in all_claims() if c.id == "dang2023/ce-etf-m1").default_instances()[0]
    sol = SOLVERS["convex:reduced"].solve(p)
    assert sol.certified and sol.rel_gap <= 1e-8, sol.message


def test_never_below_the_certified_solvers_own_dual_construction():
    """The reported bound is the larger of DualBound.from_gradient and the spectral candidates."""
    p = Problem(sizes=(20, 5, 2), lambda_w=1e-3, lambda_h=1e-3, bias="free")
    sol = SOLVERS["convex:reduced"].solve(p)
    smooth = ReducedSmooth(p)
    X = (sol.logits_mean - sol.b[:, None]) * smooth.sqrt_n
    first = DualBound.from_gradient(smooth, smooth.joint(X, sol.b)[3])
    assert sol.lower_bound >= first.value - sum_allowance(first.magnitude, 2 * p.K)  # less only its rounding allowance


def test_declines_and_bad_input():
    p = Problem(sizes=(3, 2, 1))
    assert reduced_bound(p.with_(constraint="average", e_w=1.0, e_h=1.0), logits_solution(np.eye(3))) is None
    with pytest.raises(ValueError, match="^solution: logits_mean"):
        reduced_bound(p, logits_solution(np.eye(2)))
