r"""Figures (matplotlib, Agg backend; every function writes a PNG and returns its path).

* :func:`gram_heatmaps` — :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` of one solution,
  each normalised by its Frobenius norm, beside an optional target (e.g. a claim's prediction);
* :func:`curves_vs_ratio` — quantities vs imbalance ratio: predicted lines, solved points;
* :func:`phase_diagram` — minority collapse over (ratio, λ) from a sweep, with a predicted boundary.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

#: A minority cluster counts as collapsed in the phase diagram when its collapse measure
#: (sweep record ``minority_collapse_measure``: the largest squared pairwise distance inside
#: the cluster, of classifiers and of class means, over the largest squared norm in the whole
#: solution) is at or below this.  A collapsed cluster measures ~1e-7 or less on certified
#: solves (a Gram-level error at relative gap 1e-10); a separated one measures >= ~1e-4 outside
#: a band of relative width ~1e-3 around the onset (the same reasoning as hong-ling/threshold).
COLLAPSE_TOL = 1e-5


def _gram_set(W, H_mean):
    W = np.asarray(W, float)
    H = np.asarray(H_mean, float)
    return {"W Wᵀ": W @ W.T, "H̄ᵀ H̄": H.T @ H, "W H̄": W @ H}


def _normalised(G):
    n = np.linalg.norm(G)
    return G / n if n > 0 else G


def gram_heatmaps(W, H_mean, path: str, *, title: str = "", targets: dict | None = None) -> str:
    """Heatmaps of the three Grams (row 1) and, if given, their targets (row 2), Frobenius-normalised."""
    grams = _gram_set(W, H_mean)
    rows = 2 if targets else 1
    fig, axes = plt.subplots(rows, 3, figsize=(10, 3.3 * rows), squeeze=False)
    for j, (name, G) in enumerate(grams.items()):
        Gn = _normalised(G)
        vmax = float(np.max(np.abs(Gn))) or 1.0
        im = axes[0, j].imshow(Gn, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        axes[0, j].set_title(f"{name} (solved)")
        fig.colorbar(im, ax=axes[0, j], fraction=0.046)
        if targets and name in targets:
            Tn = _normalised(np.asarray(targets[name], float))
            im = axes[1, j].imshow(Tn, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            dist = float(np.linalg.norm(Gn - Tn))
            axes[1, j].set_title(f"{name} (predicted)  dist {dist:.1e}")
            fig.colorbar(im, ax=axes[1, j], fraction=0.046)
        elif rows == 2:
            axes[1, j].axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def curves_vs_ratio(ratios, predicted: dict, observed: dict, path: str, *, xlabel: str = "imbalance ratio n_A/n_B",
                    ylabel: str = "", title: str = "", logx: bool = True) -> str:
    """Predicted lines and solved points for several named quantities against the ratio.

    ``predicted[name]`` and ``observed[name]`` are sequences aligned with ``ratios``
    (``None`` entries are skipped: e.g. a cosine undefined in the collapsed regime).
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, name in enumerate(sorted(set(predicted) | set(observed))):
        c = colors[i % len(colors)]
        if name in predicted:
            xs = [r for r, v in zip(ratios, predicted[name]) if v is not None]
            ys = [v for v in predicted[name] if v is not None]
            ax.plot(xs, ys, "-", color=c, label=f"{name} (predicted)")
        if name in observed:
            xs = [r for r, v in zip(ratios, observed[name]) if v is not None]
            ys = [v for v in observed[name] if v is not None]
            ax.plot(xs, ys, "o", color=c, mfc="none", label=f"{name} (solved)")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def phase_diagram(records: list[dict], path: str, *, boundary=None, title: str = "minority collapse") -> str:
    """Collapsed (filled) vs separated (open) sweep points over (ratio, λ); optional predicted boundary.

    ``boundary(ratio) -> λ*`` draws the predicted onset curve (e.g. Hong & Ling's λN = √n_B).
    Points without a minority spread (balanced, or failed solves) are drawn as grey crosses.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for r in records:
        x, y = r["ratio"], r["lambda"]
        spread = r.get("minority_collapse_measure")
        if spread is None or r.get("status") not in ("optimal", "local"):
            ax.plot(x, y, "x", color="grey")
        elif spread <= COLLAPSE_TOL:
            ax.plot(x, y, "o", color="tab:red")
        else:
            ax.plot(x, y, "o", mfc="none", color="tab:blue")
    if boundary is not None:
        rs = sorted({r["ratio"] for r in records})
        xs = np.geomspace(min(rs), max(rs), 200) if min(rs) > 0 and max(rs) > min(rs) else np.array(rs)
        ax.plot(xs, [boundary(x) for x in xs], "k-", lw=1, label="predicted onset")
        ax.legend(fontsize=8)
    ax.plot([], [], "o", color="tab:red", label="collapsed (solved)")
    ax.plot([], [], "o", mfc="none", color="tab:blue", label="separated (solved)")
    ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("imbalance ratio n_A/n_B")
    ax.set_ylabel("λ = √(λ_W λ_H)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
