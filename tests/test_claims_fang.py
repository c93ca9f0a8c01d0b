"""Fang et al. 2021 (layer-peeled model): predictions vs Gram-SDP solves.

Independent references: ``convex.solve_lpm_sdp`` (the Problem path, what ``nctheory verify`` uses) and
the module's own real-weight Gram SDP ``fang.lpm_sdp_weights`` (cvxpy/Clarabel, no symmetry assumed);
the predictions come from the 4-parameter symmetric reduction, solved by projected Newton.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.claims import fang as F
from nctheory.solvers.convex import solve_lpm_sdp
from nctheory.verify import verify_claim
from claim_helpers import assert_quantities_match

BAL, COLL, OVER = F.CLAIMS


def _check(claim, problem, solution, min_compared=4):
    assert_quantities_match(claim, problem, solution, min_compared=min_compared)


def _lpm(sizes, e_w=1.0, e_h=1.0):
    return Problem(sizes=tuple(sizes), constraint="average", e_w=e_w, e_h=e_h, lambda_w=0.0, lambda_h=0.0)


def _solve(p):
    sol = solve_lpm_sdp(p)
    assert sol.status == "optimal", sol.message
    return sol


@pytest.mark.parametrize("claim", F.CLAIMS, ids=lambda c: c.id)
def test_default_instances_pass(claim):
    for p in claim.default_instances():
        v = verify_claim(claim, p)
        assert v.verdict == "pass", [c.to_json() for c in v.checks if not c.ok] + v.notes


# --------------------------------------------------------------------------- balanced
@settings(max_examples=6)
@given(K=st.integers(2, 6), n=st.integers(1, 50), e_w=st.floats(0.2, 4), e_h=st.floats(0.2, 4))
def test_balanced_is_etf(K, n, e_w, e_h):
    p = _lpm((n,) * K, e_w, e_h)
    _check(BAL, p, _solve(p))


def test_balanced_depends_on_product_only():
    a = BAL.observe(_lpm((4,) * 4, 2.0, 0.5), _solve(_lpm((4,) * 4, 2.0, 0.5)))
    b = BAL.observe(_lpm((4,) * 4, 0.25, 4.0), _solve(_lpm((4,) * 4, 0.25, 4.0)))
    # both solved to ~1e-9 gap: logits agree to ~1e-7 (Gram accuracy), objectives to ~1e-10
    assert np.allclose(a["logits_mean"], b["logits_mean"], atol=1e-5)
    assert a["objective"] == pytest.approx(b["objective"], abs=1e-8)


# --------------------------------------------------------------------------- two clusters
two_cluster_st = st.tuples(st.integers(1, 3), st.integers(2, 3), st.integers(1, 12), st.integers(1, 30),
                           st.floats(0.3, 3.0))


@settings(max_examples=8)
@given(two_cluster_st)
def test_two_cluster_prediction_matches_problem_sdp(args):
    K_A, K_B, n_B, factor, ewh = args
    n_A = n_B * (factor + 1)
    p = _lpm((n_A,) * K_A + (n_B,) * K_B, e_w=math.sqrt(ewh) * 1.5, e_h=math.sqrt(ewh) / 1.5)
    R0 = F.predicted_onset(K_A, K_B, ewh)
    # the collapsed/separated boolean is ambiguous within ~1e-5 of the onset (COLLAPSE_SQ_TOL)
    if abs(n_A / n_B / R0 - 1) < 1e-3:
        return
    _check(COLL, p, _solve(p))


@settings(max_examples=8)
@given(K_A=st.integers(1, 3), K_B=st.integers(1, 3), R=st.floats(1.0, 200.0), ewh=st.floats(0.1, 8.0))
def test_reduction_matches_real_weight_sdp(K_A, K_B, R, ewh):
    """Objective and Grams of the 4-parameter reduction against the unreduced SDP at a real ratio R."""
    if K_A + K_B < 2:
        return
    red = F.two_cluster_lpm(K_A, K_B, R, ewh)
    e = math.sqrt(ewh)
    sdp = F.lpm_sdp_weights(F.two_cluster_weights(K_A, K_B, R), e, e)
    if sdp.status != "optimal":  # honest solver status: nothing to compare
        return
    # SDP objective accurate to its ~1e-11 gap; the reduction is exact (gradient ~1e-14): measured <= 5e-11
    assert sdp.objective == pytest.approx(red.objective, abs=1e-9)
    assert sdp.objective >= red.objective - 1e-9  # the reduction is a global minimum: nothing lower
    mats = red.matrices()
    # gamma^2 = 1 for E_W = E_H; Gram entries of the SDP are accurate to ~1e-6 (measured up to 3e-6),
    # worse within ~1e-4 of the collapse onset, where the optimum degenerates
    near = K_B >= 2 and abs(R / F.predicted_onset(K_A, K_B, ewh) - 1) < 1e-2
    if not near:
        assert np.allclose(sdp.gram_WW, mats["sqrtZZt"], atol=2e-5)
        assert np.allclose(sdp.logits, mats["Z"], atol=2e-5)


def test_reduced_solution_is_stationary_and_on_budget():
    for K_A, K_B, R, ewh in [(3, 3, 2.0, 1.0), (2, 3, 50.0, 0.5), (1, 4, 3.0, 2.0), (3, 2, 4.0, 0.25)]:
        red = F.two_cluster_lpm(K_A, K_B, R, ewh)
        assert red.grad_norm < 1e-11  # projected Newton to ~1e-14
        Z = red.matrices()["Z"]
        nuc = np.linalg.svd(Z, compute_uv=False).sum()
        assert nuc == pytest.approx((K_A + K_B) * math.sqrt(ewh), rel=1e-12)  # budget active, exactly
        assert np.allclose(Z.sum(axis=0), 0, atol=1e-13)  # centred columns


# --------------------------------------------------------------------------- onset
@pytest.mark.parametrize("K_A, K_B, ewh", [(3, 3, 1.0), (2, 2, 4.0)])
def test_onset_by_sdp_bisection_is_stable_and_matches_prediction(K_A, K_B, ewh):
    R0 = F.predicted_onset(K_A, K_B, ewh)
    a = F.sdp_onset(K_A, K_B, ewh, 1.0, 100.0 * R0, rtol=1e-6)
    b = F.sdp_onset(K_A, K_B, ewh, 1.0 + 0.1 * (R0 - 1), 10.0 * R0 + 7.0, rtol=1e-6)
    assert a.conclusive and b.conclusive, (a.message, b.message)
    # required stability 1e-4 relative (measured: brackets agree to ~1e-6 .. 1e-5)
    assert abs(a.value - b.value) <= 1e-4 * R0
    # the spread predicate's bias is ~1e-5 (COLLAPSE_SQ_TOL); measured <= 1.2e-5 against the exact onset
    assert abs(a.value - R0) <= 1e-4 * R0


def test_onset_dual_predicate():
    R0 = F.predicted_onset(2, 3, 0.5)
    d = F.sdp_onset(2, 3, 0.5, 1.0, 20.0, rtol=1e-6, predicate="dual")
    assert d.conclusive
    assert abs(d.value - R0) <= 1e-4 * R0  # duals accurate to ~1e-5 relative (measured 2e-6 .. 2e-5)


def test_onset_earlier_for_smaller_budget():
    R0 = [F.predicted_onset(2, 2, ewh) for ewh in (0.25, 1.0, 4.0)]
    assert R0[0] < R0[1] < R0[2]
    # between two predicted onsets the SDP agrees: collapsed with the small budget, separated with the large
    R = math.sqrt(R0[0] * R0[1])
    small = F._sdp_two_cluster(2, 2, R, 0.25)
    large = F._sdp_two_cluster(2, 2, R, 1.0)
    assert F.minority_spread_sq(small.gram_WW, [2, 3]) <= F.COLLAPSE_SQ_TOL
    assert F.minority_spread_sq(large.gram_WW, [2, 3]) > 100 * F.COLLAPSE_SQ_TOL


def test_collapse_as_R_grows():
    K_A, K_B, ewh = 3, 2, 1.0
    R0 = F.predicted_onset(K_A, K_B, ewh)
    spreads = []
    for R in [1.0, 0.5 * (1 + R0), 0.9 * R0, 1.5 * R0, 10 * R0, 1000 * R0]:
        sol = F._sdp_two_cluster(K_A, K_B, R, ewh)
        spreads.append(F.minority_spread_sq(sol.gram_WW, [3, 4]))  # squared distances, never cosines
    assert all(x > y for x, y in zip(spreads[:3], spreads[1:3]))  # shrinking before the onset
    assert all(s <= F.COLLAPSE_SQ_TOL for s in spreads[3:])  # exactly collapsed after it (up to SDP noise)
    assert spreads[0] == pytest.approx(2 * (K_A + K_B) / (K_A + K_B - 1), rel=1e-5)  # ETF at R = 1


def test_small_budget_minority_vanishes():
    """Finding (derived, SDP-confirmed): with a small budget the whole nuclear norm goes to the majority block;
    the rank-one cross-cluster part is 0, so minority classifiers AND means are exactly zero vectors."""
    red = F.two_cluster_lpm(3, 2, 4.0, 0.25)
    assert red.alpha == 0.0 and red.t == 0.0 and red.s_B == 0.0
    assert red.s_A == pytest.approx(5 * 0.5 / 2, rel=1e-12)  # s_A (K_A - 1) = rho = K sqrt(E_W E_H)
    sdp = F._sdp_two_cluster(3, 2, 4.0, 0.25)
    # SDP Gram accurate to ~1e-8 here: minority norms^2 are 0 against majority norms^2 of 5/6
    assert np.all(np.diag(sdp.gram_WW)[3:] < 1e-6) and np.all(np.diag(sdp.gram_HH)[3:] < 1e-6)
    assert np.diag(sdp.gram_WW)[:3] == pytest.approx([5 / 6] * 3, abs=1e-6)


# --------------------------------------------------------------------------- oversampling
def test_oversampling_restores_the_etf():
    p = _lpm((60, 60, 3, 3))  # R = 20 >> R0(2, 2, 1) ~ 3.4: collapsed
    assert COLL.predict(p).quantities["minority_collapsed"]
    obs = COLL.observe(p, _solve(p))
    assert obs["minority_collapsed"]
    q = F.oversample(p)
    assert q.sizes == (60, 60, 60, 60) and OVER.assumptions(q) == [] and OVER.assumptions(p) != []
    _check(OVER, q, _solve(q))
    # partial oversampling: factor 10 gives R = 2 < R0, separated again
    partial = F.oversample(p, 10)
    assert partial.sizes == (60, 60, 30, 30)
    obs = COLL.observe(partial, _solve(partial))
    assert not obs["minority_collapsed"]
    _check(COLL, partial, _solve(partial))


# --------------------------------------------------------------------------- assumptions, sympy, input
@pytest.mark.parametrize(
    "claim, problem, field",
    [
        (BAL, Problem(sizes=(3, 3)), "constraint"),
        (BAL, _lpm((5, 3)), "sizes"),
        (COLL, _lpm((5, 5, 1)), "sizes"),
        (COLL, _lpm((9, 5, 1, 1)), "sizes"),
        (COLL, Problem(sizes=(5, 1, 1), constraint="average", e_w=1, e_h=1, loss="mse"), "loss"),
        (OVER, _lpm((5, 1, 1)), "sizes"),
    ],
)
def test_assumptions_reject(claim, problem, field):
    assert any(u.startswith(field + ":") for u in claim.assumptions(problem))


def test_sympy_key_identity():
    import sympy as sp

    f = COLL.sympy_forms()
    slope = f["minority_loss_slope_at_collapse"]
    K_B = next(s for s in slope.free_symbols if s.name == "K_B")
    assert sp.simplify(slope + (K_B - 1) / K_B) == 0  # independent of t: the collapse criterion mu >= pi_B


def test_bad_arguments():
    with pytest.raises(ValueError, match="^K_B:"):
        F.predicted_onset(2, 1, 1.0)
    with pytest.raises(ValueError, match="^R:"):
        F.two_cluster_lpm(2, 2, -1.0, 1.0)
    with pytest.raises(ValueError, match="^weights:"):
        F.lpm_sdp_weights([1.0], 1.0, 1.0)
    with pytest.raises(ValueError, match="^predicate:"):
        F.sdp_onset(2, 2, 1.0, 1.0, 10.0, predicate="cosine")
    with pytest.raises(ValueError, match="^factor:"):
        F.oversample(_lpm((5, 1)), 0)
