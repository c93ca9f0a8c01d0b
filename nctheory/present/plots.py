r"""Figures (matplotlib, Agg backend; every function writes a PNG and returns its path).

* :func:`gram_heatmaps` — :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` of one solution,
  each normalised by its Frobenius norm, beside an optional reference (a prediction, or a limit such as the
  SELI Grams of λ → 0, labelled as what it is);
* :func:`curves_vs_ratio` — quantities vs imbalance ratio: predicted lines, solved points;
* :func:`phase_diagram` — minority collapse over (ratio, λ) from a sweep, with a predicted boundary.

Each has a ``*_figure`` twin returning the open :class:`~matplotlib.figure.Figure` (the tests measure it).
Legends sit outside the axes, so they never cover a curve; on log axes the tick labels are plain numbers at
1-2-5 steps, and a label that would touch its neighbour is hidden (:func:`thin_tick_labels`).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter  # noqa: E402

#: A minority cluster counts as collapsed in the phase diagram when its collapse measure
#: (sweep record ``minority_collapse_measure``: the largest squared pairwise distance inside
#: the cluster, of classifiers and of class means, over the largest squared norm in the whole
#: solution) is at or below this.  A collapsed cluster measures ~1e-7 or less on certified
#: solves (a Gram-level error at relative gap 1e-10); a separated one measures >= ~1e-4 outside
#: a band of relative width ~1e-3 around the onset (the same reasoning as hong-ling/threshold).
COLLAPSE_TOL = 1e-5
#: Resolution of the saved PNGs.
DPI = 110


# ------------------------------------------------------------------------------ axes helpers
def nice_log_ticks(lo: float, hi: float) -> list[float]:
    """Tick values for a log axis over [lo, hi]: 1-2-5 steps per decade, only decades when that gives more
    than 12 ticks; at least the two ends' neighbours so a short range still has labels."""
    if not (lo > 0 and hi >= lo and math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"lo: need 0 < lo <= hi, finite; got {lo!r}, {hi!r}")
    d0, d1 = math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1
    for mantissas in ((1, 2, 5), (1,)):
        ticks = [m * 10.0 ** d for d in range(d0, d1 + 1) for m in mantissas]
        inside = [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]
        if len(inside) <= 12:
            break
    if len(inside) < 2:  # a range narrower than one 1-2-5 step: label its ends
        inside = sorted({float(f"{lo:.3g}"), float(f"{hi:.3g}")})
    return inside


def _plain(value: float, _pos=None) -> str:
    return f"{value:g}"


def log_axis(ax, which: str, lo: float, hi: float) -> None:
    """Log scale on ``which`` ("x" or "y") with plain-number labels at :func:`nice_log_ticks`; minor ticks
    unlabelled."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_major_locator(FixedLocator(nice_log_ticks(lo, hi)))
    axis.set_major_formatter(FuncFormatter(_plain))
    axis.set_minor_formatter(NullFormatter())


def thin_tick_labels(fig, ax, pad_px: float = 4.0) -> int:
    """Hide every major tick label that would overlap (or come within ``pad_px`` of) the previous visible one,
    on both axes; returns how many were hidden."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = 0
    for axis, horizontal in ((ax.xaxis, True), (ax.yaxis, False)):
        last = None
        labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
        labels.sort(key=lambda t: t.get_window_extent(renderer).x0 if horizontal else t.get_window_extent(renderer).y0)
        for t in labels:
            box = t.get_window_extent(renderer)
            lo, hi = (box.x0, box.x1) if horizontal else (box.y0, box.y1)
            if last is not None and lo < last + pad_px:
                t.set_visible(False)
                hidden += 1
                continue
            last = hi
    return hidden


def _save(fig, path: str) -> str:
    # bbox_inches="tight" grows the canvas to take in the legends placed outside the axes
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------ Grams
def _gram_set(W, H_mean):
    W = np.asarray(W, float)
    H = np.asarray(H_mean, float)
    return {"W Wᵀ": W @ W.T, "H̄ᵀ H̄": H.T @ H, "W H̄": W @ H}


def _normalised(G):
    n = np.linalg.norm(G)
    return G / n if n > 0 else G


def gram_heatmaps_figure(W, H_mean, *, title: str = "", targets: dict | None = None,
                         target_label: str = "predicted"):
    """The figure of :func:`gram_heatmaps`."""
    grams = _gram_set(W, H_mean)
    rows = 2 if targets else 1
    fig, axes = plt.subplots(rows, 3, figsize=(10.5, 3.5 * rows), squeeze=False)
    for j, (name, G) in enumerate(grams.items()):
        Gn = _normalised(G)
        vmax = float(np.max(np.abs(Gn))) or 1.0
        im = axes[0, j].imshow(Gn, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        axes[0, j].set_title(f"{name}, solved")
        fig.colorbar(im, ax=axes[0, j], fraction=0.046)
        if targets and name in targets:
            Tn = _normalised(np.asarray(targets[name], float))
            im = axes[1, j].imshow(Tn, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            dist = float(np.linalg.norm(Gn - Tn))
            axes[1, j].set_title(f"{name}, {target_label}\n‖solved − this‖ = {dist:.1e}", fontsize=10)
            fig.colorbar(im, ax=axes[1, j], fraction=0.046)
        elif rows == 2:
            axes[1, j].axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def gram_heatmaps(W, H_mean, path: str, *, title: str = "", targets: dict | None = None,
                  target_label: str = "predicted") -> str:
    """Heatmaps of the three Grams (row 1) and, if given, ``targets`` (row 2, titled with ``target_label``:
    say "SELI limit (λ → 0)" for a limit, not "predicted"), all Frobenius-normalised, with the Frobenius
    distance of each pair."""
    return _save(gram_heatmaps_figure(W, H_mean, title=title, targets=targets, target_label=target_label), path)


# ------------------------------------------------------------------------------ curves vs ratio
def curves_vs_ratio_figure(ratios, predicted: dict, observed: dict, *, xlabel: str = "imbalance ratio n_A/n_B",
                           ylabel: str = "", title: str = "", logx: bool = True):
    """The figure of :func:`curves_vs_ratio`."""
    fig, ax = plt.subplots(figsize=(8.0, 4.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    handles = []
    for i, name in enumerate(sorted(set(predicted) | set(observed))):
        c = colors[i % len(colors)]
        if name in predicted:
            xs = [r for r, v in zip(ratios, predicted[name]) if v is not None]
            ys = [v for v in predicted[name] if v is not None]
            ax.plot(xs, ys, "-", color=c)
        if name in observed:
            xs = [r for r, v in zip(ratios, observed[name]) if v is not None]
            ys = [v for v in observed[name] if v is not None]
            ax.plot(xs, ys, "o", color=c, mfc="none")
        # one entry per quantity: its colour; what line and circle mean is said once below
        handles.append(Line2D([], [], color=c, marker="o", mfc="none", label=name))
    handles += [Line2D([], [], color="0.3", label="line: predicted"),
                Line2D([], [], color="0.3", marker="o", mfc="none", ls="none", label="circles: solved")]
    if logx and ratios:
        log_axis(ax, "x", min(ratios), max(ratios))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    thin_tick_labels(fig, ax)
    return fig


def curves_vs_ratio(ratios, predicted: dict, observed: dict, path: str, *, xlabel: str = "imbalance ratio n_A/n_B",
                    ylabel: str = "", title: str = "", logx: bool = True) -> str:
    """Predicted lines and solved points for several named quantities against the ratio.

    ``predicted[name]`` and ``observed[name]`` are sequences aligned with ``ratios``
    (``None`` entries are skipped: e.g. a cosine undefined in the collapsed regime).  The legend (one entry
    per quantity, and one each for line and circle) stands to the right of the axes.
    """
    return _save(curves_vs_ratio_figure(ratios, predicted, observed, xlabel=xlabel, ylabel=ylabel, title=title,
                                        logx=logx), path)


# ------------------------------------------------------------------------------ phase diagram
def phase_diagram_figure(records: list[dict], *, boundary=None, onsets: dict | None = None,
                         title: str = "minority collapse", boundary_label: str = "predicted onset"):
    """The figure of :func:`phase_diagram`."""
    fig, ax = plt.subplots(figsize=(8.6, 5.0))
    shown = {"collapsed": False, "separated": False, "other": False}
    for r in records:
        x, y = r["ratio"], r["lambda"]
        spread = r.get("minority_collapse_measure")
        if spread is None or r.get("status") not in ("optimal", "local"):
            ax.plot(x, y, "x", color="grey")
            shown["other"] = True
        elif spread <= COLLAPSE_TOL:
            ax.plot(x, y, "o", color="tab:red")
            shown["collapsed"] = True
        else:
            ax.plot(x, y, "o", mfc="none", color="tab:blue")
            shown["separated"] = True
    handles = []
    rs = sorted({float(r["ratio"]) for r in records})
    if boundary is not None and rs:
        xs = np.geomspace(min(rs), max(rs), 400) if max(rs) > min(rs) else np.array(rs)
        ax.plot(xs, [boundary(x) for x in xs], "k-", lw=1.2)
        handles.append(Line2D([], [], color="k", lw=1.2, label=boundary_label))
    if onsets:
        ox = sorted(onsets)
        ax.plot(ox, [onsets[x] for x in ox], "k_", ms=14, mew=1.5)
        handles.append(Line2D([], [], color="k", marker="_", ms=14, mew=1.5, ls="none",
                              label="onset at the solved sizes"))
    if shown["collapsed"]:
        handles.append(Line2D([], [], color="tab:red", marker="o", ls="none", label="collapsed (solved)"))
    if shown["separated"]:
        handles.append(Line2D([], [], color="tab:blue", marker="o", mfc="none", ls="none", label="separated (solved)"))
    if shown["other"]:
        handles.append(Line2D([], [], color="grey", marker="x", ls="none", label="no answer / no minority"))
    lams = [float(r["lambda"]) for r in records if r.get("lambda")]
    if rs:
        log_axis(ax, "x", min(rs), max(rs))
    if lams:
        log_axis(ax, "y", min(lams), max(lams))
    ax.set_xlabel("imbalance ratio n_A/n_B")
    ax.set_ylabel("λ = √(λ_W λ_H)")
    ax.set_title(title)
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    fig.tight_layout()
    thin_tick_labels(fig, ax)
    return fig


def phase_diagram(records: list[dict], path: str, *, boundary=None, onsets: dict | None = None,
                  title: str = "minority collapse", boundary_label: str = "predicted onset") -> str:
    """Collapsed (filled) vs separated (open) sweep points over (ratio, λ), with the predicted boundary.

    ``boundary(ratio) -> λ*`` is drawn as a smooth curve over the ratios (give the formula with a continuous
    minority size, e.g. Hong & Ling's λ* = √n_B/N at n_B = n_A/R: the solved sizes are rounded, a curve through
    them would be a staircase); ``onsets`` ``{ratio: λ*}`` marks the exact onsets of the solved sizes with a
    dash.  Points without a minority spread (balanced, or failed solves) are grey crosses.  The legend stands
    to the right of the axes.
    """
    return _save(phase_diagram_figure(records, boundary=boundary, onsets=onsets, title=title,
                                      boundary_label=boundary_label), path)
