"""Yang et al. 2022 (fixed ETF classifier): predictions vs the convex fixed-ETF solver and vs direct
numerical minimisation of the per-sample problems.

Independent references: ``convex.solve_fixed_etf`` (cvxpy/Clarabel, CE and dot-regression losses),
scipy minimisation of one sample's loss over h in R^d (no symmetry reduction assumed), sympy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from nctheory import Problem
from nctheory.claims import yang as Y
from nctheory.diagnostics import feature_gradient_pull_push, feature_loss
from nctheory.geometry import simplex_etf
from nctheory.solvers.convex import solve_fixed_etf
from nctheory.verify import verify_claim
from claim_helpers import assert_quantities_match

CE, DR, VAR = Y.CLAIMS


def _check(claim, problem, solution):
    assert_quantities_match(claim, problem, solution, min_compared=5)


def _num(expr, **values) -> float:
    """Evaluate a sympy form, matching its symbols by name (they carry assumptions)."""
    return float(expr.subs({sym: values[sym.name] for sym in expr.free_symbols}))


def _solve(problem, **kw):
    sol = solve_fixed_etf(problem, **kw)
    assert sol.status == "optimal", sol.message
    return sol


# class sizes 3..40: the smallest class weight stays >= 3/163, which keeps the flat directions of the
# average-budget and DR problems inside the claims' stated tolerances (see the Tolerance texts)
sizes_st = st.integers(2, 5).flatmap(lambda K: st.lists(st.integers(3, 40), min_size=K, max_size=K))
budget_st = st.floats(0.3, 3.0)


def _fixed(sizes, **kw):
    kw.setdefault("lambda_w", 0.0)
    kw.setdefault("lambda_h", 0.0)
    return Problem(sizes=tuple(sizes), classifier="fixed-etf", **kw)


# --------------------------------------------------------------------------- defaults through verify
@pytest.mark.parametrize("claim", Y.CLAIMS, ids=lambda c: c.id)
def test_default_instances_pass(claim):
    opts = {"convex:fixed-etf": {"loss_override": "dr"}} if claim.id == "yang/etf-dr" else None
    for p in claim.default_instances():
        v = verify_claim(claim, p, solver_options=opts)
        assert v.verdict == "pass", [c.to_json() for c in v.checks if not c.ok] + v.notes


# --------------------------------------------------------------------------- against the convex solver
@settings(max_examples=8)
@given(sizes=sizes_st, e_w=budget_st, e_h=budget_st)
def test_etf_ce_per_sample(sizes, e_w, e_h):
    p = _fixed(sizes, constraint="per-sample", e_w=e_w, e_h=e_h)
    assert CE.assumptions(p) == []
    _check(CE, p, _solve(p))


@settings(max_examples=6)
@given(sizes=sizes_st, e_w=budget_st, e_h=budget_st)
def test_etf_dr_per_sample(sizes, e_w, e_h):
    p = _fixed(sizes, constraint="per-sample", e_w=e_w, e_h=e_h)
    sol = _solve(p, loss_override="dr")
    assert sol.objective < 1e-8  # the DR minimum is 0 (the solver's own objective, an independent number)
    _check(DR, p, sol)


@settings(max_examples=8)
@given(sizes=sizes_st, e_w=budget_st, lam_h=st.floats(1e-3, 1e-1))
def test_penalty_variant(sizes, e_w, lam_h):
    p = _fixed(sizes, constraint="penalty", e_w=e_w, lambda_h=lam_h)
    _check(VAR, p, _solve(p))


@settings(max_examples=8)
@given(sizes=sizes_st, e_w=budget_st, e_h=budget_st)
def test_average_variant(sizes, e_w, e_h):
    p = _fixed(sizes, constraint="average", e_w=e_w, e_h=e_h)
    _check(VAR, p, _solve(p))


@settings(max_examples=5)
@given(sizes=st.integers(2, 4).flatmap(lambda K: st.lists(st.integers(1, 12), min_size=K, max_size=K)),
       constraint=st.sampled_from(["per-sample", "penalty", "average"]), e_w=budget_st, e_h=budget_st)
def test_every_sample_on_target_with_factored_full_sample_solves(sizes, constraint, e_w, e_h):
    """The nonconvex solver on ALL samples (no class-mean reduction): each h_{k,i} lands on c_k w*_k."""
    from nctheory.solvers import solve

    kw = {"lambda_h": 0.01} if constraint == "penalty" else {"e_h": e_h}
    p = _fixed(sizes, constraint=constraint, e_w=e_w, **kw)
    sol = solve(p, method="factored", on="samples")
    assert sol.status == "local" and sol.H is not None and sol.H.shape[1] == p.N, sol.message
    claim = CE if constraint == "per-sample" else VAR
    obs = claim.observe(p, sol)
    assert obs["max_within_class_deviation"] < 1e-5  # NC1 per sample (L-BFGS to ~1e-9; tolerance as claimed)
    _check(claim, p, sol)


def test_penalty_scale_independent_of_class_sizes():
    # same N and K, very different sizes: the observed scale <h_k, w_k>/|w_k|^2 is one number for all
    obs = []
    for sizes in [(20, 20, 20), (50, 5, 5), (2, 8, 50)]:
        p = _fixed(sizes, constraint="penalty", e_w=1.5, lambda_h=0.01)
        obs.append(VAR.observe(p, _solve(p))["scale_c"])
    obs = np.concatenate(obs)
    # strongly convex problem solved to gap ~1e-11: scales agree to ~1e-7 (measured spread 1.4e-7)
    assert np.ptp(obs) < 1e-6
    assert obs[0] == pytest.approx(Y.penalty_scale(3, 60, 0.01, 1.5), abs=1e-6)


def test_average_lengths_grow_with_class_size():
    p = _fixed((40, 20, 10, 5), constraint="average", e_w=1.0, e_h=2.0)
    c = Y.predicted_scales(p)
    assert np.all(np.diff(c) < 0)  # derived order: longer features for larger classes
    hn = VAR.observe(p, _solve(p))["h_norms"]
    # predicted gaps (>= 0.1) dwarf the solver's ~1e-5 error in these norms
    assert np.all(np.diff(hn) < 0)
    assert np.sum(c**2) / 4 == pytest.approx(2.0, rel=1e-12)  # the budget is used exactly


# --------------------------------------------------------------------------- independent minimisation
def _etf(K, e_w):
    return simplex_etf(K, K, scale=math.sqrt(e_w))


@pytest.mark.parametrize("K, e_w, e_h", [(2, 1.0, 1.0), (3, 2.0, 0.5), (5, 0.7, 3.0)])
def test_per_sample_minimiser_by_slsqp(K, e_w, e_h):
    # minimise one sample's CE over the ball ||h||^2 <= E_H in R^K from a random start: no symmetry assumed
    W = _etf(K, e_w)
    rng = np.random.default_rng(K)
    for c in range(K):
        res = minimize(lambda h: feature_loss(W, h, c), rng.standard_normal(K) * 0.1, method="SLSQP",
                       constraints=[{"type": "ineq", "fun": lambda h: e_h - h @ h}],
                       options={"ftol": 1e-14, "maxiter": 500})
        # SLSQP stops at ftol 1e-14 on a well-conditioned active-constraint problem: h to ~1e-6
        assert np.allclose(res.x, math.sqrt(e_h / e_w) * W[c], atol=1e-5)
        assert res.fun == pytest.approx(_num(CE.sympy_forms()["objective"], K=K, E_W=e_w, E_H=e_h), abs=1e-10)


@pytest.mark.parametrize("K, N, lam_h, e_w", [(2, 10, 0.05, 1.0), (4, 30, 0.01, 2.0), (6, 100, 0.002, 0.5)])
def test_penalty_minimiser_by_bfgs(K, N, lam_h, e_w):
    # one sample's objective (1/N) CE(W* h, c) + (lambda_H/2) |h|^2 minimised over h in R^K
    W = _etf(K, e_w)
    res = minimize(lambda h: feature_loss(W, h, 0) / N + 0.5 * lam_h * (h @ h), np.zeros(K), method="BFGS",
                   jac=lambda h: feature_gradient_pull_push(W, h, 0).gradient / N + lam_h * h,
                   options={"gtol": 1e-13})
    c = Y.penalty_scale(K, N, lam_h, e_w)
    # strongly convex (modulus lambda_H >= 2e-3): gradient 1e-13 pins h to ~1e-10
    assert np.allclose(res.x, c * W[0], atol=1e-8)


def test_average_scales_by_slsqp():
    # the K-scalar problem min sum pi_k g(c_k) s.t. (1/K) sum c_k^2 E_W = E_H, solved directly
    sizes, e_w, e_h = (30, 10, 3), 1.3, 0.8
    p = _fixed(sizes, constraint="average", e_w=e_w, e_h=e_h)
    K = 3
    res = minimize(lambda c: p.weights @ Y.ce_at_scale(c, K, e_w), np.ones(K), method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda c: e_h - e_w * (c @ c) / K}],
                   options={"ftol": 1e-15, "maxiter": 1000})
    # SLSQP on 3 smooth variables: ~1e-6 in c
    assert np.allclose(res.x, Y.predicted_scales(p), atol=1e-5)


# --------------------------------------------------------------------------- DR gradient (pull only)
@settings(max_examples=10)
@given(K=st.integers(2, 6), seed=st.integers(0, 1000), e_w=budget_st, e_h=budget_st)
def test_dr_gradient_claim_on_the_sphere(K, seed, e_w, e_h):
    W = _etf(K, e_w)
    h = np.random.default_rng(seed).standard_normal(K)
    h *= math.sqrt(e_h) / np.linalg.norm(h)
    cos = h @ W[0] / (math.sqrt(e_w * e_h))
    fd = np.array([(feature_loss(W, h + 1e-6 * e, 0, loss="dr", e_h=e_h)
                    - feature_loss(W, h - 1e-6 * e, 0, loss="dr", e_h=e_h)) / 2e-6 for e in np.eye(K)])
    # central FD of a quadratic: exact up to rounding ~1e-10 / 1e-6
    assert np.allclose(fd, -(1 - cos) * W[0], atol=1e-8)


def test_sympy_forms():
    import sympy as sp

    f = DR.sympy_forms()
    assert sp.simplify(f["dr_gradient_coefficient"] - f["dr_gradient_coefficient_claimed"]) == 0
    v = VAR.sympy_forms()
    K, N, lam, E_W, c = sp.symbols("K N lambda_H E_W c", positive=True)
    vals = {K: 4, N: 30, lam: 0.01, E_W: 2.0}
    c_num = Y.penalty_scale(4, 30, 0.01, 2.0)
    # the root of the solved form is a stationary point of the 1-D objective (double-precision root)
    assert abs(float(v["penalty_stationarity"].subs(vals).subs(c, c_num))) < 1e-12
    assert abs(float(v["penalty_root_equation"].subs(vals).subs(c, c_num))) < 1e-9
    ce = CE.sympy_forms()
    assert _num(ce["objective"], K=3, E_W=2.0, E_H=0.5) == pytest.approx(float(Y.ce_at_scale(0.5, 3, 2.0)),
                                                                          rel=1e-14)


# --------------------------------------------------------------------------- assumptions
@pytest.mark.parametrize(
    "claim, problem, field",
    [
        (CE, Problem(sizes=(5, 3)), "classifier"),
        (CE, _fixed((5, 3), constraint="average", e_h=1.0), "constraint"),
        (CE, _fixed((5, 3), constraint="per-sample", e_h=1.0, loss="mse"), "loss"),
        (CE, _fixed((5, 3), constraint="per-sample", e_h=1.0, bias="free"), "bias"),
        (DR, _fixed((5, 3), constraint="penalty", lambda_h=0.1), "constraint"),
        (VAR, _fixed((5, 3), constraint="per-sample", e_h=1.0), "constraint"),
        (VAR, Problem(sizes=(5, 3), constraint="average", e_w=1.0, e_h=1.0), "classifier"),
    ],
)
def test_assumptions_reject(claim, problem, field):
    unmet = claim.assumptions(problem)
    assert any(u.startswith(field + ":") for u in unmet), unmet


def test_scale_helpers_validate():
    with pytest.raises(ValueError, match="^lambda_h:"):
        Y.penalty_scale(3, 10, 0.0, 1.0)
