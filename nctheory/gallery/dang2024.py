r"""Gallery: Dang et al. 2024 (arXiv 2401.02058) — CE with ReLU (non-negative) features under imbalance.

Sizes :math:`n = (100, 60, 30, 12, 6, 3)`, no bias, :math:`\lambda_W = \lambda_H = \lambda`, :math:`d = 2K`.
The collapse threshold is :math:`\tau = KN^2\lambda_W\lambda_H/(K-1)`: class k has :math:`\bar h_k = 0` iff
:math:`n_k \le \tau`; λ is chosen from τ, :math:`\lambda = \sqrt{\tau(K-1)/K}/N`.

(a) margins :math:`t_k = \log((K-1)[\sqrt{n_k}/(N\sqrt{(K-1)\lambda_W\lambda_H/K}) - 1])` vs :math:`n_k` for three
    thresholds τ = 2, 8, 25 (lines: the formula as a function of n at fixed N; points: global solves);
(b) squared norms :math:`\|\bar h_k\|^2 = \sqrt{(K-1)\lambda_W/(K\lambda_H n_k)}\,t_k` and
    :math:`\|w_k\|^2 = (C/K^2)((K^2-2K)q_k + Q)`, :math:`q_k = \sqrt{n_k}t_k` (Q of the instance held fixed), τ = 8;
(c) angles at τ = 8: :math:`\cos(w_k,\bar h_k)` vs :math:`n_k` and :math:`\cos(w_i, w_j)` for every pair,
    predicted vs solved;
(d) pitfall: objectives of single random restarts at :math:`d = K` and at :math:`d = 2K` (no class switching):
    at small d many stop at spurious points with a live minority class switched off.

Solved points: factored L-BFGS-B restarts with class switching (no convex form exists for the ReLU model).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import dang2024 as dg
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress, solved_key
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem
from nctheory.solvers import solve

NAME = "dang2024"
TITLE = "Dang et al. 2024: ReLU features, CE — norms and angles vs class size, collapse threshold τ"
SOURCE = dg.SOURCE
CLAIMS = ("dang2024/relu-structure", "dang2024/relu-angles", "dang2024/relu-collapse")

SIZES = (100, 60, 30, 12, 6, 3)
TAUS = (2.0, 8.0, 25.0)
MAIN_TAU = 8.0

PITFALLS = [
    {"text": "The authors' code uses a different constant in the margin t_k.",
     "shown": "not drawn: the catalogue does not record the code's constant, so the toolkit cannot reproduce it"},
    {"text": "Random starts with H ≥ 0 often stop at spurious points where a minority class is zero (small d); "
             "restarts and wide d matter.",
     "shown": "panel (d): single restarts at d = K and d = 2K; the JSON counts the restarts flagged "
              "'relu_dead_class' and their objective excess over the predicted optimum"},
]


def lambda_for_tau(tau: float, sizes=SIZES) -> float:
    r""":math:`\lambda` with :math:`KN^2\lambda^2/(K-1) = \tau`."""
    K, N = len(sizes), float(sum(sizes))
    return math.sqrt(tau * (K - 1) / K) / N


def _problem(tau: float, d: int | None = None) -> Problem:
    lam = lambda_for_tau(tau)
    return Problem(sizes=SIZES, lambda_w=lam, lambda_h=lam, features="relu", d=d)


def _margin_curve(p: Problem, ns: np.ndarray) -> np.ndarray:
    """The margin formula as a function of a class size n at the instance's N and λ (0 below τ)."""
    K, N = p.K, p.N
    ratio = np.sqrt(ns) / (N * math.sqrt((K - 1) * p.lambda_w * p.lambda_h / K))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(ratio > 1.0 + 1.0 / (K - 1), np.log((K - 1) * (ratio - 1.0)), 0.0)
    return np.maximum(t, 0.0)


def _restart_objectives(p: Problem, restarts: int) -> dict:
    sol = solve(p, method="factored", restarts=restarts, drop_classes=False)
    recs = sol.extra["restarts"]
    return {"d": p.dim, "objectives": [r["objective"] for r in recs],
            "flagged": [any(f.startswith("relu_dead_class") for f in r["flags"]) for r in recs],
            "flags": [r["flags"] for r in recs]}


def figure(out_dir: str, quick: bool = False):
    """Draw the Dang et al. 2024 panels into ``out_dir`` (``dang2024.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    restarts = 4 if quick else 8
    ns = np.geomspace(1.0, 130.0, 80 if quick else 300)
    fig, axes = plt.subplots(2, 2, figsize=(11.5, 8.4))
    colors = ("tab:green", "tab:blue", "tab:red")
    solved = {}
    for tau, color in zip(TAUS, colors):
        p = _problem(tau)
        sol, why = reference_solve(p, "factored", restarts=restarts)
        ax = axes[0, 0]
        ax.plot(ns, _margin_curve(p, ns), "-", color=color, lw=1.4,
                label=f"τ = {tau:g} (λ = {p.lambda_w:.4g}) predicted")
        ax.axvline(tau, color=color, ls=":", lw=1)
        if sol is None:
            run.inconclusive.append(why)
            continue
        at = {"tau": tau, "lambda": p.lambda_w}
        for claim in dg.CLAIMS:
            run.log.add_claim(claim.id, claim.predict(p).quantities, claim.observed(p, sol), sol.method, at,
                          names=("margins", "collapsed", "h_norm_sq", "w_norm_sq", "cos_ww", "cos_wh",
                                 "objective", "classifier_residual", "collapsed_classifier_residual",
                                 "collapsed_classifier_spread", "global_collapse"))
        obs = dg.relu_observe(p, sol)
        ax.plot(p.sizes, obs["margins"], "o", mfc="none", color=color, ms=6)
        solved[tau] = (p, sol, obs)
    ax = axes[0, 0]
    solved_key(ax, "solved (factored)")
    dress(ax, "a", "margins vs class size; dotted: thresholds τ", xscale="log", xlabel="class size n_k",
          ylabel="margin t_k")

    numbers: dict = {"sizes": SIZES, "taus": {}}
    for tau, (p, sol, obs) in solved.items():
        q = dg.relu_quantities(p)
        numbers["taus"][str(tau)] = {"lambda": p.lambda_w, "tau": q["tau"], "C": q["C"], "predicted": q,
                                     "observed": obs, "method": sol.method, "solver_message": sol.message}

    if MAIN_TAU in solved:
        p, sol, obs = solved[MAIN_TAU]
        q = dg.relu_quantities(p)
        K, C = p.K, q["C"]
        t_curve = _margin_curve(p, ns)
        h_curve = np.sqrt((K - 1) * p.lambda_w / (K * p.lambda_h * ns)) * t_curve
        Q = float(np.sum(np.sqrt(p.n) * q["margins"]))
        w_curve = C / K**2 * ((K**2 - 2 * K) * np.sqrt(ns) * t_curve + Q)
        ax = axes[0, 1]
        ax.plot(ns, h_curve, "-", color="tab:orange", label="‖h̄_k‖² predicted")
        ax.plot(p.sizes, obs["h_norm_sq"], "o", mfc="none", color="tab:orange", label="‖h̄_k‖² solved")
        ax.plot(ns, w_curve, "-", color="tab:purple", label="‖w_k‖² predicted (Q fixed)")
        ax.plot(p.sizes, obs["w_norm_sq"], "o", mfc="none", color="tab:purple", label="‖w_k‖² solved")
        ax.axvline(MAIN_TAU, color="k", ls=":", lw=1, label=f"τ = {MAIN_TAU:g}: h̄_k = 0 below")
        dress(ax, "b", f"norms vs class size (λ = {p.lambda_w:.4g}, d = {p.dim})", xscale="log",
              xlabel="class size n_k", ylabel="squared norm")

        ax = axes[1, 0]
        q_curve = np.sqrt(ns) * t_curve
        cos_curve = (K - 1) * np.sqrt(q_curve) / np.sqrt((K**2 - 2 * K) * q_curve + Q)
        alive = np.flatnonzero(~q["collapsed"])
        ax.plot(ns, np.where(t_curve > 0, cos_curve, np.nan), "-", color="tab:blue", label="cos(w_k, h̄_k) predicted")
        ax.plot(np.asarray(p.sizes)[alive], np.diag(np.asarray(obs["cos_wh"])[alive]), "o", mfc="none",
                color="tab:blue", label="cos(w_k, h̄_k) solved")
        iu = np.triu_indices(K, 1)
        pairs_x = np.sqrt(np.asarray(p.sizes)[iu[0]] * np.asarray(p.sizes)[iu[1]])
        ax.plot(pairs_x, q["cos_ww"][iu], "x", color="tab:red", label="cos(w_i, w_j) predicted (x = √(n_i n_j))")
        ax.plot(pairs_x, np.asarray(obs["cos_ww"])[iu], "o", mfc="none", color="tab:red", ms=8,
                label="cos(w_i, w_j) solved")
        ax.axvline(MAIN_TAU, color="k", ls=":", lw=1)
        dress(ax, "c", "angles: self-duality and classifier pairs", xscale="log",
              xlabel="class size n_k (pairs: √(n_i n_j))", ylabel="cosine")

    # (d) the pitfall: spurious dead classes at small d
    n_restarts = 6 if quick else 12
    runs = [_restart_objectives(_problem(MAIN_TAU, d=len(SIZES)), n_restarts),
            _restart_objectives(_problem(MAIN_TAU, d=2 * len(SIZES)), n_restarts)]
    f_star = float(dg.relu_quantities(_problem(MAIN_TAU))["objective"])
    ax = axes[1, 1]
    for j, (restart_run, color) in enumerate(zip(runs, ("tab:red", "tab:blue"))):
        objs = np.asarray(restart_run["objectives"]) - f_star
        flagged = np.asarray(restart_run["flagged"])
        xs = j + np.linspace(-0.3, 0.3, objs.size)
        ax.plot(xs[~flagged], np.maximum(objs[~flagged], 1e-16), "o", color=color, mfc="none")
        ax.plot(xs[flagged], np.maximum(objs[flagged], 1e-16), "s", color=color,
                label=f"d = {restart_run['d']}: {int(flagged.sum())}/{objs.size} restarts with a live class "
                      "switched off")
        restart_run["excess_over_predicted"] = objs
    ax.set_xticks([0, 1], [f"d = K = {len(SIZES)}", f"d = 2K = {2 * len(SIZES)}"])
    dress(ax, "d", "pitfall: single random restarts (squares: spurious dead class)", yscale="log",
          ylabel="restart objective − predicted optimum (floored at 1e-16)", legend={"fontsize": 7, "loc": "center"})

    numbers["pitfall_restarts"] = {"predicted_objective": f_star, "runs": runs}
    return run.save(fig, numbers)
