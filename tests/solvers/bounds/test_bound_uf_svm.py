"""The UF-SVM Lagrange dual bound (nctheory.solvers.bounds.uf_svm)."""

import numpy as np
import pytest
from bound_helpers import logits_solution, seed_st, sizes_st
from hypothesis import given, settings

from nctheory.claims import all_claims
from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds.feasible import margin
from nctheory.solvers.bounds.uf_svm import svm_dual_bound, uf_svm_bound


def centering(K):
    return np.eye(K) - np.full((K, K), 1.0 / K)


def _feasible_points(rng, labels, K, count):
    """Random per-sample (W, H) with every margin >= 1: a perturbed SEL matrix, factored (balanced or not)."""
    for _ in range(count):
        Z = centering(K)[:, labels] * (1.0 + rng.random()) + 0.3 * rng.standard_normal((K, labels.size))
        m = margin(Z, labels)
        if m <= 0:
            continue
        Z *= (1.0 + 1e-12) / m  # min margin 1 + 1e-12 (rounding of the factorisation is re-checked below)
        U, s, Vt = np.linalg.svd(Z, full_matrices=False)
        R = np.eye(s.size) * np.exp(rng.standard_normal())  # an unbalanced factorisation costs more
        W, H = (U * np.sqrt(s)) @ R, np.linalg.inv(R) @ (np.sqrt(s)[:, None] * Vt)
        if margin(W @ H, labels) >= 1.0:
            yield W, H


@settings(max_examples=15)
@given(sizes=sizes_st, seed=seed_st)
def test_bound_from_any_multipliers_is_below_every_feasible_value(sizes, seed):
    """Validity: random multipliers (class-mean or per-sample) bound every feasible per-sample point."""
    p = Problem(sizes=sizes)
    K, labels = p.K, p.labels
    rng = np.random.default_rng(seed)
    beta = rng.random((K, K)) * (rng.random((K, K)) < 0.8)
    alpha = rng.random((K, p.N))
    lb_mean = svm_dual_bound(beta, np.arange(K), p.n ** -0.5)
    lb_sample = svm_dual_bound(alpha, labels, np.ones(p.N))
    checked = 0
    for W, H in _feasible_points(rng, labels, K, 40):
        value = 0.5 * float(np.vdot(W, W)) + 0.5 * float(np.vdot(H, H))
        for lb in (lb_mean, lb_sample):
            assert lb is None or lb <= value
        checked += 1
    assert checked >= 10  # the test is not vacuous


@settings(max_examples=15)
@given(sizes=sizes_st, seed=seed_st)
def test_class_mean_multipliers_are_a_per_sample_dual_point(sizes, seed):
    """sum(beta)/||M(beta) D^{-1/2}||_2 equals the per-sample bound at alpha_ci = beta_ck / n_k (module doc)."""
    p = Problem(sizes=sizes)
    K = p.K
    beta = np.random.default_rng(seed).random((K, K))
    alpha = (beta / p.n)[:, p.labels]
    a = svm_dual_bound(beta, np.arange(K), p.n ** -0.5)
    b = svm_dual_bound(alpha, p.labels, np.ones(p.N))
    assert a == pytest.approx(b, rel=1e-12)  # two SVDs of matrices with the same singular values


@pytest.mark.parametrize("claim_id", ["seli/uf-svm", "seli/grams", "seli/step-formulas"])
def test_tight_at_the_claims_default_instances(claim_id):
    """Measured rel gaps 5e-13 .. 3e-12."""
    claim = next(c for c in all_claims() if c.id == claim_id)
    for p in claim.default_instances():
        sol = SOLVERS["convex:uf-svm"].solve(p)
        assert sol.certified and sol.rel_gap <= 1e-8, sol.message
        assert sol.certificate.kind == "lagrange-dual:uf-svm"
        assert sol.extra["min_margin"] >= 1.0  # the repaired point is feasible exactly


def test_sample_form_is_certified_and_repaired():
    p = Problem(sizes=(4, 2, 1))
    sol = SOLVERS["convex:uf-svm"].solve(p, form="sample")
    assert sol.certified and sol.rel_gap <= 1e-8, sol.message
    assert margin(sol.W @ sol.H, p.labels) >= 1.0


def test_declines_and_bad_input():
    p = Problem(sizes=(3, 2, 1))
    sol = logits_solution(np.eye(3), method="convex:uf-svm/CLARABEL")
    assert uf_svm_bound(p, sol) is None  # no multipliers
    zero = logits_solution(np.eye(3), method="convex:uf-svm/CLARABEL", extra={"margin_dual": np.zeros((3, 3))})
    assert uf_svm_bound(p, zero) is None
    bad = logits_solution(np.eye(3), method="convex:uf-svm/CLARABEL", extra={"margin_dual": np.ones((3, 5))})
    with pytest.raises(ValueError, match="^solution: margin multipliers"):
        uf_svm_bound(p, bad)
    with pytest.raises(ValueError, match="^solution: "):
        uf_svm_bound(p, "a solution")
