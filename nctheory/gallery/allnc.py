r"""Gallery: all-around Neural Collapse (AllNC 2024, arXiv 2408.07253; abstract only) checked in the UFM.

Two clusters, :math:`K_A = 2` classes of 40 and :math:`K_B = 3` of 4, CE, no bias,
:math:`\lambda_W = \lambda_H = \lambda`; the learned classifier (certified solves, predictions from the Hong &
Ling KKT system) against the "repaired" model whose classifier is fixed to a simplex ETF with the same
weight decay on H (convex fixed-ETF solves, predicted :math:`\bar h_k = c\,w^*_k`, ``yang/etf-variants``).

(a) relative squared spread :math:`\max_{j,k\in B}\|v_j - v_k\|^2/\operatorname{mean}_k\|v_k\|^2` of the minority
    classifiers and class means vs λ: with a learned classifier both squeeze to 0, at the same
    :math:`\lambda^* = \sqrt{n_B}/N` (``allnc/mean-squeeze``; onsets also located separately by bisection);
    with the fixed ETF the means stay at the ETF value :math:`2K/(K-1)`;
(b) self-duality: the angle :math:`\angle(w_k, \bar h_k)` of a minority and a majority class vs λ
    (learned: :math:`\cos = \bar Z_{kk}/(\|w_k\|\|\bar h_k\|)` from the KKT Grams; fixed ETF: 0);
(c) all-around diagnostics (``nctheory.diagnostics``) at :math:`\lambda = 1.5\lambda^*`: cluster squeeze
    :math:`\max\|v_j - v_k\|/\operatorname{mean}\|v_k\|` of W and H̄ per cluster, solved vs predicted.

The abstract's claim that a classifier-only repair leaves the means squeezed, breaks self-duality and weakens
NC1 (``allnc/fixed-etf-repair``, registered to be refuted) is checked on a full-sample solve; the UFM
refutes it (the JSON records predicted vs observed booleans and NC1).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims import get_claim
from nctheory.claims.sources import allnc as an
from nctheory.claims.sources import hong_ling as hl
from nctheory.diagnostics import from_solution
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "allnc"
TITLE = "All-around NC in the UFM: minority means squeeze with the classifiers; a fixed ETF repairs both"
SOURCE = an.SOURCE
#: The fixed-ETF claim whose solves the repair panels reuse (looked up by id: its module may move).
ETF_VARIANTS = "yang/etf-variants"
CLAIMS = ("allnc/mean-squeeze", "allnc/fixed-etf-repair", "hong-ling/angles", ETF_VARIANTS)

SIZES = (40, 40, 4, 4, 4)
K_A, K_B = 2, 3
MAJ, MIN = 0, K_A  # one majority and one minority class index

#: The x axis of panels (a) and (b).
LAMBDA_LABEL = "λ = √(λ_W λ_H)"

PITFALLS = [
    {"text": "Only the abstract was available: loss formulas and theorems of the paper are not checked. The "
             "toolkit checks its premises in the UFM.",
     "shown": "panel (a): means and classifiers squeeze together, at the same threshold; panels (a)-(c): with "
              "free features a fixed ETF leaves nothing squeezed, self-duality exact — the repair claim is "
              "refuted in the UFM (the effect, if real in trained networks, comes from what the UFM leaves out)"},
]


def learned(lam: float) -> Problem:
    return Problem(sizes=SIZES, lambda_w=lam, lambda_h=lam)


def fixed(lam: float) -> Problem:
    return Problem(sizes=SIZES, classifier="fixed-etf", lambda_w=lam, lambda_h=lam, e_w=1.0)


def predicted_learned(lam: float) -> dict:
    """Spreads, self-duality cosines and cluster squeezes of the learned model from the two-cluster KKT system."""
    kkt, _, _ = hl.kkt_for(learned(lam))
    f = hl.angle_formulas(kkt)
    K = kkt.K
    out = {}
    for tag in ("w", "h"):
        sa, sb = f[f"{tag}_sq_norm_A"], f[f"{tag}_sq_norm_B"]
        mean_sq = (K_A * sa + K_B * sb) / K
        dB = 2.0 * (sb - f[f"{tag}_inner_BB"])
        dA = 2.0 * (sa - f[f"{tag}_inner_AA"])
        out[f"{tag}_spread_sq"] = max(dB, 0.0) / mean_sq if mean_sq > 0 else 0.0
        out[f"{tag}_squeeze_B"] = math.sqrt(max(dB, 0.0) / sb) if sb > 0 else 0.0
        out[f"{tag}_squeeze_A"] = math.sqrt(max(dA, 0.0) / sa) if sa > 0 else 0.0
    # ⟨w_k, h̄_k⟩ = Z̄_kk; ‖w_k‖²‖h̄_k‖² is unit-free in natural units (u_W u_H = 1)
    for c, own, w2, h2 in (("A", kkt.s_A + kkt.q_A, f["w_sq_norm_A"], f["h_sq_norm_A"]),
                           ("B", kkt.s_B + kkt.q_B, f["w_sq_norm_B"], f["h_sq_norm_B"])):
        out[f"selfdual_cos_{c}"] = own / math.sqrt(w2 * h2) if w2 > 0 and h2 > 0 else None
    return out


def _deg(c):
    return None if c is None else math.degrees(math.acos(max(-1.0, min(1.0, c))))


def figure(out_dir: str, quick: bool = False):
    """Draw the all-around panels into ``out_dir`` (``allnc.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    K = len(SIZES)
    lam_star = an.threshold_lambda(learned(1e-2))
    lam_zero = hl.critical_epsilon(learned(1e-2)) / math.sqrt(sum(SIZES))
    lam_dense = np.geomspace(lam_star / 20, 0.9 * lam_zero, 30 if quick else 120)
    lam_solved = np.geomspace(lam_star / 15, 0.8 * lam_zero, 4 if quick else 11)
    pred = [predicted_learned(x) for x in lam_dense]
    etf_spread_sq = 2.0 * K / (K - 1)

    solved = []
    for lam in lam_solved:
        row: dict = {"lambda": float(lam)}
        p = learned(lam)
        sol, why = reference_solve(p, "certified")
        if sol is None:
            run.inconclusive.append(why)
        else:
            claim = an.CLAIMS[0]
            obs = claim.observed(p, sol)
            run.log.add_claim(claim.id, claim.predict(p).quantities, obs, sol.method, {"lambda": float(lam)})
            run.log.add_claim("hong-ling/angles", hl.ANGLES.predict(p).quantities, hl.ANGLES.observed(p, sol),
                              sol.method, {"lambda": float(lam)},
                              names=("w_sq_norm_B", "h_sq_norm_B", "w_inner_BB", "h_inner_BB"))
            rep = from_solution(sol, p, center="none")  # UFM convention: raw means
            row["learned"] = {"w_spread_sq": obs["minority_w_spread_sq"], "h_spread_sq": obs["minority_h_spread_sq"],
                              "selfdual_cos_A": rep.self_duality_cosine[MAJ],
                              "selfdual_cos_B": rep.self_duality_cosine[MIN]}
        pf = fixed(lam)
        claim = get_claim(ETF_VARIANTS)
        solf, why = reference_solve(pf, "convex:fixed-etf", claim=claim)
        if solf is None:
            run.inconclusive.append(why)
        else:
            run.log.add_claim(claim.id, claim.predict(pf).quantities, claim.observed(pf, solf), solf.method,
                          {"lambda": float(lam)}, names=("gram_HH", "h_norms", "cos_hw", "scale_c", "objective"))
            st = an.squeeze_state(solf.W, solf.H_mean, range(K_A, K))
            rep = from_solution(solf, pf, center="none")  # UFM convention: raw means
            row["fixed_etf"] = {"h_spread_sq": st["minority_h_spread_sq"],
                                "selfdual_cos_A": rep.self_duality_cosine[MAJ],
                                "selfdual_cos_B": rep.self_duality_cosine[MIN]}
        solved.append(row)

    # asymmetric bracket: a symmetric one in log λ would evaluate λ* itself first
    onsets = an.squeeze_onsets(learned(lam_star), lam_star / 2, lam_star * 3, rtol=1e-3 if quick else 1e-6)
    if onsets.classifier is None or onsets.means is None:
        run.inconclusive.append("squeeze_onsets: a bisection was inconclusive")

    fig, axes = plt.subplots(1, 3, figsize=(15.5, 4.9))

    def pts(key, field):
        xs = [r["lambda"] for r in solved if key in r and r[key].get(field) is not None]
        return xs, [r[key][field] for r in solved if key in r and r[key].get(field) is not None]

    ax = axes[0]
    ax.plot(lam_dense, [d["w_spread_sq"] for d in pred], "-", color="tab:red", label="learned: w_B predicted")
    ax.plot(*pts("learned", "w_spread_sq"), "o", mfc="none", color="tab:red", ms=7, label="learned: w_B solved")
    ax.plot(lam_dense, [d["h_spread_sq"] for d in pred], "--", color="tab:orange", label="learned: h̄_B predicted")
    ax.plot(*pts("learned", "h_spread_sq"), "s", mfc="none", color="tab:orange", ms=5, label="learned: h̄_B solved")
    ax.axhline(etf_spread_sq, color="tab:blue", lw=1.4, label=f"fixed ETF: h̄_B predicted 2K/(K−1) = {etf_spread_sq:g}")
    ax.plot(*pts("fixed_etf", "h_spread_sq"), "D", mfc="none", color="tab:blue", ms=6, label="fixed ETF: h̄_B solved")
    ax.axvline(lam_star, color="k", ls=":", lw=1, label=f"λ* = √n_B/N = {lam_star:.5g}")
    if onsets.classifier is not None and onsets.means is not None:
        ax.plot([onsets.classifier, onsets.means], [0.0, 0.0], "k|", ms=14,
                label=f"located onsets: w {onsets.classifier:.5g}, h̄ {onsets.means:.5g}")
    dress(ax, "a", f"minority squeeze, sizes {SIZES}", xscale="log", xlabel=LAMBDA_LABEL,
          ylabel="max ‖v_B − v_B'‖² / mean ‖v‖²", legend={"fontsize": 6.5})

    ax = axes[1]
    for c, color, label in (("B", "tab:red", "minority"), ("A", "tab:green", "majority")):
        angles = [np.nan if d[f"selfdual_cos_{c}"] is None else _deg(d[f"selfdual_cos_{c}"]) for d in pred]
        ax.plot(lam_dense, angles, "-", color=color, label=f"learned, {label}: predicted")
        xs, ys = pts("learned", f"selfdual_cos_{c}")
        ax.plot(xs, [_deg(y) for y in ys], "o", mfc="none", color=color, ms=7, label=f"learned, {label}: solved")
        xs, ys = pts("fixed_etf", f"selfdual_cos_{c}")
        ax.plot(xs, [_deg(y) for y in ys], "D", mfc="none", color=color, ms=5, label=f"fixed ETF, {label}: solved")
    ax.axhline(0.0, color="tab:blue", lw=1.2, label="fixed ETF: predicted 0")
    ax.axvline(lam_star, color="k", ls=":", lw=1)
    dress(ax, "b", "self-duality", xscale="log", xlabel=LAMBDA_LABEL, ylabel="angle ∠(w_k, h̄_k) in degrees",
          legend={"fontsize": 6.5})

    # (c) all-around diagnostics in the collapse regime
    lam_c = 1.5 * lam_star
    bars = {}
    pl, pf = learned(lam_c), fixed(lam_c)
    sol, why = reference_solve(pl, "certified")
    solf, whyf = reference_solve(pf, "convex:fixed-etf", claim=get_claim(ETF_VARIANTS))
    pr = predicted_learned(lam_c)
    etf_squeeze = math.sqrt(2.0 * K / (K - 1))
    if sol is None or solf is None:
        run.inconclusive.extend(w for w in (why, whyf) if w)
    else:
        rl, rf = from_solution(sol, pl, center="none"), from_solution(solf, pf, center="none")  # raw means (UFM)
        bars = {
            "learned W": ([c.classifier_squeeze for c in rl.clusters], [pr["w_squeeze_A"], pr["w_squeeze_B"]]),
            "learned H̄": ([c.mean_squeeze for c in rl.clusters], [pr["h_squeeze_A"], pr["h_squeeze_B"]]),
            "fixed-ETF W": ([c.classifier_squeeze for c in rf.clusters], [etf_squeeze, etf_squeeze]),
            "fixed-ETF H̄": ([c.mean_squeeze for c in rf.clusters], [etf_squeeze, etf_squeeze]),
        }
    ax = axes[2]
    x = np.arange(len(bars))
    for j, (cluster, color) in enumerate((("majority", "tab:green"), ("minority", "tab:red"))):
        ax.bar(x + (j - 0.5) * 0.38, [v[0][j] for v in bars.values()], 0.36, color=color, alpha=0.8,
               label=f"{cluster} cluster: solved")
        ax.plot(x + (j - 0.5) * 0.38, [v[1][j] for v in bars.values()], "k_", ms=22, mew=2,
                label="predicted" if j == 0 else None)
    ax.set_xticks(x, list(bars))
    dress(ax, "c", f"all-around diagnostics at λ = 1.5 λ* = {lam_c:.4g}",
          ylabel="cluster squeeze max‖v_j − v_k‖ / mean‖v_k‖")

    # the repair claim (registered to be refuted), observed on a full-sample solve
    claim = an.CLAIMS[1]
    repair = {"claim": claim.id, "expected": claim.expected, "lambda": lam_c}
    sols, why = reference_solve(pf, "factored", on="samples", restarts=2)
    if sols is None:
        run.inconclusive.append(why)
    else:
        pred_r = claim.predict(pf).quantities
        obs_r = claim.observed(pf, sols)
        repair.update({"predicted": pred_r, "observed": obs_r, "method": sols.method,
                       "refuted": any(obs_r.get(k) is not None and obs_r[k] != v for k, v in pred_r.items())})

    numbers = {"sizes": SIZES, "critical_lambda": lam_star, "zero_lambda": lam_zero, "solved": solved,
               "onsets_located": {"classifier": onsets.classifier, "means": onsets.means,
                                  "predicted": onsets.predicted, "classifier_bracket": onsets.classifier_bracket,
                                  "means_bracket": onsets.means_bracket},
               "diagnostics_at": lam_c,
               "cluster_squeeze": {k: {"solved": v[0], "predicted": v[1]} for k, v in bars.items()},
               "repair_claim": repair}
    return run.save(fig, numbers)
