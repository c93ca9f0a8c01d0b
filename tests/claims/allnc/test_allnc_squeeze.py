"""allnc/mean-squeeze (AllNC 2024, abstract): the classifier and mean squeezes in the CE UFM share the
HL-threshold √n_B/N.  Independent references: certified solves and the catalogue's threshold (§2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.claims.sources import allnc as A
from nctheory.solvers import solve
from claim_helpers import assert_quantities_match

SQUEEZE = A.MEAN_SQUEEZE


@st.composite
def two_cluster_ufm(draw):
    K_A = draw(st.integers(1, 3))
    K_B = draw(st.integers(2, 3))
    n_B = draw(st.integers(1, 10))
    n_A = n_B * draw(st.integers(2, 20))
    N = K_A * n_A + K_B * n_B
    # lambda relative to the threshold sqrt(n_B)/N, kept >= 5% away from it (booleans are ambiguous there)
    x = draw(st.floats(-1.0, 1.0).filter(lambda v: abs(v) > math.log10(1.05)))
    lam = math.sqrt(n_B) / N * 10 ** x
    # and below the majority's own threshold, so that cluster stays separated
    assume(lam * N < 0.95 * math.sqrt(n_A))
    ratio = 10 ** draw(st.floats(-1, 1))
    return Problem(sizes=(n_A,) * K_A + (n_B,) * K_B, lambda_w=lam * ratio, lambda_h=lam / ratio)


@settings(max_examples=12)
@given(two_cluster_ufm())
def test_squeeze_prediction_matches_certified(problem):
    sol = solve(problem, method="certified")
    assert sol.success, sol.message
    assert_quantities_match(SQUEEZE, problem, sol)
    obs = SQUEEZE.observed(problem, sol)
    # the premise: the two squeezes come together
    assert obs["minority_w_squeezed"] == obs["minority_h_squeezed"]


@pytest.mark.parametrize("sizes", [(30, 30, 2, 2), (50, 50, 50, 10, 10), (100, 20, 20, 20)])
def test_squeeze_onsets_coincide(sizes):
    p = Problem(sizes=sizes, lambda_w=0.02, lambda_h=0.005)
    lam_star = A.threshold_lambda(p)
    on = A.squeeze_onsets(p, lam_star / 4, lam_star * 4, rtol=1e-7)
    assert on.classifier is not None and on.means is not None
    # one threshold for both squeezes: bisection brackets of width 1e-7 relative coincide (measured: identical)
    assert abs(on.classifier - on.means) <= 2e-7 * lam_star
    # and it is the HL-threshold; the predicate (squared spread <= 1e-8) biases the onset by ~3e-9
    # relative, the bracket width is 1e-7: measured agreement 1e-7 .. 6e-7
    assert abs(on.classifier - lam_star) <= 2e-6 * lam_star


@pytest.mark.parametrize("sizes", [(30, 30, 2, 2), (50, 50, 50, 10, 10)])
def test_squeeze_prediction_flips_at_threshold(sizes):
    """Predict and a certified solve agree just below and just above λ* (catches a 1% error in the rule)."""
    base = Problem(sizes=sizes, lambda_w=0.02, lambda_h=0.005)
    lam_star = math.sqrt(min(sizes)) / base.N  # HL-threshold, catalogue §2 (independent of the module)
    for rel, squeezed in ((1 - 2e-3, False), (1 + 2e-3, True)):
        p = A.with_lambda(base, lam_star * rel)
        assert SQUEEZE.predict(p).quantities["minority_w_squeezed"] is squeezed
        obs = SQUEEZE.observed(p, solve(p, method="certified", tol=1e-13))
        assert obs["minority_w_squeezed"] is squeezed and obs["minority_h_squeezed"] is squeezed


def test_threshold_is_hong_lings():
    # one formula, one place: the squeeze onset is hong_ling's λ* of the minority cluster
    from nctheory.claims.sources import hong_ling

    p = Problem(sizes=(30, 30, 2, 2))
    assert A.threshold_lambda(p) == hong_ling.threshold_lambda(2, 64)
    assert A.threshold_lambda(p) == pytest.approx(math.sqrt(2) / 64, rel=1e-15)


def test_sympy_threshold():
    f = SQUEEZE.symbolic()
    vals = {s: {"N": 64, "n_B": 2}[s.name] for s in f["squeeze_threshold_lambda"].free_symbols}
    assert float(f["squeeze_threshold_lambda"].subs(vals)) == pytest.approx(
        A.threshold_lambda(Problem(sizes=(30, 30, 2, 2))), rel=1e-15)
    with pytest.raises(ValueError, match="^problem:"):
        A.squeeze_onsets(Problem(sizes=(3, 3)), 1e-3, 1.0)


def test_relative_spread_handles_zero_vectors():
    V = np.zeros((4, 3))
    assert A.relative_spread_sq(V, [2, 3]) == 0.0
    V[0] = [1.0, 0, 0]
    V[2] = [1e-9, 0, 0]
    # a tiny but distinct minority is measured against the mean norm of ALL classes: spread ~ 4e-18
    assert A.relative_spread_sq(V, [2, 3]) == pytest.approx(1e-18 / 0.25, rel=1e-12)


@pytest.mark.parametrize(
    "problem, field",
    [
        (Problem(sizes=(5, 5, 5)), "sizes"),
        (Problem(sizes=(9, 5, 1)), "sizes"),
        (Problem(sizes=(9, 1)), "sizes"),
        (Problem(sizes=(9, 1, 1), loss="mse"), "loss"),
        (Problem(sizes=(9, 1, 1), depth=2), "depth"),
        (Problem(sizes=(9, 1, 1), classifier="fixed-etf", e_w=1.0), "classifier"),
    ],
)
def test_squeeze_assumptions(problem, field):
    assert any(u.startswith(field + ":") for u in SQUEEZE.assumptions(problem))


def test_minority_pair_condition_names_the_sizes_field():
    from nctheory.claims.conditions import minority_pair

    assert minority_pair(Problem(sizes=(9, 1, 1))) == []
    assert minority_pair(Problem(sizes=(9, 9, 1))) == ["sizes: needs at least 2 minority classes (of the smallest "
                                                        "size 1), got 1"]
