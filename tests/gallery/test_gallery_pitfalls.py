"""The three pitfall figures (fang-figure3, dang2024-margin, hong-ling-factor4): their numbers in quick mode against
independent closed forms, and the helpers they draw from.  The full grids are the gallery build's
(``nctheory gallery NAME --out DIR``); quick mode solves a few points (~5 s for the three)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources.dang2024 import authors_margin as am
from nctheory.claims.sources.dang2024.formulas import margin_alive
from nctheory.claims.sources.fang import figure3 as f3
from nctheory.gallery import main

NAMES = ("fang-figure3", "dang2024-margin", "hong-ling-factor4")


@pytest.fixture(scope="module")
def numbers(tmp_path_factory):
    out = tmp_path_factory.mktemp("pitfalls")
    codes = [main([name, "--out", str(out), "--quick", "--json"]) for name in NAMES]
    data = {n: json.loads((out / f"{n.replace('-', '_')}.json").read_text(encoding="utf-8")) for n in NAMES}
    return codes, data


def test_each_item_passes_and_records_points(numbers):
    codes, data = numbers
    assert codes == [0, 0, 0], {n: d["inconclusive"] for n, d in data.items()}
    for d in data.values():
        assert d["agreement"] and all(r["ok"] for r in d["agreement"])
        assert d["pitfalls"] and all(p["text"] and p["shown"] for p in d["pitfalls"])


# ------------------------------------------------------------------------------------ Fang Figure 3
def _cosines_from_rows(X, i, j):
    # both definitions written out again here (not through the helpers of nctheory.claims.sources.fang.figure3)
    K = X.shape[0] // 2
    a, b = X[K + i], X[K + j]
    return X[K + i, K + j] / math.sqrt(X[K + i, K + i] * X[K + j, K + j]), a @ b / np.linalg.norm(a) / np.linalg.norm(b)


def test_fang_figure3_parameters_and_pitfall(numbers):
    d = numbers[1]["fang-figure3"]["numbers"]
    assert (d["K_A"], d["K_B"], d["E_W"], d["E_H"]) == (5, 5, 1.0, 5.0)
    R = np.asarray(d["R_grid"])
    np.testing.assert_allclose(R, 10.0 ** (0.1 * np.arange(41)), rtol=1e-15)
    true, rows = np.asarray(d["true_cosine_predicted"]), np.asarray(d["gram_row_cosine_predicted"])
    R0 = d["onset_predicted"]
    after = R >= R0 * 1.001
    # from the onset on the minority classifiers coincide: both cosines are exactly 1 (rounding only)
    assert after.any() and np.all(np.abs(true[after] - 1) < 1e-9) and np.all(np.abs(rows[after] - 1) < 1e-9)
    # balanced (R = 1): the ETF, cos = −1/(K−1)
    assert true[0] == pytest.approx(-1 / 9, abs=1e-9)
    # before the onset the row cosine is far above the true one: the pitfall, with numbers
    before = (R > 1.0) & (R < R0 / 1.001)
    assert np.all(rows[before] > true[before])
    assert d["max_difference"] > 0.4 and d["max_difference_R"] < R0
    for s in d["solved"]:
        Xp = f3.predicted_gram(s["R"])
        t, r = _cosines_from_rows(Xp, *d["pair"])
        # SDP solves (tolerance <= 1e-10) put X within ~1e-6 of the reduction (the agreement records); cosines of
        # vectors of norm >= 0.3 then agree to 1e-5
        assert s["true_cosine"] == pytest.approx(t, abs=1e-5) and s["gram_row_cosine"] == pytest.approx(r, abs=1e-5)
    at10 = next(s for s in d["solved"] if s["i"] == 10)
    assert at10["true_cosine"] == pytest.approx(0.5175, abs=1e-4)
    assert at10["gram_row_cosine"] == pytest.approx(0.9412, abs=1e-4)


def test_fang_figure3_gram_budgets_are_active():
    # the reduction's X must spend both budgets exactly: tr X_WW = K E_W, tr X_HH = K E_H, and be PSD.  Measured:
    # traces to <= 2.2e-15 relative, smallest eigenvalue >= −3.3e-15 (rounding of the closed-form matrices);
    # 1e-12 leaves a factor > 100 and still catches a wrong γ² = √(E_W/E_H) (a factor √5 off)
    for R in (1.0, 3.0, 10.0, 50.0):
        X = f3.predicted_gram(R)
        K = X.shape[0] // 2
        assert np.trace(X[K:, K:]) == pytest.approx(K * f3.E_W, rel=1e-12)
        assert np.trace(X[:K, :K]) == pytest.approx(K * f3.E_H, rel=1e-12)
        assert np.linalg.eigvalsh(X).min() > -1e-12


def test_gram_row_cosine_on_explicit_vectors():
    # two classifiers at 90° among K = 2 stacked vectors: the true cosine is 0, the Gram rows are
    # (⟨w1,h1⟩, ⟨w1,h2⟩, ⟨w1,w1⟩, ⟨w1,w2⟩) = (1, 1, 1, 0) and (0, 1, 0, 1) for h1 = w1 = e1, h2 = e1 + e2, w2 = e2
    V = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])  # rows: h1, h2, w1, w2
    X = V @ V.T
    assert f3.true_cosine(X, 0, 1) == 0.0
    assert f3.gram_row_cosine(X, 0, 1) == pytest.approx(1.0 / math.sqrt(6.0), rel=1e-15)  # rows · = 1, norms √3, √2


# ------------------------------------------------------------------------------------ Dang 2024 margin
@settings(max_examples=30)
@given(K=st.integers(2, 8), N=st.integers(10, 500), log_lw=st.floats(-4, -1), log_lh=st.floats(-4, -1))
def test_margin_constants_agree_iff_lambda_w_is_four_lambda_h(K, N, log_lw, log_lh):
    lw, lh = 10.0 ** log_lw, 10.0 ** log_lh
    c, cc = am.derived_constant(K, N, lw, lh), am.code_constant(K, N, lw, lh)
    assert cc / c == pytest.approx(0.5 * math.sqrt(lw / lh), rel=1e-12)
    assert am.code_constant(K, N, 4 * lh, lh) == pytest.approx(am.derived_constant(K, N, 4 * lh, lh), rel=1e-14)
    # the derived constant gives the registered claim's margin
    n = np.array([N / 2.0])
    if np.sqrt(n[0]) / c > 1 + 1 / (K - 1):
        assert am.margin_with_constant(K, n, c)[0] == pytest.approx(margin_alive(K, N, n, lw, lh)[0], rel=1e-12)


def test_dang2024_margin_solved_follow_the_derived_constant(numbers):
    d = numbers[1]["dang2024-margin"]["numbers"]
    K = len(d["sizes"])
    for s in d["solved"]:
        m, der, code = (np.asarray(s[k]) for k in ("margins", "derived", "code"))
        # factored restarts reach the margins to ~5e-9 (agreement records); 1e-6 leaves room
        np.testing.assert_allclose(m, der, atol=1e-6)
        if s["ratio"] == 4.0:
            np.testing.assert_allclose(code, der, rtol=1e-12)
        else:  # away from λ_W = 4λ_H the code's margins are off by O(1) here: log(√r/2) per class at large t
            assert np.min(np.abs(code - der)) > 0.5, (s["ratio"], code, der)
    assert K == 3 and {1.0, 4.0, 16.0} <= {s["ratio"] for s in d["solved"]}


# ------------------------------------------------------------------------------------ Hong & Ling factor 4
def test_hong_ling_factor4_threshold_in_the_code_units(numbers):
    d = numbers[1]["hong-ling-factor4"]["numbers"]
    N, n_B = d["N"], d["n_B"]
    thr = d["thresholds"]
    assert thr["code_units"] == pytest.approx(math.sqrt(n_B) / (2 * N), rel=1e-15)
    assert thr["canonical_formula_misapplied"] == pytest.approx(2 * thr["code_units"], rel=1e-15)
    between = 0
    for s in d["solved"]:
        lc = s["lambda_code"]
        assert s["lambda_canonical"] == pytest.approx(2 * lc, rel=1e-15)
        # collapse iff n_B <= 4 N² λ'_W λ'_H (code units), certified solves
        assert s["minority_collapsed"] == (n_B <= 4 * N**2 * lc * lc)
        if thr["code_units"] < lc < thr["canonical_formula_misapplied"]:
            between += 1  # collapsed although the misapplied formula says separated
            assert s["minority_collapsed"] and n_B > N**2 * lc * lc
    assert between >= 2
