"""The helpers the sources share: closed_forms, measured_state, dim_shortfall, the λ-path loop."""

import math
import types

import pytest
from hypothesis import given, strategies as st

from nctheory.claims import builtin_claims
from nctheory.claims.conditions import dim_at_least_k_minus_1, dim_shortfall
from nctheory.claims.forms import closed_forms
from nctheory.claims.lambda_path import decreasing_lambdas, solve_along
from nctheory.claims.onset_state import measured_state
from nctheory.claims.sources.dang2024 import symbolic as dang2024_symbolic
from nctheory.model import Problem


# ------------------------------------------------------------------------------ closed_forms
def test_closed_forms_pairs_forms_and_numeric_of_one_stem():
    pair = closed_forms(dang2024_symbolic, "angle")
    assert pair == {"symbolic": dang2024_symbolic.angle_forms, "numeric": dang2024_symbolic.angle_numeric}


def test_closed_forms_names_a_missing_half():
    half = types.ModuleType("half")
    half.x_forms = lambda: {}
    with pytest.raises(ValueError, match="^stem: half has no callable x_numeric$"):
        closed_forms(half, "x")
    with pytest.raises(ValueError, match="^stem: half has no callable y_forms or y_numeric$"):
        closed_forms(half, "y")


def test_every_claim_with_symbolic_forms_has_numeric_forms_of_the_same_names():
    for claim in builtin_claims():
        if claim.symbolic is None:
            assert claim.numeric is None, claim.id
            continue
        assert claim.numeric is not None, claim.id
        assert set(claim.numeric()) <= set(claim.symbolic()), claim.id


# ------------------------------------------------------------------------------ measured_state
def _constant(m):
    return lambda problem, sol: m


def test_measured_state_decides_by_the_two_thresholds():
    zero = measured_state(_constant(0.0), "m {:.2e}", zero_tol=1e-12, nonzero_tol=1e-9)
    assert zero(None, None) == (True, 0.0, "m 0.00e+00 <= 1e-12")
    far = measured_state(_constant(0.5), "m {:.2e}", zero_tol=1e-12, nonzero_tol=1e-9)
    assert far(None, None) == (False, 0.5, "m 5.00e-01 >= 1e-09")
    between = measured_state(_constant(1e-10), "ratio {:.2e} relative", zero_tol=1e-12, nonzero_tol=1e-9)
    assert between(None, None) == (None, 1e-10, "ratio 1.00e-10 relative between the thresholds")


@given(m=st.floats(0.0, 10.0), zero_exp=st.integers(-14, -6), gap=st.integers(1, 5))
def test_measured_state_is_the_threshold_rule(m, zero_exp, gap):
    zero_tol, nonzero_tol = 10.0 ** zero_exp, 10.0 ** (zero_exp + gap)
    state_of = measured_state(_constant(m), "m {:.3g}", zero_tol=zero_tol, nonzero_tol=nonzero_tol)
    state, value, reason = state_of(None, None)
    assert value == m and reason.startswith(f"m {m:.3g} ")
    assert state == (True if m <= zero_tol else False if m >= nonzero_tol else None)


# ------------------------------------------------------------------------------ dim_shortfall
def test_dim_shortfall_formats_dim_and_need():
    p = Problem(sizes=(3, 2, 1, 1), d=2)
    assert dim_shortfall(p, 3, "d: {dim} < {need}") == ["d: 2 < 3"]
    assert dim_shortfall(p, 2, "d: {dim} < {need}") == []


@given(K=st.integers(2, 8), d=st.integers(1, 10))
def test_dim_at_least_k_minus_1_holds_exactly_when_d_reaches_k_minus_1(K, d):
    msgs = dim_at_least_k_minus_1(Problem(sizes=(2,) * K, d=d))
    assert (msgs == []) == (d >= K - 1)
    if msgs:
        assert msgs == [f"d: needs d >= K-1 = {K - 1} so the reduction R2 is exact, got d = {d}"]


# ------------------------------------------------------------------------------ the λ path
@pytest.mark.parametrize("bad", [[1e-2], [1e-3, 1e-2], [1e-2, 0.0], [[1e-2, 1e-3]], [1e-2, 1e-2]])
def test_decreasing_lambdas_rejects_what_is_not_a_decreasing_positive_sequence(bad):
    with pytest.raises(ValueError, match="^lambdas: need at least two positive values in decreasing order"):
        decreasing_lambdas(bad)


def test_solve_along_keeps_the_ratio_and_certifies():
    problem = Problem(sizes=(4, 2, 1), lambda_w=1e-2, lambda_h=4e-2)
    lam = decreasing_lambdas([1e-2, 1e-3])
    seen = []

    def measure(p, sol):
        seen.append((p.lambda_w, p.lambda_h))
        return [sol.objective, p.lam]

    rows, certified, last = solve_along(problem, lam, measure, tol=1e-10)
    assert rows.shape == (2, 2) and certified
    for (lw, lh), l in zip(seen, lam):
        # exact arithmetic: λ_W = λ/r, λ_H = λr with r = √(λ_H/λ_W) = 2 of the problem
        assert lh / lw == pytest.approx(4.0, rel=1e-14) and math.sqrt(lw * lh) == pytest.approx(l, rel=1e-14)
    assert rows[:, 1] == pytest.approx(lam, rel=1e-14)
    assert last.objective == rows[-1, 0]
