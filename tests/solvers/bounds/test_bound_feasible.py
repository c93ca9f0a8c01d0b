"""Exact feasibility repair of conic answers (nctheory.solvers.bounds.feasible)."""

from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from bound_helpers import budget_st, seed_st, solution_of
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds.feasible import onto_budget, repair
from nctheory.solvers.convex._model import collapsed_objective


def exact_sq(M) -> Fraction:
    """||M||_F^2 in exact rational arithmetic on the stored float64 entries."""
    return sum((Fraction(float(x)) ** 2 for x in np.ravel(M)), Fraction(0))


def exact_margin(W, H, labels) -> Fraction:
    Wf = [[Fraction(float(x)) for x in row] for row in W]
    Hf = [[Fraction(float(x)) for x in row] for row in H]
    K, d, m = len(Wf), len(Hf), len(Hf[0])
    Z = [[sum((Wf[i][k] * Hf[k][j] for k in range(d)), Fraction(0)) for j in range(m)] for i in range(K)]
    return min(Z[labels[j]][j] - Z[c][j] for j in range(m) for c in range(K) if c != labels[j])


@settings(max_examples=30)
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 6)), budget=budget_st, over=st.floats(1.0, 1.0 + 1e-9),
       seed=seed_st)
def test_onto_budget_is_exact_in_rational_arithmetic(shape, budget, over, seed):
    """A matrix at (or a hair above) the budget -- the case of an interior-point answer -- lands inside it exactly."""
    M = np.random.default_rng(seed).standard_normal(shape)
    M *= np.sqrt(budget * over / float(np.vdot(M, M)))
    M2, f = onto_budget(M, budget)
    assert exact_sq(M2) <= Fraction(budget)
    assert 1.0 - 1e-8 <= f <= 1.0  # only the violation's size (plus rounding margins) is removed


def test_layer_peeled_answer_is_exactly_feasible_and_objective_recomputed():
    p = Problem(sizes=(20, 20, 10, 10), constraint="average", e_w=1.0, e_h=1.0)
    sol = SOLVERS["convex:lpm"].solve(p)
    assert exact_sq(sol.W) <= Fraction(p.K * p.e_w) and exact_sq(sol.H_mean) <= Fraction(p.K * p.e_h)
    assert sol.objective == collapsed_objective(p, sol.W, sol.H_mean, sol.b)
    np.testing.assert_array_equal(sol.logits_mean, sol.W @ sol.H_mean + sol.b[:, None])


def test_per_sample_columns_are_scaled_one_by_one():
    p = Problem(sizes=(3, 2, 1), classifier="fixed-etf", constraint="per-sample", e_h=2.0)
    H = np.array([[1.5, 0.1, 0.0], [0.0, 0.2, 0.3], [0.0, 0.0, 0.0]])  # column 0 over its budget (2.25 > 2)
    W = np.sqrt(1.5) * (np.eye(3) - 1 / 3)
    sol = repair(p, solution_of(W, H))
    assert exact_sq(sol.H_mean[:, 0]) <= Fraction(2.0)
    np.testing.assert_array_equal(sol.H_mean[:, 1:], H[:, 1:])  # feasible columns untouched
    assert sol.extra["feasibility_repair"]["column_scales"][0] < 1.0
    assert sol.objective == collapsed_objective(p, W, sol.H_mean, sol.b)


def test_uf_svm_margins_are_at_least_one_exactly():
    p = Problem(sizes=(7, 3, 2, 1))
    for form in ("class-mean", "sample"):
        sol = SOLVERS["convex:uf-svm"].solve(p, form=form)
        if form == "sample":
            assert exact_margin(sol.W, sol.H, p.labels) >= 1
        else:
            assert exact_margin(sol.W, sol.H_mean, np.arange(p.K)) >= 1


def test_relu_negative_entries_are_clipped():
    p = Problem(sizes=(3, 2, 1), features="relu")
    sol = repair(p, solution_of(np.eye(3), np.array([[1.0, -1e-12, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])))
    assert sol.H_mean.min() >= 0.0 and sol.extra["feasibility_repair"]["relu_clip"]


def test_penalised_and_failed_answers_are_unchanged():
    p = Problem(sizes=(3, 2, 1))
    sol = solution_of(np.eye(3), 5 * np.eye(3))
    assert repair(p, sol) is sol
    failed = replace(sol, status="failed")
    q = Problem(sizes=(3, 2, 1), constraint="average", e_w=1.0, e_h=1.0)
    assert repair(q, failed) is failed


def test_certified_local_answers_are_exactly_feasible_too():
    """certify repairs before it certifies: the projected local solver leaves a budget 1-3 ulp over (measured), its
    certified answer is inside exactly."""
    p = Problem(sizes=(40, 10, 2), classifier="fixed-etf", constraint="per-sample", e_w=1.0, e_h=2.0)
    sol = SOLVERS["factored"].solve(p)
    assert sol.certified
    assert all(exact_sq(sol.H_mean[:, k]) <= Fraction(p.e_h) for k in range(p.K))
    q = Problem(sizes=(20, 20, 10, 10), constraint="average", e_w=1.0, e_h=1.0)
    sol = SOLVERS["factored"].solve(q)
    assert sol.certified and exact_sq(sol.H_mean) <= Fraction(q.K * q.e_h) and exact_sq(sol.W) <= Fraction(q.K)


@pytest.mark.parametrize("constraint", ["per-sample", "average"])
def test_per_sample_answers_are_repaired_on_their_samples(constraint):
    """With per-sample features the budget is on the samples: each sample (per-sample) or the weighted sum
    (1/K) sum_k (1/n_k) sum_i ||h_ki||^2 (average) lands inside exactly; H is kept and the class means follow."""
    p = Problem(sizes=(3, 2, 1), classifier="fixed-etf", constraint=constraint, e_h=2.0)
    rng = np.random.default_rng(0)
    H = rng.standard_normal((3, p.N))
    H *= np.sqrt(2.0 * (1 + 1e-9)) / np.linalg.norm(H, axis=0)  # every sample a hair over the budget
    W = np.sqrt(1.5) * (np.eye(3) - 1 / 3)
    sol = repair(p, solution_of(W, H[:, :3], H=H))
    assert sol.H is not None and sol.H.shape == H.shape
    if constraint == "per-sample":
        assert all(exact_sq(sol.H[:, j]) <= Fraction(2.0) for j in range(p.N))
    else:
        used = sum((exact_sq(sol.H[:, j]) / (p.K * int(p.n[p.labels[j]])) for j in range(p.N)), Fraction(0))
        assert used <= Fraction(2.0)
    np.testing.assert_allclose(sol.H_mean, sol.H @ np.eye(p.K)[p.labels] / p.n, rtol=1e-15)
