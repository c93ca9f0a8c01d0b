r"""Gallery: Fang et al. 2021, Figure 3 at the authors' parameters — the true minority-classifier cosine and the
cosine the authors' code plots (rows of the Gram matrix).

K = 10, :math:`K_A = K_B = 5`, :math:`E_H = 5`, :math:`E_W = 1`, :math:`R = 10^{0.1i}`, i = 0..40
(:mod:`nctheory.claims.sources.fang.figure3`).  Predicted: the exact two-cluster reduction; solved: the 2K×2K Gram
SDP with the real class weights of R (Clarabel, tolerance 1e-11, status checked — the authors' code checks none).

(a) :math:`\cos(w_i, w_j)` of two minority classifiers and the authors' row cosine vs R, with the predicted onset
    :math:`R_0` (collapse is exact from :math:`R_0` on, where both are 1);
(b) their difference (authors' minus true) vs R: the pitfall in numbers.
"""

from __future__ import annotations

import sys

import numpy as np

from nctheory.claims.sources import fang as fg
from nctheory.claims.sources.fang import figure3 as f3
from nctheory.claims.sources.fang.formulas import two_cluster_weights
from nctheory.claims.sources.fang.sdp import lpm_sdp_weights
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress

NAME = "fang-figure3"
TITLE = "Fang et al. 2021, Figure 3 (K = 10, K_A = 5, E_H = 5, E_W = 1): true minority cosine vs the authors' Gram-row cosine"
SOURCE = fg.SOURCE
CLAIMS = ("fang/minority-collapse",)
#: The two minority classes compared (indices into the K classes, majority first).
PAIR = (f3.K_A, f3.K_A + 1)
#: Grid exponents solved by the SDP in quick mode (R = 10, before the onset; R = 100, collapsed).
QUICK_SOLVED = (10, 20)

PITFALLS = [
    {"text": "The authors' code plots '1 − cosine_distance(X[i], X[j])' between rows of the 2K×2K Gram X, not the "
             "cosine between the classifiers w_i and w_j; both are 1 at exact collapse, intermediate values differ. "
             "It also solves with no status check and rounds X to 3 decimals.",
     "shown": "panels (a) and (b): both cosines at the authors' parameters, predicted and solved; at R = 10 the "
              "true cosine is 0.517, the row cosine 0.941"},
]


#: Clarabel settings tried in turn until cvxpy reports "optimal" (measured on the 41 grid points): at tolerance 1e-11
#: three points (i = 1, 6, 31) come back "optimal_inaccurate"; without equilibration i = 6 (R = 10^0.6) solves at
#: 1e-11 (X within 4.6e-7 of the reduction), and 1e-10 solves i = 1 and 31.  Every accepted solve is still compared
#: with the reduction under the fang/minority-collapse tolerances, point by point (the agreement log).
SDP_SETTINGS = ((1e-11, {}), (1e-11, {"equilibrate_enable": False}), (1e-10, {}))


def _sdp(R: float):
    """The Gram SDP at the real weights of R, with a status-checked fallback over :data:`SDP_SETTINGS`."""
    for tol, options in SDP_SETTINGS:
        g = lpm_sdp_weights(two_cluster_weights(f3.K_A, f3.K_B, R), f3.E_W, f3.E_H, tol=tol, **options)
        if g.status == "optimal":
            return g
    return g


def figure(out_dir: str, quick: bool = False):
    """Draw the Figure 3 reproduction into ``out_dir`` (``fang_figure3.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    i, j = PAIR
    R_grid = f3.ratios()
    pred_true, pred_rows = [], []
    for R in R_grid:
        X = f3.predicted_gram(float(R))
        pred_true.append(f3.true_cosine(X, i, j))
        pred_rows.append(f3.gram_row_cosine(X, i, j))
    onset = fg.predicted_onset(f3.K_A, f3.K_B, f3.E_W * f3.E_H)
    solved = []
    K = f3.K_A + f3.K_B
    for idx in (QUICK_SOLVED if quick else f3.I_VALUES):
        R = float(f3.ratios([idx])[0])
        g = _sdp(R)
        if g.status != "optimal":
            run.inconclusive.append(f"SDP at R = 10^{0.1 * idx:.1f}: status {g.status} with every setting of "
                                    "SDP_SETTINGS")
            continue
        Xp = f3.predicted_gram(R)
        at = {"i": idx, "R": R}
        # the blocks both cosines read (classifier rows of X: ⟨w_i, w_·⟩ and ⟨w_i, h̄_·⟩)
        for name, pred, obs in (("gram_WW", Xp[K:, K:], g.gram_WW), ("logits_mean", Xp[K:, :K], g.logits)):
            run.log.add(CLAIMS[0], name, "sdp-weights", at, pred, obs)
        solved.append({"i": idx, "R": R, "sdp_tol": g.tol, "true_cosine": f3.true_cosine(g.X, i, j),
                       "gram_row_cosine": f3.gram_row_cosine(g.X, i, j),
                       "gram_row_cosine_rounded_3": f3.gram_row_cosine(np.round(g.X, 3), i, j)})

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8))
    ax = axes[0]
    ax.plot(R_grid, pred_true, "-", color="tab:blue", label="cos(w_i, w_j): true (predicted)")
    ax.plot(R_grid, pred_rows, "-", color="tab:red", label="authors' plot: cosine of Gram rows X[i], X[j] (predicted)")
    ax.plot([s["R"] for s in solved], [s["true_cosine"] for s in solved], "o", mfc="none", color="tab:blue",
            label="true, solved (Gram SDP)")
    ax.plot([s["R"] for s in solved], [s["gram_row_cosine"] for s in solved], "s", mfc="none", color="tab:red",
            label="Gram rows, solved (Gram SDP)")
    ax.axvline(onset, color="k", ls=":", lw=1, label=f"predicted onset R₀ = {onset:.4f}")
    ax.axhline(-1.0 / (K - 1), color="grey", ls="--", lw=0.8, label="ETF: −1/(K−1)")
    dress(ax, "a", "Figure 3 quantity: the true cosine and the plotted one", xscale="log",
          xlabel="imbalance ratio R = n_A/n_B  (R = 10^{0.1 i}, i = 0..40)",
          ylabel="cosine between two minority classifiers", legend={"fontsize": 7, "loc": "lower right"})

    ax = axes[1]
    diff = np.asarray(pred_rows) - np.asarray(pred_true)
    k = int(np.argmax(diff))
    ax.plot(R_grid, diff, "-", color="tab:purple", label="predicted")
    ax.plot([s["R"] for s in solved], [s["gram_row_cosine"] - s["true_cosine"] for s in solved], "o", mfc="none",
            color="tab:purple", label="solved")
    ax.annotate(f"max {diff[k]:.3f} at R = {R_grid[k]:.3g}", (R_grid[k], diff[k]), textcoords="offset points",
                xytext=(10, -12), fontsize=8)
    ax.axvline(onset, color="k", ls=":", lw=1)
    dress(ax, "b", "the pitfall: both are 1 from R₀ on, they differ before", xscale="log",
          xlabel="imbalance ratio R", ylabel="authors' cosine − true cosine")

    numbers = {"K_A": f3.K_A, "K_B": f3.K_B, "E_W": f3.E_W, "E_H": f3.E_H, "pair": list(PAIR),
               "onset_predicted": onset, "R_grid": R_grid, "true_cosine_predicted": pred_true,
               "gram_row_cosine_predicted": pred_rows, "max_difference": float(diff[k]),
               "max_difference_R": float(R_grid[k]), "solved": solved}
    return run.save(fig, numbers, title_fontsize=10)
