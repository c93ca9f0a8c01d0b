"""What a final bracket proves (agree / disagree / inconclusive), the evaluation count, the zero point of a factored
answer, the registry, and the onset experiment of a claim's verification.  Fast: no bisection here runs more than
a few convex solves."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nctheory.explore.onsets import OnsetResult, claims_with_onsets, get_onset, onset_specs, variables_of
from nctheory.explore.onsets.decide import FACTORED_ZERO_ABS, norm_state
from nctheory.explore.onsets.experiment import onset_experiment
from nctheory.explore.onsets.locate import expected_evaluations
from nctheory.explore.onsets.spec import Evaluation
from nctheory.model import Problem


def _ev(x, state, certified=True):
    return Evaluation(x, state, certified, "certified", "optimal", 1e-15, 1e-15, 0.0, "")


def _result(predicted, a, b, *, states=(False, True), certified=True):
    evs = [_ev(a, states[0], certified), _ev(b, states[1], certified)]
    return OnsetResult("zhu/balanced-ce", "lambda", Problem(sizes=(3, 3)), predicted, (a + b) / 2, (a, b),
                       abs((a + b) / 2 - predicted) / predicted, True, "", 1e-7, "certified", evs)


@pytest.mark.parametrize("a, b, agree, expected", [
    (0.999_999_9, 1.000_000_1, 1e-6, "agree"),          # the whole bracket within 1e-6
    (0.999, 1.001, 1e-6, "inconclusive"),              # prediction inside, bracket too wide
    (1.01, 1.0101, 1e-6, "disagree"),                  # prediction 1e-2 below the bracket
    (1.000_000_1, 1.000_000_2, 1e-6, "agree"),         # outside, but every point within 1e-6
    (1.000_000_5, 1.000_002, 1e-6, "inconclusive"),    # 5e-7 outside (< agree), far end 2e-6 away
])
def test_outcome_from_the_bracket(a, b, agree, expected):
    assert _result(1.0, a, b).outcome(agree) == expected


def test_an_undecided_or_uncertified_end_is_inconclusive():
    assert _result(1.0, 1.01, 1.02, states=(None, True)).outcome(1e-6) == "inconclusive"
    assert _result(1.0, 1.01, 1.02, certified=False).outcome(1e-6) == "inconclusive"
    assert _result(1.0, 1.01, 1.02, states=(True, True)).outcome(1e-6) == "inconclusive"


def test_an_end_read_back_in_the_last_bits_still_counts():
    """Fang's R is read back as n_A/n_B, a few ulps from the bisection's x."""
    r = _result(1.0, 1.0, 1.0 + 1e-8)
    ev = [_ev(1.0 * (1 + 4e-16), False), _ev((1.0 + 1e-8) * (1 - 4e-16), True)]
    from dataclasses import replace

    assert replace(r, evaluations=ev).bracket_evidence()["bracket_certified"]


@given(x=st.floats(0.1, 10.0), lo=st.floats(-0.5, 0.5), width=st.floats(1e-9, 0.2),
       agree=st.floats(1e-8, 1e-1))
def test_outcome_is_consistent_with_the_bracket(x, lo, width, agree):
    """agree ⇒ every point of the bracket is within agree of x; disagree ⇒ x lies farther than agree outside."""
    a = x * (1 + lo)
    b = a + x * width
    r = _result(x, a, b)
    word = r.outcome(agree)
    far = max(abs(a - x), abs(b - x)) / x
    dist = 0.0 if a <= x <= b else min(abs(a - x), abs(b - x)) / x
    assert (word == "agree") == (far <= agree)
    assert (word == "disagree") == (far > agree and dist > agree)


@given(lo=st.floats(1e-3, 10.0), ratio=st.floats(1.001, 100.0), rtol=st.floats(1e-9, 1e-2))
def test_expected_evaluations_match_a_log_bisection(lo, ratio, rtol):
    from nctheory.explore.threshold import bisect_onset

    hi = lo * ratio
    x0 = math.sqrt(lo * hi) * 1.000_123  # an onset inside
    done = bisect_onset(lambda x: x >= x0, lo, hi, rtol=rtol, log=True)
    assert abs(done.evaluations - expected_evaluations(lo, hi, rtol)) <= 1


def test_every_class_zero_is_the_zero_point():
    """At the zero point every class mean is ~1e-15 (measured 3e-15): the relative levels alone would call the
    watched class as large as the largest, i.e. alive."""
    sol = SimpleNamespace(H_mean=np.full((3, 3), 1e-15))
    state, m, reason = norm_state(sol, [2])
    assert state is True and m == 0.0 and "zero point" in reason
    tiny = SimpleNamespace(H_mean=np.diag([0.3, 0.3, FACTORED_ZERO_ABS * 10]))
    assert norm_state(tiny, [2])[0] is True  # 3e-8 of the largest: zero by the relative level
    between = SimpleNamespace(H_mean=np.diag([0.3, 0.3, 3e-6]))
    assert norm_state(between, [2])[0] is None  # 1e-5 relative: between the levels 1e-6 and 1e-4
    assert norm_state(SimpleNamespace(H_mean=np.diag([0.3, 0.3, 0.2])), [2])[0] is False


def test_registry_and_cli_catalogue_agree():
    from nctheory.cli.threshold import CATALOGUE

    assert {c: tuple(variables_of(c)) for c in claims_with_onsets()} == CATALOGUE
    assert len({s.key for s in onset_specs()}) == len(onset_specs())


def test_bad_variable_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"^variable: the zhu/balanced-ce onset is located in lambda, n, not in 'R'"):
        get_onset("zhu/balanced-ce", "R")
    with pytest.raises(ValueError, match=r"^variable: unknown 'nope'"):
        get_onset("zhu/balanced-ce", "nope")
    with pytest.raises(ValueError, match=r"^claim: 'seli/grams' states no onset"):
        get_onset("seli/grams")


def test_experiment_skips_an_instance_it_does_not_apply_to_and_checks_one_it_does():
    zhu = onset_experiment("zhu/balanced-ce", "lambda")
    assert zhu(Problem(sizes=(6, 3))) is None  # imbalanced: no Zhu onset
    check = zhu(Problem(sizes=(4, 4, 4)))
    assert check.ok and check.certified and check.result.rel_error <= 1e-6
    deep_only = onset_experiment("dang2023/mse-imbalanced", "lambda", applies=lambda p: p.depth == 1)
    assert deep_only(Problem(sizes=(40, 20, 10), loss="mse", depth=2, lambda_w=3e-2, lambda_h=3e-2)) is None


def test_a_threshold_claims_verification_carries_the_located_onset():
    from nctheory.claims import get_claim
    from nctheory.verify import verify_claim

    claim = get_claim("zhu/balanced-ce")
    v = verify_claim(claim, Problem(sizes=(4, 4, 4)))
    checks = [c for c in v.checks if c.quantity.startswith("sequence:located_onset")]
    assert len(checks) == 1 and checks[0].ok
    assert any("lambda* predicted 0.166666666667" in n for n in v.notes)
    assert v.verdict.value == "pass"


def test_experiment_skips_large_k_without_solving():
    from nctheory.explore.onsets.experiment import MAX_K

    exp = onset_experiment("zhu/balanced-ce", "lambda")
    assert exp(Problem(sizes=(3,) * (MAX_K + 1))) is None
