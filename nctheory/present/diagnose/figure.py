"""The figure of a diagnosis: cosine heatmaps, Gram distances, minority collapse and per-class panels."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from nctheory.present.diagnose.text import _classes_text, _counts_text

if TYPE_CHECKING:
    from nctheory.present.diagnose.diagnosis import Diagnosis


def _cluster_colors(groups, K):
    palette = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan", "tab:gray"]
    col = ["k"] * K
    for j, g in enumerate(groups):
        for k in g:
            col[k] = palette[j % len(palette)]
    return col


def _cos_heatmap(ax, fig, V, title, K, order, boundaries):
    """Cosines between the rows of V, classes in ``order`` (clusters together), lines between clusters."""
    from nctheory.geometry.cosines import cosine_matrix

    c = cosine_matrix(V[order], "rows")
    im = ax.imshow(np.ma.masked_invalid(c.values), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    for x in boundaries:
        ax.axhline(x - 0.5, color="k", lw=0.8)
        ax.axvline(x - 0.5, color="k", lw=0.8)
    ax.set_title(title, fontsize=10)
    if K <= 30:
        ax.set_xticks(np.arange(K), [str(k) for k in order], fontsize=7 if K > 12 else 9)
        ax.set_yticks(np.arange(K), [str(k) for k in order], fontsize=7 if K > 12 else 9)
    ordered = list(order) != list(range(K))
    ax.set_xlabel("class (grouped by cluster)" if ordered else "class")
    ax.set_ylabel("class")
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.ax.axhline(-1.0 / (K - 1), color="k", lw=1.5)
    cb.ax.set_ylabel(f"cosine (line: ETF −1/(K−1) = {-1.0 / (K - 1):.3g})", fontsize=8)


def plot_diagnosis(diag: Diagnosis, path: str) -> str:
    """A 2 × 4 figure of a :class:`~nctheory.present.diagnose.Diagnosis`, written as PNG to ``path``.

    Top: (a) cosines between classifier rows and (b) between centred class means (the ETF's cosine marked
    on the colour bar, lines between clusters); (c) Gram distances to the ETF, the orthogonal frame, SELI
    (and the claim's Grams when one was compared); (d) minority collapse: squeeze per cluster beside the
    ETF's value.  Bottom, per class (colour = cluster): (e) norms relative to their mean, with SELI's
    prediction; (f) self-duality angle; (g) NC1 of the class; (h) NC4 agreement.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    D, A = diag.data, diag.arrays
    K = D["K"]
    groups = A["groups"]
    # heatmaps list the classes cluster by cluster (then any class in no cluster), with lines between clusters
    order = [k for g in groups for k in g]
    order += [k for k in range(K) if k not in set(order)]
    boundaries = list(np.cumsum([len(g) for g in groups])[:-1]) if len(groups) > 1 else []
    colors = _cluster_colors(groups, K)
    x = np.arange(K)
    has_w = A["W"] is not None
    small = min(1.0, 20.0 / K)  # marker scale: many classes get smaller markers
    fig, axes = plt.subplots(2, 4, figsize=(21, 9.6))
    fig.suptitle(f"nctheory diagnose: {D['source']}   (N = {D['N']}, d = {D['d']}, K = {K}; class counts "
                 f"{_counts_text(D['counts'])}; means centred by "
                 f"{_CENTRE_TEXT[D['options']['center']]})", fontsize=11)

    def no_classifier(ax):
        ax.text(0.5, 0.5, "no classifier given", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()

    ax = axes[0, 0]
    if has_w:
        _cos_heatmap(ax, fig, A["W"], "(a) cos(w_j, w_k): classifier rows", K, order, boundaries)
    else:
        no_classifier(ax)
    _cos_heatmap(axes[0, 1], fig, A["Mc"].T, "(b) cos(h̃_j, h̃_k): centred class means", K, order, boundaries)

    ax = axes[0, 2]
    g = D["grams"]
    targets = [t for t in ("etf", "orthogonal", "seli") if t in g["HH"]]
    labels = {"etf": "simplex ETF", "orthogonal": "orthogonal frame", "seli": "SELI at these counts"}
    claim_d = _claim_gram_distances(D.get("claim"))
    names = ["WW", "HH", "WH"] if has_w else ["HH"]
    series = [(labels[t], [np.nan if g[n][t] is None else g[n][t] for n in names], None) for t in targets]
    if claim_d:
        series.append((f"claim {D['claim']['claim']} (on raw means)", [claim_d.get(n, np.nan) for n in names], "k"))
    width = 0.8 / len(series)
    for j, (label, vals, color) in enumerate(series):
        bars = ax.bar(np.arange(len(names)) + (j - (len(series) - 1) / 2) * width, vals, width * 0.95, label=label,
                      color=color)
        ax.bar_label(bars, fmt="%.3f", fontsize=6 if len(series) > 3 else 7)
    tick = {"WW": "W Wᵀ", "HH": "H̃ᵀ H̃", "WH": "W H̃"}
    ax.set_xticks(np.arange(len(names)), [tick[n] for n in names])
    if not has_w:
        ax.set_xlim(-1, 1)
    ax.set_ylabel("‖X/‖X‖_F − T/‖T‖_F‖_F")
    ax.set_ylim(0, max(1.0, 1.15 * np.nanmax([v for _, vals, _ in series for v in vals] + [0.0])))
    ax.set_title("(c) Gram distance to reference geometries (0 = same shape)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[0, 3]
    clusters = D["clusters"]
    pairs = [c for c in clusters if len(c["classes"]) >= 2]
    if pairs:
        xc = np.arange(len(pairs))
        names_c = [f"{_classes_text(c['classes'])}\nn = {'/'.join(map(str, c['counts'][:2]))}" for c in pairs]
        hv = [np.nan if c["h_squeeze"] is None else c["h_squeeze"] for c in pairs]
        wv = [np.nan if c["w_squeeze"] is None else c["w_squeeze"] for c in pairs]
        if has_w:
            ax.bar_label(ax.bar(xc - 0.2, wv, 0.38, label="classifier rows w_k", color="0.35"), fmt="%.3g", fontsize=7)
        ax.bar_label(ax.bar(xc + 0.2 if has_w else xc, hv, 0.38, label="centred means h̃_k", color="0.7"), fmt="%.3g",
                     fontsize=7)
        ax.axhline(math.sqrt(2 * K / (K - 1)), color="tab:blue", ls="--", lw=1,
                   label=f"simplex ETF √(2K/(K−1)) = {math.sqrt(2 * K / (K - 1)):.3g}")
        ax.set_xticks(xc, names_c, fontsize=8)
        ax.set_ylabel("max ‖v_j − v_k‖ / mean ‖v_k‖ in the cluster")
        top = np.nanmax(wv + hv + [math.sqrt(2 * K / (K - 1))])
        ax.set_ylim(0, 1.45 * top)
        ax.legend(fontsize=8, loc="upper right")
        ax.set_title("(d) minority collapse per cluster (0 = collapsed)", fontsize=10)
    else:
        ax.text(0.5, 0.5, "no cluster with two classes\n(give clusters)", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()

    ax = axes[1, 0]
    hn = np.asarray(D["per_class"]["h_norm"])
    ax.scatter(x, hn / hn.mean(), c=colors, marker="s", s=6 + 24 * small, label="‖h̃_k‖ / mean", zorder=3)
    if has_w:
        wn = np.asarray(D["per_class"]["w_norm"])
        ax.scatter(x, wn / wn.mean(), edgecolors=colors, facecolors="none", marker="o", s=8 + 36 * small,
                   label="‖w_k‖ / mean", zorder=3)
    if A["seli"] is not None:
        S = A["seli"]
        C = np.eye(K) if A["wts"] is None else np.eye(K) - np.outer(A["wts"], np.ones(K))
        ph = np.sqrt(np.clip(np.diag(C.T @ S["HH"] @ C), 0, None))
        ax.plot(x, ph / ph.mean(), ls="none", marker="_", ms=3 + 13 * small, mew=1.5, color="k",
                label="SELI: h̃ (predicted)")
        if has_w:
            pw = np.sqrt(np.clip(np.diag(S["WW"]), 0, None))
            ax.plot(x, pw / pw.mean(), ls="none", marker="_", ms=3 + 13 * small, mew=1.5, color="tab:gray",
                    label="SELI: w (predicted)")
    ax.axhline(1.0, color="0.8", lw=0.8, zorder=0)
    _class_axis(ax, K, D["counts"])
    ax.set_ylabel("norm / mean norm")
    ax.set_title("(e) equinorm per class", fontsize=10)
    ax.legend(fontsize=7, loc="best")

    ax = axes[1, 1]
    ang = D["per_class"]["self_duality_angle"]
    if ang is not None:
        ax.bar(x, [np.nan if a is None else a for a in ang], color=colors)
        unit = "degrees" if D["options"]["angle_unit"] == "deg" else "radians"
        ax.set_ylabel(f"∠(w_k, h̃_k) in {unit}")
        _class_axis(ax, K, D["counts"])
        ax.set_title("(f) self-duality per class (0 = w_k ∥ h̃_k)", fontsize=10)
    else:
        no_classifier(ax)

    ax = axes[1, 2]
    nc1k = D["per_class"]["nc1"]
    if nc1k is not None:
        v = np.asarray(nc1k, dtype=float)
        pos = np.where(v > 0, v, np.nan)
        log = bool(np.any(v > 0)) and np.nanmax(pos) / np.nanmin(pos) > 30
        ax.scatter(x, pos if log else v, c=colors, s=6 + 30 * small, zorder=3)
        ax.vlines(x, np.nanmin(pos) / 3 if log else 0.0, pos if log else v, colors=colors, lw=1)
        if log:
            ax.set_yscale("log")
        if D["nc1"]["nc1"] is not None:
            ax.axhline(D["nc1"]["nc1"], color="k", ls="--", lw=1, label=f"NC1 = {D['nc1']['nc1']:.3g}")
            ax.legend(fontsize=8)
        ax.set_ylabel("NC1 of class k: tr(Σ_k Σ_B⁺)/K")
    _class_axis(ax, K, D["counts"])
    ax.set_title("(g) within-class variability per class (0 = collapsed)", fontsize=10)

    ax = axes[1, 3]
    if D["nc4"] is not None:
        ax.bar(x, D["nc4"]["per_class"], color=colors)
        ax.axhline(D["nc4"]["agreement"], color="k", ls="--", lw=1,
                   label=f"all samples: {D['nc4']['agreement']:.3f} ({'with' if D['nc4']['bias_used'] else 'no'} bias)")
        ax.set_ylim(0, 1.08)
        ax.set_ylabel("fraction of class k's samples")
        _class_axis(ax, K, D["counts"])
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title("(h) NC4: classifier agrees with nearest class centre", fontsize=10)
    else:
        no_classifier(ax)

    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


_CENTRE_TEXT = {"global": "the sample mean h_G", "class": "the mean of the class means", "none": "nothing",
                "vector": "a given vector"}


def _class_axis(ax, K: int, counts) -> None:
    ax.set_xlabel("class k (count n_k below)" if K <= 20 else "class k")
    if K <= 20:
        ax.set_xticks(np.arange(K), [f"{k}\n{n}" for k, n in zip(range(K), counts)], fontsize=8)
    ax.set_xlim(-0.7, K - 0.3)


def _claim_gram_distances(claim: dict | None) -> dict:
    """Shape distances of the claim's K×K Grams, keyed like the Gram table (for panel (c))."""
    if not claim or not claim.get("applies"):
        return {}
    which = {"gram_W": "WW", "gram_WW": "WW", "gram_H": "HH", "gram_HH": "HH", "gram_WH": "WH"}
    out = {}
    for r in claim["quantities"]:
        if r["quantity"] in which and r["kind"] in ("shape", "scale-free") and r["difference"] is not None:
            out[which[r["quantity"]]] = r["difference"]
