"""SELI claims (catalogue §6) against the UF-SVM convex solver and certified CE solves along λ → 0."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import seli
from nctheory.model import Problem
from nctheory.solvers.convex import solve_uf_svm
from nctheory.verify import verify_claim
from claim_helpers import quantity_checks

SIZES = st.lists(st.integers(1, 30), min_size=2, max_size=5)


def _failures(claim, problem, solution):
    checks, _ = quantity_checks(claim, problem, solution)
    return [(c.quantity, c.predicted, c.observed) for c in checks if not c.ok], len(checks)


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


@pytest.mark.parametrize("sizes", [(10,) * 5 + (1,) * 5, (12, 12, 3, 3, 3), (9, 3)])
def test_step_claim_against_uf_svm(sizes):
    p = Problem(sizes=sizes)
    bad, n = _failures(seli.STEP, p, solve_uf_svm(sizes))
    assert n >= 10 and not bad, bad


def test_grams_observation_can_fail():
    p = Problem(sizes=(7, 3, 2, 1))
    sol = solve_uf_svm(p.sizes)
    bad, _ = _failures(seli.GRAMS, p, replace(sol, W=sol.W * 1.01))
    assert {"gram_W", "gram_WH"} <= {b[0] for b in bad}


def test_uf_svm_claims_are_refuted_by_a_lower_value():
    # a claim whose predicted minimiser value were 1e-4 above the UF-SVM optimum (beyond the 1e-6 margin that
    # covers the conic solver's feasibility tolerance) is refuted by value, without a certificate
    p = seli.UF_SVM.default_instances()[1]
    for claim in (seli.UF_SVM, seli.GRAMS):
        raised = replace(claim, predict=lambda q, c=claim: replace(c.predict(q), objective=c.predict(q).objective * (1 + 1e-4)))
        v = verify_claim(raised, p)
        assert v.verdict == "fail" and v.refutation is not None, (claim.id, v.notes)


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
    with pytest.raises(ValueError, match="^noise:"):
        seli.regularization_path(Problem(sizes=(3, 1)), (1e-2, 1e-3), noise=-1.0)


def test_seli_distances_of_a_zero_gram_are_nan():
    p = Problem(sizes=(3, 1))
    sol = solve_uf_svm(p.sizes)
    d = seli.seli_distances(p, replace(sol, W=np.zeros_like(sol.W)))
    assert np.isnan(d[0]) and np.isnan(d[2]) and np.isfinite(d[1])


def test_regularization_path_claim_is_verified_by_its_sequence_check():
    """Per instance nothing is predicted; the verdict comes from the λ-sequence check alone."""
    v = verify_claim(seli.REGULARIZATION_PATH, seli.REGULARIZATION_PATH.default_instances()[0])
    assert [c.quantity for c in v.checks] == ["sequence:regularization_path"]
    assert v.verdict == "pass"


@pytest.mark.parametrize("claim", [seli.UF_SVM, seli.GRAMS, seli.STEP], ids=lambda c: c.id)
def test_uf_svm_default_instances_agree(claim):
    for p in claim.default_instances():
        v = verify_claim(claim, p)
        # the UF-SVM reference is a cvxpy solve without a certificate of its own yet (the bounds work certifies
        # cvxpy answers): agreement with it is "consistent" until then; every quantity must agree
        assert v.verdict in ("pass", "consistent"), (claim.id, v.notes)
        assert v.checks and all(c.ok for c in v.checks)


def test_assumptions():
    ok = Problem(sizes=(10, 10, 1, 1))
    for claim in seli.CLAIMS:
        assert claim.assumptions(ok) == [], claim.id
        assert any(u.startswith("features:") for u in claim.assumptions(ok.with_(features="relu")))
        assert any(u.startswith("depth:") for u in claim.assumptions(ok.with_(depth=2)))
    assert any(u.startswith("sizes:") for u in seli.STEP.assumptions(Problem(sizes=(10, 5, 1))))
    assert any(u.startswith("bias:") for u in seli.REGULARIZATION_PATH.assumptions(ok.with_(bias="free")))
    assert any(u.startswith("loss:") for u in seli.REGULARIZATION_PATH.assumptions(ok.with_(loss="mse")))
    # the UF-SVM uses only the sizes: an MSE instance is the same UF-SVM
    assert seli.UF_SVM.assumptions(ok.with_(loss="mse")) == []
    assert any(u.startswith("d:") and "rank of SY" in u for u in seli.GRAMS.assumptions(Problem(sizes=(5, 4, 3, 2), d=2)))


def test_regularization_path_starts_at_the_first_nonzero_solution():
    # sizes 10x3, 1x3 at λ = 1e-2: the path 1, 0.1 (zero solutions: λN = 0.33 and 3.3 above the zero threshold),
    # 1e-2, 1e-3; the claim is about λ → 0, so the two zero solutions are skipped, and the rest decides
    check = seli.regularization_path(Problem(sizes=(10,) * 3 + (1,) * 3, lambda_w=1e-2, lambda_h=1e-2))
    assert np.all(np.isnan(check.distances[:2])) and np.all(np.isfinite(check.distances[2:]))
    assert check.ok and not check.undecided and "judged from λ = 1.0e-02" in check.message


def test_regularization_path_of_zero_solutions_decides_nothing():
    # λ = 1: every solution of the path 100 ... 0.1 is zero; no direction, so neither pass nor refutation
    p = Problem(sizes=(10,) * 3 + (1,) * 3, lambda_w=1.0, lambda_h=1.0)
    check = seli.regularization_path(p)
    assert check.undecided and not check.ok and np.all(np.isnan(check.distances))
    v = verify_claim(seli.REGULARIZATION_PATH, p)
    assert v.verdict == "inconclusive" and v.refutation is None, v.reason


def test_seli_targets_grouped_equal_the_dense_ones():
    # the grouped square roots (one C x C SVD) against the dense ones (one K x K SVD): both exact to rounding
    from nctheory.claims.sources.seli.formulas import seli_targets

    for sizes in [(7,) * 3 + (2,) * 4 + (1,), (5,) * 10, (40,) * 2 + (3,) * 5 + (1,) * 2]:
        dense, grouped = seli_targets(sizes), seli_targets(sizes, grouped=True)
        for key in ("WW", "HH", "WH"):
            assert np.abs(grouped[key].dense() - dense[key]).max() <= 1e-13 * max(1.0, np.abs(dense[key]).max())
        assert grouped["nuclear"] == pytest.approx(dense["nuclear"], rel=1e-13)
