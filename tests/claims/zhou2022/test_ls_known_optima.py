"""Label smoothing in the known-optima pattern (tests/solvers/test_known_optima.py): every exact solver that supports
the loss reaches the balanced closed form (proved in proofs_check.zhou_label_smoothing), and the certified solver's
certificate brackets cvxpy's value on imbalanced instances at small K.

Tolerances are those of the catalogue, for the same reasons: objectives to 1e-7 relative (certified 1e-10, the conic
chain 1e-9..1e-11, local solves gtol 1e-10), Grams to 1e-4 of the matrix (conic solvers fix flat directions to
~√1e-9)."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from claim_helpers import assert_certificate_brackets_cvxpy
from nctheory.claims.sources.zhou2022.formulas import balanced_closed_form
from nctheory.geometry import centering
from nctheory.model import Problem
from nctheory.model.losses import LabelSmoothing
from nctheory.solvers import SOLVERS
from nctheory.solvers.result import Status

EXACT = [name for name, s in SOLVERS.items() if s.exact and name != "convex"]

CASES = [  # (K, n, λ_W, λ_H, ε, bias, λ_b)
    (4, 5, 1e-2, 1e-2, 0.1, "none", 0.0),
    (3, 6, 4e-3, 2e-2, 0.25, "regularized", 1e-2),
    (5, 3, 1e-2, 5e-3, 0.05, "free", 0.0),
    (4, 5, 0.0894427191, 0.0894427191, 0.3, "none", 0.0),  # Ks + ε = 1.1: the zero solution
]


def _params():
    for case in CASES:
        p = Problem((case[1],) * case[0], lambda_w=case[2], lambda_h=case[3], loss=LabelSmoothing(case[4]),
                    bias=case[5], lambda_b=case[6])
        for name in EXACT:
            if SOLVERS[name].supports(p):
                yield pytest.param(p, name, id=f"K{case[0]}-eps{case[4]}-{case[5]}-{name}")


PARAMS = list(_params())


def test_every_exact_solver_supporting_the_loss_is_run():
    used = {prm.values[1] for prm in PARAMS}
    assert {"certified", "factored", "convex:reduced", "convex:full-sample"} <= used


@pytest.mark.parametrize("problem, method", PARAMS)
def test_solver_reaches_the_balanced_closed_form(problem, method):
    K, n = problem.K, problem.sizes[0]
    f = balanced_closed_form(K, n, problem.lambda_w, problem.lambda_h, problem.loss.epsilon)
    sol = SOLVERS[method].solve(problem)
    assert sol.status in (Status.OPTIMAL, Status.LOCAL), sol.message
    assert abs(sol.objective - f["objective"]) <= 1e-7 * f["objective"] + 1e-10
    if sol.lower_bound is not None:
        assert sol.lower_bound <= f["objective"] * (1 + 1e-12) + 1e-15
    W = np.asarray(sol.W) - np.asarray(sol.W).mean(axis=0)
    H = np.asarray(sol.H_mean)
    S = centering(K) * K / (K - 1)
    for G, target in ((W @ W.T, f["w_sq"] * S), (H.T @ H, f["h_sq"] * S)):
        assert np.abs(G - target).max() <= 1e-4 * max(1.0, np.abs(target).max())


@pytest.mark.parametrize("sizes, eps, bias", [((6, 3, 1), 0.1, "none"), ((10, 4, 4, 1), 0.2, "free"),
                                              ((8, 2), 0.3, "regularized")])
def test_certificate_brackets_cvxpy(sizes, eps, bias):
    # no closed form here: cvxpy's reduced R2 solve is the independent value; the certified solver's duality gap
    # interval [lower_bound, objective] must contain it up to cvxpy's own accuracy (1e-7 relative, as above)
    p = Problem(sizes, lambda_w=3e-3, lambda_h=6e-3, loss=LabelSmoothing(eps), bias=bias,
                lambda_b=1e-2 if bias == "regularized" else 0.0)
    cert, _ = assert_certificate_brackets_cvxpy(p)
    assert cert.objective - cert.lower_bound <= 1e-10 * abs(cert.objective)


@settings(max_examples=5, deadline=None)
@given(sizes=st.lists(st.integers(1, 30), min_size=2, max_size=4), eps=st.floats(0.01, 0.6),  # ε < 0.01: see
       # test_label_smoothing.py::test_finding_ls_certificate_inconsistent_at_small_objectives
       log_lam=st.floats(-3.5, -1.5), log_ratio=st.floats(-1.0, 1.0), bias=st.sampled_from(["none", "free"]))
def test_certificate_brackets_cvxpy_on_random_instances(sizes, eps, log_lam, log_ratio, bias):
    lam, r = 10.0 ** log_lam, 10.0 ** (log_ratio / 2)
    p = Problem(tuple(sizes), lambda_w=lam / r, lambda_h=lam * r, loss=LabelSmoothing(eps), bias=bias)
    _, ref = assert_certificate_brackets_cvxpy(p)
    assert ref.status == Status.OPTIMAL
