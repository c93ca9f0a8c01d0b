"""The report's figures and frame: log-axis labels that do not collide, legends outside the curves, a smooth
predicted onset, the SELI Grams labelled as the λ → 0 limit, a stamp and a verdict summary."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nctheory.model import Problem
from nctheory.present import plots, report


def _visible_labels(fig, axis):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    return [t.get_window_extent(r) for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]


def _no_overlap(boxes, horizontal=True):
    spans = sorted((b.x0, b.x1) if horizontal else (b.y0, b.y1) for b in boxes)
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


# ------------------------------------------------------------------------------ axes
def test_nice_log_ticks():
    assert plots.nice_log_ticks(1.5, 50) == [2, 5, 10, 20, 50]
    assert plots.nice_log_ticks(1e-4, 3e-3) == pytest.approx([1e-4, 2e-4, 5e-4, 1e-3, 2e-3])
    assert plots.nice_log_ticks(1, 1e6) == [10.0 ** k for k in range(7)]  # 1-2-5 would give 19
    assert plots.nice_log_ticks(1.1, 1.3) == [1.1, 1.3]  # narrower than a step: the ends
    with pytest.raises(ValueError, match="^lo: "):
        plots.nice_log_ticks(0, 1)


def test_crowded_tick_labels_are_thinned_until_none_touch():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xscale("log")
    ticks = list(np.geomspace(1, 100, 25))
    ax.set_xlim(1, 100)
    ax.set_xticks(ticks, [f"{t:.3f}" for t in ticks])
    assert not _no_overlap(_visible_labels(fig, ax.xaxis))  # the crowded case really collides
    assert plots.thin_tick_labels(fig, ax) > 0
    boxes = _visible_labels(fig, ax.xaxis)
    assert len(boxes) >= 2 and _no_overlap(boxes)
    plt.close(fig)


TWELVE = [f"cos_{m}_{p}" for m in "wh" for p in ("AA", "AB", "BB")]


@pytest.mark.parametrize("ratios", [[1.5, 2, 3, 5, 10, 20, 50], list(np.geomspace(1, 5000, 30))])
def test_curves_have_plain_non_colliding_log_labels_and_the_legend_beside_the_axes(ratios):
    pred = {n: list(np.linspace(-0.3, 0.4 * (i % 3 - 1), len(ratios))) for i, n in enumerate(TWELVE)}
    obs = {n: list(v) for n, v in pred.items()}
    fig = plots.curves_vs_ratio_figure(ratios, pred, obs)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
    assert labels and all(re.fullmatch(r"[0-9.e+]+", s) for s in labels), labels  # no 2×10⁰ mathtext
    assert _no_overlap(_visible_labels(fig, ax.xaxis))
    r = fig.canvas.get_renderer()
    legend = ax.get_legend()
    assert not legend.get_window_extent(r).overlaps(ax.get_window_extent(r))  # it covers no curve
    names = [t.get_text() for t in legend.get_texts()]
    assert names == sorted(TWELVE) + ["line: predicted", "circles: solved"]  # 8 entries, not 12
    plt.close(fig)


# ------------------------------------------------------------------------------ phase diagram
def test_the_onset_curve_is_the_formula_at_a_continuous_minority_size():
    curve = report.onset_curve(500, 2, 3)
    rs = np.geomspace(1.5, 50, 400)
    ys = np.array([curve(r) for r in rs])
    # smooth: no flat steps (a rounded n_B makes runs of equal values) and no jumps between neighbours
    assert np.all(np.diff(ys) != 0) and np.max(np.abs(np.diff(np.log(ys)))) < 0.01
    for r in (2, 5, 10, 20, 50):  # integer n_B = 500/R: the exact onset of the solved sizes
        nb = 500 / r
        assert curve(r) == pytest.approx(np.sqrt(nb) / (1000 + 3 * nb), rel=1e-14)
    assert report.onset_lambda(500, 2, 3, 50) == pytest.approx(np.sqrt(50) / 1150)


def _records():
    out = []
    for ratio in (2.0, 5.0, 20.0):
        for lam in (1e-3, 3e-3, 1e-2):
            out.append({"ratio": ratio, "lambda": lam, "status": "optimal",
                        "minority_collapse_measure": 0.0 if lam > 4e-3 else 1.0})
    return out


def test_phase_diagram_draws_the_boundary_smoothly_and_keeps_its_legend_off_the_points():
    curve = report.onset_curve(500, 2, 3)
    onsets = {r: report.onset_lambda(500, 2, 3, round(500 / r)) for r in (2.0, 5.0, 20.0)}
    fig = plots.phase_diagram_figure(_records(), boundary=curve, onsets=onsets)
    ax = fig.axes[0]
    line = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 100][0]
    np.testing.assert_allclose(line.get_ydata(), [curve(x) for x in line.get_xdata()])
    dashes = [ln for ln in ax.get_lines() if ln.get_marker() == "_"][0]
    assert dict(zip(dashes.get_xdata(), dashes.get_ydata())) == onsets
    r = fig.canvas.get_renderer()
    assert not ax.get_legend().get_window_extent(r).overlaps(ax.get_window_extent(r))
    for axis, horizontal in ((ax.xaxis, True), (ax.yaxis, False)):
        assert _no_overlap(_visible_labels(fig, axis), horizontal)
    plt.close(fig)


# ------------------------------------------------------------------------------ Grams
def test_a_limit_is_not_labelled_a_prediction():
    W = np.eye(3)
    fig = plots.gram_heatmaps_figure(W, W, targets={"W Wᵀ": np.eye(3), "H̄ᵀ H̄": np.eye(3), "W H̄": np.eye(3)},
                                     target_label="SELI limit (λ → 0)")
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert sum("SELI limit (λ → 0)" in t for t in titles) == 3 and not any("predicted" in t for t in titles)
    assert sum(t.endswith(", solved") for t in titles) == 3
    plt.close(fig)


# ------------------------------------------------------------------------------ the report
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    base = Problem(sizes=(1, 1), lambda_w=1e-3, lambda_h=1e-3)
    res = report.build_report(str(out), base=base, n_major=60, k_major=2, k_minor=2, ratios=(2, 5), progress=False)
    return out, res


def test_the_report_is_stamped(built):
    out, res = built
    st = res["stamp"]
    from nctheory import __version__

    assert st["nctheory_version"] == __version__
    stamped = dt.datetime.strptime(st["date"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - stamped).total_seconds()) < 3600
    if (Path(report.__file__).resolve().parents[2] / ".git").exists():  # this checkout is a git work tree
        assert re.fullmatch(r"[0-9a-f]{12}(\+changes)?", st["git_commit"])
    for name in ("report.md", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert f"nctheory {__version__} on {st['date']}" in text
        assert (f"git commit {st['git_commit']}" if st["git_commit"] else "git commit unknown") in text


def test_git_commit_is_none_outside_a_checkout(tmp_path):
    assert report.git_commit(str(tmp_path)) is None


def test_the_report_summarises_the_verdicts_of_the_claims_it_shows(built):
    out, res = built
    rows = {r["claim"]: r for r in res["summary"]}
    assert set(rows) == {"hong-ling/angles", report.PHASE_CLAIM}
    angles, phase = rows["hong-ling/angles"], rows[report.PHASE_CLAIM]
    assert angles["instances"] == 2 and angles["pass"] == 2 and angles["certified"] == 2
    assert phase["instances"] == 24  # 2 ratios x the 12-value λ grid
    for row in rows.values():
        assert sum(row[v] for v in report.VERDICT_NAMES) == row["instances"]
    assert phase["fail"] == 0 and phase["pass"] >= 20
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    line = [ln for ln in md.splitlines() if ln.startswith(f"| `{report.PHASE_CLAIM}`")][0]
    assert line.split("|")[3:9] == [f" {phase[c]} " for c in ("instances", *report.VERDICT_NAMES, "certified")]
    assert '<table class="summary">' in html and html.count("<tr>") == 3
    assert "limit as λ → 0: not a prediction at this λ" in md and "(λ = 0.001)" in md
