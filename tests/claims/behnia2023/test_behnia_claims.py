"""Behnia et al. claims (catalogue §9) against certified CS-SVM solves and certified ridge paths."""

from dataclasses import replace

import numpy as np
import pytest

from nctheory.claims.sources import behnia2023 as B
from nctheory.claims.sources.behnia2023.formulas import factor_exponent, half_step, weighted_seli
from nctheory.geometry import seli_grams
from nctheory.model import Problem
from nctheory.model.losses import VectorScaling
from nctheory.solvers.convex.cs_svm import cs_svm_parameters, solve_cs_svm
from nctheory.verify import Verdict, verify_claim
from claim_helpers import assert_quantities_match, quantity_checks


def _svm(problem):
    delta, margins = cs_svm_parameters(problem)
    return solve_cs_svm(problem.sizes, delta, margins)


def _bad(claim, problem, sol):
    checks, _ = quantity_checks(claim, problem, sol)
    return [c.quantity for c in checks if not c.ok]


def test_ldt_geometry_on_random_sizes_and_temperatures():
    rng = np.random.default_rng(8)
    for _ in range(8):
        K = int(rng.integers(2, 8))
        p = Problem(sizes=tuple(int(x) for x in rng.integers(1, 60, K)),
                    loss=VectorScaling(omega=tuple(10 ** rng.uniform(-0.6, 0.6, K))))
        assert_quantities_match(B.LDT_GEOMETRY, p, _svm(p), min_compared=4)


def test_ldt_with_a_uniform_class_temperature():
    # Δ₀ = 2 halves the margins' scale: the prediction follows through ω -> Δ₀ω
    p = Problem(sizes=(6, 3, 1), loss=VectorScaling(delta=(2.0, 2.0, 2.0), omega=(1.0, 0.5, 3.0)))
    assert_quantities_match(B.LDT_GEOMETRY, p, _svm(p), min_compared=4)


def test_ldt_prediction_fails_on_the_plain_uf_svm_solution():
    # the UF-SVM solution (SELI at the true sizes) is not the LDT limit: the check can fail
    p = Problem(sizes=(10,) * 3 + (1,) * 3, loss=VectorScaling(omega=tuple(B.normalised_factors((10,) * 3 + (1,) * 3, 0.5))))
    plain = solve_cs_svm(p.sizes)
    assert {"gram_W", "gram_WH"} <= set(_bad(B.LDT_GEOMETRY, p, plain))


@pytest.mark.parametrize("R, gamma", [(10, 0.25), (100, 0.25), (1000, 0.5), (10, 1.0)])
def test_effective_ratio_of_the_step(R, gamma):
    # k = 10: the LDT classifier cosines are SELI's at R^(1-2γ) (R = 100, γ = 1/4 -> the catalogue's R = 10 value)
    sizes = (R,) * 5 + (1,) * 5
    p = Problem(sizes=sizes, loss=VectorScaling(omega=tuple(B.normalised_factors(sizes, gamma))))
    sol = _svm(p)
    G = sol.W @ sol.W.T
    eff = R ** (1 - 2 * gamma)
    T = weighted_seli(np.array([eff] * 5 + [1.0] * 5))["WW"]
    cos = lambda M, i, j: M[i, j] / np.sqrt(M[i, i] * M[j, j])  # noqa: E731
    assert cos(G, 8, 9) == pytest.approx(cos(T, 8, 9), abs=1e-7)
    assert cos(G, 0, 1) == pytest.approx(cos(T, 0, 1), abs=1e-7)
    if (R, gamma) == (100, 0.25):
        assert cos(G, 8, 9) == pytest.approx(0.033369, abs=5e-7)  # catalogue §9's number for R = 10


def test_symmetric_gamma_on_random_sizes_and_its_failure_elsewhere():
    rng = np.random.default_rng(4)
    for _ in range(5):
        sizes = tuple(int(x) for x in rng.integers(1, 100, int(rng.integers(3, 8))))
        p = Problem(sizes=sizes, loss=VectorScaling(omega=tuple(B.normalised_factors(sizes, 0.5))))
        assert_quantities_match(B.SYMMETRIC_GAMMA, p, _svm(p), min_compared=4)
    # at γ = 1/4 the claim does not apply, and its prediction is wrong there
    sizes = (40, 20, 10, 5, 2)
    p = Problem(sizes=sizes, loss=VectorScaling(omega=tuple(B.normalised_factors(sizes, 0.25))))
    assert B.SYMMETRIC_GAMMA.assumptions(p) and B.SYMMETRIC_GAMMA.assumptions(p)[0].startswith("loss: ")
    bad = [c.quantity for c in quantity_checks(B.SYMMETRIC_GAMMA, p, _svm(p))[0] if not c.ok]
    assert {"w_cos_offdiag", "w_sq_spread"} <= set(bad)


def test_symmetric_path_and_a_wrong_target_fails():
    p = B.SYMMETRIC_GAMMA.default_instances()[0]
    res = B.SYMMETRIC_GAMMA.experiments[0](p)
    assert res.ok and res.certified
    # the same path measured against SELI moves away from it: not monotone
    T = seli_grams(p.sizes)
    wrong = B.limit_path(p, targets=(T["WW"], T["HH"], T["WH"]))
    assert not wrong.ok and not wrong.monotone


def test_cs_svm_limit_default_and_seli_distinction():
    p = B.CS_SVM_LIMIT.default_instances()[0]
    res = B.limit_path(p)
    assert res.ok and res.target_to_seli > 0.1
    assert np.all(res.distances[-1] < res.seli_distances)


def test_cs_svm_limit_for_plain_ce_is_the_seli_path():
    p = Problem(sizes=(10,) * 3 + (1,) * 3, lambda_w=1e-3, lambda_h=1e-3)
    res = B.limit_path(p)
    assert res.ok and res.target_to_seli < 1e-6  # the distinction test is vacuous here, and not required


def test_authors_ldt_formula_refuted_by_value_and_true_without_temperatures():
    v = verify_claim(B.LDT_AUTHORS, B.LDT_AUTHORS.default_instances()[0])
    assert v.verdict == Verdict.FAIL and v.refutation is not None
    assert v.refutation["predicted_objective"] == pytest.approx(21.6381001646, rel=1e-9)
    assert v.refutation["feasible_objective"] == pytest.approx(18.7302494708, rel=1e-8)
    # with equal temperatures the authors' point is SELI, which is the optimum: no refutation
    sizes = (10,) * 5 + (1,) * 5
    p = Problem(sizes=sizes, loss=VectorScaling(omega=(1.0,) * 10))
    assert verify_claim(B.LDT_AUTHORS, p).verdict == Verdict.PASS


def test_authors_cdt_form_on_random_steps():
    rng = np.random.default_rng(6)
    for _ in range(6):
        KA, R, nB = int(rng.integers(2, 6)), int(rng.integers(2, 200)), int(rng.integers(1, 4))
        sizes = (R * nB,) * KA + (nB,) * KA
        p = Problem(sizes=sizes, loss=VectorScaling(delta=tuple(B.normalised_factors(sizes, rng.uniform(-1, 1.5)))))
        assert_quantities_match(B.CDT_STEP, p, _svm(p), min_compared=13)


def test_cdt_form_fails_on_a_perturbed_solution():
    p = B.CDT_STEP.default_instances()[0]
    sol = _svm(p)
    assert {"w_sq_A", "objective"} <= set(_bad(B.CDT_STEP, p, replace(sol, W=sol.W * 1.001, objective=sol.objective * 1.001)))


def test_requirements_name_fields():
    step = (10,) * 3 + (1,) * 3
    lopsided = Problem(sizes=(10, 10, 1), loss=VectorScaling(delta=(1.0, 2.0, 1.0)))
    assert any(m.startswith("sizes: ") for m in B.CDT_STEP.assumptions(lopsided))
    mixed = Problem(sizes=step, loss=VectorScaling(delta=(1.0, 2.0, 1.0, 1.0, 1.0, 1.0)))
    assert any(m.startswith("loss: ") for m in B.CDT_STEP.assumptions(mixed))
    assert any(m.startswith("loss: ") for m in B.LDT_GEOMETRY.assumptions(mixed))
    assert any(m.startswith("loss: ") for m in B.LDT_GEOMETRY.assumptions(Problem(sizes=step, loss="mse")))
    assert any(m.startswith("bias: ") for m in B.CS_SVM_LIMIT.assumptions(Problem(sizes=step, bias="free")))


def test_factor_helpers():
    sizes = (9, 4, 1)
    f = B.normalised_factors(sizes, 0.5)
    assert f.sum() == pytest.approx(3.0) and f[0] / f[2] == pytest.approx(3.0)
    assert factor_exponent(sizes, f) == pytest.approx(0.5)
    assert factor_exponent(sizes, [1.0, 2.0, 1.0]) is None
    assert half_step((5, 5, 1, 1)) == (5.0, 1.0, 2, 2)
    with pytest.raises(ValueError, match=r"^sizes: "):
        half_step((5, 5, 1))


@pytest.mark.xfail(strict=True, reason="finding: at sizes 1×6 with the default VS parameters the W-distance to the "
                                       "certified CS-SVM along λ = 1e-2 … 1e-5 is 0.0795, 0.1020, 0.1021, 0.0960: not "
                                       "monotone, so the path check fails (H and WH distances do decrease)")
def test_finding_cs_svm_path_not_monotone_at_unit_sizes():
    p = B.CS_SVM_LIMIT.default_instances()[0].with_(sizes=(1,) * 6)
    assert verify_claim(B.CS_SVM_LIMIT, p).verdict == Verdict.PASS
