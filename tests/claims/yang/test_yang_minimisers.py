"""Yang et al. 2022 (fixed ETF classifier): the claims against direct numerical minimisation of the per-sample
problems (scipy over h in R^K, no symmetry assumed), sympy, and explicit feasible points evaluated with numpy.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from nctheory import Problem
from nctheory.claims.sources import yang as Y
from nctheory.diagnostics import feature_gradient_pull_push, feature_loss
from nctheory.geometry import simplex_etf
from nctheory.solvers.convex import solve_fixed_etf
from nctheory.verify import verify_claim

CE, DR, VAR = Y.CLAIMS
budget_st = st.floats(0.3, 3.0)


def _num(expr, **values) -> float:
    """Evaluate a sympy form, matching its symbols by name (they carry assumptions)."""
    return float(expr.subs({sym: values[sym.name] for sym in expr.free_symbols}))


def _fixed(sizes, **kw):
    kw.setdefault("lambda_w", 0.0)
    kw.setdefault("lambda_h", 0.0)
    return Problem(sizes=tuple(sizes), classifier="fixed-etf", **kw)


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
        assert res.fun == pytest.approx(_num(CE.symbolic()["objective"], K=K, E_W=e_w, E_H=e_h), abs=1e-10)


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

    f = DR.symbolic()
    assert sp.simplify(f["dr_gradient_coefficient"] - f["dr_gradient_coefficient_claimed"]) == 0
    v = VAR.symbolic()
    K, N, lam, E_W, c = sp.symbols("K N lambda_H E_W c", positive=True)
    vals = {K: 4, N: 30, lam: 0.01, E_W: 2.0}
    c_num = Y.penalty_scale(4, 30, 0.01, 2.0)
    # the root of the solved form is a stationary point of the 1-D objective (double-precision root)
    assert abs(float(v["penalty_stationarity"].subs(vals).subs(c, c_num))) < 1e-12
    assert abs(float(v["penalty_root_equation"].subs(vals).subs(c, c_num))) < 1e-9
    ce = CE.symbolic()
    assert _num(ce["objective"], K=3, E_W=2.0, E_H=0.5) == pytest.approx(float(Y.ce_at_scale(0.5, 3, 2.0)),
                                                                          rel=1e-14)




# --------------------------------------------------------------------------- the predicted value
@settings(max_examples=15)
@given(sizes=st.integers(2, 5).flatmap(lambda K: st.lists(st.integers(1, 40), min_size=K, max_size=K)),
       constraint=st.sampled_from(["per-sample", "penalty", "average"]), e_w=budget_st, e_h=budget_st,
       lam_h=st.floats(1e-3, 1e-1))
def test_predicted_value_is_the_objective_of_a_feasible_point(sizes, constraint, e_w, e_h, lam_h):
    """h_{k,i} = c_k w*_k meets the budget (with equality where active) and its canonical objective, written out
    with numpy, is the predicted one -- so value refutation is sound."""
    kw = {"lambda_h": lam_h} if constraint == "penalty" else {"e_h": e_h}
    p = _fixed(sizes, constraint=constraint, e_w=e_w, **kw)
    claim = CE if constraint == "per-sample" else VAR
    pred = claim.predict(p)
    K = p.K
    W = simplex_etf(K, K, scale=math.sqrt(e_w))
    c = pred.quantities["scale_c"]
    Hbar = (c[:, None] * W).T  # column k = c_k w*_k
    Z = W @ Hbar
    ce = np.log(np.exp(Z - Z.max(axis=0)).sum(axis=0)) + Z.max(axis=0) - np.diag(Z)
    f = float(p.weights @ ce)
    sq = np.sum(Hbar**2, axis=0)
    if constraint == "penalty":
        f += lam_h / 2 * float(p.n @ sq)
    elif constraint == "per-sample":
        assert np.allclose(sq, e_h, rtol=1e-13)  # every budget active (rounding only)
    else:
        assert np.mean(sq) == pytest.approx(e_h, rel=1e-12)  # the average budget holds with equality (root found)
    assert f == pytest.approx(pred.objective, rel=1e-12)  # the same value by two routes: rounding only


@pytest.mark.parametrize("claim", [CE, VAR], ids=lambda c: c.id)
def test_a_lower_objective_refutes_by_value(claim):
    p = claim.default_instances()[-1]
    sol = solve_fixed_etf(p)
    fake = replace(sol, objective=claim.predict(p).objective - 1e-3)
    v = verify_claim(claim, p, solutions={"convex:fixed-etf": fake}, refine=False)
    assert v.verdict == "fail" and v.refutation is not None
