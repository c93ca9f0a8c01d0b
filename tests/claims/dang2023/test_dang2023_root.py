"""Dang et al. 2023: the scalar root problem behind the deep-linear MSE solution (``dang2023.root``).

Independent references: brute-force minimisation of G_beta(x) = 1/(1+x^M) + beta x on a dense grid with bounded
refinement, the closed forms at M = 1, and the tie at the threshold.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from nctheory import Problem
from nctheory.claims.sources.dang2023 import root as R


@settings(max_examples=60)
@given(st.integers(1, 8), st.floats(0.01, 0.99))  # at frac = 1 the root is the inflection point
def test_right_root_solves_the_equation_right_of_the_peak(M, frac):
    beta = frac * R.peak_value(M)
    if M == 1:
        assume(beta < 1.0)
    x = R.right_root(beta, M)
    assert x >= R.peak_location(M)
    assert float(R.root_rhs(x, M)) == pytest.approx(beta, rel=1e-12)  # brentq to ~1e-15 in x
    # a local minimum of G_beta: both neighbours are higher
    h = 1e-4 * max(x, 1e-3)
    g = lambda y: float(R.scaled_class_objective(y, beta, M))  # noqa: E731
    assert g(x) < g(x + h) and g(x) < g(max(x - h, 0.0))


@settings(max_examples=60)
@given(st.sampled_from([1, 2, 3, 4, 6]), st.floats(-4.0, 1.0))
def test_global_rule_matches_brute_force_minimisation(M, log_beta):
    """min over x >= 0 of G(x) = 1/(1+x^M) + beta x by a dense grid + bounded refinement."""
    beta = 10.0**log_beta
    thr = R.zero_threshold(M)
    assume(abs(beta / thr - 1.0) > 1e-3)
    g = lambda y: float(R.scaled_class_objective(y, beta, M))  # noqa: E731
    top = 2.0 / beta + 2.0  # beyond it beta x > 2 > G(0)
    grid = np.linspace(0.0, top, 20001)
    vals = R.scaled_class_objective(grid, beta, M)
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    ref = minimize_scalar(g, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    x_brute = ref.x if ref.fun < vals[i] else grid[i]
    x = R.global_x(beta, M)
    assert g(x) <= min(ref.fun, vals[i]) + 1e-13  # the rule is at least as good as brute force (rounding only)
    assert x == pytest.approx(x_brute, abs=1e-6 * max(1.0, x))  # bounded Brent locates x to ~1e-7
    assert (x == 0.0) == (beta >= thr)


@pytest.mark.parametrize("M", [2, 3, 4, 6, 10])
def test_threshold_is_where_zero_and_the_root_tie(M):
    """At beta = (M-1)^((M-1)/M)/M the right root is x = (M-1)^(1/M) and G there equals G(0) = 1."""
    thr = R.zero_threshold(M)
    x_t = (M - 1.0) ** (1.0 / M)
    assert float(R.root_rhs(x_t, M)) == pytest.approx(thr, rel=1e-14)
    assert R.right_root(thr, M) == pytest.approx(x_t, rel=1e-12)
    assert float(R.scaled_class_objective(x_t, thr, M)) == pytest.approx(1.0, rel=1e-14)
    assert thr < R.peak_value(M)  # so the authors'-code window below is non-empty


@pytest.mark.parametrize("M", [2, 3, 6])
def test_authors_code_rule_differs_exactly_in_the_window(M):
    thr, top = R.zero_threshold(M), R.peak_value(M)
    inside = 0.5 * (thr + top)
    # in the window: the global minimizer is zero, the authors' rule keeps a worse nonzero root
    assert R.global_x(inside, M) == 0.0
    x_code = R.authors_code_x(inside, M)
    assert x_code > 0 and float(R.scaled_class_objective(x_code, inside, M)) > 1.0
    # above the peak the authors' code has no root (it crashes): NaN here
    assert math.isnan(R.authors_code_x(1.01 * top, M))
    assert R.global_x(1.01 * top, M) == 0.0
    # below the threshold both rules agree
    assert R.authors_code_x(0.9 * thr, M) == R.global_x(0.9 * thr, M) > 0


@settings(max_examples=30)
@given(st.floats(1e-3, 0.999))
def test_depth_one_root_closed_form(beta):
    assert R.right_root(beta, 1) == pytest.approx(1.0 / math.sqrt(beta) - 1.0, rel=1e-14)
    assert R.global_x(beta, 1) > 0 and R.global_x(1.0 / beta, 1) == 0.0


def test_betas_of_a_problem():
    """beta_k = M N (N lambda_H lambda_W^M)^(1/M) / n_k, by hand for one instance."""
    p = Problem(sizes=(40, 20, 10), lambda_w=3e-2, lambda_h=2e-2, loss="mse", depth=2)
    want = 2 * 70 * (70 * 2e-2 * 3e-2**2) ** 0.5 / np.array([40.0, 20.0, 10.0])
    np.testing.assert_allclose(R.betas(p), want, rtol=1e-14)  # two float64 evaluations of one formula


@pytest.mark.parametrize("call, field", [
    (lambda: R.right_root(0.0, 2), "beta"),
    (lambda: R.right_root(float("nan"), 2), "beta"),
    (lambda: R.global_x(0.3, 0), "M"),
    (lambda: R.peak_location(1.5), "M"),
    (lambda: R.class_sigmas(Problem(sizes=(3, 2), loss="mse"), rule="paper"), "rule"),
])
def test_root_helpers_reject_bad_input(call, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        call()
