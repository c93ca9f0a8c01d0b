"""Dang et al. 2024 (ReLU features): the claims' algebra, independent of the solvers.

Independent references: an explicit structured point evaluated with plain numpy (angles, norms, the predicted
objective -- so value refutation is sound), a numerical minimisation over the structure's free scalars for the
margin formula, sympy, and the doubly-non-negative relaxation (a certified lower bound) for the optimal value.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from nctheory.claims.sources import dang2024 as D
from nctheory.geometry import centering
from nctheory.solvers import solve
from nctheory.verify import verify_claim
from dang2024_instances import relu_instances, relu_problem

# ------------------------------------------------------- independent algebra
def _structured_point(problem):
    """Explicit point with the claimed structure: disjoint-support class means of the predicted
    norms (coordinate k holds class k), W = C S D^(1/2) Hbar^T."""
    q = D.relu_quantities(problem)
    K = problem.K
    Hm = np.zeros((problem.dim, K))
    Hm[np.arange(K), np.arange(K)] = np.sqrt(q["h_norm_sq"])
    S = centering(K)
    W = q["C"] * S @ (np.sqrt(problem.n)[:, None] * Hm.T)
    return W, Hm


def _ufm_objective(problem, W, Hm):
    """Canonical objective at h_{k,i} = hbar_k, written out with numpy (no project code)."""
    Z = W @ Hm
    ce = np.log(np.exp(Z - Z.max(axis=0)).sum(axis=0)) + Z.max(axis=0) - np.diag(Z)
    n = problem.n
    return float(n @ ce / problem.N + problem.lambda_w / 2 * np.sum(W**2)
                 + problem.lambda_h / 2 * np.sum(n * np.sum(Hm**2, axis=0)))


@settings(max_examples=25)
@given(relu_instances(widths=(1, 2)))
def test_angle_formulas_match_the_structured_point(problem):
    """The catalogue's angle/norm formulas (RELU-angles) against the Grams of the point that
    RELU-structure describes, and the predicted objective against that point's objective."""
    q = D.relu_quantities(problem)
    W, Hm = _structured_point(problem)
    assert np.allclose(W @ Hm, q["logits_mean"], rtol=1e-12, atol=1e-12)  # algebra: float rounding only
    assert np.allclose(np.sum(W**2, axis=1), q["w_norm_sq"], rtol=1e-12, atol=1e-14)
    assert _ufm_objective(problem, W, Hm) == pytest.approx(q["objective"], rel=1e-12, abs=1e-15)
    if not q["global_collapse"]:
        nw = np.linalg.norm(W, axis=1)
        assert np.allclose((W @ W.T) / np.outer(nw, nw), q["cos_ww"], atol=1e-12)
        alive = np.flatnonzero(~q["collapsed"])
        nh = np.linalg.norm(Hm[:, alive], axis=0)
        assert np.allclose((W @ Hm[:, alive]) / np.outer(nw, nh), q["cos_wh"], atol=1e-12)
        ratio = np.sum(Hm**2, axis=0) / np.max(np.sum(Hm**2, axis=0))
        assert np.allclose(ratio, q["h_norm_ratio"], atol=1e-12)


@settings(max_examples=10)
@given(relu_instances(widths=(1,)))
def test_margins_minimise_the_structured_objective(problem):
    """Inside the structure (orthogonal means of norms rho_k, W H-bar = S diag(t), cheapest W),
    minimise the numpy objective over (t, log rho) numerically and compare with t_k."""
    K = problem.K
    S = centering(K)

    def f(v):
        t = v[:K] ** 2  # t >= 0
        rho = np.exp(v[K:])
        Hm = np.zeros((problem.dim, K))
        Hm[np.arange(K), np.arange(K)] = rho
        W = (S * (t / rho**2)[None, :]) @ Hm.T  # min-norm W with W Hbar = S diag(t)
        return _ufm_objective(problem, W, Hm)

    t_pred = D.margins(problem)
    best = None
    # three starts: t = v² makes v = 0 a stationary point, and near the zero regime (one class alive, t ~ 0.27) BFGS
    # from the two far starts stops at the all-collapsed point log K (found by a random draw: sizes (144, 52, 64,
    # 45), λ_W = 0.01, λ_H = 0.1); the third starts near the structure's margins with the collapsed classes' log ρ
    # already low (their optimum is ρ = 0, which log ρ only approaches; from log ρ = 0 BFGS shrinks every class)
    near = np.concatenate([np.sqrt(t_pred) + 1e-3, np.where(t_pred > 0, 0.0, -20.0)])
    for v0 in (np.concatenate([np.sqrt(t_pred + 0.5), np.zeros(K)]), np.concatenate([np.full(K, 1.0), np.zeros(K)]),
               near):
        r = minimize(f, v0, method="BFGS", options={"gtol": 1e-11, "maxiter": 5000})
        best = r if best is None or r.fun < best.fun else best
    pred = D.relu_quantities(problem)["objective"]
    assert best.fun >= pred - 1e-12  # nothing inside the structure beats the prediction (rounding only)
    # a collapsed class's optimum is rho = 0, which log(rho) only approaches (measured gap ~2e-9)
    assert best.fun == pytest.approx(pred, rel=1e-9, abs=1e-8)
    alive = t_pred > 0
    # BFGS stops at gradient ~1e-11 on an objective with curvature O(n_k/N): t to ~1e-4 at worst
    assert np.allclose(best.x[:K][alive] ** 2, t_pred[alive], atol=1e-4)


def test_sympy_forms_agree_with_numeric_margins():
    K, N, n, lw, lh = 4, 150, 60, 1e-3, 2e-3
    forms = D.RELU_STRUCTURE.symbolic()
    import sympy as sp

    subs = {sp.Symbol("K", positive=True): K, sp.Symbol("N", positive=True): N,
            sp.Symbol("n_k", positive=True): n, sp.Symbol("lambda_W", positive=True): lw,
            sp.Symbol("lambda_H", positive=True): lh}
    p = relu_problem((60, 40, 30, 20), lw, lh)
    assert float(forms["margin"].subs(subs)) == pytest.approx(D.margins(p)[0], rel=1e-13)
    assert float(forms["tau"].subs(subs)) == pytest.approx(D.constants(p)[1], rel=1e-13)


# ------------------------------------------------------------ DNN lower bound
@settings(max_examples=15)
@given(relu_instances(widths=(1, 2)))
def test_dnn_bound_certifies_the_predicted_optimal_value(problem):
    """The doubly-non-negative relaxation (R5) is a certified lower bound on the ReLU UFM; the
    predicted objective is attained by the structured point (tested above), so
    bound <= optimum <= predicted.  Measured: the bound equals the predicted value to <= 7e-9,
    i.e. the relaxation is tight and the claimed structure is certified globally optimal."""
    from nctheory.solvers.convex import relu_dnn_bound

    bound = relu_dnn_bound(problem)
    assert bound.status in ("optimal", "local"), bound.message
    pred = D.relu_quantities(problem)["objective"]
    # The convex driver accepts Clarabel down to its default gap tolerances (1e-8 absolute and
    # relative), so the bound is known to ~1e-8; measured |bound - predicted| <= 7e-9.
    assert bound.lower_bound == pytest.approx(pred, rel=1e-8, abs=1e-8), (problem, bound.extra["attempts"])


def test_a_lower_objective_refutes_by_value():
    """relu-structure's predicted value is wired into the engine: a solve reporting a lower value fails it."""
    p = D.RELU_STRUCTURE.default_instances()[0]
    sol = solve(p, method="factored", restarts=8)
    fake = replace(sol, objective=D.RELU_STRUCTURE.predict(p).objective - 1e-3)
    v = verify_claim(D.RELU_STRUCTURE, p, solutions={"factored": fake}, refine=False)
    assert v.verdict == "fail" and v.refutation is not None
