"""hong-ling/threshold (catalogue §2): the collapse rule λN ≥ √n_c against certified solves, the bisection
locator, and the critical sizes (numeric and symbolic)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import hong_ling as hl
from nctheory.model import Problem
from nctheory.solvers import certified
from hl_cases import BIASES, failures, hl_problem

TOL = hl.REFERENCE_TOL


@settings(max_examples=20)
@given(sizes=st.lists(st.sampled_from([1, 2, 5, 9, 20, 60]), min_size=3, max_size=6),
       log_lam=st.floats(-3.5, -0.5), bias=BIASES)
def test_threshold_rule_matches_certified(sizes, log_lam, bias):
    p = hl_problem(sizes, log_lam, 0.0, bias)
    if hl.THRESHOLD.assumptions(p):
        return
    sol = certified.solve(p, tol=TOL)
    bad, n, pred = failures(hl.THRESHOLD, p, sol)
    assert not bad, (pred.notes, bad)


@pytest.mark.parametrize("sizes, lam_rel, collapsed", [
    ((50, 50, 5, 5, 5), 1 - 1e-2, False), ((50, 50, 5, 5, 5), 1 + 1e-2, True),
    ((30, 3, 3), 1 - 1e-2, False), ((30, 3, 3), 1 + 1e-2, True),
])
def test_threshold_both_sides_exact_cases(sizes, lam_rel, collapsed):
    N = sum(sizes)
    lam = math.sqrt(min(sizes)) / N * lam_rel
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam)
    pred = hl.THRESHOLD.predict(p).quantities
    obs = hl.THRESHOLD.observed(p, certified.solve(p, tol=TOL))
    assert pred["minority_collapsed"] is collapsed
    assert obs["minority_collapsed"] is collapsed


def test_threshold_band_leaves_bools_unpredicted():
    # within 1e-3 (relative) of λ* the observed bool depends on solver precision: not predicted
    sizes = (50, 50, 5, 5, 5)
    lam = math.sqrt(5) / sum(sizes) * (1 + 5e-4)
    q = hl.THRESHOLD.predict(Problem(sizes=sizes, lambda_w=lam, lambda_h=lam)).quantities
    assert "minority_collapsed" not in q and "cluster_collapsed" not in q
    assert "critical_lambda" in q


@pytest.mark.parametrize("sizes, ratio, bias", [((40, 40, 6, 6, 6), 1.0, "none"), ((25, 4, 4), 3.0, "none"),
                                               ((500, 500, 50, 50, 50), 1.0, "free"),
                                               ((100, 100, 100, 20, 20, 20, 20), 1.0, "regularized")])
def test_locate_threshold_lambda_within_1e6_of_formula(sizes, ratio, bias):
    lam0 = 1e-2
    p = Problem(sizes=sizes, lambda_w=lam0 / ratio, lambda_h=lam0 * ratio, bias=bias,
                lambda_b=1e-2 if bias == "regularized" else 0.0)
    star = hl.threshold_lambda(min(sizes), sum(sizes))
    onset = hl.locate_threshold_lambda(p, rtol=1e-7)
    assert onset.conclusive, onset.message
    assert abs(onset.value / star - 1.0) <= 1e-6
    a, b = onset.bracket
    assert a <= star * (1 + 1e-6) and b >= star * (1 - 1e-6)
    # both sides with an independent look at the solution (squared spread of w and h̄)
    for rel, expect in ((1 - 2e-6, False), (1 + 2e-6, True)):
        t = star * rel / lam0
        q = p.with_(lambda_w=p.lambda_w * t, lambda_h=p.lambda_h * t)
        # tol 1e-13 as the locator: 2e-6 above λ* the objective is nearly flat along the within-cluster
        # direction, and at 1e-12 a free-bias solve still showed a squared spread of 7.6e-6 (1e-19 at 1e-13)
        sol = certified.solve(q, tol=1e-13)
        spread = hl.collapse_measure(sol, np.flatnonzero(np.asarray(sizes) == min(sizes)))
        # collapsed: ~1e-18 (rounding); separated at 2e-6 from λ*: ~1e-5
        assert (spread <= 1e-12) is expect, (rel, spread)


def test_locate_threshold_lambda_rejects_bad_input():
    with pytest.raises(ValueError, match="^problem:"):
        hl.locate_threshold_lambda(Problem(sizes=(9, 5, 1)))  # no cluster of two equal sizes
    with pytest.raises(ValueError, match="^cluster:"):
        hl.locate_threshold_lambda(Problem(sizes=(9, 9, 5, 5)), cluster=[0, 2])


def test_critical_sizes_round_trip_and_sympy():
    lam, KA, KB, nA = 4e-3, 3, 4, 60.0
    nB = hl.critical_minority_size(nA, KA, KB, lam)
    assert lam * (KA * nA + KB * nB) == pytest.approx(math.sqrt(nB), rel=1e-12)  # on the threshold
    nA2 = hl.critical_majority_size(nB, KA, KB, lam)
    assert nA2 == pytest.approx(nA, rel=1e-10)
    assert hl.critical_minority_size(1e6, 3, 3, 0.1) == math.inf  # 4λ²K_AK_Bn_A ≥ 1
    f = hl.THRESHOLD.symbolic()
    syms = {s.name: s for e in f.values() for s in e.free_symbols}
    subs = {syms["lambda"]: lam, syms["K_A"]: KA, syms["K_B"]: KB, syms["n_A"]: nA}
    assert float(f["critical_nB"].subs(subs)) == pytest.approx(nB, rel=1e-12)
    subs[syms["n_B"]] = nB
    assert float(f["critical_nA"].subs(subs)) == pytest.approx(nA, rel=1e-10)
    assert float(f["critical_lambda"].subs(subs)) == pytest.approx(math.sqrt(nB) / (KA * nA + KB * nB), rel=1e-12)


@settings(max_examples=25)
@given(KA=st.integers(1, 5), KB=st.integers(2, 5), nB=st.integers(1, 40), log_lam=st.floats(-4.0, -1.0))
def test_critical_sizes_agree_with_the_threshold_rule(KA, KB, nB, log_lam):
    # the three equivalent forms of the rule: λ ≥ √n_B/N ⇔ n_A ≥ critical_nA ⇔ n_B ≤ critical_nB (x₋ branch)
    lam = 10.0 ** log_lam
    nA = nB + 1 + int(KA * nB)
    N = KA * nA + KB * nB
    by_lambda = lam >= hl.threshold_lambda(nB, N)
    by_nA = nA >= hl.critical_majority_size(nB, KA, KB, lam)
    assert by_lambda == by_nA
    cnb = hl.critical_minority_size(nA, KA, KB, lam)
    x_plus_sq = ((1 + math.sqrt(max(0.0, 1 - 4 * lam ** 2 * KA * KB * nA))) / (2 * lam * KB)) ** 2
    if math.isfinite(cnb) and nB < x_plus_sq:  # the minority branch of the quadratic
        assert by_lambda == (nB <= cnb)
