r"""Gallery: Fang et al. 2021 (arXiv 2101.12699) — minority collapse in the layer-peeled model.

Layer-peeled model (CE, no bias, :math:`\frac1K\sum\|w_k\|^2 \le E_W`,
:math:`\frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H`), :math:`K_A = 2` majority classes of :math:`n_A = Rn_B` and :math:`K_B = 2` minority classes of :math:`n_B = 4`.
Only :math:`E_WE_H` matters (solved with :math:`E_W = E_H`).

(a) relative squared minority spread :math:`\max\|w_k - w_{k'}\|^2/E_W` vs R for several :math:`E_WE_H`:
    predicted by the exact two-cluster reduction (``fang.two_cluster_lpm``), solved by the Gram SDP
    (``convex:lpm``); dotted lines: the predicted onsets :math:`R_0` (collapse is exact from :math:`R_0` on);
(b) the classifier geometry at :math:`E_WE_H = 1`: :math:`\|w_B\|^2/\|w_A\|^2`, :math:`\cos(w_A, w_B)`,
    :math:`\cos(w_B, w_{B'})`;
(c) the onset :math:`R_0` vs :math:`E_WE_H` (collapse comes earlier for smaller budgets): the predicted root
    of :math:`\mu(R) = \pi_B(R)` and onsets located by bisection on SDP solves (``fang.sdp_onset``);
(d) oversampling the minority to balance restores the simplex ETF (``fang/oversampling``).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import fang as fg
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress, solved_key
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "fang"
TITLE = "Fang et al. 2021: minority collapse in the layer-peeled model vs R, with the onset R₀"
SOURCE = fg.SOURCE
CLAIMS = ("fang/minority-collapse", "fang/oversampling")

K_A, K_B, N_B = 2, 2, 4
EWH_VALUES = (0.5, 1.0, 2.0, 4.0)
#: Imbalance ratio of the oversampling panel.
R_OVERSAMPLE = 10.0

PITFALLS = [
    {"text": "No authors'-code pitfall is recorded for Fang et al. Theorem 5 is a limit (R → ∞); numerically the "
             "collapse is exact at a finite R₀, earlier for smaller E_WE_H. Test collapse with ‖w_k − w_k'‖, not "
             "cosines: vectors can be exactly 0.",
     "shown": "panels (a) and (c): exact zeros of the squared spread from R₀ on, and R₀ vs E_WE_H"},
]

#: The x axis of the panels against R.
R_LABEL = "imbalance ratio R = n_A/n_B"

_NAMES = ("gram_WW", "gram_HH", "logits_mean", "objective", "minority_w_spread_sq", "minority_h_spread_sq",
          "minority_collapsed", "min_pair_w_dist_sq")


def problem(R: float, ewh: float) -> Problem:
    """Two-cluster LPM instance with n_A = round(R n_B), E_W = E_H = √(E_WE_H)."""
    e = math.sqrt(ewh)
    return Problem(sizes=(int(round(R * N_B)),) * K_A + (N_B,) * K_B, constraint="average", e_w=e, e_h=e,
                   lambda_w=0.0, lambda_h=0.0)


def _geometry(G: np.ndarray) -> dict:
    """‖w_B‖²/‖w_A‖², cos(w_A, w_B), cos(w_B, w_B') from a classifier Gram (majority first)."""
    d = np.diag(G)
    a, b, b2 = 0, K_A, K_A + 1
    return {"w_norm_ratio": float(d[b] / d[a]), "cos_AB": float(G[a, b] / math.sqrt(d[a] * d[b])),
            "cos_BB": float(G[b, b2] / math.sqrt(d[b] * d[b2]))}


def figure(out_dir: str, quick: bool = False):
    """Draw the Fang et al. panels into ``out_dir`` (``fang.png`` + ``.json``)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    ewhs = (0.5, 1.0, 4.0) if quick else EWH_VALUES
    R_dense = np.geomspace(1.0, 60.0, 25 if quick else 90)
    nA_solved = np.unique(np.geomspace(N_B + 1, 50 * N_B, 4 if quick else 9).astype(int))
    fig, axes = plt.subplots(2, 2, figsize=(11.5, 8.4))
    colors = dict(zip(EWH_VALUES, ("tab:green", "tab:blue", "tab:orange", "tab:red")))
    onsets = {ewh: fg.predicted_onset(K_A, K_B, ewh) for ewh in ewhs}
    series = {}
    for ewh in ewhs:
        gamma2 = 1.0  # E_W = E_H: γ² = √(E_W/E_H) = 1, so the spread is 2 s_B / E_W
        pred = [fg.two_cluster_lpm(K_A, K_B, R, ewh) for R in R_dense]
        spread = [2 * gamma2 * s.s_B / math.sqrt(ewh) for s in pred]
        geo = [_geometry(gamma2 * s.matrices()["sqrtZZt"]) for s in pred]
        solved = []
        for nA in nA_solved:
            R = nA / N_B
            p = problem(R, ewh)
            sol, why = reference_solve(p, "convex:lpm")
            if sol is None:
                run.inconclusive.append(why)
                continue
            claim = fg.CLAIMS[1]
            obs = claim.observed(p, sol)
            run.log.add_claim(claim.id, claim.predict(p).quantities, obs, sol.method, {"R": R, "ewh": ewh},
                              names=_NAMES)
            W = np.asarray(sol.W)
            solved.append({"R": R, "minority_w_spread_sq": obs["minority_w_spread_sq"], **_geometry(W @ W.T)})
        series[ewh] = {"onset_predicted": onsets[ewh], "R_dense": R_dense, "spread_predicted": spread,
                       "geometry_predicted": geo, "solved": solved}
        ax = axes[0, 0]
        c = colors[ewh]
        ax.plot(R_dense, spread, "-", color=c, label=f"E_WE_H = {ewh:g}: predicted")
        ax.plot([s["R"] for s in solved], [s["minority_w_spread_sq"] for s in solved], "o", mfc="none", color=c,
                ms=7)
        ax.axvline(onsets[ewh], color=c, ls=":", lw=1)
    ax = axes[0, 0]
    solved_key(ax, "solved (Gram SDP, convex:lpm)")
    dress(ax, "a", "minority spread; dotted: predicted onsets R₀", xscale="log", xlabel=R_LABEL,
          ylabel="max ‖w_B − w_B'‖² / E_W")

    ax = axes[0, 1]
    ref = series[1.0]
    for key, color, label in (("w_norm_ratio", "tab:purple", "‖w_B‖²/‖w_A‖²"), ("cos_AB", "tab:green", "cos(w_A, w_B)"),
                              ("cos_BB", "tab:red", "cos(w_B, w_B')")):
        ax.plot(R_dense, [g[key] for g in ref["geometry_predicted"]], "-", color=color, label=f"{label} predicted")
        ax.plot([s["R"] for s in ref["solved"]], [s[key] for s in ref["solved"]], "o", mfc="none", color=color,
                label=f"{label} solved")
    ax.axvline(onsets[1.0], color="k", ls=":", lw=1, label=f"R₀ = {onsets[1.0]:.4f}")
    dress(ax, "b", "classifier geometry at E_WE_H = 1", xscale="log", xlabel=R_LABEL,
          legend={"fontsize": 7, "loc": "center right"})

    # (c) the onset vs the budget: predicted curve and SDP bisection
    ax = axes[1, 0]
    ewh_dense = np.geomspace(0.3, 5.0, 12 if quick else 40)
    ax.plot(ewh_dense, [fg.predicted_onset(K_A, K_B, e) for e in ewh_dense], "-", color="tab:blue",
            label="predicted R₀ (μ(R) = π_B(R))")
    located = []
    for ewh in ((1.0,) if quick else EWH_VALUES):
        R0 = fg.predicted_onset(K_A, K_B, ewh)
        res = fg.sdp_onset(K_A, K_B, ewh, R0 / 1.5, R0 * 1.5, rtol=1e-4 if quick else 1e-6)
        if not res.conclusive:
            run.inconclusive.append(f"sdp_onset at E_WE_H = {ewh:g}: {res.message}")
            continue
        located.append({"ewh": ewh, "predicted": R0, "located": res.value, "bracket": res.bracket,
                        "evaluations": res.evaluations, "rel_diff": abs(res.value - R0) / R0})
    ax.plot([x["ewh"] for x in located], [x["located"] for x in located], "o", mfc="none", color="k", ms=8,
            label="located by bisection on SDP solves")
    ax.set_xscale("log")
    ax.set_xticks([0.3, 0.5, 1.0, 2.0, 5.0])
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    dress(ax, "c", "collapse onset vs budget (earlier for smaller E_WE_H)", xlabel="E_W E_H", ylabel="onset R₀")

    # (d) oversampling
    ax = axes[1, 1]
    before = problem(R_OVERSAMPLE, 1.0)
    after = fg.oversample(before)
    bars = {}
    for tag, p, claim in (("before (R = 10)", before, fg.CLAIMS[1]), ("after oversampling", after, fg.CLAIMS[2])):
        sol, why = reference_solve(p, "convex:lpm")
        q = claim.predict(p).quantities
        if sol is None:
            run.inconclusive.append(why)
            continue
        obs = claim.observed(p, sol)
        at = {"R": float(max(p.sizes) / min(p.sizes)), "oversampled": p is after}
        run.log.add_claim(claim.id, q, obs, sol.method, at, names=_NAMES)
        W = np.asarray(sol.W)
        D = np.sum((W[:, None, :] - W[None, :, :]) ** 2, axis=2) / float(p.e_w)
        G_pred = np.asarray(q["gram_WW"])
        dpred = np.diag(G_pred)
        D_pred = (dpred[:, None] + dpred[None, :] - 2 * G_pred) / float(p.e_w)
        bars[tag] = {"solved_minority_pair": float(D[K_A, K_A + 1]),
                     "predicted_minority_pair": float(D_pred[K_A, K_A + 1]),
                     "solved_majority_pair": float(D[0, 1]), "predicted_majority_pair": float(D_pred[0, 1])}
    x = np.arange(len(bars))
    for j, (key, color, label) in enumerate((("predicted_minority_pair", "tab:red", "minority pair, predicted"),
                                             ("solved_minority_pair", "darkred", "minority pair, solved"),
                                             ("predicted_majority_pair", "tab:blue", "majority pair, predicted"),
                                             ("solved_majority_pair", "navy", "majority pair, solved"))):
        ax.bar(x + (j - 1.5) * 0.2, [b[key] for b in bars.values()], 0.2, color=color, label=label)
    for j, b in enumerate(bars.values()):
        if b["solved_minority_pair"] < 1e-3:
            ax.annotate("minority pair: 0\n(collapsed)", (j - 0.2, 0.05), ha="center", fontsize=7, color="darkred")
    ax.axhline(2 * (K_A + K_B) / (K_A + K_B - 1), color="k", ls=":", lw=1, label="ETF: 2K/(K−1)")
    ax.set_xticks(x, list(bars))
    dress(ax, "d", "oversampling restores the ETF (E_WE_H = 1)", ylabel="‖w_j − w_k‖² / E_W")

    numbers = {"K_A": K_A, "K_B": K_B, "n_B": N_B, "series": {str(k): v for k, v in series.items()},
               "onsets_located": located, "oversampling": bars}
    return run.save(fig, numbers)
