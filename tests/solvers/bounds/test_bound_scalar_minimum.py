"""The rigorous 1-D branch and bound (nctheory.solvers.bounds.scalar_minimum)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.solvers.bounds.scalar_minimum import scalar_minimum


def g(s, t, N, c, p):
    return (s - t) ** 2 / (2 * N) + c * s ** p


@settings(max_examples=40)
@given(t=st.floats(0.0, 30.0), N=st.floats(1.0, 500.0), c=st.floats(-6.0, 0.0).map(lambda e: 10.0 ** e),
       M=st.integers(1, 8))
def test_bounds_bracket_the_minimum_on_a_dense_grid(t, N, c, M):
    p = 2.0 / (M + 1)
    res = scalar_minimum(t, N, c, p)
    grid = np.concatenate([np.linspace(0.0, t, 20001), [t]])
    grid_min = float(g(grid, t, N, c, p).min())
    assert res.lower <= grid_min  # a lower bound of the true minimum, hence of any sample
    assert res.lower <= res.best <= grid_min * (1 + 1e-9) + 1e-300  # the search finds the grid's minimum or better
    assert res.best - res.lower <= 2e-13 * res.best  # rtol 1e-13 plus the rounding allowance (~1e-15)


@settings(max_examples=30)
@given(t=st.floats(0.01, 30.0), N=st.floats(1.0, 500.0), c=st.floats(-5.0, -1.0).map(lambda e: 10.0 ** e))
def test_soft_threshold_closed_form_for_p_equal_one(t, N, c):
    """p = 1 (depth M = 1): the minimiser is max(t - N c, 0)."""
    s = max(t - N * c, 0.0)
    exact = g(s, t, N, c, 1.0)
    res = scalar_minimum(t, N, c, 1.0)
    assert res.lower <= exact <= res.lower * (1 + 2e-13) + 1e-300


def test_two_competing_minima_are_both_explored():
    """For p < 1, g has a corner minimum at 0 and an interior one; at the c where they tie the search must not stop
    at the wrong one (this is where root formulas go wrong)."""
    t, N, p = 5.0, 10.0, 2.0 / 3.0
    # find c with g(0) = g(interior minimum) by bisection on the grid minimum (test data only)
    s = np.linspace(1e-9, t, 40001)
    lo, hi = 1e-4, 1.0
    for _ in range(60):
        c = 0.5 * (lo + hi)
        interior = float(g(s, t, N, c, p).min())
        lo, hi = (c, hi) if interior < t * t / (2 * N) else (lo, c)
    for factor in (0.999, 1.0, 1.001):
        res = scalar_minimum(t, N, c * factor, p)
        grid_min = min(float(g(s, t, N, c * factor, p).min()), t * t / (2 * N))
        assert res.lower <= grid_min <= res.lower * (1 + 1e-9)


def test_trivial_cases():
    assert scalar_minimum(0.0, 3.0, 1.0, 0.5).lower == 0.0
    assert scalar_minimum(2.0, 3.0, 0.0, 0.5).lower == 0.0


@pytest.mark.parametrize("args,field", [((-1.0, 1.0, 1.0, 0.5), "t"), ((1.0, 0.0, 1.0, 0.5), "N"),
                                        ((1.0, 1.0, -1.0, 0.5), "c"), ((1.0, 1.0, 1.0, 1.5), "p"),
                                        ((1.0, 1.0, 1.0, 0.0), "p"), ((float("nan"), 1.0, 1.0, 0.5), "t")])
def test_bad_input(args, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        scalar_minimum(*args)
