"""The paper-reproduction gallery and the runnable examples.

One module-scoped run of every gallery item in ``--quick`` mode (~15 s), then checks on what it wrote:
non-trivial PNGs; every recorded predicted-vs-solved point re-checked against the tolerance the claim
registry states *now* (not the one copied into the JSON); and the numbers each figure is about
(thresholds, worked examples, located onsets, pitfalls) against independent closed forms and the
catalogue's printed values.  Plus the CLI contract of ``main`` and the examples in docs/examples.
"""

from __future__ import annotations

import json
import math
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims import get_claim
from nctheory.diagnostics import classifier_gradient_pull_push
from nctheory.gallery import ITEMS, exit_code, main
from nctheory.gallery.agreement import AgreementLog, jsonable
from nctheory.gallery.dang2023 import lambda_for_depth
from nctheory.gallery.dang2024 import lambda_for_tau
from nctheory.gallery.output import GalleryResult
from nctheory.gallery.yang import push_pull_ratio_predicted
from nctheory.geometry import simplex_etf

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


# ----------------------------------------------------------------------------------- the run
@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    code = main(["--all", "--out", str(out), "--quick", "--json"])
    data = {name: json.loads((out / f"{name.replace('-', '_')}.json").read_text(encoding="utf-8")) for name in ITEMS}
    return out, code, data


def test_every_item_passes_in_quick_mode(gallery):
    _, code, data = gallery
    bad = {name: [(r["claim"], r["quantity"], r["max_abs_err"]) for r in d["agreement"] if not r["ok"]]
           for name, d in data.items() if not d["ok"] or d["inconclusive"]}
    assert code == 0, bad or {n: d["inconclusive"] for n, d in data.items()}
    for name, d in data.items():
        assert d["name"] == name and d["quick"] is True
        assert d["agreement"], f"{name}: no predicted-vs-solved comparison recorded"
        assert d["pitfalls"] and all(p["text"] and p["shown"] for p in d["pitfalls"])


def test_figures_are_nontrivial_pngs(gallery):
    import matplotlib.image as mpimg

    out, _, _ = gallery
    for name in ITEMS:
        path = out / f"{name.replace('-', '_')}.png"
        raw = path.read_bytes()
        assert raw[:8] == b"\x89PNG\r\n\x1a\n", name
        # a multi-panel figure with curves, markers and text is tens of kB; a blank canvas is ~5 kB
        assert len(raw) > 40_000, (name, len(raw))
        img = mpimg.imread(path)
        assert img.shape[0] >= 400 and img.shape[1] >= 900, (name, img.shape)
        rgb = (img[..., :3].reshape(-1, 3) * 255).astype(np.int64)
        inked = np.mean(np.any(rgb < 230, axis=1))
        colours = np.unique(rgb[:, 0] * 65536 + rgb[:, 1] * 256 + rgb[:, 2]).size
        # drawn content covers several percent of the canvas and uses many colours (lines, markers, antialiasing)
        assert inked > 0.03 and colours > 100, (name, inked, colours)


def test_recorded_points_are_within_the_registered_claim_tolerances(gallery):
    _, _, data = gallery
    n_points = 0
    for name, d in data.items():
        for rec in d["agreement"]:
            tol = get_claim(rec["claim"]).tolerance(rec["quantity"])
            assert rec["tol"]["abs"] == tol.abs and rec["tol"]["rel"] == tol.rel, (name, rec["quantity"])
            assert rec["n_points"] == len(rec["points"]) > 0
            for pt in rec["points"]:
                p = np.asarray(pt["predicted"], dtype=float)
                o = np.asarray(pt["observed"], dtype=float)
                # re-checked here from the JSON alone: within the claim's allowance (scaled with the matrix for
                # 2-D quantities) plus the precision the engine measured for that solve
                prec = 0.0 if pt.get("precision") is None else float(pt["precision"])
                assert pt["decision"] == "agree", (name, rec["claim"], rec["quantity"], pt)
                assert np.all(np.abs(p - o) <= tol.allowance(p) + prec + 1e-300), (name, rec["quantity"], pt)
                n_points += 1
    assert n_points >= 300  # the quick gallery compares a few hundred predicted-vs-solved values


def test_exit_code_and_bad_input(tmp_path, capsys):
    assert main(["--list"]) == 0
    assert main(["nonsense", "--out", str(tmp_path)]) == 2
    assert "name: unknown gallery item" in capsys.readouterr().err
    assert main(["seli", "--all", "--out", str(tmp_path)]) == 2
    assert main(["--out", str(tmp_path)]) == 2
    assert main(["seli"]) == 2
    assert "out: an output directory is required" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing drawn on bad input
    mk = lambda ok, bad: GalleryResult("x", "p", "j", ok, tuple(bad), 1, 0.0)  # noqa: E731
    assert exit_code([mk(True, [])]) == 0
    assert exit_code([mk(True, ["a solve was not certified"]), mk(True, [])]) == 3
    assert exit_code([mk(False, []), mk(True, ["x"])]) == 1


# ------------------------------------------------------------- the numbers each figure is about
def test_hong_ling_thresholds_and_pitfalls(gallery):
    d = gallery[2]["hong-ling"]["numbers"]
    ls = d["lambda_sweep"]
    K_A, K_B, n_A, n_B = ls["K_A"], ls["K_B"], ls["n_A"], ls["n_B"]
    N = K_A * n_A + K_B * n_B
    lam_star = math.sqrt(n_B) / N  # HL-threshold, catalogue §2
    assert ls["critical_lambda_minority"] == pytest.approx(lam_star, rel=1e-14)
    na = d["n_A_sweep"]
    assert na["critical_n_A"] == pytest.approx((math.sqrt(n_B) / na["lambda"] - K_B * n_B) / K_A, rel=1e-14)
    for lam, obs in zip(ls["lambdas_solved"], ls["observed"]):
        # s_B is exactly 0 past the threshold (soft-thresholded singular value) and O(1) before it;
        # 1e-6: certified logits are accurate to ~1e-7 here (measured 6e-9)
        if lam >= lam_star * 1.01:
            assert abs(obs["s_B"]) <= 1e-6, (lam, obs["s_B"])
        elif lam <= lam_star * 0.99:
            assert obs["s_B"] > 1e-3, (lam, obs["s_B"])
    # README pitfall: in the zero regime every solve returns mean logits exactly 0
    assert d["pitfall_zero_regime_max_abs_zbar"], "no solved point in the Z = 0 regime"
    assert all(z == 0.0 for _, z in d["pitfall_zero_regime_max_abs_zbar"])
    # rows vs columns of W H̄: the two cosines differ visibly before the collapse (0.05 measured at 1e-9 accuracy)
    assert d["pitfall_rows_vs_columns_max_difference"] > 0.02


def test_dang2023_closed_form_worked_example_and_root_rule(gallery):
    d = gallery[2]["dang2023"]["numbers"]
    w = d["worked_example"]
    n = np.asarray(w["sizes"], dtype=float)
    lam = w["lambda"]
    closed = np.sqrt(n * lam / lam) - n.sum() * lam  # M = 1: σ_k = √(n_kλ_H/λ_W) − Nλ_H (catalogue §3)
    # the catalogue prints 5 decimals (rounding <= 5e-6); certified σ are accurate to ~1e-12
    np.testing.assert_allclose(w["catalogue"], closed, atol=5e-6)
    np.testing.assert_allclose(w["solved"], w["catalogue"], atol=5e-6 + 1e-9)
    m1 = d["depths"]["1"]
    n1 = np.asarray(d["sizes"], dtype=float)
    sig1 = np.maximum(np.sqrt(n1 * m1["lambda"] / m1["lambda"]) - n1.sum() * m1["lambda"], 0.0)
    np.testing.assert_allclose(m1["solved_sigma"], sig1, atol=1e-9)  # certified: rel gap 1e-10 on σ ~ 1
    for M in ("2", "3", "6"):
        dm = d["depths"][M]
        # the global threshold was placed at n* = 21: classes above it alive, below it zero (solved)
        thr = (int(M) - 1) ** ((int(M) - 1) / int(M)) / int(M)
        beta = np.asarray(dm["beta"])
        solved = np.asarray(dm["solved_sigma"])
        assert np.all((solved > 1e-6) == (beta < thr)), (M, beta, solved)
        # the authors'-code rule differs somewhere, and the global solve sides with the global rule
        wrong = [r for r in dm["rules_differ"] if r["authors_sigma"] is not None]
        assert wrong, M
        for r in wrong:
            assert r["authors_sigma"] > 1e-3 and abs(r["solved_sigma"]) <= 1e-6, (M, r)
    e = d["pitfall_band_class"]
    assert e["zero_threshold_beta"] <= e["beta"] <= e["peak_beta"] and e["G_at_root"] > e["G_at_zero"]


def test_dang2024_threshold_and_spurious_restarts(gallery):
    d = gallery[2]["dang2024"]["numbers"]
    n = np.asarray(d["sizes"], dtype=float)
    K, N = n.size, n.sum()
    for tau, t in d["taus"].items():
        lam = t["lambda"]
        assert K * N**2 * lam * lam / (K - 1) == pytest.approx(float(tau), rel=1e-12)
        h = np.asarray(t["observed"]["h_norm_sq"])
        # RELU-collapse: h̄_k = 0 iff n_k <= τ; factored solves put zero classes at ~1e-18, live ones >= 1e-2
        assert np.all((h <= 1e-7 * h.max()) == (n <= float(tau))), (tau, h)
    runs = d["pitfall_restarts"]
    f_star = runs["predicted_objective"]
    for run in runs["runs"]:
        for f, flagged in zip(run["objectives"], run["flagged"]):
            if flagged:  # a restart with a live class switched off is strictly worse than the optimum
                assert f > f_star + 1e-8, (run["d"], f, f_star)
            else:  # no feasible point lies below the predicted global optimum; 1e-9 absorbs rounding only
                assert f >= f_star - 1e-9


def test_yang_fixed_etf_keeps_the_minority_apart(gallery):
    d = gallery[2]["yang"]["numbers"]
    K = d["K_A"] + d["K_B"]
    for row in d["solved"]:
        for variant in ("per-sample", "penalty", "average"):
            # fixed ETF: minority classifiers and (free) minority means keep the ETF angle −1/(K−1);
            # 1e-5: convex fixed-ETF solves fix directions to ~sqrt(gap) ~ 1e-6
            assert row[variant]["cos_h_BB"] == pytest.approx(-1 / (K - 1), abs=1e-5)
            assert row[variant]["cos_w_BB"] == pytest.approx(-1 / (K - 1), abs=1e-12)
        assert row["per-sample"]["ratio"] == pytest.approx(1.0, abs=1e-6)
        R = row["R"]
        if R > d["learned_collapse_ratio"] * 1.01:  # learned classifier: the minority has collapsed
            assert row["learned"]["cos_w_BB"] == pytest.approx(1.0, abs=1e-6)


def test_fang_onset_located_on_sdp_solves_matches_prediction(gallery):
    d = gallery[2]["fang"]["numbers"]
    assert d["onsets_located"]
    for x in d["onsets_located"]:
        a, b = x["bracket"]
        # the spread predicate (COLLAPSE_SQ_TOL = 1e-5) biases a located onset by <~1e-5 relative (fang module doc)
        assert a * (1 - 1e-4) <= x["predicted"] <= b * (1 + 1e-4), x
    for ewh, s in d["series"].items():
        R0 = s["onset_predicted"]
        for pt in s["solved"]:
            # 1e-4: Clarabel Grams are accurate to ~1e-5 (fang tolerances); separated spreads are O(0.1) here
            if pt["R"] >= R0 * 1.01:
                assert pt["minority_w_spread_sq"] <= 1e-4, (ewh, pt)
            elif pt["R"] <= R0 * 0.99:
                assert pt["minority_w_spread_sq"] > 1e-3, (ewh, pt)
    K = 2 * d["K_A"]
    after = d["oversampling"]["after oversampling"]
    assert after["solved_minority_pair"] == pytest.approx(2 * K / (K - 1), abs=1e-4)  # ETF pair distance


def test_seli_worked_example_and_path(gallery):
    d = gallery[2]["seli"]["numbers"]
    w = d["worked_example"]
    for key, printed in w["catalogue"].items():  # catalogue §6 prints 4 decimals
        assert w["formula"][key] == pytest.approx(printed, abs=5e-5)
        assert w["solved"][key] == pytest.approx(printed, abs=5e-5 + 1e-6)
    path = d["path"]
    dist = np.asarray(path["distances_W_H_WH"])
    assert path["certified"] and np.all(np.diff(dist, axis=0) < 0)  # strictly closer to SELI as λ decreases
    assert max(path["uf_svm_distances"]) <= 1e-6  # the λ → 0 problem sits on SELI (Clarabel ~1e-8)


def test_allnc_squeezes_share_the_threshold_and_repair_is_refuted(gallery):
    d = gallery[2]["allnc"]["numbers"]
    n = np.asarray(d["sizes"], dtype=float)
    lam_star = math.sqrt(n.min()) / n.sum()
    on = d["onsets_located"]
    for key in ("classifier", "means"):
        a, b = on[f"{key}_bracket"]
        assert a <= lam_star * (1 + 1e-12) and lam_star <= b * (1 + 1e-12), (key, a, b, lam_star)
    rep = d["repair_claim"]
    assert rep["expected"] == "false" and rep["refuted"]
    assert rep["observed"]["minority_h_squeezed"] is False and rep["observed"]["self_duality_broken"] is False
    assert rep["observed"]["nc1"] <= 1e-8  # full-sample fixed-ETF features sit on their class means
    for cluster, v in d["cluster_squeeze"].items():
        np.testing.assert_allclose(v["solved"], v["predicted"], atol=1e-6)  # certified/convex: ~1e-8


# ------------------------------------------------------------------ small pieces, by property
@given(st.integers(1, 8), st.floats(2.0, 500.0), st.lists(st.integers(1, 400), min_size=2, max_size=8))
def test_lambda_for_depth_puts_the_zero_threshold_at_n_star(M, n_star, sizes):
    lam = lambda_for_depth(M, sizes, n_star)
    N = sum(sizes)
    b = M * N * lam * (N * lam) ** (1.0 / M)  # β_k n_k, catalogue §3
    thr = 1.0 if M == 1 else (M - 1) ** ((M - 1) / M) / M
    assert b / n_star == pytest.approx(thr, rel=1e-12)


@given(st.floats(0.01, 1e3), st.lists(st.integers(1, 500), min_size=2, max_size=8))
def test_lambda_for_tau_inverts_tau(tau, sizes):
    lam = lambda_for_tau(tau, tuple(sizes))
    K, N = len(sizes), sum(sizes)
    assert K * N**2 * lam**2 / (K - 1) == pytest.approx(tau, rel=1e-12)  # τ of catalogue §4


@settings(max_examples=10)
@given(st.lists(st.integers(1, 60), min_size=3, max_size=6), st.floats(0.1, 3.0), st.data())
def test_push_pull_closed_form_matches_the_gradient_split(sizes, c, data):
    k = data.draw(st.integers(0, len(sizes) - 1))
    K = len(sizes)
    W = simplex_etf(K)  # unit rows
    labels = np.repeat(np.arange(K), sizes)
    H = c * W[labels].T  # every feature at c w*_y (the fixed-ETF optimum's shape)
    pp = classifier_gradient_pull_push(W, H, labels, k)
    measured = np.linalg.norm(pp.push) / np.linalg.norm(pp.pull)
    # independent closed form: push/pull = ‖Σ_{j≠k} n_j w*_j‖ / ((K−1) n_k) for unit ETF rows
    m = np.asarray(sizes, dtype=float)
    m[k] = 0.0
    expected = np.linalg.norm(W.T @ m) / ((K - 1) * sizes[k])
    assert measured == pytest.approx(expected, rel=1e-10)
    assert push_pull_ratio_predicted(sizes, k) == pytest.approx(expected, rel=1e-12)


@given(st.floats(-10, 10), st.floats(0, 1e-3), st.floats(0.0, 3.0))
def test_agreement_log_applies_the_claim_tolerance(p, extra, factor):
    tol = get_claim("hong-ling/angles").tolerance("s_B")
    log = AgreementLog()
    o = p + factor * (tol.abs + tol.rel * abs(p)) + extra
    log.add("hong-ling/angles", "s_B", "certified", {"i": 0}, p, o)
    (rec,) = log.records()
    expected_ok = abs(o - p) <= tol.abs + tol.rel * abs(p)
    assert rec["ok"] is expected_ok and log.ok is expected_ok and len(log) == 1
    assert json.loads(json.dumps(jsonable(rec)))["points"][0]["predicted"] == pytest.approx(p)


def test_jsonable_makes_plain_values():
    out = jsonable({"a": np.arange(3), "b": np.float64("nan"), "c": (np.bool_(True), np.int64(2)), 1: [np.inf]})
    assert out == {"a": [0, 1, 2], "b": None, "c": [True, 2], "1": [None]}
    json.dumps(out, allow_nan=False)


# ------------------------------------------------------------------------------- examples
@pytest.mark.parametrize("script", ["01_solve_and_verify.py", "02_threshold.py", "03_sweep_and_report.py"])
def test_example_scripts_run(script, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [script, str(tmp_path / "out")])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")  # each script asserts its own result
    printed = capsys.readouterr().out
    assert printed.strip()
    if script.startswith("03"):
        assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "sweep.jsonl").is_file()


def test_pytest_example_passes_under_pytest(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(EXAMPLES / "04_pytest_assert_claim.py")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "3 passed" in proc.stdout
