"""The public hypothesis strategies produce what their docstrings promise."""

from hypothesis import given

from nctheory import testing as T
from nctheory.model import Problem


@given(T.balanced())
def test_balanced(sizes):
    assert len(set(sizes)) == 1 and len(sizes) >= 2


@given(T.two_cluster())
def test_two_cluster_has_strict_majority(sizes):
    vals = sorted(set(sizes), reverse=True)
    assert len(vals) == 2 and vals[0] > vals[1] >= 1
    assert sizes == tuple(sorted(sizes, reverse=True))


@given(T.step())
def test_step_ratio_is_integer(sizes):
    big, small = max(sizes), min(sizes)
    assert big % small == 0 and big // small >= 2


@given(T.long_tail())
def test_long_tail_nonincreasing(sizes):
    assert all(a >= b for a, b in zip(sizes, sizes[1:])) and min(sizes) >= 1


@given(T.problems(loss="ce", bias="none"))
def test_problems_are_valid(p):
    assert isinstance(p, Problem) and p.loss == "ce" and p.bias == "none"
    assert 1e-5 <= p.lambda_w <= 1e-1 and 1e-5 <= p.lambda_h <= 1e-1  # clipped after exp(log(.))
