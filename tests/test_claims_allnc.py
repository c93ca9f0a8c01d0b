"""AllNC 2024 (abstract): the mean-squeeze premise and the fixed-ETF repair, checked in the UFM.

Independent references: the certified solver (learned classifier, duality-gap certificate) and the
convex fixed-ETF solver; the HL-threshold sqrt(n_B)/N from the catalogue (§2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.claims import allnc as A
from nctheory.solvers import solve
from nctheory.verify import verify_claim
from claim_helpers import assert_quantities_match

SQUEEZE, REPAIR = A.CLAIMS


def _check(claim, problem, solution):
    assert_quantities_match(claim, problem, solution)


def test_default_instances_behave_as_expected():
    for claim in A.CLAIMS:
        for p in claim.default_instances():
            v = verify_claim(claim, p)
            assert v.as_expected, (claim.id, v.verdict, [c.to_json() for c in v.checks])
    assert REPAIR.expected == "false"


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
    _check(SQUEEZE, problem, sol)
    obs = SQUEEZE.observe(problem, sol)
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


# --------------------------------------------------------------------------- fixed-ETF repair
@pytest.mark.parametrize("sizes, lam", [((30, 30, 2, 2), 0.03), ((40, 40, 40, 3, 3, 3), 0.02), ((20, 1, 1), 0.06)])
def test_fixed_etf_repair_is_refuted_in_the_ufm(sizes, lam):
    learned = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam)
    repaired = Problem(sizes=sizes, classifier="fixed-etf", lambda_w=lam, lambda_h=lam, e_w=1.0)
    assert REPAIR.assumptions(repaired) == []
    assert A.learned_counterpart(repaired) == learned
    minority = A._two_clusters(learned)[0]
    # learned classifier: minority means AND classifiers squeezed (certified)
    s_l = solve(learned, method="certified")
    st_l = A.squeeze_state(s_l.W, s_l.H_mean, minority)
    assert st_l["minority_h_squeezed"] and st_l["minority_w_squeezed"]
    # fixed ETF: the means follow the ETF, h_k = c w*_k with one c, so the squared spread relative to the
    # mean squared norm is that of a simplex ETF, 2K/(K-1) -- not squeezed at all
    s_r = solve(repaired, method="convex:fixed-etf")
    obs = REPAIR.observe(repaired, s_r)
    K = len(sizes)
    assert obs["minority_h_spread_sq"] == pytest.approx(2 * K / (K - 1), rel=1e-6)  # solver accuracy ~1e-7
    assert not obs["minority_h_squeezed"] and not obs["self_duality_broken"]
    v = verify_claim(REPAIR, repaired)
    assert v.verdict == "fail" and v.as_expected


def test_repair_nc1_on_full_samples():
    p = Problem(sizes=(12, 12, 2, 2), classifier="fixed-etf", lambda_w=0.06, lambda_h=0.06, e_w=1.0)
    assert REPAIR.assumptions(p) == []
    sol = solve(p, method="factored", on="samples")
    obs = REPAIR.observe(p, sol)
    # every sample sits on its class mean: NC1 at rounding level, not weakened
    assert obs["nc1"] < A.NC1_TOL and not obs["nc1_weakened"]
    assert not obs["minority_h_squeezed"] and not obs["self_duality_broken"]


def test_repair_assumptions():
    base = dict(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_h=0.03, e_w=1.0)
    assert any(u.startswith("lambda_w:") for u in REPAIR.assumptions(Problem(lambda_w=0.0, **base)))
    # learned counterpart not collapsed (lambda N = 0.064 < sqrt 2): nothing to repair
    weak = Problem(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_w=1e-3, lambda_h=1e-3, e_w=1.0)
    assert any(u.startswith("lambda_w:") for u in REPAIR.assumptions(weak))
    assert any(u.startswith("classifier:") for u in REPAIR.assumptions(Problem(sizes=(30, 30, 2, 2))))


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


def test_relative_spread_handles_zero_vectors():
    V = np.zeros((4, 3))
    assert A.relative_spread_sq(V, [2, 3]) == 0.0
    V[0] = [1.0, 0, 0]
    V[2] = [1e-9, 0, 0]
    # a tiny but distinct minority is measured against the mean norm of ALL classes: spread ~ 4e-18
    assert A.relative_spread_sq(V, [2, 3]) == pytest.approx(1e-18 / 0.25, rel=1e-12)


def test_sympy_threshold():
    f = SQUEEZE.sympy_forms()
    vals = {s: {"N": 64, "n_B": 2}[s.name] for s in f["squeeze_threshold_lambda"].free_symbols}
    assert float(f["squeeze_threshold_lambda"].subs(vals)) == pytest.approx(
        A.threshold_lambda(Problem(sizes=(30, 30, 2, 2))), rel=1e-15)
    with pytest.raises(ValueError, match="^problem:"):
        A.squeeze_onsets(Problem(sizes=(3, 3)), 1e-3, 1.0)


# --------------------------------------------------------------------------- from the mutation record
@pytest.mark.parametrize("sizes", [(30, 30, 2, 2), (50, 50, 50, 10, 10)])
def test_squeeze_prediction_flips_at_threshold(sizes):
    """Predict and a certified solve agree just below and just above λ* (catches a 1% error in the rule)."""
    base = Problem(sizes=sizes, lambda_w=0.02, lambda_h=0.005)
    lam_star = math.sqrt(min(sizes)) / base.N  # HL-threshold, catalogue §2 (independent of the module)
    for rel, squeezed in ((1 - 2e-3, False), (1 + 2e-3, True)):
        p = A.with_lambda(base, lam_star * rel)
        assert SQUEEZE.predict(p).quantities["minority_w_squeezed"] is squeezed
        obs = SQUEEZE.observe(p, solve(p, method="certified", tol=1e-13))
        assert obs["minority_w_squeezed"] is squeezed and obs["minority_h_squeezed"] is squeezed


def test_each_repair_effect_is_refuted():
    """Every effect the abstract claims for classifier-only repair is refuted, not just the overall verdict."""
    for p in REPAIR.default_instances():
        v = verify_claim(REPAIR, p)
        assert {"minority_h_squeezed", "self_duality_broken"} <= {c.quantity for c in v.checks}
        assert all(not c.ok for c in v.checks), [(c.quantity, c.ok) for c in v.checks]
