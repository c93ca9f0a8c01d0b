"""Zhu et al. balanced-CE closed form (catalogue §6) against the catalogue example, sympy and certified solves."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import zhu
from nctheory.claims.sources.zhu import formulas
from nctheory.claims.sources.zhu.claims import BALANCED_CE
from nctheory.model import Problem
from nctheory.solvers import certified, solve
from nctheory.verify import verify_claim
from claim_helpers import quantity_checks

#: the claim's reference tolerance (its solver_options): tests solve at the same relative gap
TOL = BALANCED_CE.solver_options["certified"]["tol"]


def _failures(problem, solution):
    checks, pred = quantity_checks(BALANCED_CE, problem, solution)
    return [(x.quantity, x.predicted, x.observed) for x in checks if not x.ok], len(checks), pred


def test_catalogue_worked_example():
    # catalogue §6: K = 4, n = 5, all λ = 1e-2 -> ‖w‖² = 6.257099, ‖h‖² = 1.251420 (6 decimals given)
    f = formulas.zhu_closed_form(4, 5, 1e-2, 1e-2)
    assert f["w_sq"] == pytest.approx(6.257099, abs=5e-7)
    assert f["h_sq"] == pytest.approx(1.251420, abs=5e-7)


def test_worked_example_against_certified_and_convex():
    p = BALANCED_CE.default_instances()[0]
    for method in ("certified", "convex:reduced"):
        sol = solve(p, method=method, **BALANCED_CE.solver_options.get(method, {}))
        assert sol.success
        # Clarabel and the certified solver both reach the catalogue's 6 decimals once the mean classifier
        # (a flat direction of the objective, 0 at the optimum) is removed; uncentred certified rows
        # deviate by up to 1.6e-5
        W = sol.W - sol.W.mean(axis=0)
        np.testing.assert_allclose(np.diag(W @ W.T), 6.257099, atol=1e-5)
        np.testing.assert_allclose(np.diag(sol.H_mean.T @ sol.H_mean), 1.251420, atol=1e-5)


def test_closed_form_is_stationary_in_sympy():
    # independent of the code: the 1-D reduced objective log(1+(K-1)e^{-c}) + s(K-1)c is stationary at
    # c = log((1-(K-1)s)/s), and ρ* = (K-1)c/K reproduces the sympy form
    K, s, c = sp.symbols("K s c", positive=True)
    f = sp.log(1 + (K - 1) * sp.exp(-c)) + s * (K - 1) * c
    cstar = sp.log((1 - (K - 1) * s) / s)
    assert sp.simplify(sp.diff(f, c).subs(c, cstar)) == 0
    forms = BALANCED_CE.symbolic()
    syms = {x.name: x for e in forms.values() for x in e.free_symbols}
    vals = {syms["K"]: 5, syms["n"]: 7, syms["lambda_W"]: 2e-3, syms["lambda_H"]: 3e-2}
    ref = formulas.zhu_closed_form(5, 7, 2e-3, 3e-2)
    assert float(forms["rho_star"].subs(vals)) == pytest.approx(ref["rho"], rel=1e-12)
    assert float(forms["w_sq_norm"].subs(vals)) == pytest.approx(ref["w_sq"], rel=1e-12)
    assert float(forms["h_sq_norm"].subs(vals)) == pytest.approx(ref["h_sq"], rel=1e-12)
    # at the critical λ the threshold expression vanishes
    lam_c = float(forms["critical_lambda"].subs(vals))
    assert float(forms["zero_threshold"].subs({**vals, syms["lambda_W"]: lam_c, syms["lambda_H"]: lam_c})) \
        == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=25)
@given(K=st.integers(2, 6), n=st.integers(1, 50), log_lam=st.floats(-5.0, -0.5), log_ratio=st.floats(-1.0, 1.0),
       bias=st.sampled_from(["none", "regularized", "free"]), log_lb=st.floats(-3.0, 0.0))
def test_balanced_ce_matches_certified(K, n, log_lam, log_ratio, bias, log_lb):
    lam, r = 10.0 ** log_lam, 10.0 ** (log_ratio / 2)
    p = Problem(sizes=(n,) * K, lambda_w=lam / r, lambda_h=lam * r, bias=bias,
                lambda_b=10.0 ** log_lb if bias == "regularized" else 0.0)
    sol = certified.solve(p, tol=TOL)
    assert sol.success
    bad, n_checks, pred = _failures(p, sol)
    assert n_checks >= 7
    assert not bad, (pred.notes, bad)


@pytest.mark.parametrize("K, n, rel", [(3, 4, 0.99), (3, 4, 1.01), (5, 20, 0.99), (5, 20, 1.01), (2, 1, 1.01)])
def test_zero_threshold_both_sides(K, n, rel):
    lam = rel / (K * math.sqrt(n))  # Ks = rel
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam)
    q = BALANCED_CE.predict(p).quantities
    assert q["zero_solution"] is (rel >= 1)
    sol = certified.solve(p, tol=TOL)
    assert BALANCED_CE.observe(p, sol)["zero_solution"] is (rel >= 1)
    if rel < 1:
        assert q["rho"] > 0


def test_zero_threshold_band_leaves_bool_unpredicted():
    K, n = 4, 9
    lam = (1 - 1e-4) / (K * math.sqrt(n))
    assert "zero_solution" not in BALANCED_CE.predict(Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam)).quantities


def test_observation_can_fail():
    # an imbalanced-looking perturbation of a correct solution must be caught
    from dataclasses import replace

    p = BALANCED_CE.default_instances()[0]
    sol = certified.solve(p, tol=TOL)
    bad, _, _ = _failures(p, replace(sol, W=sol.W * 1.01))
    assert {"w_sq_norm", "gram_W", "self_duality_residual"} <= {b[0] for b in bad}


def test_assumptions():
    ok = Problem(sizes=(5, 5, 5), lambda_w=1e-2, lambda_h=1e-2)
    assert BALANCED_CE.assumptions(ok) == []
    for bad, field in ((dict(sizes=(5, 5, 4)), "sizes"), (dict(loss="mse"), "loss"), (dict(features="relu"), "features"),
                       (dict(depth=2), "depth"), (dict(d=1), "d")):
        unmet = BALANCED_CE.assumptions(ok.with_(**bad))
        assert any(u.startswith(field + ":") for u in unmet), (bad, unmet)


def test_default_instances_pass():
    for p in BALANCED_CE.default_instances():
        v = verify_claim(BALANCED_CE, p)
        assert v.verdict == "pass", [c.to_json() for c in v.checks if not c.ok]


# --------------------------------------------------------------------------- from the mutation record
@pytest.mark.parametrize("ks, zero", [(0.995, False), (1.005, True)])
@pytest.mark.parametrize("K", [3, 4])
def test_zero_threshold_both_sides_against_certified(ks, zero, K):
    """Just either side of K·s = 1 (s = √n λ) the prediction and a certified solve agree on the zero solution
    (the threshold is checked at ±0.5%, so a 1% error in it cannot hide)."""
    n = 5
    lam = ks / (K * math.sqrt(n))
    p = Problem(sizes=(n,) * K, lambda_w=lam, lambda_h=lam, bias="regularized", lambda_b=lam)
    claim = zhu.CLAIMS[0]
    assert claim.predict(p).quantities["zero_solution"] is zero
    v = verify_claim(claim, p)
    assert v.verdict == "pass", [(c.quantity, c.abs_err) for c in v.checks if not c.ok]
