"""``nctheory report``: Markdown, HTML and figures, end to end; its own sizes (no --sizes option)."""

import os

from nctheory.present import plots


def test_report_writes_markdown_html_and_figures(tmp_path, main_run):
    out = tmp_path / "new" / "folder"  # created with its parents
    code, stdout, err = main_run("report", "--out", out, "--majority", "60x2", "--minority-classes", "2",
                                 "--ratios", "2,5", "--lambda-w", "1e-3", "--lambda-h", "1e-3", "--no-progress")
    assert code == 0, err
    names = set(os.listdir(out))
    assert {"report.md", "report.html", "grams.png", "phase.png", "sweep.jsonl"} <= names
    md = (out / "report.md").read_text()
    for fig in ("grams.png", "phase.png"):
        assert f"({fig})" in md
        assert (out / fig).stat().st_size > 5000  # a real image, not an empty file
    assert "agrees with λ ≥ √n_B/N at" in md
    line = [x for x in md.splitlines() if "certified grid points" in x][0]
    judged, agree = int(line.split()[1]), int(line.rstrip(".").split()[-1])
    # every solved point agrees with the predicted onset: for these sizes no point of the default
    # 12-value λ grid falls in the ~1e-3 relative band around an onset where the bool is ambiguous
    assert judged > 0 and agree == judged
    assert f"≤ {plots.COLLAPSE_TOL:g}" in md
    assert "wrote" in stdout


def test_report_does_not_take_sizes(main_run, tmp_path):
    code, out, err = main_run("report", "--out", tmp_path, "--sizes", "5,5")
    assert code == 2 and "unrecognized arguments: --sizes" in err and not os.listdir(tmp_path)
