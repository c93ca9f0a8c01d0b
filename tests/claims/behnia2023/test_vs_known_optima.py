r"""Vector scaling in the known-optima pattern (tests/solvers/test_known_optima.py): every exact solver that supports
the loss reaches a known optimum, and the certified solver's certificate brackets cvxpy's value at small K.

Known optimum [derived]: balanced, uniform Δ_c = δ and ω_y = w (ι uniform or absent: a common shift, which CE
ignores).  Then ℓ(z, y) = CE(wδz, y), and W' = wδW turns the model into Zhu et al.'s balanced CE UFM with
λ_W' = λ_W/(wδ)²: the same objective (Zhu's closed form at λ_W'), WWᵀ = W'W'ᵀ/(wδ)², the same features.

Tolerances are the catalogue's, for the same reasons: objectives to 1e-7 relative, Grams to 1e-4 of the matrix."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from claim_helpers import assert_certificate_brackets_cvxpy
from nctheory.claims.sources.zhu.formulas import zhu_closed_form
from nctheory.geometry import centering
from nctheory.model import Problem
from nctheory.model.losses import VectorScaling
from nctheory.solvers import SOLVERS
from nctheory.solvers.result import Status

EXACT = [name for name, s in SOLVERS.items() if s.exact and name != "convex"]

CASES = [  # (K, n, λ_W, λ_H, δ, w, ι, bias)
    (4, 5, 1e-2, 1e-2, 2.0, 1.5, None, "none"),
    (3, 6, 4e-3, 2e-2, 0.5, 1.0, (0.3, 0.3, 0.3), "none"),
    (5, 3, 1e-2, 5e-3, 1.0, 0.7, None, "free"),
    (3, 4, 0.2, 0.2, 1.0, 1.2, None, "none"),  # Ks' >= 1: the zero solution
]


def _problem(case):
    K, n, lw, lh, d, w, iota, bias = case
    return Problem((n,) * K, lambda_w=lw, lambda_h=lh, bias=bias,
                   loss=VectorScaling(delta=(d,) * K, omega=(w,) * K, iota=iota))


def _params():
    for case in CASES:
        p = _problem(case)
        for name in EXACT:
            if SOLVERS[name].supports(p):
                yield pytest.param(case, name, id=f"K{case[0]}-delta{case[4]}-omega{case[5]}-{case[7]}-{name}")


PARAMS = list(_params())


def test_every_exact_solver_supporting_the_loss_is_run():
    assert {"certified", "factored", "convex:reduced", "convex:full-sample"} <= {prm.values[1] for prm in PARAMS}


@pytest.mark.parametrize("case, method", PARAMS)
def test_solver_reaches_the_rescaled_zhu_optimum(case, method):
    K, n, lw, lh, d, w = case[:6]
    p = _problem(case)
    f = zhu_closed_form(K, n, lw / (w * d) ** 2, lh)
    sol = SOLVERS[method].solve(p)
    assert sol.status in (Status.OPTIMAL, Status.LOCAL), sol.message
    assert abs(sol.objective - f["objective"]) <= 1e-7 * f["objective"] + 1e-10
    if sol.lower_bound is not None:
        assert sol.lower_bound <= f["objective"] * (1 + 1e-12) + 1e-15
    W = np.asarray(sol.W) - np.asarray(sol.W).mean(axis=0)
    H = np.asarray(sol.H_mean)
    S = centering(K) * K / (K - 1)
    for G, target in ((W @ W.T, f["w_sq"] / (w * d) ** 2 * S), (H.T @ H, f["h_sq"] * S)):
        assert np.abs(G - target).max() <= 1e-4 * max(1.0, np.abs(target).max())


@pytest.mark.parametrize("sizes, loss", [
    ((6, 3, 1), VectorScaling(omega=(1.0, 2.0, 0.5))),
    ((10, 4, 4, 1), VectorScaling(delta=(1.5, 1.0, 1.0, 0.5), iota=(0.0, 0.2, 0.2, -0.4))),
    ((8, 2), VectorScaling(delta=(1.2, 0.8), omega=(0.6, 1.4))),
])
def test_certificate_brackets_cvxpy(sizes, loss):
    # no closed form: cvxpy's reduced R2 solve is the independent value; the certified interval
    # [lower_bound, objective] must contain it up to cvxpy's own accuracy (1e-7 relative, as above)
    p = Problem(sizes, lambda_w=3e-3, lambda_h=6e-3, loss=loss)
    cert, _ = assert_certificate_brackets_cvxpy(p)
    assert cert.objective - cert.lower_bound <= 1e-10 * abs(cert.objective)


@settings(max_examples=5, deadline=None)
@given(data=st.data(), K=st.integers(2, 4), log_lam=st.floats(-3.5, -1.5), log_ratio=st.floats(-1.0, 1.0))
def test_certificate_brackets_cvxpy_on_random_instances(data, K, log_lam, log_ratio):
    sizes = tuple(data.draw(st.lists(st.integers(1, 30), min_size=K, max_size=K)))
    factor = st.lists(st.floats(0.3, 3.0), min_size=K, max_size=K).map(tuple)
    loss = VectorScaling(delta=data.draw(factor), omega=data.draw(factor))
    lam, r = 10.0 ** log_lam, 10.0 ** (log_ratio / 2)
    p = Problem(sizes, lambda_w=lam / r, lambda_h=lam * r, loss=loss)
    _, ref = assert_certificate_brackets_cvxpy(p)
    assert ref.status == Status.OPTIMAL
