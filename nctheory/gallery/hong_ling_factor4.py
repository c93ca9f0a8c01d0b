r"""Gallery: Hong & Ling's factor-4 convention — their code's penalties carry no ½ (catalogue §9).

The code minimises CE + :math:`\lambda'_W\|W\|^2 + \lambda'_H\|H\|^2` (no ½): the canonical problem with
:math:`\lambda = 2\lambda'` (:meth:`nctheory.model.Problem.from_no_half_penalties`).  The canonical minority-collapse
threshold :math:`\lambda N \ge \sqrt{n_B}` (``hong-ling/threshold``) therefore reads
:math:`\lambda' N \ge \sqrt{n_B}/2`, i.e. :math:`n_B \le 4N^2\lambda'_W\lambda'_H` in the code's symbols; applying the
canonical formula to the code's λ' puts the threshold a factor 2 too high in λ (4 in :math:`\lambda_W\lambda_H`).

Two clusters, :math:`K_A = 2` classes of :math:`n_A = 100`, :math:`K_B = 3` of :math:`n_B = 10`, no bias,
:math:`\lambda'_W = \lambda'_H = \lambda'`.  Predicted: the two-cluster KKT system; solved: certified global solves.

(a) the minority within-cluster singular value :math:`s_B` vs the code's λ', with the threshold in the code's units
    :math:`\sqrt{n_B}/(2N)` and the canonical formula misapplied, :math:`\sqrt{n_B}/N`;
(b) the same solves against the canonical λ = 2λ', where the canonical threshold is right.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import hong_ling as hl
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "hong-ling-factor4"
TITLE = "Hong & Ling's code convention (no ½ on the penalties): the threshold n_B ≤ 4N²λ'_Wλ'_H"
SOURCE = hl.SOURCE
CLAIMS = ("hong-ling/angles", "hong-ling/threshold")
K_A, K_B, N_A, N_B = 2, 3, 100, 10
N = K_A * N_A + K_B * N_B
#: Code-unit λ' of the certified solves (either side of both thresholds 0.00687 and 0.01375).
CODE_LAMBDAS = (0.003, 0.005, 0.0065, 0.0072, 0.01, 0.013, 0.0145, 0.02)
CODE_LAMBDAS_QUICK = (0.005, 0.0065, 0.0072, 0.013)

PITFALLS = [
    {"text": "Hong & Ling's code writes the penalties without the ½ (λ_W‖W‖², λ_H‖H‖², λ_b‖b‖²): canonical λ = 2λ'. "
             "In the code's symbols the threshold reads n_B ≤ 4N²λ'_Wλ'_H, not n_B ≤ N²λ'_Wλ'_H.",
     "shown": "panel (a): certified solves in the code's units collapse at λ' = √n_B/(2N) = 0.00687, half the "
              "canonical formula misapplied (0.01375); panel (b): the same solves at λ = 2λ' follow the canonical "
              "threshold √n_B/N"},
]


def code_problem(lam_code: float) -> Problem:
    """The instance in the code's convention (no ½), converted to the canonical one."""
    return Problem.from_no_half_penalties((N_A,) * K_A + (N_B,) * K_B, lam_code, lam_code)


def thresholds() -> dict:
    """Minority-collapse thresholds: in the code's λ' (right), the canonical formula read as λ' (wrong), canonical."""
    lam_star = math.sqrt(N_B) / N
    return {"code_units": lam_star / 2.0, "canonical_formula_misapplied": lam_star, "canonical": lam_star}


def figure(out_dir: str, quick: bool = False):
    """Draw the factor-4 panels into ``out_dir`` (``hong_ling_factor4.png`` + ``.json``)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    thr = thresholds()
    lam_dense = np.geomspace(0.002, 0.03, 40 if quick else 160)
    pred = [hl.kkt_for(code_problem(float(x)))[0].s_B for x in lam_dense]
    solved = []
    for lc in (CODE_LAMBDAS_QUICK if quick else CODE_LAMBDAS):
        p = code_problem(lc)
        sol, why = reference_solve(p, "certified")
        if sol is None:
            run.inconclusive.append(why)
            continue
        at = {"lambda_code": lc, "lambda_canonical": p.lambda_w}
        obs = hl.ANGLES.observed(p, sol)
        run.log.add_claim("hong-ling/angles", hl.ANGLES.predict(p).quantities, obs, sol.method, at,
                          names=("s_A", "s_B"))
        tobs = hl.THRESHOLD.observed(p, sol)
        run.log.add_claim("hong-ling/threshold", hl.THRESHOLD.predict(p).quantities, tobs, sol.method, at,
                      names=("minority_collapsed",))
        solved.append({"lambda_code": lc, "lambda_canonical": p.lambda_w, "s_B": obs.get("s_B"),
                       "minority_collapsed": tobs.get("minority_collapsed")})

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.6))
    for ax, scale, xl, lines, letter, title in (
            (axes[0], 1.0, "λ' in the code's convention (λ'‖W‖² + λ'‖H‖², no ½)",
             ((thr["code_units"], "tab:green", "-", f"√n_B/(2N) = {thr['code_units']:.5f}: the code's units"),
              (thr["canonical_formula_misapplied"], "tab:red", "--",
               f"√n_B/N = {thr['canonical_formula_misapplied']:.5f}: canonical formula misapplied")),
             "a", "the code's units: collapse at n_B = 4N²λ'_Wλ'_H"),
            (axes[1], 2.0, "canonical λ = 2λ'",
             ((thr["canonical"], "tab:green", "-", f"√n_B/N = {thr['canonical']:.5f}: canonical threshold"),),
             "b", "canonical units: collapse at λN = √n_B")):
        ax.plot(lam_dense * scale, pred, "-", color="tab:blue", label="s_B predicted (KKT)")
        ax.plot([s["lambda_code"] * scale for s in solved], [s["s_B"] for s in solved], "o", mfc="none",
                color="tab:blue", ms=7, label="s_B solved (certified)")
        for x, c, ls, lab in lines:
            ax.axvline(x, color=c, ls=ls, lw=1.2, label=lab)
        ax.set_xscale("log")
        ticks = [t * scale for t in (0.002, 0.005, 0.01, 0.02, 0.03)]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())  # the minor labels of a short log axis overlap
        dress(ax, letter, title, xlabel=xl, ylabel="minority within-cluster singular value s_B")

    numbers = {"K_A": K_A, "K_B": K_B, "n_A": N_A, "n_B": N_B, "N": N, "thresholds": thr,
               "lambda_code_dense": lam_dense, "s_B_predicted": pred, "solved": solved}
    return run.save(fig, numbers, title_fontsize=10)
