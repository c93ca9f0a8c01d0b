r"""Gallery: the Dang et al. 2024 margin-constant pitfall (catalogue §9, unresolved).

ReLU-feature CE UFM, sizes (60, 30, 10), :math:`\sqrt{\lambda_W\lambda_H} = 2\cdot10^{-3}` fixed, the ratio
:math:`r = \lambda_W/\lambda_H` swept.  The margin :math:`t_k = \log((K-1)[\sqrt{n_k}/c - 1])` with the derived
constant :math:`c = N\sqrt{\lambda_W\lambda_H}\sqrt{(K-1)/K}` does not depend on r; with the authors' code constant
:math:`c_{\rm code} = N(\lambda_W/2)\sqrt{(K-1)/K}` it does (:mod:`nctheory.claims.sources.dang2024.authors_margin`).
Solved: factored restarts (ReLU features have no certificate), margins read from the mean logits.

(a) :math:`t_k` vs r: derived (flat), the code's constant (curves), solved points; the two meet at r = 4;
(b) :math:`c_{\rm code}/c = \frac12\sqrt r` and the margin differences per class.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from nctheory.claims.sources import dang2024 as dg
from nctheory.claims.sources.dang2024 import authors_margin as am
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress, solved_key
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "dang2024-margin"
TITLE = "Dang et al. 2024: the margin constant N(λ_W/2)√((K−1)/K) of the code vs N√(λ_Wλ_H)√((K−1)/K) derived"
SOURCE = dg.SOURCE
CLAIMS = ("dang2024/relu-structure",)
SIZES = (60, 30, 10)
LAMBDA = 2e-3
RATIOS_SOLVED = (0.25, 1.0, 4.0, 16.0, 64.0)
RATIOS_QUICK = (1.0, 4.0, 16.0)

PITFALLS = [
    {"text": "The authors' code uses N(λ_W/2)√((K−1)/K) in the margin where the derivation gives "
             "N√(λ_Wλ_H)√((K−1)/K); they agree only when λ_W = 4λ_H. Unresolved: shown, no winner picked.",
     "shown": "panel (a): at fixed λ_Wλ_H the derived margins are flat in λ_W/λ_H, the code's move; solved margins "
              "follow the derived ones; panel (b): c_code/c = √(λ_W/λ_H)/2, 1 at λ_W = 4λ_H"},
]


def problem(ratio: float) -> Problem:
    """Sizes :data:`SIZES`, λ_W = LAMBDA·√ratio, λ_H = LAMBDA/√ratio, ReLU features."""
    return Problem(sizes=SIZES, lambda_w=LAMBDA * math.sqrt(ratio), lambda_h=LAMBDA / math.sqrt(ratio),
                   features="relu")


def curves(ratios) -> dict:
    """Derived and code margins (K columns) and the constants' ratio over ``ratios``."""
    K, N = len(SIZES), float(sum(SIZES))
    der, code, cr = [], [], []
    for r in ratios:
        lw, lh = LAMBDA * math.sqrt(r), LAMBDA / math.sqrt(r)
        c, cc = am.derived_constant(K, N, lw, lh), am.code_constant(K, N, lw, lh)
        der.append(am.margin_with_constant(K, SIZES, c))
        code.append(am.margin_with_constant(K, SIZES, cc))
        cr.append(cc / c)
    return {"derived": np.asarray(der), "code": np.asarray(code), "constant_ratio": np.asarray(cr)}


def figure(out_dir: str, quick: bool = False):
    """Draw the margin-constant panels into ``out_dir`` (``dang2024_margin.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    ratios = np.geomspace(1 / 16, 256, 60 if quick else 200)
    cv = curves(ratios)
    claim = dg.CLAIMS[0]
    solved = []
    for r in (RATIOS_QUICK if quick else RATIOS_SOLVED):
        p = problem(r)
        sol, why = reference_solve(p, "factored", restarts=4 if quick else 8)
        if sol is None:
            run.inconclusive.append(why)
            continue
        obs = claim.observed(p, sol)
        run.log.add_claim(claim.id, claim.predict(p).quantities, obs, sol.method, {"ratio": r},
                      names=("margins", "h_norm_sq", "objective"))
        code = am.margin_with_constant(p.K, SIZES, am.code_constant(p.K, p.N, p.lambda_w, p.lambda_h))
        solved.append({"ratio": r, "margins": obs["margins"], "derived": dg.margins(p), "code": code})

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8))
    colors = ("tab:blue", "tab:orange", "tab:red")
    ax = axes[0]
    for k, (n, c) in enumerate(zip(SIZES, colors)):
        ax.plot(ratios, cv["derived"][:, k], "-", color=c, label=f"n_k = {n}: derived constant")
        ax.plot(ratios, cv["code"][:, k], "--", color=c, label=f"n_k = {n}: authors' code constant")
        ax.plot([s["ratio"] for s in solved], [s["margins"][k] for s in solved], "o", mfc="none", color=c, ms=7)
    solved_key(ax, "solved (factored restarts)")
    ax.axvline(4.0, color="k", ls=":", lw=1, label="λ_W = 4λ_H")
    dress(ax, "a", "margins: flat in λ_W/λ_H when derived, moving with the code's constant", xscale="log",
          xlabel="λ_W / λ_H   (√(λ_Wλ_H) = 2e-3 fixed)", ylabel="margin t_k",
          legend={"fontsize": 7, "ncol": 2, "loc": "lower left"})

    ax = axes[1]
    ax.plot(ratios, cv["constant_ratio"], "-", color="k", label="c_code / c = √(λ_W/λ_H)/2")
    for k, (n, c) in enumerate(zip(SIZES, colors)):
        ax.plot(ratios, cv["code"][:, k] - cv["derived"][:, k], "-", color=c, lw=1,
                label=f"t_code − t_derived, n_k = {n}")
    ax.axhline(1.0, color="grey", ls="--", lw=0.8)
    ax.axhline(0.0, color="grey", ls="-", lw=0.5)
    ax.axvline(4.0, color="k", ls=":", lw=1)
    dress(ax, "b", "the constants agree only at λ_W = 4λ_H", xscale="log", xlabel="λ_W / λ_H")

    numbers = {"sizes": SIZES, "lambda": LAMBDA, "ratios": ratios, **cv, "solved": solved}
    return run.save(fig, numbers, title_fontsize=10)
