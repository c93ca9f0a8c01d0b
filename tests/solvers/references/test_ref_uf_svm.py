"""The UF-SVM solvers (``certified:uf-svm``, ``certified:uf-svm-symmetric``) against independent references.

References: the cvxpy class-mean formulation (``solve_uf_svm`` with Clarabel), the balanced closed form (the
simplex ETF: value :math:`\\sqrt n(K-1)`, logits S), the catalogue's SEL value :math:`\\|SD^{1/2}\\|_*` for any sizes
(also at K = 10⁵, evaluated in grouped form), and random feasible per-sample points of the UF-SVM itself.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_helpers import (grouped_sizes, random_svm_point, sel_value, small_sizes, svm_sample_margin,
                               svm_sample_objective)

from nctheory.model import Problem
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.convex.uf_svm import solve_uf_svm
from nctheory.solvers.references.uf_svm_solve import solve, solve_grouped
from nctheory.solvers.result import Status

#: Objective vs Clarabel (brief: 1e-8): measured <= 1.7e-12 relative over 30 random instances.
OBJECTIVE_AGREEMENT = 1e-8
#: Grams and logits vs Clarabel and grouped vs dense, relative to the largest entry: the max-margin solution is
#: unique and the problem has no flat directions, so positions follow the gaps closely; measured <= 1.0e-9 (both
#: at tol 1e-12); 1e-7.
POSITION_AGREEMENT = 1e-7
#: A certified bound may exceed a feasible value by the rounding of that value (sums of K d squares): 1e-13.
VALUE_ROUNDING = 1e-13


def grams(sol):
    W, H = sol.W, sol.H_mean
    return {"WW": W @ W.T, "HH": H.T @ H, "Z": W @ H}


@settings(max_examples=12)
@given(sizes=small_sizes(min_k=2, max_k=7))
def test_agrees_with_cvxpy(sizes):
    sol = solve(sizes, tol=1e-12)
    assert sol.status == Status.OPTIMAL and sol.certified, sol.message
    ref = solve_uf_svm(sizes)
    assert ref.status == Status.OPTIMAL
    assert abs(sol.objective - ref.objective) <= OBJECTIVE_AGREEMENT * sol.objective
    assert sol.lower_bound <= ref.objective * (1 + VALUE_ROUNDING)
    mine, theirs = grams(sol), grams(ref)
    for key in mine:
        assert np.abs(mine[key] - theirs[key]).max() <= POSITION_AGREEMENT * np.abs(mine[key]).max(), key
    # the returned point is feasible for the per-sample problem, with the reported objective
    problem = Problem(sizes=sizes)
    H = np.repeat(sol.H_mean, problem.sizes, axis=1)
    assert svm_sample_margin(problem, sol.W, H) >= 1.0 and sol.extra["min_margin"] >= 1.0
    assert svm_sample_objective(sol.W, H) == pytest.approx(sol.objective, rel=VALUE_ROUNDING)


@settings(max_examples=20)
@given(sizes=small_sizes(min_k=2, max_k=6, max_n=8), seed=st.integers(0, 10**6), d=st.integers(2, 6))
def test_bound_is_below_every_feasible_point(sizes, seed, d):
    """The bound is Lagrange duality for the per-sample problem: below random feasible points of any d >= 2."""
    problem = Problem(sizes=sizes)
    sol = solve(problem, tol=1e-6, max_iter=500)
    assert sol.lower_bound is not None
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(10):
        point = random_svm_point(problem, rng, d)
        if point is None:
            continue
        W, H = point
        assert svm_sample_margin(problem, W, H) >= 1.0 - 1e-12
        assert sol.lower_bound <= svm_sample_objective(W, H) * (1 + VALUE_ROUNDING)
        checked += 1
    assert sol.lower_bound <= sol.objective * (1 + VALUE_ROUNDING)


@pytest.mark.parametrize("K, n", [(2, 1), (3, 5), (10, 7)])
def test_balanced_is_the_simplex_etf(K, n):
    sol = solve((n,) * K, tol=1e-12)
    assert sol.status == Status.OPTIMAL
    exact = math.sqrt(n) * (K - 1)
    assert sol.lower_bound <= exact * (1 + VALUE_ROUNDING)
    assert sol.objective == pytest.approx(exact, rel=1e-11)
    S = np.eye(K) - 1.0 / K
    assert np.abs(sol.W @ sol.H_mean - S).max() <= 1e-9


@settings(max_examples=10)
@given(sizes=small_sizes(min_k=2, max_k=8))
def test_value_is_the_sel_value(sizes):
    """The catalogue's claim as a value check: the certified optimum is ||S D^{1/2}||_* (a feasible value, so the
    bound must be below it whatever the claim says)."""
    sol = solve(sizes, tol=1e-12)
    target = sel_value(sizes)
    assert sol.lower_bound <= target * (1 + VALUE_ROUNDING)
    assert sol.objective == pytest.approx(target, rel=1e-10)


# =========================================================================== grouped
@settings(max_examples=12)
@given(sizes=grouped_sizes(max_groups=3, max_count=5))
def test_grouped_agrees_with_dense(sizes):
    dense = solve(sizes, tol=1e-12)
    grouped = solve_grouped(sizes, tol=1e-12)
    assert grouped.status == Status.OPTIMAL and grouped.certified, grouped.message
    assert abs(grouped.objective - dense.objective) <= 1e-10 * dense.objective
    assert grouped.lower_bound <= dense.objective * (1 + VALUE_ROUNDING)
    assert dense.lower_bound <= grouped.objective * (1 + VALUE_ROUNDING)
    ex = grouped.expand()
    assert ex.objective == pytest.approx(grouped.objective, rel=VALUE_ROUNDING)
    d, e = grams(dense), grams(ex)
    for key in d:
        assert np.abs(d[key] - e[key]).max() <= POSITION_AGREEMENT * np.abs(d[key]).max(), key
    assert np.abs(grouped.gram_WH.dense() - e["Z"]).max() <= 1e-13 * np.abs(e["Z"]).max()
    problem = Problem(sizes=sizes)
    assert svm_sample_margin(problem, ex.W, np.repeat(ex.H_mean, problem.sizes, axis=1)) >= 1.0 - 1e-13
    assert grouped.extra["min_margin"] >= 1.0


def test_grouped_certificate_is_a_dense_dual_point():
    sizes = (9, 9, 9, 4, 4, 1, 1, 1)
    sol = solve_grouped(sizes, tol=1e-12)
    structure = sol.structure
    bound = sol.dual
    # the multipliers as a dense K x K matrix G(beta); the plain bound sum sqrt(n) beta / ||G||_2
    G = GroupedMatrix.from_entries(structure, bound.own - np.diagonal(bound.rest), bound.rest).dense()
    beta = -G.copy()
    np.fill_diagonal(beta, 0.0)
    assert np.all(beta >= 0.0)
    assert np.allclose(np.diagonal(G), beta.sum(axis=0))
    plain = float(np.sqrt(np.asarray(sizes, float)) @ beta.sum(axis=0)) / float(np.linalg.norm(G, 2))
    assert sol.lower_bound <= plain and plain - sol.lower_bound <= 1e-12 * plain


def sel_value_grouped(structure: GroupStructure) -> float:
    r""":math:`\|SD^{1/2}\|_*` without K × K matrices: S is invariant (diagonal 1 - 1/K, elsewhere -1/K)."""
    K, C = structure.K, structure.C
    S = GroupedMatrix.from_entries(structure, np.ones(C), np.full((C, C), -1.0 / K))
    return S.times_diagonal(np.sqrt(structure.sizes.astype(float))).nuclear_norm()


def test_two_groups_at_100k_classes_certified():
    K = 100_000
    sizes = (10,) * (K // 2) + (1,) * (K // 2)
    t0 = time.perf_counter()
    sol = solve_grouped(sizes)
    elapsed = time.perf_counter() - t0
    assert sol.status == Status.OPTIMAL and sol.rel_gap <= 1e-10, sol.message
    target = sel_value_grouped(sol.structure)
    assert sol.lower_bound <= target * (1 + VALUE_ROUNDING)
    assert sol.objective == pytest.approx(target, rel=1e-9)
    # the SEL logits S: diagonal 1 - 1/K, off-diagonal -1/K
    Z = sol.gram_WH
    assert np.allclose(Z.diagonal, 1.0 - 1.0 / K, atol=1e-9) and np.allclose(Z.block[0, 1], -1.0 / K, atol=1e-9)
    assert elapsed < 5.0  # measured ~0.05 s


def test_rank_above_d_is_a_relaxation():
    sol = solve(Problem(sizes=(5, 3, 2, 1), d=2))
    assert sol.status == Status.RELAXATION and sol.extra["rank"] == 3 and sol.W.shape == (4, 3)
