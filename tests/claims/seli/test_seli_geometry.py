"""SELI formulas (catalogue §6): the SELI Grams against an independent construction, and the (R,ρ)-step closed
forms against the Grams, the worked example and sympy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import seli
from nctheory.geometry import centering, psd_sqrt

SIZES = st.lists(st.integers(1, 30), min_size=2, max_size=5)


@settings(max_examples=25)
@given(sizes=SIZES)
def test_seli_targets_match_an_eigendecomposition_construction(sizes):
    # seli_targets takes both square roots from one SVD of SD^{1/2}; here they come from eigh of SDS and of
    # D^{1/2}SD^{1/2} (psd_sqrt, which zeroes the exact null space): a different numerical route.  Measured
    # agreement 6e-15 of the matrix scale over 400 profiles; 1e-12 is rounding with a margin
    n = np.asarray(sizes, dtype=float)
    S, Dh = centering(n.size), np.diag(np.sqrt(n))
    T = seli.seli_targets(sizes)
    WW = psd_sqrt(S @ np.diag(n) @ S)
    HH = psd_sqrt(Dh @ S @ Dh) / np.sqrt(np.outer(n, n))
    np.testing.assert_allclose(T["WW"], WW, rtol=0, atol=1e-12 * np.abs(WW).max())
    np.testing.assert_allclose(T["HH"], HH, rtol=0, atol=1e-12 * np.abs(HH).max())
    np.testing.assert_array_equal(T["WH"], S)
    # tr(WWᵀ) = Σ n_k ‖h̄_k‖² = ‖SY‖_* = ‖SD^{1/2}‖_* (balanced factors)
    nuclear = float(np.linalg.svd(S @ Dh, compute_uv=False).sum())
    assert T["nuclear"] == pytest.approx(nuclear, rel=1e-12)
    assert float(n @ np.diag(T["HH"])) == pytest.approx(nuclear, rel=1e-12)


@pytest.mark.parametrize("K, n", [(3, 1), (4, 7), (6, 25)])
def test_balanced_seli_is_the_etf(K, n):
    T = seli.seli_targets((n,) * K)
    S = np.eye(K) - 1.0 / K
    np.testing.assert_allclose(T["WW"], math.sqrt(n) * S, atol=1e-12)
    np.testing.assert_allclose(T["HH"], S / math.sqrt(n), atol=1e-12)


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
    forms = seli.STEP.symbolic()
    syms = {s.name: s for e in forms.values() for s in e.free_symbols}
    subs = {syms["k"]: 10, syms["R"]: 10, syms["rho"]: 0.5}
    e = seli.step_formulas(10, 10.0, 0.5)
    for key in ("w_sq_maj", "w_sq_min", "mu_sq_maj", "mu_in_cross", "w_sq_ratio", "mu_sq_ratio"):
        assert float(forms[key].subs(subs)) == pytest.approx(e[key], rel=1e-12)


@settings(max_examples=25)
@given(KA=st.integers(1, 4), KB=st.integers(1, 4), nB=st.integers(1, 9), R=st.integers(2, 12))
def test_predicted_objectives_are_the_uf_svm_value(KA, KB, nB, R):
    # every UF-SVM claim predicts the value of its minimiser (value refutation): ½‖W‖² + ½Σn_k‖h̄_k‖² of the
    # predicted Grams = ‖SY‖_* (measured 1.2e-15 relative over 300 profiles)
    from nctheory.model import Problem

    p = Problem(sizes=(R * nB,) * KA + (nB,) * KB)
    nuc = seli.seli_targets(p.sizes)["nuclear"]
    for claim in (seli.UF_SVM, seli.GRAMS, seli.STEP):
        assert claim.predict(p).objective == pytest.approx(nuc, rel=1e-12), claim.id
