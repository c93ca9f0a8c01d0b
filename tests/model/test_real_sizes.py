"""``Problem(real_sizes=True)``: real class sizes for the reduced problems; samples-based paths refuse them."""

import math

import numpy as np
import pytest

from nctheory.model import Problem
from nctheory.solvers import solve
from nctheory.solvers.registry import SOLVERS


def _real():
    return Problem(sizes=(50.5, 50.5, 5.25, 5.25, 5.25), lambda_w=0.02, lambda_h=0.02, real_sizes=True)


def test_real_sizes_are_kept_and_round_trip():
    p = _real()
    assert p.sizes == (50.5, 50.5, 5.25, 5.25, 5.25) and p.N == 116.75 and isinstance(p.N, float)
    assert np.allclose(p.weights, np.array(p.sizes) / 116.75, rtol=0, atol=0)
    d = p.to_dict()
    assert d["real_sizes"] is True and Problem.from_dict(d) == p
    assert "real_sizes" not in Problem(sizes=(3, 2)).to_dict()  # integer problems keep their JSON unchanged


@pytest.mark.parametrize("kw, message", [
    (dict(sizes=(1.5, 2)), "sizes: entry 0 = 1.5 is not an integer"),
    (dict(sizes=(1.5, -2.0), real_sizes=True), "sizes: entry 1 = -2.0 must be a finite real number > 0"),
    (dict(sizes=(1.5, math.inf), real_sizes=True), "sizes: entry 1 = inf must be"),
    (dict(sizes=(1.5,), real_sizes=True), "sizes: need at least K = 2 classes"),
    (dict(sizes=(1.5, True), real_sizes=True), "sizes: entry 1 = True is not a real number"),
    (dict(sizes=(1.5, 2.0), real_sizes="yes"), "real_sizes: must be True or False"),
])
def test_bad_real_sizes_name_the_field(kw, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        Problem(**kw)


def test_samples_need_integer_sizes():
    p = _real()
    with pytest.raises(ValueError, match="^sizes: real-valued class sizes"):
        p.labels
    with pytest.raises(ValueError, match="^sizes: real-valued class sizes"):
        solve(p, method="factored", on="samples", restarts=1)
    for name in ("certified:symmetric", "convex:full-sample", "convex:uf-svm"):
        sup = SOLVERS[name].supports(p)
        assert not sup and sup.message().startswith(f"sizes: {name} needs integer class sizes"), name
    for name in ("certified", "convex:reduced", "factored"):
        assert SOLVERS[name].supports(p), name


def test_real_sizes_interpolate_between_integer_problems():
    # the certified optimum is continuous in the sizes: the value at 5.25 lies between those at 5 and 6 (it is
    # increasing in each n_k here: more weight on the small classes costs more), and a real size equal to an
    # integer gives the integer problem's value exactly
    base = dict(lambda_w=0.02, lambda_h=0.02)
    f = lambda sizes, real: solve(Problem(sizes=sizes, real_sizes=real, **base), method="certified", tol=1e-12).objective
    f5 = f((50, 50, 5, 5, 5), False)
    f6 = f((50, 50, 6, 6, 6), False)
    f525 = f((50.0, 50.0, 5.25, 5.25, 5.25), True)
    assert abs(f((50.0, 50.0, 5.0, 5.0, 5.0), True) - f5) <= 1e-12 * f5
    assert min(f5, f6) < f525 < max(f5, f6)
