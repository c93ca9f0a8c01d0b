"""The gallery's shared figure plumbing: a panel's finish (``panels.dress``) and an item's run (``GalleryRun``)."""

import json
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nctheory.gallery.output import TITLE_FONTSIZE, GalleryRun  # noqa: E402
from nctheory.gallery.panels import LABEL_FONTSIZE, LEGEND, dress, solved_key  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_dress_sets_scales_labels_title_and_legend(ax):
    ax.plot([1, 10, 100], [1, 2, 3], label="a curve")
    solved_key(ax, "solved (factored)")
    dress(ax, "b", "a panel", xscale="log", yscale="log", xlabel="n_k", ylabel="σ_k")
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("n_k", "σ_k")
    assert ax.get_title(loc="left") == "(b) a panel" and ax.get_title(loc="center") == ""
    assert ax._left_title.get_fontsize() == LABEL_FONTSIZE
    leg = ax.get_legend()
    assert [t.get_text() for t in leg.get_texts()] == ["a curve", "solved (factored)"]
    assert leg.get_texts()[0].get_fontsize() == LEGEND["fontsize"]
    key = leg.legend_handles[1]
    assert key.get_marker() == "o" and key.get_markerfacecolor() == "none"


def test_dress_leaves_what_it_is_not_given(ax):
    ax.plot([0, 1], [0, 1], label="x")
    ax.set_xticks([0.0, 0.5, 1.0], ["lo", "mid", "hi"])
    dress(ax, "c", "no scale, no legend", legend=None)
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("", "")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["lo", "mid", "hi"]  # own ticks survive
    assert ax.get_legend() is None


def test_dress_passes_legend_options(ax):
    ax.plot([0, 1], [0, 1], label="x")
    ax.plot([0, 1], [1, 0], label="y")
    dress(ax, "d", "two columns", legend={"fontsize": 6.5, "ncol": 2, "loc": "upper left"})
    leg = ax.get_legend()
    assert leg._ncols == 2 and leg.get_texts()[0].get_fontsize() == 6.5


def _item(**extra):
    return SimpleNamespace(NAME="demo-item", TITLE="A demo", SOURCE="nowhere", CLAIMS=("a/b",),
                           PITFALLS=[{"text": "t", "shown": "s"}], **extra)


@pytest.mark.parametrize("inconclusive, verdict", [([], "pass"), (["sizes [3, 2]: not optimal"], "inconclusive")])
def test_gallery_run_save_writes_the_figure_and_its_numbers(tmp_path, inconclusive, verdict):
    run = GalleryRun(_item(), str(tmp_path / "out"), quick=True)
    run.inconclusive.extend(inconclusive)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    res = run.save(fig, {"series": [1.0, float("nan")]}, title_fontsize=10)
    assert fig._suptitle.get_text() == "A demo" and fig._suptitle.get_fontsize() == 10
    assert res.name == "demo-item" and res.verdict == verdict and res.n_points == 0
    assert res.png == str(tmp_path / "out" / "demo_item.png") and (tmp_path / "out" / "demo_item.png").stat().st_size
    data = json.loads((tmp_path / "out" / "demo_item.json").read_text())
    assert data["command"] == "nctheory gallery demo-item --out DIR" and data["claims"] == ["a/b"]
    assert data["quick"] is True and data["numbers"] == {"series": [1.0, None]}
    assert data["inconclusive"] == inconclusive and data["pitfalls"] == [{"text": "t", "shown": "s"}]
    assert data["time_s"] >= 0.0 and res.time_s == data["time_s"]


def test_gallery_run_default_title_size(tmp_path):
    fig, _ = plt.subplots()
    GalleryRun(_item(), str(tmp_path)).save(fig, {})
    assert fig._suptitle.get_fontsize() == TITLE_FONTSIZE
