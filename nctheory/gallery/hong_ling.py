r"""Gallery: Hong & Ling (arXiv 2309.09725) — minority collapse in the CE unconstrained feature model.

Two clusters, :math:`K_A = 2` classes of :math:`n_A` and :math:`K_B = 3` of :math:`n_B = 10`, no bias,
:math:`\lambda_W = \lambda_H = \lambda` (canonical convention).  Predicted curves come from the two-cluster
KKT system (``hong-ling/angles``: :math:`s_A, s_B` are the within-cluster singular values of the mean
logits :math:`\bar Z`; :math:`s_B = 0` is minority collapse); solved points from certified global solves.

(a) :math:`s_A, s_B` vs λ at :math:`n_A = 100`, with the thresholds :math:`\lambda^* = \sqrt{n_c}/N` and the
    :math:`\bar Z = 0` regime :math:`\lambda\sqrt N \ge \varepsilon_0` shaded;
(b) :math:`s_A, s_B` vs :math:`n_A` at fixed λ, with the critical majority size
    :math:`n_A^* = (\sqrt{n_B}/\lambda - K_Bn_B)/K_A`;
(c) cosines between minority/majority classifiers and class means vs :math:`n_A`;
(d) pitfall: the cosine between two minority classes taken from the **columns** of :math:`W\bar H` (mean
    logits, correct) and from its **rows** (the authors' plot) — both predicted and solved.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import hong_ling as hl
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import LEGEND, dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "hong-ling"
TITLE = "Hong & Ling: the minority-collapse threshold λN = √n_B and the angles vs n_A"
SOURCE = hl.SOURCE
CLAIMS = ("hong-ling/angles", "hong-ling/threshold", "hong-ling/asymptotic")

K_A, K_B, N_B = 2, 3, 10
#: Majority size of the λ sweep (panel a).
N_A_SWEEP_LAMBDA = 100
#: λ of the n_A sweep (panels b-d): the minority collapses from n_A* ≈ 117 on.
LAMBDA_SWEEP_NA = 0.012
COSINES = ("cos_w_BB", "cos_h_BB", "cos_w_AB", "cos_h_AB")

PITFALLS = [
    {"text": "The authors' angle plot uses the rows of W·H̄ instead of its columns (column k = class k's mean "
             "logit).", "shown": "panel (d): both cosines, predicted by the KKT system and measured on certified "
                                 "solves; they differ by up to ~0.1 before the minority collapses"},
    {"text": "The README example sits in the Z̄ = 0 regime (λ√N ≥ ε₀): it shows no geometry at all.",
     "shown": "panel (a): past λ₀ = ε₀/√N every solve returns Z̄ = 0 exactly (max |Z̄| recorded in the JSON); "
              "the README's own numbers are not reproduced here (not available to this toolkit)"},
    {"text": "The code writes penalties without the ½: canonical λ = 2 × the code's λ "
             "(Problem.from_no_half_penalties), so the threshold reads N²λ_Wλ_H ≥ n_B/4 in the code's symbols.",
     "shown": "not drawn; the conversion is applied when instances are built from the code's values"},
    {"text": "Extra SGD weight decay on top of the explicit penalties changes the effective λ.",
     "shown": "not drawn (a training-loop effect outside the model)"},
]


def _problem(n_A: int, lam: float) -> Problem:
    return Problem(sizes=(n_A,) * K_A + (N_B,) * K_B, lambda_w=lam, lambda_h=lam)


#: A row/column of Z̄ shorter than this fraction of ‖Z̄‖_F has no meaningful direction: certified mean
#: logits carry errors up to ~1e-5 relative at small λ (hong-ling ACCURACY), so a vector predicted to be 0
#: comes out of the solver as noise of that size, and its "cosine" would be ±1 at random.
DIRECTION_RTOL = 1e-3


def _cos(u: np.ndarray, v: np.ndarray, scale: float) -> float | None:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu <= DIRECTION_RTOL * scale or nv <= DIRECTION_RTOL * scale:
        return None  # a (numerically) zero vector has no direction
    return float(u @ v / (nu * nv))


def _row_col_cosines(Z: np.ndarray, B: np.ndarray) -> tuple[float | None, float | None]:
    """Cosine of the first two minority classes from the columns of Z̄ and from its rows."""
    j, k = int(B[0]), int(B[1])
    scale = float(np.linalg.norm(Z))
    return _cos(Z[:, j], Z[:, k], scale), _cos(Z[j, :], Z[k, :], scale)


def _predicted_curves(problems) -> dict:
    out = {"s_A": [], "s_B": [], "cos_col": [], "cos_row": [], **{c: [] for c in COSINES}}
    for p in problems:
        kkt, A, B = hl.kkt_for(p)
        out["s_A"].append(kkt.s_A)
        out["s_B"].append(kkt.s_B)
        f = hl.angle_formulas(kkt)
        for c in COSINES:
            out[c].append(f[c])
        col, row = _row_col_cosines(kkt.zbar(A, B), B)
        out["cos_col"].append(col)
        out["cos_row"].append(row)
    return out


def _solve_point(p: Problem, at: dict, run: GalleryRun) -> dict | None:
    """Certified solve + comparisons with the three claims, recorded in ``run``; returns the observed values."""
    sol, why = reference_solve(p, "certified")
    if sol is None:
        run.inconclusive.append(why)
        return None
    obs = hl.ANGLES.observed(p, sol)
    log = run.log
    log.add_claim("hong-ling/angles", hl.ANGLES.predict(p).quantities, obs, sol.method, at,
                  names=("s_A", "s_B") + COSINES)
    log.add_claim("hong-ling/threshold", hl.THRESHOLD.predict(p).quantities, hl.THRESHOLD.observed(p, sol),
                  sol.method, at, names=("minority_collapsed",))
    log.add_claim("hong-ling/asymptotic", hl.ASYMPTOTIC.predict(p).quantities, hl.ASYMPTOTIC.observed(p, sol),
                  sol.method, at, names=("zero_solution",))
    _, A, B = hl.kkt_for(p)
    Z = np.asarray(sol.W) @ np.asarray(sol.H_mean)  # bias-free model: W H̄ = mean logits
    col, row = _row_col_cosines(Z, B)
    return {"s_A": obs.get("s_A"), "s_B": obs.get("s_B"), "cos_col": col, "cos_row": row,
            "max_abs_zbar": float(np.abs(Z).max()), **{c: obs.get(c) for c in COSINES}}


def _plot_sweep(ax, x_dense, predicted: dict, x_solved, observed: list, names, styles) -> None:
    """Predicted curves (lines over ``x_dense``) then solved points (open circles over ``x_solved``) of ``names``;
    ``styles`` pairs each name with its (colour, label).  Undefined values (None) are left out."""
    for name, (color, label) in zip(names, styles):
        xs = [a for a, v in zip(x_dense, predicted[name]) if v is not None]
        ys = [v for v in predicted[name] if v is not None]
        ax.plot(xs, ys, "-", color=color, lw=1.4, label=f"{label} predicted")
    for name, (color, label) in zip(names, styles):
        xs = [a for a, o in zip(x_solved, observed) if o is not None and o.get(name) is not None]
        ys = [o[name] for o in observed if o is not None and o.get(name) is not None]
        ax.plot(xs, ys, "o", mfc="none", color=color, ms=6, label=f"{label} solved")


def figure(out_dir: str, quick: bool = False):
    """Draw the Hong & Ling panels into ``out_dir`` (``hong_ling.png`` + ``.json``); ``quick``: fewer points."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    n_dense, n_solved = (25, 5) if quick else (90, 14)

    # (a) sweep over λ at n_A = 100
    ref = _problem(N_A_SWEEP_LAMBDA, 1e-2)
    N = ref.N
    lam_B, lam_A = hl.threshold_lambda(N_B, N), hl.threshold_lambda(N_A_SWEEP_LAMBDA, N)
    lam_0 = hl.critical_epsilon(ref) / math.sqrt(N)  # Z̄ = 0 iff λ√N ≥ ε₀ (ε₀ depends on π and the bias only)
    lam_dense = np.geomspace(1e-3, 2.0 * lam_0, n_dense)
    lam_solved = np.geomspace(1.1e-3, 1.8 * lam_0, n_solved)
    pred_lam = _predicted_curves([_problem(N_A_SWEEP_LAMBDA, lam) for lam in lam_dense])
    obs_lam = [_solve_point(_problem(N_A_SWEEP_LAMBDA, lam), {"n_A": N_A_SWEEP_LAMBDA, "lambda": lam}, run)
               for lam in lam_solved]

    # (b-d) sweep over n_A at fixed λ
    lam = LAMBDA_SWEEP_NA
    nA_crit = hl.critical_majority_size(N_B, K_A, K_B, lam)
    nA_dense = np.unique(np.geomspace(N_B + 1, 1000, n_dense).astype(int))
    nA_solved = np.unique(np.geomspace(N_B + 2, 900, n_solved).astype(int))
    pred_na = _predicted_curves([_problem(int(n), lam) for n in nA_dense])
    obs_na = [_solve_point(_problem(int(n), lam), {"n_A": int(n), "lambda": lam}, run) for n in nA_solved]

    fig, axes = plt.subplots(2, 2, figsize=(11.5, 8.4))
    s_styles = [("tab:blue", "s_A (majority)"), ("tab:red", "s_B (minority)")]

    ax = axes[0, 0]
    _plot_sweep(ax, lam_dense, pred_lam, lam_solved, obs_lam, ("s_A", "s_B"), s_styles)
    ax.axvline(lam_B, color="tab:red", ls="--", lw=1, label=f"λ* = √n_B/N = {lam_B:.4g}")
    ax.axvline(lam_A, color="tab:blue", ls=":", lw=1, label=f"√n_A/N = {lam_A:.4g}")
    ax.axvspan(lam_0, lam_dense[-1], color="0.85", label=f"Z̄ = 0 exactly (λ ≥ ε₀/√N = {lam_0:.4g})")
    dress(ax, "a", f"collapse vs λ: sizes {N_A_SWEEP_LAMBDA}×{K_A}, {N_B}×{K_B}", xscale="log",
          xlabel="λ = √(λ_W λ_H)", ylabel="within-cluster singular value of Z̄")

    cos_styles = [("tab:red", "cos(w_B, w_B')"), ("tab:orange", "cos(h̄_B, h̄_B')"),
                  ("tab:purple", "cos(w_A, w_B)"), ("tab:green", "cos(h̄_A, h̄_B)")]
    rc_styles = [("tab:blue", "columns of WH̄ (mean logits)"), ("tab:red", "rows of WH̄ (authors' plot)")]
    # (b-d): the n_A sweep, each with the critical majority size (labelled once, in (b))
    for ax, names, styles, crit_label, letter, title, ylabel, legend in (
            (axes[0, 1], ("s_A", "s_B"), s_styles, f"n_A* = (√n_B/λ − K_B n_B)/K_A = {nA_crit:.4g}", "b",
             f"collapse vs n_A: n_B = {N_B}, λ = {lam:g}", "within-cluster singular value of Z̄", LEGEND),
            (axes[1, 0], COSINES, cos_styles, None, "c", "angles vs n_A (minority pairs → 1 at collapse)", "cosine",
             {"fontsize": 6.5, "ncol": 2}),
            (axes[1, 1], ("cos_col", "cos_row"), rc_styles, None, "d", "pitfall: rows vs columns of W H̄",
             "cosine of two minority classes", LEGEND)):
        _plot_sweep(ax, nA_dense, pred_na, nA_solved, obs_na, names, styles)
        ax.axvline(nA_crit, color="k", ls="--", lw=1, label=crit_label)
        dress(ax, letter, title, xscale="log", xlabel="majority size n_A", ylabel=ylabel, legend=legend)

    diffs = [abs(o["cos_col"] - o["cos_row"]) for o in obs_na
             if o is not None and o["cos_col"] is not None and o["cos_row"] is not None]
    zero_pts = [(float(x), o["max_abs_zbar"]) for x, o in zip(lam_solved, obs_lam) if o is not None and x >= lam_0]
    numbers = {
        "lambda_sweep": {"n_A": N_A_SWEEP_LAMBDA, "n_B": N_B, "K_A": K_A, "K_B": K_B, "N": N,
                         "critical_lambda_minority": lam_B, "critical_lambda_majority": lam_A,
                         "zero_lambda": lam_0, "lambdas_solved": lam_solved, "observed": obs_lam},
        "n_A_sweep": {"lambda": lam, "critical_n_A": nA_crit, "n_A_solved": nA_solved, "observed": obs_na},
        "pitfall_rows_vs_columns_max_difference": max(diffs) if diffs else None,
        "pitfall_zero_regime_max_abs_zbar": zero_pts,
    }
    return run.save(fig, numbers)
