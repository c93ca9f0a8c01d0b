"""The ReLU-UFM dual bound (nctheory.solvers.bounds.relu_dnn)."""

import math
from dataclasses import replace

import numpy as np
import pytest
from bound_helpers import lam_st, logits_solution, seed_st, sizes_st, solution_of
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nctheory.claims import all_claims
from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds.conjugate import dual_value
from nctheory.solvers.bounds.relu_dnn import relu_bound, split, verified_scale
from nctheory.solvers.convex._model import sample_objective


def _relu(sizes, lam, ratio=1.0, loss="ce"):
    return Problem(sizes=sizes, lambda_w=lam * ratio, lambda_h=lam / ratio, features="relu", loss=loss)


@settings(max_examples=15)
@given(K=st.integers(2, 5), d=st.integers(1, 8), lam=lam_st, seed=seed_st)
def test_minimum_over_the_classifier_is_minus_B_dot_G(K, d, lam, seed):
    """min_W <W, U diag(pi) Hbar^T> + (lambda_W/2)||W||^2 = -<B, Hbar^T Hbar> at W = -U diag(pi) Hbar^T / lambda_W,
    and every other W gives more (the step of the derivation that produces C)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 30, K).astype(float)
    p = Problem(sizes=tuple(int(x) for x in n), lambda_w=lam, lambda_h=lam, features="relu")
    U, H = rng.standard_normal((K, K)), np.abs(rng.standard_normal((d, K)))
    V = U * p.weights
    B = V.T @ V / (2 * lam)
    value = -float(np.sum(B * (H.T @ H)))

    def inner(W):
        return float(np.sum(W * (V @ H.T))) + 0.5 * lam * float(np.vdot(W, W))

    W_star = -V @ H.T / lam
    assert inner(W_star) == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert all(value <= inner(W_star + rng.standard_normal(W_star.shape)) for _ in range(10))


@settings(max_examples=10)
@given(sizes=sizes_st, lam=lam_st, ratio=st.floats(0.3, 3.0), loss=st.sampled_from(["ce", "mse"]), seed=seed_st)
def test_bound_from_any_logits_is_below_every_relu_feasible_value(sizes, lam, ratio, loss, seed):
    """Validity: the dual point comes from random logits (scaled down until the split verifies); every ReLU-feasible
    per-sample point and the factored answer lie above the bound."""
    p = _relu(sizes, lam, ratio, loss)
    K, N = p.K, p.N
    rng = np.random.default_rng(seed)
    out = relu_bound(p, solution_of(rng.standard_normal((K, K)) * 3, np.eye(K)))
    assert out is not None  # c -> 0 always verifies (S(c) -> A > 0), so some scale is found
    lb = out[0]
    for _ in range(30):
        d = int(rng.integers(1, 2 * K + 1))
        W = rng.standard_normal((K, d)) * rng.random() * 3
        H = np.abs(rng.standard_normal((d, N))) * rng.random() * 3
        assert lb <= sample_objective(p, W, H, np.zeros(K))
    ref = SOLVERS["factored"].solve(p, restarts=3)  # any feasible value will do here
    assert lb <= ref.objective


@pytest.mark.parametrize("claim_id", ["dang2024/relu-structure", "dang2024/relu-angles", "dang2024/relu-collapse"])
def test_tight_at_the_claims_default_instances(claim_id):
    """Measured rel gaps 1.4e-13 (60,40,30,20) and 9.4e-13 (60,60,2,2) on the factored answers."""
    claim = next(c for c in all_claims() if c.id == claim_id)
    for p in claim.default_instances():
        sol = SOLVERS["factored"].solve(p)
        assert sol.certified and sol.rel_gap <= 1e-8, (p, sol.message)
        assert sol.certificate.kind == "copositive-dual:relu"


@example(sizes=(43, 1, 32, 59), lam=-2.00001, ratio=3.41452841694301e-15)  # the conic bound 5.8e-7 loose
@example(sizes=(49, 26), lam=-3.386810004581581, ratio=-0.4609931877849889)  # recovered value 7e-9 above
@settings(max_examples=6)
@given(sizes=st.lists(st.integers(1, 60), min_size=2, max_size=4).map(tuple), lam=st.floats(-3.5, -1.5),
       ratio=st.floats(-0.5, 0.5))
def test_factored_and_relaxation_answers_are_certified_on_drawn_instances(sizes, lam, ratio):
    """The DNN relaxation is tight and the bound reaches it: every factored answer is certified (rel gap <= 4e-13 on
    14 random instances).  The conic relaxation's answer is as accurate in value, but the dual point read off
    Clarabel's solution can leave the bound looser than 1e-8: on 14 instances <= 9.4e-10, but at sizes (43, 1, 32,
    59), lambda = 1e-2 the bound was 5.8e-7 below a value 1.2e-11 above the certified one.  Then the bound must not be
    attached (the answer is not certified) and is recorded as uncertified; either way the recovered point's value lies
    between the certified bound and the optimum plus its own bound's gap (its value was 7e-9 relative above the
    factored one at sizes (49, 26), lambda = 10^-3.39: Clarabel's 1e-11 stop does not bound the recovered point)."""
    p = _relu(sizes, 10.0 ** lam, 10.0 ** ratio)
    fac = SOLVERS["factored"].solve(p)
    assert fac.certified and fac.rel_gap <= 1e-8, fac.message
    dnn = SOLVERS["convex:relu-dnn"].solve(p)
    assert dnn.status == "optimal", dnn.message
    if dnn.certified:
        assert dnn.rel_gap <= 1e-8, dnn.message
        gap = dnn.gap
    else:
        loose = dnn.extra["uncertified_bound"]
        assert loose["rel_gap"] > 1e-8 and loose["lower_bound"] <= fac.objective, dnn.message
        gap = loose["gap"]
    # the recovered ReLU point is feasible: not below the certified bound, and above the optimum by at most the gap
    # its own (rigorous, if loose) bound leaves; 1e-13 relative for the rounding of the two evaluations
    r = 1e-13 * abs(fac.objective)
    assert fac.lower_bound - r <= dnn.objective <= fac.objective + gap + r


def test_scaling_fallback_repairs_a_dual_point_whose_split_is_not_psd():
    """Scale the optimal gradient up by 10%: C_kk < 0 on the non-zero classes, the split fails, and the
    verified scale c < 1 restores S(c) >= 0 exactly as derived; the bound stays valid."""
    p = next(c for c in all_claims() if c.id == "dang2024/relu-structure").default_instances()[0]
    sol = SOLVERS["factored"].solve(p)
    K = p.K
    _, Gamma = p.loss.value_grad(sol.logits_mean, np.arange(K))
    U = 1.1 * Gamma  # inside the CE domain: every true-class probability is above 0.1
    assert np.all(1.0 + np.diag(U) >= 0)
    _, _, S, tau = split(p, U)
    lam_min = float(np.linalg.eigvalsh(S)[0])
    assert lam_min < -tau  # the split of U itself does not verify
    c = verified_scale(p, U)
    a = 0.5 * p.lambda_h * p.n.min()
    assert c is not None and 0 < c < 1
    assert c * c <= a / (a - lam_min) * (1 + 1e-12)  # at least the derived shrink
    _, _, S_c, tau_c = split(p, c * U)
    assert float(np.linalg.eigvalsh(S_c)[0]) >= tau_c
    value = dual_value(p, c * U, np.arange(K), p.weights).value
    assert value <= sol.objective


def test_declines_and_bad_input():
    p = _relu((3, 2, 1), 1e-2)
    assert relu_bound(Problem(sizes=(3, 2, 1)), logits_solution(np.eye(3))) is None  # free features
    negative = solution_of(np.eye(3), -np.eye(3))  # not a ReLU-feasible answer: nothing to certify
    assert relu_bound(p, negative) is None
    with pytest.raises(ValueError, match="^problem: "):
        relu_bound(object(), negative)
    with pytest.raises(ValueError, match="^solution: H_mean has shape"):
        relu_bound(p, replace(negative, H_mean=np.ones((3, 2))))
    assert math.isfinite(relu_bound(p, solution_of(np.eye(3), np.eye(3)))[0])
