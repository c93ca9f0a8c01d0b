"""The CS-SVM solver (convex:cs-svm) and its dual bound: the plain case is the UF-SVM (SELI), answers are exactly
feasible and certified, the bound is valid at any multipliers and tight at the solver's, and bad input names the field."""

import numpy as np
import pytest

from nctheory.claims.sources import behnia2023  # noqa: F401  (registers convex:cs-svm)
from nctheory.claims.sources.seli import seli_targets
from nctheory.model import Problem
from nctheory.model.losses import VectorScaling
from nctheory.solvers import solve
from nctheory.solvers.bounds.cs_svm import cs_svm_dual_bound, dual_matrix
from nctheory.solvers.convex.cs_svm import cs_svm_parameters, normalised_margins, solve_cs_svm
from nctheory.solvers.convex.uf_svm import solve_uf_svm


@pytest.mark.parametrize("sizes", [(7, 3, 2, 1), (10, 10, 1, 1, 1), (5, 5)])
def test_plain_cs_svm_is_the_uf_svm(sizes):
    sol = solve_cs_svm(sizes)
    assert sol.certified and sol.rel_gap <= 1e-10
    T = seli_targets(sizes)
    # Clarabel at its tight settings: the SEL logits to ~1e-9
    np.testing.assert_allclose(sol.W @ sol.H_mean, T["WH"], atol=1e-7)
    assert sol.objective == pytest.approx(T["nuclear"], rel=1e-9)
    assert sol.objective == pytest.approx(solve_uf_svm(sizes).objective, rel=1e-9)


def test_answers_are_exactly_feasible_and_the_bound_is_below():
    rng = np.random.default_rng(3)
    for _ in range(6):
        K = int(rng.integers(2, 7))
        n = rng.integers(1, 40, K)
        delta, margins = 10 ** rng.uniform(-0.5, 0.5, K), 10 ** rng.uniform(-0.5, 0.5, K)
        sol = solve_cs_svm(n, delta, margins)
        assert sol.certified
        assert normalised_margins(sol.W @ sol.H_mean, delta, margins).min() >= 1.0
        assert sol.lower_bound <= sol.objective
        # the objective is the value of the returned point
        value = 0.5 * np.sum(sol.W ** 2) + 0.5 * float(n @ np.sum(sol.H_mean ** 2, axis=0))
        assert sol.objective == pytest.approx(value, rel=1e-14)


def test_the_bound_holds_at_arbitrary_multipliers_and_is_tight_at_the_solvers():
    rng = np.random.default_rng(5)
    n, delta, margins = np.array([9.0, 4, 2, 1]), np.array([1.3, 1.0, 0.8, 0.5]), np.array([0.7, 1.0, 1.2, 2.0])
    sol = solve_cs_svm(n, delta, margins)
    for _ in range(50):
        beta = rng.exponential(size=(4, 4))
        assert cs_svm_dual_bound(beta, n, delta, margins) <= sol.objective * (1 + 1e-12)
    tight = cs_svm_dual_bound(sol.extra["margin_dual"], n, delta, margins)
    assert tight == pytest.approx(sol.objective, rel=1e-9)
    # wrong multipliers give a strictly weaker bound: the test of tightness can fail
    assert cs_svm_dual_bound(np.ones((4, 4)), n, delta, margins) < 0.99 * sol.objective
    assert cs_svm_dual_bound(np.zeros((4, 4)), n, delta, margins) is None


def test_dual_matrix_by_hand():
    beta = np.array([[0.0, 2.0], [3.0, 0.0]])
    M = dual_matrix(beta, np.array([2.0, 5.0]))
    # column 0: label entry Δ_0·β_10 = 2·3, entry 1: −Δ_1·β_10 = −15; column 1: −Δ_0·β_01 = −4, Δ_1·β_01 = 10
    np.testing.assert_array_equal(M, [[6.0, -4.0], [-15.0, 10.0]])


def test_the_loss_gives_the_cs_svm_parameters_and_the_registry_knows_the_solver():
    p = Problem(sizes=(3, 2, 1), loss=VectorScaling(delta=(1.0, 2.0, 0.5), iota=(1.0, 0.0, -1.0), omega=(2.0, 1.0, 4.0)))
    delta, margins = cs_svm_parameters(p)
    np.testing.assert_array_equal(delta, [1.0, 2.0, 0.5])
    np.testing.assert_array_equal(margins, [0.5, 1.0, 0.25])  # 1/ω; ι drops out
    sol = solve(p, method="convex:cs-svm")
    assert sol.certified and sol.method.startswith("convex:cs-svm")
    with pytest.raises(ValueError, match=r"^problem: .*loss"):
        solve(Problem(sizes=(3, 2), loss="mse"), method="convex:cs-svm")


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match=r"^sizes: "):
        solve_cs_svm([3])
    with pytest.raises(ValueError, match=r"^delta: "):
        solve_cs_svm([3, 2], delta=[1.0, -1.0])
    with pytest.raises(ValueError, match=r"^margins: "):
        solve_cs_svm([3, 2], margins=[1.0])
    with pytest.raises(ValueError, match=r"^beta: "):
        cs_svm_dual_bound(np.ones((3, 3)), [1, 2], [1, 1], [1, 1])
