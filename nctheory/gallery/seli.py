r"""Gallery: SELI (Thrampoulidis et al. 2022, arXiv 2208.05512) — the λ → 0 geometry of imbalanced CE.

(a) The regularization path: normalised-Gram distances :math:`\|G/\|G\|_F - T/\|T\|_F\|_F` of
    :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` to the SELI Grams T, for certified ridge-CE solves
    of a step profile (3 classes of 10, 3 of 1, no bias), drawn against :math:`1/\log(1/\lambda)`: the claim is
    convergence in direction as λ → 0, slowly (~1/log(1/λ), [recalled]); the UF-SVM solve (the λ → 0 problem)
    sits at 0.
(b, c) SELI vs the imbalance ratio R for the (R, ρ)-step with k = 10, ρ = ½ (5 classes of R, 5 of 1):
    closed-form Gram ratios and cosines (``seli/step-formulas``) vs UF-SVM solves (``convex:uf-svm``).
    No exact minority collapse at finite R: :math:`\cos(w_{\min}, w_{\min}') < 1`.
"""

from __future__ import annotations

import sys

import numpy as np

from nctheory.claims.sources import seli as se
from nctheory.gallery.output import GalleryRun
from nctheory.gallery.panels import dress
from nctheory.gallery.reference import reference_solve
from nctheory.model import Problem

NAME = "seli"
TITLE = "SELI: distance to SELI along the regularization path, and SELI vs the imbalance ratio R"
SOURCE = se.SOURCE
CLAIMS = ("seli/regularization-path", "seli/grams", "seli/step-formulas")

PATH_SIZES = (10, 10, 10, 1, 1, 1)
STEP_K = 10
#: The catalogue's worked example (k = 10, R = 10, ρ = ½) as printed (4 decimals).
WORKED_CATALOGUE = {"w_sq_ratio": 2.6721, "cos_w_min": 0.0334, "mu_sq_ratio": 0.3508}

PITFALLS = [
    {"text": "No authors'-code pitfall is recorded for SELI. The convergence to SELI is in direction only and "
             "slow (~1/log(1/λ)): even λ = 1e-10 leaves a visible distance.",
     "shown": "panel (a): distances at every λ, drawn against 1/log(1/λ)"},
]


def step_problem(R: int) -> Problem:
    """(R, ½)-step with k = 10: five classes of R samples, five of 1."""
    half = STEP_K // 2
    return Problem(sizes=(int(R),) * half + (1,) * half)


def _pair_cosines(sol) -> dict:
    """Cosines of the class pairs (0, 1) (majority), (K-2, K-1) (minority), (0, K-1) (cross), from the Grams."""
    W, H = np.asarray(sol.W), np.asarray(sol.H_mean)
    out = {}
    for tag, G in (("w", W @ W.T), ("mu", H.T @ H)):
        C = G / np.sqrt(np.outer(np.diag(G), np.diag(G)))
        K = C.shape[0]
        out[f"cos_{tag}_maj"], out[f"cos_{tag}_min"], out[f"cos_{tag}_cross"] = (
            float(C[0, 1]), float(C[K - 2, K - 1]), float(C[0, K - 1]))
    return out


def figure(out_dir: str, quick: bool = False):
    """Draw the SELI panels into ``out_dir`` (``seli.png`` + ``.json``)."""
    import matplotlib.pyplot as plt

    run = GalleryRun(sys.modules[__name__], out_dir, quick)
    fig, axes = plt.subplots(1, 3, figsize=(15.5, 4.9))

    # (a) the regularization path
    lambdas = np.geomspace(1e-2, 1e-10, 5 if quick else 17)
    base = Problem(sizes=PATH_SIZES, lambda_w=1e-3, lambda_h=1e-3)
    path = se.regularization_path(base, lambdas)
    claim = se.REGULARIZATION_PATH
    run.log.add(claim.id, "sequence:regularization_path", "certified", {"lambdas": lambdas}, True, bool(path.ok))
    if not path.certified:
        run.inconclusive.append("regularization path: some ridge-CE solve was not certified (" + path.message + ")")
    x = 1.0 / np.log(1.0 / lambdas)
    ax = axes[0]
    names = ("W Wᵀ", "H̄ᵀ H̄", "W H̄")
    colors = ("tab:blue", "tab:orange", "tab:green")
    for j, (name, color) in enumerate(zip(names, colors)):
        ax.plot(x, path.distances[:, j], "o-", color=color, mfc="none", label=f"{name}: ridge-CE (certified)")
    svm, why = reference_solve(base, se.UF_SVM_METHOD)
    svm_dist = None
    if svm is None:
        run.inconclusive.append(why)
    else:
        svm_dist = se.seli_distances(base, svm)
        run.log.add_claim("seli/grams", se.GRAMS.predict(base).quantities, se.GRAMS.observed(base, svm), svm.method,
                      {"sizes": PATH_SIZES})
        ax.plot(np.zeros(3), svm_dist, "*", color="k", ms=10, label="UF-SVM (λ → 0): distance 0 predicted")
    ax.set_xlim(left=-0.005)
    ax.set_ylim(bottom=-0.01)
    dress(ax, "a", f"regularization path, sizes {PATH_SIZES}", xlabel="1 / log(1/λ)   (λ from 1e-2 down to 1e-10)",
          ylabel="distance of normalised Gram to SELI")

    # (b, c) SELI vs R from the step formulas and UF-SVM solves
    R_dense = np.geomspace(1.0, 200.0, 60 if quick else 200)
    pred = {k: [] for k in ("w_sq_ratio", "mu_sq_ratio", "cos_w_min", "cos_mu_min", "cos_w_maj", "cos_w_cross")}
    for R in R_dense:
        f = se.step_formulas(STEP_K, float(R), 0.5)
        for k in pred:
            pred[k].append(f[k])
    R_solved = [2, 10, 100] if quick else [1, 2, 3, 5, 10, 20, 50, 100, 200]
    solved = []
    for R in R_solved:
        p = step_problem(R)
        if p.balanced:
            # one size: the step formulas need two sizes; the SELI Grams (seli/grams) still apply (balanced: ETF)
            sol, why = reference_solve(p, se.UF_SVM_METHOD)
            if sol is None:
                run.inconclusive.append(why)
                continue
            run.log.add_claim("seli/grams", se.GRAMS.predict(p).quantities, se.GRAMS.observed(p, sol), sol.method,
                          {"R": R})
            f = se.step_formulas(STEP_K, 1.0, 0.5)
            solved.append({"R": R, **_pair_cosines(sol), "w_sq_ratio": 1.0, "mu_sq_ratio": 1.0,
                           "formula_at_R1": {k: f[k] for k in pred}})
            continue
        sol, why = reference_solve(p, se.UF_SVM_METHOD)
        if sol is None:
            run.inconclusive.append(why)
            continue
        q = se.STEP.predict(p).quantities
        o = se.STEP.observed(p, sol)
        run.log.add_claim(se.STEP.id, q, o, sol.method, {"R": R})
        run.log.add_claim("seli/grams", se.GRAMS.predict(p).quantities, se.GRAMS.observed(p, sol), sol.method, {"R": R})
        solved.append({"R": R, **{k: o.get(k) for k in pred}})
    for ax, keys, letter, title, ylabel in (
            (axes[1], ("w_sq_ratio", "mu_sq_ratio"), "b", "SELI norm ratios vs R", "squared-norm ratio (maj / min)"),
            (axes[2], ("cos_w_min", "cos_mu_min", "cos_w_maj", "cos_w_cross"), "c",
             "SELI cosines vs R (cos(w_min, w_min') < 1: no collapse)", "cosine")):
        for key, color in zip(keys, ("tab:blue", "tab:orange", "tab:green", "tab:red")):
            ax.plot(R_dense, pred[key], "-", color=color, label=f"{key} predicted")
            pts = [(s["R"], s[key]) for s in solved if s.get(key) is not None]
            ax.plot([a for a, _ in pts], [b for _, b in pts], "o", mfc="none", color=color, ms=7,
                    label=f"{key} solved (UF-SVM)")
        dress(ax, letter, title, xscale="log", xlabel="imbalance ratio R (5 classes of R, 5 of 1)", ylabel=ylabel)

    worked = se.step_formulas(STEP_K, 10.0, 0.5)
    numbers = {
        "path": {"sizes": PATH_SIZES, "lambdas": lambdas, "distances_W_H_WH": path.distances,
                 "monotone": path.monotone, "decreased": path.decreased, "certified": path.certified,
                 "uf_svm_distances": svm_dist},
        "step": {"k": STEP_K, "rho": 0.5, "solved": solved},
        "worked_example": {"k": STEP_K, "R": 10, "rho": 0.5, "formula": {k: worked[k] for k in WORKED_CATALOGUE},
                           "catalogue": WORKED_CATALOGUE,
                           "solved": next(({k: s[k] for k in WORKED_CATALOGUE} for s in solved if s["R"] == 10), None)},
    }
    return run.save(fig, numbers)
