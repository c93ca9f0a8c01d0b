r"""Gallery: Dang et al. 2023 (arXiv 2301.00437) — deep linear UFM with MSE under imbalance.

One size profile :math:`n = (200, 100, 50, 30, 24, 18, 12, 6)`, no bias, :math:`\lambda_W = \lambda_H = \lambda`
chosen per depth M so that the global zero threshold :math:`\beta_k = (M-1)^{(M-1)/M}/M` (M ≥ 2;
:math:`n_k = N^2\lambda_W\lambda_H` for M = 1) falls at :math:`n^* = 21` for every M:
:math:`\beta_k = b/n_k` with :math:`b = M(N\lambda)^{1+1/M}`, so :math:`N\lambda = (\text{thr}\,n^*/M)^{M/(M+1)}`.

(a–d) :math:`\sigma_k/(N\lambda_H) = x_k^M` (:math:`\sigma_k = \|p_k\|^2`, row k of :math:`P = W_M\cdots W_1`) vs
:math:`n_k` for M = 1, 2, 3, 6: the correct global rule (solid), the authors'-code rule (dashed: largest root
without the global test; missing where the code has no root and crashes), and global solves (certified for
M = 1, factored restarts with class switching for M ≥ 2).
(e) the pitfall in one picture: the scaled class objective :math:`G_\beta(x) = 1/(1+x^M) + \beta x` for a
class inside the band threshold ≤ β ≤ peak (M = 2, n = 18): the right root the authors' code returns is a
local minimum above :math:`G_\beta(0) = 1`, so the class is zero at the global minimizer.
(f) the catalogue's worked example (M = 1, n = [200, 100, 50, 50], λ = 5e-4): σ from the closed form
:math:`\sqrt{n_k\lambda_H/\lambda_W} - N\lambda_H`, from a certified solve, and as printed in the catalogue.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import dang2023 as dg
from nctheory.claims.sources.dang2023.root import (authors_code_x, betas, global_x, peak_location, peak_value,
                                                   right_root, scaled_class_objective, zero_threshold)
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "dang2023"
TITLE = "Dang et al. 2023: deep linear MSE, σ_k vs n_k for M = 1, 2, 3, 6 (global rule vs authors' code)"
SOURCE = dg.SOURCE
CLAIMS = ("dang2023/mse-imbalanced",)

SIZES = (200, 100, 50, 30, 24, 18, 12, 6)
DEPTHS = (1, 2, 3, 6)
#: Class size at which every depth's global zero threshold is placed (between the classes 24 and 18).
N_STAR = 21.0
#: The catalogue's worked example (§3) and the values it prints (5 decimals).
WORKED_SIZES = (200, 100, 50, 50)
WORKED_LAMBDA = 5e-4
WORKED_SIGMA_CATALOGUE = (13.94214, 9.8, 6.87107, 6.87107)

PITFALLS = [
    {"text": "The authors' code takes the largest root of β_k = Mx^{M−1}/(x^M+1)² without the global threshold "
             "test: for threshold ≤ β_k ≤ peak it reports a nonzero class the global minimizer does not have.",
     "shown": "panels (a–d): dashed vs solid curves, and the solved points, which follow the global rule "
              "(class n = 18 for M = 2, 3 and n = 12, 18 for M = 6 are zero although the code says nonzero); "
              "panel (e): the code's root is a local minimum above the zero solution"},
    {"text": "The authors' code crashes when β_k exceeds the peak ψ(x_p) (no root).",
     "shown": "the dashed curves stop there; the JSON lists those classes with the authors' value null"},
    {"text": "For M ≥ 2 zero is always a local minimum of each class: gradient solvers can stop there.",
     "shown": "the factored reference uses restarts plus class switching (solvers.factored); its flags are in "
              "the JSON"},
]


def lambda_for_depth(M: int, sizes=SIZES, n_star: float = N_STAR) -> float:
    r"""λ (= λ_W = λ_H) that puts depth M's global zero threshold at class size ``n_star``."""
    N = float(sum(sizes))
    b = zero_threshold(M) * n_star
    return (b / M) ** (M / (M + 1.0)) / N


def _problem(M: int, sizes=SIZES) -> Problem:
    lam = lambda_for_depth(M, sizes)
    return Problem(sizes=sizes, lambda_w=lam, lambda_h=lam, loss="mse", depth=M)


def _curve(rule, b: float, M: int, ns: np.ndarray) -> list:
    out = []
    for n in ns:
        x = rule(b / n, M)
        out.append(None if not math.isfinite(x) else x ** M)
    return out


def figure(out_dir: str, quick: bool = False):
    """Draw the Dang et al. 2023 panels into ``out_dir`` (``dang2023.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    restarts = 4 if quick else 8
    ns = np.geomspace(4.0, 260.0, 80 if quick else 400)
    fig, axes = plt.subplots(2, 3, figsize=(14.5, 8.4))
    per_depth = {}
    for i, M in enumerate(DEPTHS):
        p = _problem(M)
        b = float(betas(p)[0] * p.sizes[0])
        scale = p.N * p.lambda_h
        q = dg.mse_quantities(p)
        authors = dg.mse_quantities(p, rule="authors-code")["sigma"]
        sol, why = reference_solve(p, "certified" if M == 1 else "factored",
                                   **({} if M == 1 else {"restarts": restarts}))
        observed = None
        if sol is None:
            run.inconclusive.append(why)
        else:
            obs = dg.MSE_IMBALANCED.observed(p, sol)
            run.log.add_claim("dang2023/mse-imbalanced", dg.MSE_IMBALANCED.predict(p).quantities, obs, sol.method,
                          {"depth": M, "lambda": p.lambda_w}, names=("sigma", "zero_class", "objective"))
            observed = obs["sigma"]
        differ = [{"n_k": int(n), "global_sigma": float(g), "authors_sigma": None if not math.isfinite(a) else float(a),
                   "solved_sigma": None if observed is None else float(observed[k])}
                  for k, (n, g, a) in enumerate(zip(p.sizes, q["sigma"], authors))
                  if not (math.isfinite(a) and abs(a - g) <= 1e-12 * max(1.0, abs(g)))]
        per_depth[M] = {"lambda": p.lambda_w, "N": p.N, "beta": q["beta"], "zero_threshold_beta": zero_threshold(M),
                        "peak_beta": peak_value(M), "global_sigma": q["sigma"], "authors_code_sigma": authors,
                        "solved_sigma": observed, "method": None if sol is None else sol.method,
                        "solver_message": None if sol is None else sol.message, "rules_differ": differ}

        ax = axes.flat[i]
        glob = _curve(global_x, b, M, ns)
        auth = _curve(authors_code_x, b, M, ns)
        ax.plot(ns, glob, "-", color="tab:blue", lw=1.6, label="global rule (predicted)")
        xs = [n for n, v in zip(ns, auth) if v is not None]
        ax.plot(xs, [v for v in auth if v is not None], "--", color="tab:red", lw=1.2,
                label="authors' code rule (no global test)")
        if observed is not None:
            ax.plot(p.sizes, observed / scale, "o", mfc="none", color="k", ms=7, label=f"solved ({sol.method})")
        n_zero = b / zero_threshold(M)
        ax.axvline(n_zero, color="0.4", ls=":", lw=1, label=f"zero threshold n = {n_zero:.3g}")
        if M >= 2:
            ax.axvspan(b / peak_value(M), b / zero_threshold(M), color="tab:red", alpha=0.12,
                       label="band: code nonzero, global zero")
        dress(ax, "abcd"[i], f"M = {M}, λ = {p.lambda_w:.3g}", xscale="log", xlabel="class size n_k",
              ylabel="σ_k / (N λ_H) = x_k^M", legend={"fontsize": 6.5, "loc": "upper left"})

    # (e) the scaled class objective for the band class n = 18 at M = 2
    M = 2
    p = _problem(M)
    k = p.sizes.index(18)
    beta = float(betas(p)[k])
    xr = right_root(beta, M)
    xg = np.linspace(0.0, 2.5, 300)
    ax = axes.flat[4]
    ax.plot(xg, scaled_class_objective(xg, beta, M), color="tab:blue")
    ax.plot([0.0], [1.0], "o", color="tab:blue", label="x = 0: global minimum (G = 1)")
    ax.plot([xr], [float(scaled_class_objective(xr, beta, M))], "s", color="tab:red",
            label=f"right root x = {xr:.3f}: authors' code (G = {float(scaled_class_objective(xr, beta, M)):.4f})")
    ax.axvline(peak_location(M), color="0.6", ls=":", lw=1, label="peak of ψ")
    dress(ax, "e", f"pitfall: M = 2, n = 18, β = {beta:.4f} in [{zero_threshold(M):.3f}, {peak_value(M):.4f}]",
          xlabel="x (σ = Nλ_H x^M)", ylabel="G_β(x) = 1/(1+x^M) + βx")
    pitfall_e = {"depth": M, "n_k": 18, "beta": beta, "zero_threshold_beta": zero_threshold(M),
                 "peak_beta": peak_value(M), "authors_root": xr,
                 "G_at_root": float(scaled_class_objective(xr, beta, M)), "G_at_zero": 1.0}

    # (f) the worked example
    pw = Problem(sizes=WORKED_SIZES, lambda_w=WORKED_LAMBDA, lambda_h=WORKED_LAMBDA, loss="mse")
    closed = np.sqrt(pw.n * pw.lambda_h / pw.lambda_w) - pw.N * pw.lambda_h
    solw, why = reference_solve(pw, "certified")
    ax = axes.flat[5]
    idx = np.arange(pw.K)
    ax.bar(idx - 0.25, closed, 0.25, label="closed form √(n_kλ_H/λ_W) − Nλ_H", color="tab:blue")
    ax.bar(idx, WORKED_SIGMA_CATALOGUE, 0.25, label="catalogue §3 (printed)", color="tab:gray")
    worked = {"sizes": WORKED_SIZES, "lambda": WORKED_LAMBDA, "closed_form": closed,
              "catalogue": WORKED_SIGMA_CATALOGUE, "solved": None}
    if solw is None:
        run.inconclusive.append(why)
    else:
        obs = dg.MSE_IMBALANCED.observed(pw, solw)
        run.log.add_claim("dang2023/mse-imbalanced", dg.MSE_IMBALANCED.predict(pw).quantities, obs, solw.method,
                      {"depth": 1, "lambda": WORKED_LAMBDA, "worked_example": True},
                      names=("sigma", "zero_class", "objective"))
        worked["solved"] = obs["sigma"]
        ax.bar(idx + 0.25, obs["sigma"], 0.25, label=f"solved ({solw.method})", color="k")
    ax.set_xticks(idx, [str(n) for n in WORKED_SIZES])
    if worked["solved"] is not None:
        err = float(np.max(np.abs(np.asarray(worked["solved"]) - np.asarray(WORKED_SIGMA_CATALOGUE))))
        ax.text(0.98, 0.62, f"max |solved − catalogue| = {err:.1e}\n(catalogue prints 5 decimals)",
                transform=ax.transAxes, ha="right", fontsize=7)
    ax.set_ylim(0, 1.35 * max(closed))
    dress(ax, "f", "worked example: M = 1, λ_W = λ_H = 5e-4", xlabel="class size n_k", ylabel="σ_k",
          legend={"fontsize": 7, "loc": "upper right"})

    numbers = {"sizes": SIZES, "n_star": N_STAR, "depths": {str(M): v for M, v in per_depth.items()},
               "pitfall_band_class": pitfall_e, "worked_example": worked}
    return run.save(fig, numbers)
