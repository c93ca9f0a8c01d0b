r"""The SELI claims (catalogue §6): ``seli/uf-svm``, ``seli/grams``, ``seli/step-formulas``, ``seli/regularization-path``.

The reference is the certified first-order UF-SVM solver (``"certified:uf-svm"``, its grouped variant
``"certified:uf-svm-symmetric"`` at K >= 50 with grouped sizes, where the predictions are grouped matrices too, so
the claims run at K = 10⁵); the cvxpy formulation ``"convex:uf-svm"`` is the independent check.  The UF-SVM is a
property of the class sizes alone; the penalties, loss and bias of the Problem are not used.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Prediction, Requires
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.conditions import dim_at_least_sel_rank, two_size_clusters
from nctheory.claims.sources.seli import accuracy as acc
from nctheory.claims.sources.seli import symbolic
from nctheory.claims.sources.seli.distance import seli_distances
from nctheory.claims.sources.seli.experiments import regularization_path
from nctheory.claims.common import grouped_form
from nctheory.claims.sources.seli.formulas import seli_targets, step_formulas, step_params
from nctheory.model import Bias, Classifier, Features, Problem
from nctheory.observe import grams, is_grouped, normalized, trace, zbar

SOURCE = ("Thrampoulidis, Kini, Vakilian, Behnia, 'Imbalance trouble: revisiting neural-collapse geometry', "
          "arXiv 2208.05512")

#: The certified first-order UF-SVM solver (its own Lagrange dual certificate); at K >= 50 with grouped sizes the
#: engine takes its grouped variant (``certified:uf-svm-symmetric``); ``convex:uf-svm`` stays as the independent
#: conic check (``--method convex:uf-svm``).
UF_SVM_METHOD = "certified:uf-svm"

#: The UF-SVM: a learned classifier with free features, one layer, d >= K-1 (no loss, penalty or bias field).
UF_SVM_REQUIRES = Requires(classifier=(Classifier.LEARNED,), features=(Features.FREE,), depth=(1, 1),
                           conditions=(dim_at_least_sel_rank,))
#: The (R,ρ)-step: the UF-SVM with exactly two class sizes.
STEP_REQUIRES = Requires(classifier=(Classifier.LEARNED,), features=(Features.FREE,), depth=(1, 1),
                         conditions=(dim_at_least_sel_rank, two_size_clusters))
#: The regularisation path: the bias-free ridge-CE UFM.
PATH_REQUIRES = Requires.ufm("ce", bias=(Bias.NONE,), conditions=(dim_at_least_sel_rank,))


def _symmetric(G: np.ndarray) -> np.ndarray:
    return 0.5 * (G + G.T)


def _targets(problem: Problem) -> dict:
    return seli_targets(problem.sizes, grouped=grouped_form(problem))


def _solution_grams(solution) -> tuple:
    """``(WWᵀ, H̄ᵀH̄, WH̄)``: grouped matrices of a compact solution, symmetrised dense ones otherwise."""
    if is_grouped(solution):
        return solution.gram_WW, solution.gram_HH, solution.gram_WH
    GW, GH = grams(solution)
    return _symmetric(GW), _symmetric(GH), zbar(solution)


# =========================================================================== seli/uf-svm
def _uf_predict(problem: Problem) -> Prediction:
    T = _targets(problem)
    # the balanced factors of SY satisfy every margin with equality and have ½‖W‖² + ½‖H‖² = ‖SY‖_*: feasible
    return Prediction("seli/uf-svm", problem,
                      {"class_mean_logits": T["WH"], "objective": T["nuclear"], "min_margin": 1.0},
                      "UF-SVM optimum: Ẑ = SY (class means S), value ‖SD^{1/2}‖_*, all margins ≥ 1 with equality",
                      objective=T["nuclear"])


def _uf_observe(problem: Problem, solution) -> dict:
    out = {"class_mean_logits": _solution_grams(solution)[2], "objective": float(solution.objective)}
    if "min_margin" in solution.extra:
        out["min_margin"] = float(solution.extra["min_margin"])
    return out


def _uf_defaults() -> list[Problem]:
    return [Problem(sizes=(10, 10, 10, 1, 1, 1)), Problem(sizes=(7, 3, 2, 1))]


#: Every SELI claim: the paper, and the provenance all but the derived step formulas share.
SELI = ClaimFamily(source=SOURCE, provenance=("recalled", "derived"))
#: The claims about the UF-SVM itself: observed on the certified UF-SVM solve, by default at two size profiles.
UF_SVM_CLAIM = SELI.extend(requires=UF_SVM_REQUIRES, reference=(UF_SVM_METHOD,), defaults=_uf_defaults)

UF_SVM = UF_SVM_CLAIM(
    id="seli/uf-svm",
    statement=(
        "The UF-SVM min ½‖W‖² + ½‖H‖² s.t. (w_{y_i} − w_c)ᵀh_i ≥ 1 (c ≠ y_i) ⇔ min ‖Z‖_* s.t. the margins has the "
        "unique solution Ẑ = SY (SEL matrix; column i = e_{y_i} − 1/K), so the class-mean logits are S, the "
        "optimal value is ‖SY‖_* = ‖SD^{1/2}‖_* and the smallest margin is exactly 1, for any class sizes. "
        "Only the class sizes of the Problem are used (no penalties, loss or bias)."
    ),
    predict=_uf_predict,
    observe=_uf_observe,
    tolerances=acc.UF_SVM_TOLERANCES,
)


# =========================================================================== seli/grams
def _grams_predict(problem: Problem) -> Prediction:
    T = _targets(problem)
    # factors with these Grams have WH̄ = S (every margin exactly 1: feasible) and UF-SVM value
    # ½ tr WWᵀ + ½ Σ n_k ‖h̄_k‖² (= ‖SY‖_*)
    if hasattr(T["HH"], "structure"):
        st = T["HH"].structure
        h_term = float((st.counts * st.sizes).astype(np.float64) @ T["HH"].diagonal)
    else:
        h_term = float(problem.n @ np.diag(T["HH"]))
    value = 0.5 * trace(T["WW"]) + 0.5 * h_term
    return Prediction("seli/grams", problem, {"gram_W": T["WW"], "gram_H": T["HH"], "gram_WH": T["WH"]},
                      "SELI: WWᵀ = (SDS)^{1/2}, H̄ᵀH̄ = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}, WH̄ = S (UF-SVM scale)",
                      objective=value)


def _grams_observe(problem: Problem, solution) -> dict:
    GW, GH, Z = _solution_grams(solution)
    return {"gram_W": GW, "gram_H": GH, "gram_WH": Z}


GRAMS = UF_SVM_CLAIM(
    id="seli/grams",
    statement=(
        "SELI geometry for any class sizes: the balanced factors of the UF-SVM solution Ẑ = SY have "
        "WWᵀ = (SDS)^{1/2}, H̄ᵀH̄ = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2} and WH̄ = S (exactly, with the "
        "UF-SVM's margin-1 scale); for equal sizes n this is the simplex ETF (√n S and S/√n). Predicted from "
        "the formula, observed on the UF-SVM solution."
    ),
    predict=_grams_predict,
    observe=_grams_observe,
    tolerances=acc.GRAMS_TOLERANCES,
)


# =========================================================================== seli/step-formulas
def _step_predict(problem: Problem) -> Prediction:
    nA, nB, KA, KB = step_params(problem)
    k = KA + KB
    R = nA / nB
    e = step_formulas(k, R, KB / k)
    q = {"w_sq_ratio": e["w_sq_ratio"], "mu_sq_ratio": e["mu_sq_ratio"], "cos_w_cross": e["cos_w_cross"],
         "cos_mu_cross": e["cos_mu_cross"],
         # the UF-SVM scale: w-Gram × √n_B, h̄-Gram × 1/√n_B (formulas module doc)
         "w_sq_maj": e["w_sq_maj"] * math.sqrt(nB), "w_sq_min": e["w_sq_min"] * math.sqrt(nB),
         "w_in_cross": e["w_in_cross"] * math.sqrt(nB),
         "mu_sq_maj": e["mu_sq_maj"] / math.sqrt(nB), "mu_sq_min": e["mu_sq_min"] / math.sqrt(nB),
         "mu_in_cross": e["mu_in_cross"] / math.sqrt(nB)}
    if KA >= 2:
        q["cos_w_maj"], q["cos_mu_maj"] = e["cos_w_maj"], e["cos_mu_maj"]
    if KB >= 2:
        q["cos_w_min"], q["cos_mu_min"] = e["cos_w_min"], e["cos_mu_min"]
    # the UF-SVM value ½ tr WWᵀ + ½ Σ n_k‖h̄_k‖² of these Grams (they are the SELI Grams, a feasible point)
    value = 0.5 * (KA * q["w_sq_maj"] + KB * q["w_sq_min"]) + 0.5 * (KA * nA * q["mu_sq_maj"] + KB * nB * q["mu_sq_min"])
    return Prediction("seli/step-formulas", problem, q,
                      f"(R,ρ)-step with k = {k}, R = {R:.6g}, ρ = {KB / k:.6g} (K_A = {KA}, K_B = {KB}); "
                      "no exact minority collapse at finite R (cos_w_min < 1)", objective=value)


def _step_observe(problem: Problem, solution) -> dict:
    if is_grouped(solution):
        return _step_observe_grouped(problem, solution)
    nA, nB, KA, KB = step_params(problem)
    n = np.asarray(problem.sizes)
    A, B = np.flatnonzero(n == nA), np.flatnonzero(n == nB)
    out = {}
    for tag, G in zip(("w", "mu"), grams(solution)):
        d = np.diag(G)
        out[f"{tag}_sq_maj"] = float(d[A].mean())
        out[f"{tag}_sq_min"] = float(d[B].mean())
        out[f"{tag}_in_cross"] = float(G[np.ix_(A, B)].mean())
        out[f"{tag}_sq_ratio"] = out[f"{tag}_sq_maj"] / out[f"{tag}_sq_min"]
        C = G / np.sqrt(np.outer(d, d))
        out[f"cos_{tag}_cross"] = float(C[np.ix_(A, B)].mean())
        for lab, idx in (("maj", A), ("min", B)):
            if idx.size >= 2:
                blk = C[np.ix_(idx, idx)]
                out[f"cos_{tag}_{lab}"] = float((blk.sum() - np.trace(blk)) / (idx.size * (idx.size - 1)))
    return out


def _step_observe_grouped(problem: Problem, solution) -> dict:
    """:func:`_step_observe` on a compact solution: the two groups' Gram values, no K × K matrix."""
    nA, nB, KA, KB = step_params(problem)
    st = solution.structure
    a, b = int(np.flatnonzero(st.sizes == nA)[0]), int(np.flatnonzero(st.sizes == nB)[0])
    out = {}
    for tag, G in (("w", solution.gram_WW), ("mu", solution.gram_HH)):
        d, cos = G.diagonal, G.cross_cosine()
        out[f"{tag}_sq_maj"], out[f"{tag}_sq_min"] = float(d[a]), float(d[b])
        out[f"{tag}_in_cross"] = float(G.block[a, b])
        out[f"{tag}_sq_ratio"] = out[f"{tag}_sq_maj"] / out[f"{tag}_sq_min"]
        out[f"cos_{tag}_cross"] = float(cos[a, b])
        for lab, g, count in (("maj", a, KA), ("min", b, KB)):
            if count >= 2:
                out[f"cos_{tag}_{lab}"] = float(cos[g, g])
    return out


STEP = UF_SVM_CLAIM(
    id="seli/step-formulas",
    provenance=("derived",),
    statement=(
        "(R,ρ)-step SELI closed forms (K_A = (1−ρ)k majority classes of size R, K_B = ρk minority of size 1, "
        "μ = Rρ + 1 − ρ): ‖w_maj‖² = √R(1−1/K_A) + √μK_B/(K_Ak), ‖w_min‖² = (1−1/K_B) + √μK_A/(K_Bk), "
        "⟨w_maj,w_maj'⟩ = −√R/K_A + √μK_B/(K_Ak), ⟨w_min,w_min'⟩ = −1/K_B + √μK_A/(K_Bk), ⟨w_maj,w_min⟩ = −√μ/k; "
        "‖μ_maj‖² = (1−1/K_A)/√R + K_B/(K_Ak√μ), ‖μ_min‖² = (1−1/K_B) + K_A/(K_Bk√μ), "
        "⟨μ_maj,μ_maj'⟩ = −1/(K_A√R) + K_B/(K_Ak√μ), ⟨μ_min,μ_min'⟩ = −1/K_B + K_A/(K_Bk√μ), ⟨μ_maj,μ_min⟩ = −1/(k√μ). "
        "For minority size n_B (R = n_A/n_B) the UF-SVM Grams are these × √n_B (w) and × 1/√n_B (μ). "
        "No exact minority collapse at finite R. Worked example k = 10, R = 10, ρ = ½: ‖w_maj‖²/‖w_min‖² = 2.6721, "
        "cos(w_min, w_min') = +0.0334, ‖μ_maj‖²/‖μ_min‖² = 0.3508."
    ),
    requires=STEP_REQUIRES,
    predict=_step_predict,
    observe=_step_observe,
    # the catalogue's worked example: k = 10, R = 10, ρ = 1/2
    defaults=lambda: [Problem(sizes=(10,) * 5 + (1,) * 5)],
    tolerances=acc.STEP_TOLERANCES,
    **closed_forms(symbolic, "step"),
)


# =========================================================================== seli/regularization-path
def _path_predict(problem: Problem) -> Prediction:
    T = _targets(problem)
    return Prediction(
        "seli/regularization-path", problem,
        {"seli_direction_W": normalized(T["WW"]), "seli_direction_H": normalized(T["HH"]),
         "seli_direction_WH": normalized(T["WH"])},
        "a statement about λ → 0, not about one λ: check it along a sequence with "
        "nctheory.claims.sources.seli.regularization_path(problem, lambdas) (distances must not increase); "
        "per instance only the distances are reported")


def _path_observe(problem: Problem, solution) -> dict:
    d = seli_distances(problem, solution)
    return {"distance_W": float(d[0]), "distance_H": float(d[1]), "distance_WH": float(d[2])}


REGULARIZATION_PATH = SELI(
    id="seli/regularization-path",
    statement=(
        "Ridge-CE UFM solutions converge in direction to SELI as λ → 0, slowly (~1/log(1/λ)): the normalised "
        "Gram distances ‖G/‖G‖ − T/‖T‖‖ of WWᵀ, H̄ᵀH̄ and WH̄ to the SELI Grams decrease along a decreasing λ "
        "sequence (certified solves at 100, 10, 1 and 0.1 times the instance's λ = √(λ_Wλ_H): 1e-2 ... 1e-5 at "
        "the default instance). A sequence statement: per instance the verifier has nothing to compare "
        "(inconclusive); regularization_path() performs the check. Canonical "
        "convention (the direction does not depend on it). K = 2 without bias is degenerate: the CE optimum is "
        "already along S for every λ (distances 0 up to solver noise)."
    ),
    requires=PATH_REQUIRES,
    predict=_path_predict,
    observe=_path_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(10,) * 3 + (1,) * 3, lambda_w=1e-4, lambda_h=1e-4)],
    tolerances=acc.PATH_TOLERANCES,
    experiments=(regularization_path,),
)
