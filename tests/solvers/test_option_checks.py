"""The shared conversions and checks of user numbers and warm starts (:mod:`nctheory.model.reals`,
:mod:`nctheory.solvers.checks`, :mod:`nctheory.solvers.certified.warm_start`, ``losses.base.nonnegative_segment``):
exact small cases; every ValueError names its field first."""

from __future__ import annotations

import numpy as np
import pytest

from nctheory.model import Problem
from nctheory.model.losses.base import nonnegative_segment
from nctheory.model.reals import real_number
from nctheory.solvers.certified.grouped_matrix import GroupedMatrix
from nctheory.solvers.certified.groups import GroupStructure
from nctheory.solvers.certified.warm_start import dense_mean_logits, grouped_mean_logits
from nctheory.solvers.checks import boolean, positive_float, positive_int
from nctheory.solvers.convex._checks import check_tolerance
from nctheory.solvers.registry import solve


def test_real_number_converts_numbers_and_names_the_field_otherwise():
    assert real_number("x", 3) == 3.0 and isinstance(real_number("x", np.float32(0.5)), float)
    for bad, why in ((True, "got a bool"), (np.bool_(False), "got a bool"), ("abc", "expected a real number"),
                     (None, "expected a real number"), (10**400, "too large for float64")):
        with pytest.raises(ValueError, match=f"^x: .*{why}"):
            real_number("x", bad)


def test_option_checks():
    assert positive_float("gtol", 1e-10) == 1e-10 and check_tolerance("rank_atol", 0) == 0.0
    with pytest.raises(ValueError, match="^gtol: must be finite and > 0"):
        positive_float("gtol", 0.0)
    with pytest.raises(ValueError, match="^rank_rtol: must be finite and >= 0"):
        check_tolerance("rank_rtol", -1e-3)
    with pytest.raises(ValueError, match="^lr: expected a real number, got a bool"):
        positive_float("lr", np.bool_(True))
    with pytest.raises(ValueError, match="^gtol: .* too large for float64"):
        positive_float("gtol", 10**400)
    assert positive_int("restarts", np.int64(3)) == 3 and boolean("progress", np.bool_(True)) is True
    with pytest.raises(ValueError, match="^restarts: must be an integer >= 1"):
        positive_int("restarts", True)


def test_dense_warm_start_reads_arrays_and_solutions():
    Z = np.arange(9.0).reshape(3, 3)
    Zbar, b = dense_mean_logits(Z, 3)
    assert np.array_equal(Zbar, Z) and b is None and Zbar is not Z
    sol = solve(Problem((3, 2, 1), lambda_w=1e-2, lambda_h=1e-2, lambda_b=1e-2, bias="regularized"))
    Zbar, b = dense_mean_logits(sol, 3)
    assert np.array_equal(b, sol.b) and np.array_equal(Zbar, sol.logits_mean - sol.b[:, None])
    with pytest.raises(ValueError, match=r"^x0: expected shape \(3, 3\)"):
        dense_mean_logits(np.zeros((2, 3)), 3)
    with pytest.raises(ValueError, match="^x0: entries must be finite"):
        dense_mean_logits(np.full((3, 3), np.nan), 3)
    with pytest.raises(ValueError, match="^x0: a Solution with logits_mean of shape"):
        dense_mean_logits(sol, 4)


def test_grouped_warm_start_checks_the_groups():
    st = GroupStructure.from_sizes(np.array([5, 5, 2, 2]))
    Z = GroupedMatrix.from_entries(st, np.ones(st.C), np.zeros((st.C, st.C)))
    assert grouped_mean_logits(Z, st) == (Z, None)
    other = GroupStructure.from_sizes(np.array([5, 5, 5, 2]))
    with pytest.raises(ValueError, match="^x0: its groups"):
        grouped_mean_logits(Z, other)
    with pytest.raises(ValueError, match="^x0: expected a grouped solution"):
        grouped_mean_logits(np.zeros((4, 4)), st)


def test_nonnegative_segment_exact_cases():
    q_in = np.array([1.0, 1.0, 0.5])
    assert nonnegative_segment(q_in, np.array([0.0, 2.0, 0.5])) == 1.0  # no entry turns negative
    # entry 0 reaches 0 at t = 1/(1 + 1) = 1/2, entry 2 at t = 0.5/(0.5 + 1.5) = 1/4: the smaller, shrunk by 1e-12
    assert nonnegative_segment(q_in, np.array([-1.0, 2.0, -1.5])) == 0.25 * (1.0 - 1e-12)
    assert nonnegative_segment(np.array([0.0, 1.0]), np.array([-1.0, 2.0])) == 0.0
