r"""Gallery: Yang et al. 2022 (arXiv 2203.09081) — a fixed simplex-ETF classifier vs a learned one.

Two clusters, :math:`K_A = 2` classes of :math:`n_A = Rn_B` and :math:`K_B = 3` of :math:`n_B = 5`, CE, no bias,
against the imbalance ratio R:

* learned classifier, :math:`\lambda_W = \lambda_H = 0.01` (canonical UFM; predicted by the Hong & Ling KKT
  system, ``hong-ling/angles``; solved certified) — the minority collapses at :math:`\lambda N = \sqrt{n_B}`;
* fixed ETF with Yang et al.'s per-sample budget :math:`\|h_{k,i}\|^2 \le E_H` (``yang/etf-ce``), with weight
  decay :math:`\lambda_H = 0.01` instead (``yang/etf-variants``), and with Fang's average budget
  (``yang/etf-variants``) — predicted :math:`\bar h_k = c_k w^*_k`; solved by the convex fixed-ETF program.

(a) cosine between two minority classifiers; (b) cosine between two minority class means; (c) norm ratio
:math:`\|\bar h_B\|/\|\bar h_A\|`; (d) the recalled gradient argument: at the fixed-ETF optimum
(:math:`h = c\,w^*_{y}`), the CE gradient on a minority classifier row splits into a pull from its own
features and a push from the others; :math:`\|\text{push}\|/\|\text{pull}\| = \|\sum_{j\ne k} n_jw^*_j\| /
((K-1)n_k\|w^*_k\|)` (both carry the same factor :math:`c\,p_{\rm other}/N`) grows like R.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import hong_ling as hl
from nctheory.claims.sources import yang as yg
from nctheory.diagnostics import classifier_gradient_pull_push
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "yang"
TITLE = "Yang et al. 2022: fixed ETF classifier vs learned classifier under imbalance"
SOURCE = yg.SOURCE
CLAIMS = ("yang/etf-ce", "yang/etf-variants", "hong-ling/angles")

K_A, K_B, N_B = 2, 3, 5
LAMBDA = 0.01
E_W, E_H = 1.0, 1.0

PITFALLS = [
    {"text": "No authors'-code pitfall is recorded in the catalogue for Yang et al.; the statements are "
             "[recalled] and checked here against global solves.",
     "shown": "panels (a)-(c) check them; panel (d) illustrates the recalled gradient argument"},
]

#: The x axis of every panel.
R_LABEL = "imbalance ratio R = n_A/n_B"

_FIXED_NAMES = ("gram_HH", "h_norms", "cos_hw", "scale_c", "objective", "length_order", "logits_mean")


def _sizes(R: float) -> tuple:
    """K_A classes of n_A = R n_B (rounded to an integer) and K_B classes of n_B."""
    return (int(round(R * N_B)),) * K_A + (N_B,) * K_B


def learned(R: float) -> Problem:
    return Problem(sizes=_sizes(R), lambda_w=LAMBDA, lambda_h=LAMBDA)


def fixed(R: float, variant: str) -> Problem:
    """The fixed-ETF model: ``variant`` in {"per-sample", "penalty", "average"}."""
    if variant == "penalty":
        return Problem(sizes=_sizes(R), classifier="fixed-etf", lambda_w=0.0, lambda_h=LAMBDA, e_w=E_W)
    return Problem(sizes=_sizes(R), classifier="fixed-etf", constraint=variant, lambda_w=0.0, lambda_h=0.0,
                   e_w=E_W, e_h=E_H)


def _pair_cos(G: np.ndarray, i: int, j: int) -> float | None:
    d = math.sqrt(max(G[i, i], 0.0) * max(G[j, j], 0.0))
    return None if d <= 0 else float(G[i, j] / d)


def push_pull_ratio_predicted(sizes, k: int) -> float:
    r""":math:`\|\sum_{j\ne k} n_jw^*_j\| / ((K-1)n_k\|w^*_k\|)` for the unit simplex ETF (module doc)."""
    n = np.asarray(sizes, dtype=float)
    K = n.size
    G = K / (K - 1.0) * (np.eye(K) - 1.0 / K)  # unit ETF Gram
    m = n.copy()
    m[k] = 0.0
    return float(math.sqrt(m @ G @ m) / ((K - 1) * n[k]))


def figure(out_dir: str, quick: bool = False):
    """Draw the Yang et al. panels into ``out_dir`` (``yang.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    K = K_A + K_B
    B0, B1 = K_A, K_A + 1  # two minority classes
    A0 = 0
    # sizes are integers: sample n_A itself so that every R = n_A/n_B is exact (no rounding staircase)
    R_dense = np.unique(np.geomspace(N_B + 1, 100 * N_B, 30 if quick else 120).astype(int)) / N_B
    R_solved = np.unique(np.geomspace(N_B + 3, 80 * N_B, 4 if quick else 10).astype(int)) / N_B
    R_crit = (math.sqrt(N_B) / LAMBDA - K_B * N_B) / (K_A * N_B)

    # predicted curves, learned classifier (KKT) and fixed ETF (closed forms)
    pred = {"cos_w_BB": [], "cos_h_BB": [], "ratio_learned": [], "ratio_average": [], "push_pull": []}
    for R in R_dense:
        p = learned(R)
        f = hl.angle_formulas(hl.kkt_for(p)[0])
        pred["cos_w_BB"].append(f["cos_w_BB"])
        pred["cos_h_BB"].append(f["cos_h_BB"])
        pred["ratio_learned"].append(math.sqrt(f["h_sq_norm_B"] / f["h_sq_norm_A"]) if f["h_sq_norm_A"] > 0 else None)
        c = yg.predicted_scales(fixed(R, "average"))
        pred["ratio_average"].append(float(c[B0] / c[A0]))
        pred["push_pull"].append(push_pull_ratio_predicted(p.sizes, B0))
    etf_cos = -1.0 / (K - 1)

    obs: list[dict] = []
    for R in R_solved:
        row: dict = {"R": float(R), "sizes": _sizes(R)}
        p = learned(R)
        sol, why = reference_solve(p, "certified")
        if sol is None:
            run.inconclusive.append(why)
        else:
            o = hl.ANGLES.observed(p, sol)
            run.log.add_claim("hong-ling/angles", hl.ANGLES.predict(p).quantities, o, sol.method, {"R": float(R)},
                          names=("cos_w_BB", "cos_h_BB", "h_sq_norm_A", "h_sq_norm_B", "s_B"))
            row["learned"] = {"cos_w_BB": o.get("cos_w_BB"), "cos_h_BB": o.get("cos_h_BB"),
                              "ratio": math.sqrt(o["h_sq_norm_B"] / o["h_sq_norm_A"])}
        for variant, claim in (("per-sample", yg.CLAIMS[0]), ("penalty", yg.CLAIMS[2]), ("average", yg.CLAIMS[2])):
            pf = fixed(R, variant)
            solf, why = reference_solve(pf, "convex:fixed-etf", claim=claim)
            if solf is None:
                run.inconclusive.append(why)
                continue
            of = claim.observed(pf, solf)
            run.log.add_claim(claim.id, claim.predict(pf).quantities, of, solf.method,
                              {"R": float(R), "variant": variant}, names=_FIXED_NAMES)
            G = np.asarray(of["gram_HH"])
            W = np.asarray(solf.W)
            entry = {"cos_w_BB": _pair_cos(W @ W.T, B0, B1), "cos_h_BB": _pair_cos(G, B0, B1),
                     "ratio": float(of["h_norms"][B0] / of["h_norms"][A0])}
            if variant == "per-sample":
                H = np.asarray(solf.H_mean)[:, pf.labels]  # NC1 holds (yang/etf-ce): every sample at its mean
                pp = classifier_gradient_pull_push(W, H, pf.labels, B0)
                entry["push_norm"] = float(np.linalg.norm(pp.push))
                entry["pull_norm"] = float(np.linalg.norm(pp.pull))
                entry["push_pull"] = entry["push_norm"] / entry["pull_norm"]
            row[variant] = entry
        obs.append(row)

    fig, axes = plt.subplots(2, 2, figsize=(11.5, 8.4))

    def points(ax, key, field, style, label):
        xs = [r["R"] for r in obs if key in r and r[key].get(field) is not None]
        ys = [r[key][field] for r in obs if key in r and r[key].get(field) is not None]
        ax.plot(xs, ys, style, mfc="none", ms=7, label=label)

    for ax, field, letter, what in ((axes[0, 0], "cos_w_BB", "a", "classifiers w_B, w_B'"),
                                    (axes[0, 1], "cos_h_BB", "b", "class means h̄_B, h̄_B'")):
        ys = [v if v is not None else np.nan for v in pred[field]]
        ax.plot(R_dense, ys, "-", color="tab:red", label="learned W: predicted (KKT)")
        points(ax, "learned", field, "o", "learned W: solved (certified)")
        ax.axhline(etf_cos, color="tab:blue", lw=1.4, label=f"fixed ETF: predicted −1/(K−1) = {etf_cos:.2f}")
        for key, style in (("per-sample", "s"), ("penalty", "^"), ("average", "D")):
            points(ax, key, field, style, f"fixed ETF, {key}: solved")
        ax.axvline(R_crit, color="k", ls=":", lw=1, label=f"learned collapse R = {R_crit:.3g}")
        dress(ax, letter, f"minority {what}", xscale="log", xlabel=R_LABEL, ylabel="cosine", legend={"fontsize": 6.5})

    ax = axes[1, 0]
    ax.plot(R_dense, [v if v is not None else np.nan for v in pred["ratio_learned"]], "-", color="tab:red",
            label="learned W: predicted")
    points(ax, "learned", "ratio", "o", "learned W: solved")
    ax.axhline(1.0, color="tab:blue", lw=1.4, label="fixed ETF, per-sample / weight decay: predicted 1")
    points(ax, "per-sample", "ratio", "s", "fixed ETF, per-sample: solved")
    points(ax, "penalty", "ratio", "^", "fixed ETF, weight decay: solved")
    ax.plot(R_dense, pred["ratio_average"], "-", color="tab:green", label="fixed ETF, average budget: predicted")
    points(ax, "average", "ratio", "D", "fixed ETF, average budget: solved")
    ax.axvline(R_crit, color="k", ls=":", lw=1)
    ax.set_ylim(0.0, 1.9)
    dress(ax, "c", "minority / majority class-mean norm", xscale="log", xlabel=R_LABEL,
          ylabel="‖h̄_B‖ / ‖h̄_A‖", legend={"fontsize": 6, "ncol": 2, "loc": "upper center"})

    ax = axes[1, 1]
    ax.plot(R_dense, pred["push_pull"], "-", color="tab:purple", label="‖push‖/‖pull‖ on w_B (closed form)")
    points(ax, "per-sample", "push_pull", "o", "measured at the solved fixed-ETF optimum")
    dress(ax, "d", "gradient argument [recalled]: push from majority features", xscale="log", yscale="log",
          xlabel=R_LABEL, ylabel="‖push‖ / ‖pull‖")

    numbers = {"K_A": K_A, "K_B": K_B, "n_B": N_B, "lambda": LAMBDA, "e_w": E_W, "e_h": E_H,
               "learned_collapse_ratio": R_crit, "etf_minority_cosine": etf_cos, "solved": obs}
    return run.save(fig, numbers)
