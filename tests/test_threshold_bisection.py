"""Bisection on a monotone predicate: brackets, precision, integer mode, inconclusive solves."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nctheory.threshold import bisect_onset


@given(x0=st.floats(1e-6, 1e3), rtol=st.sampled_from([1e-4, 1e-8, 1e-12]), log=st.booleans())
def test_finds_a_known_switch(x0, rtol, log):
    res = bisect_onset(lambda x: x >= x0, x0 / 7.3, x0 * 5.1, rtol=rtol, log=log)
    a, b = res.bracket
    assert res.conclusive and a < x0 <= b
    assert b - a <= max(rtol * b, 4 * math.ulp(b))  # rtol, or float resolution for rtol near eps
    assert abs(res.value - x0) <= rtol * x0 + 2 * math.ulp(x0)


def test_integer_mode_returns_first_true():
    res = bisect_onset(lambda n: n >= 37, 1, 1000, integer=True)
    assert res.bracket == (36, 37) and res.value == 37


def test_decreasing_predicate():
    res = bisect_onset(lambda x: x < 2.5, 1.0, 4.0, rtol=1e-10)
    assert abs(res.value - 2.5) < 1e-9


def test_inconclusive_when_a_solve_fails():
    res = bisect_onset(lambda x: None if 1.9 < x < 2.1 else x > 2, 1.0, 3.0)
    assert not res.conclusive and res.value is None and "did not certify" in res.message


@pytest.mark.parametrize("kw, field", [(dict(lo=2.0, hi=1.0), "lo"), (dict(lo=-1.0, hi=1.0, log=True), "lo"),
                                        (dict(lo=1.0, hi=2.0, rtol=0), "rtol"), (dict(lo=3.0, hi=4.0), "hi")])
def test_bad_input(kw, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        bisect_onset(lambda x: x > 2.5, **kw)
