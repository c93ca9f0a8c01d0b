"""SELI claims (catalogue §6) against the UF-SVM convex solver, an independent SELI implementation and certified CE solves."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims import seli
from nctheory.geometry import seli_grams
from nctheory.model import Problem
from nctheory.solvers.convex import solve_uf_svm
from claim_helpers import quantity_checks


def _failures(claim, problem, solution):
    checks, _ = quantity_checks(claim, problem, solution)
    return [(c.quantity, c.predicted, c.observed) for c in checks if not c.ok], len(checks)


SIZES = st.lists(st.integers(1, 30), min_size=2, max_size=5)


@settings(max_examples=25)
@given(sizes=SIZES)
def test_seli_targets_match_independent_geometry_module(sizes):
    # nctheory.geometry.seli_grams is a separate implementation (another author): rounding-level agreement
    mine = seli.seli_targets(sizes)
    ref = seli_grams(sizes)
    for key in ("WW", "HH", "WH"):
        np.testing.assert_allclose(mine[key], ref[key], rtol=1e-12, atol=1e-12 * max(sizes))
    # tr(WWᵀ) = Σ n_k ‖h̄_k‖² = ‖SY‖_* (balanced factors)
    assert np.trace(mine["WW"]) == pytest.approx(mine["nuclear"], rel=1e-12)
    assert float(np.asarray(sizes) @ np.diag(mine["HH"])) == pytest.approx(mine["nuclear"], rel=1e-12)


@pytest.mark.parametrize("K, n", [(3, 1), (4, 7), (6, 25)])
def test_balanced_seli_is_the_etf(K, n):
    T = seli.seli_targets((n,) * K)
    S = np.eye(K) - 1.0 / K
    np.testing.assert_allclose(T["WW"], math.sqrt(n) * S, atol=1e-12)
    np.testing.assert_allclose(T["HH"], S / math.sqrt(n), atol=1e-12)


@settings(max_examples=8)
@given(sizes=SIZES)
def test_uf_svm_and_grams_match_the_convex_solver(sizes):
    p = Problem(sizes=tuple(sizes))
    sol = solve_uf_svm(p.sizes)
    assert sol.success
    for claim in (seli.UF_SVM, seli.GRAMS):
        bad, n = _failures(claim, p, sol)
        assert n >= 2 and not bad, (claim.id, bad)


def test_uf_svm_sample_form_gives_the_sel_matrix():
    # full K×N UF-SVM (no class-mean reduction): the logits of every sample are S·Y
    sizes = (4, 2, 1)
    sol = solve_uf_svm(sizes, form="sample")
    assert sol.success and sol.H is not None
    Y = np.zeros((3, 7))
    Y[np.repeat(np.arange(3), sizes), np.arange(7)] = 1.0
    # Clarabel on the K×N SDP form: ~1e-7 accuracy in the logits
    np.testing.assert_allclose(sol.W @ sol.H, (np.eye(3) - 1 / 3) @ Y, atol=1e-5)
    assert sol.objective == pytest.approx(seli.seli_targets(sizes)["nuclear"], rel=1e-6)


def test_step_worked_example():
    # catalogue: k = 10, R = 10, ρ = ½ -> 2.6721, +0.0334, 0.3508 (4 decimals given)
    e = seli.step_formulas(10, 10.0, 0.5)
    assert e["w_sq_ratio"] == pytest.approx(2.6721, abs=5e-5)
    assert e["cos_w_min"] == pytest.approx(0.0334, abs=5e-5)
    assert e["mu_sq_ratio"] == pytest.approx(0.3508, abs=5e-5)
    assert e["cos_w_min"] < 1.0  # no exact minority collapse at finite R


@settings(max_examples=25)
@given(KA=st.integers(1, 5), KB=st.integers(1, 5), R=st.integers(2, 40))
def test_step_formulas_equal_the_seli_grams(KA, KB, R):
    # the closed forms vs (SDS)^{1/2} and D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2} with minority size 1
    k = KA + KB
    e = seli.step_formulas(k, float(R), KB / k)
    T = seli.seli_targets((R,) * KA + (1,) * KB)
    WW, HH = T["WW"], T["HH"]
    a, b = 0, KA  # a majority and a minority index
    assert e["w_sq_maj"] == pytest.approx(WW[a, a], rel=1e-10)
    assert e["w_sq_min"] == pytest.approx(WW[b, b], rel=1e-10)
    assert e["w_in_cross"] == pytest.approx(WW[a, b], rel=1e-10)
    assert e["mu_sq_maj"] == pytest.approx(HH[a, a], rel=1e-10)
    assert e["mu_sq_min"] == pytest.approx(HH[b, b], rel=1e-10)
    assert e["mu_in_cross"] == pytest.approx(HH[a, b], rel=1e-10)
    if KA >= 2:
        assert e["w_in_maj"] == pytest.approx(WW[0, 1], rel=1e-10, abs=1e-12)
        assert e["mu_in_maj"] == pytest.approx(HH[0, 1], rel=1e-10, abs=1e-12)
    if KB >= 2:
        assert e["w_in_min"] == pytest.approx(WW[b, b + 1], rel=1e-10, abs=1e-12)
        assert e["mu_in_min"] == pytest.approx(HH[b, b + 1], rel=1e-10, abs=1e-12)


def test_step_sympy_forms_agree_with_numbers():
    forms = seli.STEP.sympy_forms()
    syms = {s.name: s for e in forms.values() for s in e.free_symbols}
    subs = {syms["k"]: 10, syms["R"]: 10, syms["rho"]: 0.5}
    e = seli.step_formulas(10, 10.0, 0.5)
    for key in ("w_sq_maj", "w_sq_min", "mu_sq_maj", "mu_in_cross", "w_sq_ratio", "mu_sq_ratio"):
        assert float(forms[key].subs(subs)) == pytest.approx(e[key], rel=1e-12)


@pytest.mark.parametrize("sizes", [(10,) * 5 + (1,) * 5, (12, 12, 3, 3, 3), (9, 3)])
def test_step_claim_against_uf_svm(sizes):
    p = Problem(sizes=sizes)
    bad, n = _failures(seli.STEP, p, solve_uf_svm(sizes))
    assert n >= 10 and not bad, bad


@pytest.mark.parametrize("sizes", [(10,) * 3 + (1,) * 3, (20, 20, 5, 5, 5), (50, 10, 2)])
def test_regularization_path_moves_toward_seli(sizes):
    p = Problem(sizes=sizes, lambda_w=1e-3, lambda_h=1e-3)
    check = seli.regularization_path(p, (1e-2, 1e-3, 1e-4, 1e-5))
    assert check.ok, check.message
    assert np.all(check.distances[-1] < 0.75 * check.distances[0])  # measured ratios 0.27-0.39


def test_regularization_path_k2_degenerate_case():
    # K = 2 without bias: the CE optimum is along S for every λ (distances at noise level); the check
    # must not report a spurious increase
    check = seli.regularization_path(Problem(sizes=(30, 1)), (1e-2, 1e-3, 1e-4))
    assert check.ok, check.message
    assert np.all(check.distances < seli.PATH_NOISE)


def test_regularization_path_rejects_bad_lambdas():
    with pytest.raises(ValueError, match="^lambdas:"):
        seli.regularization_path(Problem(sizes=(3, 1)), (1e-3, 1e-2))


def test_regularization_path_claim_is_verified_by_its_sequence_check():
    """Per instance nothing is predicted; the verdict comes from the λ-sequence check alone."""
    from nctheory.verify import verify_claim

    v = verify_claim(seli.REGULARIZATION_PATH, seli.REGULARIZATION_PATH.default_instances()[0])
    assert [c.quantity for c in v.checks] == ["sequence:regularization_path"]
    assert v.verdict == "pass"


def test_assumptions():
    ok = Problem(sizes=(10, 10, 1, 1))
    for claim in seli.CLAIMS:
        assert claim.assumptions(ok) == [], claim.id
        assert any(u.startswith("features:") for u in claim.assumptions(ok.with_(features="relu")))
        assert any(u.startswith("depth:") for u in claim.assumptions(ok.with_(depth=2)))
    assert any(u.startswith("sizes:") for u in seli.STEP.assumptions(Problem(sizes=(10, 5, 1))))
    assert any(u.startswith("bias:") for u in seli.REGULARIZATION_PATH.assumptions(ok.with_(bias="free")))
    assert any(u.startswith("loss:") for u in seli.REGULARIZATION_PATH.assumptions(ok.with_(loss="mse")))
