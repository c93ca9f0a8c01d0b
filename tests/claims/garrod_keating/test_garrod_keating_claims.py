"""Garrod & Keating claims (catalogue §9): the symmetric low-rank family of the balanced deep linear CE UFM
against the factored solver's restart plan (deep CE has no certificate) and the certified solver at depth 1."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import garrod_keating as G
from nctheory.claims.sources.garrod_keating.formulas import (best_candidate, candidate_objective, candidates,
                                                             cross_polytope_gram, etf_gram, polygon_gram)
from nctheory.claims.sources.garrod_keating.rank_one import rank_one_best, rank_one_coefficient
from nctheory.claims.sources.zhu.formulas import zhu_closed_form
from nctheory.model import Problem
from nctheory.solvers import solve
from nctheory.verify import Verdict, verify_claim
from claim_helpers import assert_quantities_match


def test_depth_one_etf_value_is_zhu_closed_form():
    # M = 1 is the convex case: the family's ETF member must reproduce Zhu et al.'s objective exactly
    for K, n, lam in ((3, 5, 1e-2), (6, 4, 3e-3), (4, 10, 2e-2)):
        name, rec, _ = best_candidate(K, 1, n, lam, lam)
        assert name == "etf"
        assert rec["value"] == pytest.approx(zhu_closed_form(K, n, lam, lam)["objective"], rel=1e-10)


def test_square_is_the_cross_polytope_at_k4():
    # the regular 4-gon is the cross-polytope ±e1, ±e2 up to labelling: same objective at every scale
    a = np.geomspace(1e-2, 30, 25)
    for M in (1, 2, 5):
        assert np.allclose(candidate_objective(a, polygon_gram(4), M, 5, 1e-2, 1e-2),
                           candidate_objective(a, cross_polytope_gram(4), M, 5, 1e-2, 1e-2), rtol=1e-13)


def test_grams_are_unit_tight_frames():
    for K in (4, 6, 8):
        for Gm, r in ((etf_gram(K), K - 1), (cross_polytope_gram(K), K // 2), (polygon_gram(K), 2)):
            assert np.allclose(np.diag(Gm), 1.0)
            assert np.allclose(Gm @ Gm, K / r * Gm, atol=1e-12)  # tight frame: nonzero eigenvalues all K/r
            assert np.linalg.matrix_rank(Gm, tol=1e-9) == r


def test_zero_wins_at_large_lambda():
    c = candidates(4, 3, 5, 1.0, 1.0)
    name, rec, _ = best_candidate(4, 3, 5, 1.0, 1.0)
    assert name == "zero" and rec["value"] == pytest.approx(math.log(4)) and rec["rank"] == 0
    assert all(v["value"] >= math.log(4) - 1e-12 for v in c.values())


@settings(max_examples=4, deadline=None)
@given(K=st.sampled_from([2, 4, 6]), M=st.integers(2, 4), n=st.integers(2, 8), log_lam=st.floats(-2.5, -1.5))
def test_family_minimiser_against_factored(K, M, n, log_lam):
    lam = 10.0 ** log_lam
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, depth=M)
    sol = solve(p, method="factored")
    # a value below the family's best would refute the claim; the family's value must be reached
    assert float(sol.objective) >= G.POLYTOPE_MINIMIZER.predict(p).objective - 1e-9
    assert_quantities_match(G.POLYTOPE_MINIMIZER, p, sol, min_compared=3)


def test_default_verdicts():
    for p in G.POLYTOPE_MINIMIZER.default_instances():
        assert verify_claim(G.POLYTOPE_MINIMIZER, p).verdict == Verdict.CONSISTENT
    assert G.POLYTOPE_FAMILY_GENERAL.expected == "false"
    for p in G.POLYTOPE_FAMILY_GENERAL.default_instances():
        v = verify_claim(G.POLYTOPE_FAMILY_GENERAL, p)
        assert v.verdict == Verdict.FAIL and v.as_expected


def test_general_family_is_beaten_at_k5():
    # K = 5, M = 2: a rank-3 point with unequal singular values below the ETF (the family's best)
    p = G.POLYTOPE_FAMILY_GENERAL.default_instances()[0]
    name, rec, _ = best_candidate(5, 2, 5, 1e-2, 1e-2)
    sol = solve(p, method="factored")
    s = np.linalg.svd(np.asarray(sol.W) @ np.asarray(sol.H_mean), compute_uv=False)
    assert name == "etf" and float(sol.objective) < rec["value"] - 1e-3
    assert np.count_nonzero(s > 1e-6 * s[0]) == 3 and s[0] / s[2] > 1.5
    # the restricted claim refuses K = 5
    assert any(m.startswith("sizes: ") for m in G.POLYTOPE_MINIMIZER.assumptions(p))


def test_rank_along_depth_default():
    p = G.RANK_VS_DEPTH.default_instances()[0]
    res = G.rank_along_depth(p)
    assert res.ranks == (3, 3, 2) and res.monotone and res.ok and not res.certified


def test_k3_family_misses_a_dropped_class_point():
    # the random draw that took K = 3 out of the restricted claim: two classes at ±a, the third at 0 (rank 1)
    p = Problem(sizes=(92,) * 3, lambda_w=0.1, lambda_h=5.0150855300869195e-3, depth=3)
    name, rec, _ = best_candidate(3, 3, 92, p.lambda_w, p.lambda_h)
    sol = solve(p, method="factored")
    Zm = np.asarray(sol.W) @ np.asarray(sol.H_mean)
    s = np.linalg.svd(Zm, compute_uv=False)
    assert name == "etf" and float(sol.objective) < rec["value"] - 1e-2  # measured 1.034778 vs 1.068472
    assert np.count_nonzero(s > 1e-6 * s[0]) == 1
    assert np.abs(Zm).max(axis=0).min() < 1e-6 * np.abs(Zm).max()  # one class's mean logits are 0
    assert any(m.startswith("sizes: ") for m in G.POLYTOPE_MINIMIZER.assumptions(p))
    v = verify_claim(G.POLYTOPE_FAMILY_GENERAL, p)
    assert v.verdict == Verdict.FAIL and v.as_expected


def _canonical_objective(layers, H_mean, n, lambda_w, lambda_h):
    # catalogue §0 rebuilt in plain numpy: every sample at its class mean, P = W_M ... W_1, CE averaged over N
    K = H_mean.shape[1]
    P = layers[-1]
    for Wi in layers[-2::-1]:
        P = P @ Wi
    Z = P @ np.repeat(H_mean, n, axis=1)
    y = np.repeat(np.arange(K), n)
    ce = np.mean(np.log(np.sum(np.exp(Z - Z.max(axis=0)), axis=0)) + Z.max(axis=0) - Z[y, np.arange(y.size)])
    return ce + sum(lambda_w / 2 * np.sum(Wi ** 2) for Wi in layers) + lambda_h / 2 * n * np.sum(H_mean ** 2)


def test_rank_one_line_beats_the_family_below_its_zero_threshold():
    # the random-seed draw (property suite, seed 24) that refuted polytope-minimizer by value: K = 4, M = 3
    p = Problem(sizes=(29,) * 4, lambda_w=0.09660232335469633, lambda_h=0.01556764301717455, depth=3)
    name, rec, allc = best_candidate(4, 3, 29, p.lambda_w, p.lambda_h)
    # the family's values, recomputed from the closed forms (cross-polytope at K = 4: gaps 0, 1, 1, 2, spectrum 2, 2)
    kap = 2.0 * (p.lambda_h * p.lambda_w ** 3) ** 0.25
    a = rec["a"]
    assert name == "cross-polytope" and allc["etf"]["a"] == 0.0
    assert rec["value"] == pytest.approx(math.log(1 + 2 * math.exp(-a) + math.exp(-2 * a))
                                         + kap * 2 * math.sqrt(2 * a * math.sqrt(29)), rel=1e-14, abs=0)
    etf_grid = candidate_objective(np.geomspace(1e-6, 10, 4001), etf_gram(4), 3, 29, p.lambda_w, p.lambda_h)
    assert etf_grid.min() > math.log(4)  # the ETF's best scale really is 0 here
    sol = solve(p, method="factored")
    layers = sol.extra["layers"]
    F = _canonical_objective(layers, np.asarray(sol.H_mean), 29, p.lambda_w, p.lambda_h)
    # measured: 1.38090375033371 (factored and plain numpy agree to 2e-16) against the cross-polytope's 1.38316976835
    assert F == pytest.approx(float(sol.objective), rel=1e-12) and F < rec["value"] - 2e-3
    s = np.linalg.svd(np.asarray(sol.W) @ np.asarray(sol.H_mean), compute_uv=False)
    assert np.count_nonzero(s > 1e-6 * s[0]) == 1  # all classes on one line
    # the rank-1 reduction reaches the same value independently of the factored solver
    r1 = rank_one_best(4, 3, rank_one_coefficient(3, 29, p.lambda_w, p.lambda_h))
    assert r1 == pytest.approx(F, rel=1e-10)
    # the claim is now scoped away from this window; the default instances stay inside it
    assert any(m.startswith("lambda_w: ") for m in G.POLYTOPE_MINIMIZER.assumptions(p))
    assert all(not G.POLYTOPE_MINIMIZER.assumptions(q) for q in G.POLYTOPE_MINIMIZER.default_instances())
    # and the zero regime (where the rank-1 optimum is the zero point, a member of the family) stays inside
    assert not G.POLYTOPE_MINIMIZER.assumptions(Problem(sizes=(5,) * 4, lambda_w=1.0, lambda_h=1.0, depth=3))
    assert not G.POLYTOPE_MINIMIZER.assumptions(p.with_(lambda_w=1.1 * p.lambda_w))
