r"""The Behnia et al. claims (catalogue §9): the CS-SVM limit of VS losses, LDT, CDT and the symmetric γ.

* ``behnia2023/cs-svm-limit`` -- as λ → 0 the VS-UFM follows the CS-SVM of its (Δ, ω) (a path experiment);
* ``behnia2023/ldt-geometry`` -- the LDT CS-SVM is SELI at the effective sizes :math:`n_k/\omega_k^2` [derived];
* ``behnia2023/symmetric-gamma`` -- LDT with γ = ½ gives a symmetric (ETF) limit at any sizes [derived];
* ``behnia2023/ldt-authors-geometry`` -- the authors' LDT formula (classifiers unchanged, ‖h‖² / δ²), registered
  to be refuted;
* ``behnia2023/cdt-step`` -- the authors' CDT closed form for the (R, ½)-step [authors-code], checked.

The CS-SVM solves come from ``convex:cs-svm`` (:mod:`nctheory.solvers.convex.cs_svm`), certified by the dual bound
of :mod:`nctheory.solvers.bounds.cs_svm`; like the UF-SVM it uses the sizes and the loss's Δ, ω only.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Prediction
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.sources.behnia2023 import accuracy as acc
from nctheory.claims.sources.behnia2023 import symbolic
from nctheory.claims.sources.behnia2023.experiments import limit_path
from nctheory.claims.sources.behnia2023.formulas import (authors_ldt_point, half_step, ldt_solution,
                                                         normalised_factors, step_blocks, step_gram_entries,
                                                         step_summary, vs_parts)
from nctheory.claims.sources.behnia2023.requirements import (AUTHORS_LDT_REQUIRES, CDT_REQUIRES,  # noqa: F401
                                                             CS_SVM_REQUIRES, LDT_REQUIRES, PATH_REQUIRES,
                                                             SYMMETRIC_REQUIRES)
from nctheory.geometry import seli_grams
from nctheory.model import Problem
from nctheory.model.losses import VectorScaling
from nctheory.solvers.convex.cs_svm import METHOD as CS_SVM

SOURCE = ("Behnia, Kini, Vakilian, Thrampoulidis, 'On the implicit geometry of cross-entropy parameterizations for "
          "label-imbalanced data', AISTATS 2023, arXiv 2303.07608; authors' code valavakilian/Implicit_geometry")

#: Every Behnia et al. claim.
BEHNIA2023 = ClaimFamily(source=SOURCE)
#: The four claims about the CS-SVM itself: observed on the certified ``convex:cs-svm`` solve.
CS_SVM_CLAIM = BEHNIA2023.extend(reference=(CS_SVM,), tolerances=acc.CS_SVM_TOLERANCES)


def _grams_observe(problem, solution) -> dict:
    W, H = np.asarray(solution.W), np.asarray(solution.H_mean)
    GW, GH = W @ W.T, H.T @ H
    return {"gram_W": 0.5 * (GW + GW.T), "gram_H": 0.5 * (GH + GH.T), "gram_WH": W @ H,
            "objective": float(solution.objective)}


def _ldt_params(problem) -> tuple[np.ndarray, float]:
    d, _, w = vs_parts(problem)
    return w, float(d[0])


# ========================================================================================= ldt-geometry
def _ldt_predict(problem: Problem) -> Prediction:
    omega, d0 = _ldt_params(problem)
    L = ldt_solution(problem.sizes, omega, d0)
    eff = L["effective_sizes"]
    q = {"gram_W": L["WW"], "gram_H": L["HH"], "gram_WH": L["WH"], "objective": L["value"]}
    note = ("LDT CS-SVM = SELI at the effective sizes n_k/ω_k² = " + ", ".join(f"{x:.6g}" for x in eff)
            + "; class means divided by ω_k")
    # the factors of these Grams meet every margin 1/ω_k exactly: a feasible point of value ‖S D'^{1/2}‖_*
    return Prediction("behnia2023/ldt-geometry", problem, q, note, objective=L["value"])


def _ldt_defaults() -> list[Problem]:
    step = (10,) * 5 + (1,) * 5
    return [
        # k = 10, R = 10, γ = 1/4: effective ratio R^(1-2γ) = √10
        Problem(sizes=step, loss=VectorScaling(omega=tuple(normalised_factors(step, 0.25)))),
        # arbitrary sizes and temperatures
        Problem(sizes=(7, 3, 2, 1), loss=VectorScaling(omega=(1.0, 0.5, 2.0, 1.5))),
    ]


LDT_GEOMETRY = CS_SVM_CLAIM(
    id="behnia2023/ldt-geometry",
    provenance=("derived",),
    statement=(
        "LDT (label-dependent temperatures ω, class temperatures Δ unset or equal to Δ₀): the CS-SVM the loss leads to "
        "as λ → 0, min ‖Z̄D^{1/2}‖_* s.t. Δ₀(z̄_kk − z̄_ck) ≥ 1/ω_k, is the UF-SVM of the effective sizes "
        "n'_k = n_k/(Δ₀ω_k)² after Z̃ = Δ₀Z̄Ω: Z̄ = SΩ^{-1}/Δ₀, WWᵀ = (SD'S)^{1/2}, "
        "H̄ᵀH̄ = Ω^{-1}D'^{-1/2}(D'^{1/2}SD'^{1/2})^{1/2}D'^{-1/2}Ω^{-1}/Δ₀², value ‖SD'^{1/2}‖_* (D' = diag(n')). "
        "So LDT changes the classifier geometry to SELI at the effective sizes (for the authors' factors of exponent γ "
        "on an (R, ρ)-step: effective ratio R^{1−2γ}). Observed on the certified CS-SVM solve."
    ),
    requires=LDT_REQUIRES,
    predict=_ldt_predict,
    observe=_grams_observe,
    defaults=_ldt_defaults,
    **closed_forms(symbolic, "ldt"),
)


# ========================================================================================= symmetric-gamma
def _sym_predict(problem: Problem) -> Prediction:
    omega, d0 = _ldt_params(problem)
    L = ldt_solution(problem.sizes, omega, d0)
    K = problem.K
    q = {"w_cos_offdiag": np.full(K * (K - 1), -1.0 / (K - 1)), "h_cos_offdiag": np.full(K * (K - 1), -1.0 / (K - 1)),
         "w_sq_spread": 0.0, "h_sq_times_n_spread": 0.0, "objective": L["value"]}
    return Prediction("behnia2023/symmetric-gamma", problem, q,
                      f"γ = 1/2: every effective size n_k/ω_k² equals {float(L['effective_sizes'][0]):.6g}; WWᵀ ∝ S",
                      objective=L["value"])


def _cos_offdiag(G) -> np.ndarray:
    d = np.sqrt(np.diag(G))
    C = G / np.outer(d, d)
    return C[~np.eye(C.shape[0], dtype=bool)]


def _sym_observe(problem, solution) -> dict:
    W, H = np.asarray(solution.W), np.asarray(solution.H_mean)
    GW, GH = W @ W.T, H.T @ H
    w_sq, h_sq = np.diag(GW), np.diag(GH) * problem.n
    return {"w_cos_offdiag": _cos_offdiag(GW), "h_cos_offdiag": _cos_offdiag(GH),
            "w_sq_spread": float(np.ptp(w_sq) / w_sq.max()), "h_sq_times_n_spread": float(np.ptp(h_sq) / h_sq.max()),
            "objective": float(solution.objective)}


def _sym_path(problem: Problem):
    """The regularised LDT path approaches the symmetric targets √c S, Ω^{-1}SΩ^{-1}, SΩ^{-1}."""
    omega, _ = _ldt_params(problem)
    K = problem.K
    S = np.eye(K) - 1.0 / K
    targets = (S, S / omega[:, None] / omega[None, :], S / omega[None, :])
    return limit_path(problem, targets=targets)


def _sym_defaults() -> list[Problem]:
    sizes = (40, 20, 10, 5, 2)
    return [Problem(sizes=sizes, lambda_w=1e-3, lambda_h=1e-3, loss=VectorScaling(omega=tuple(normalised_factors(sizes, 0.5))))]


SYMMETRIC_GAMMA = CS_SVM_CLAIM(
    id="behnia2023/symmetric-gamma",
    provenance=("recalled", "derived"),
    statement=(
        "[recalled] 'a suitable γ makes the geometry symmetric at any imbalance'. Derived: with LDT factors "
        "ω_k = n_k^γ·K/Σ_j n_j^γ (the authors' normalisation) the effective sizes n_k/ω_k² are all equal iff γ = 1/2, "
        "for any sizes; then the CS-SVM (λ → 0) geometry is symmetric: WWᵀ = √c S (simplex ETF: classifier cosines "
        "−1/(K−1), equal norms), class means with cosines −1/(K−1) and ‖h̄_k‖² ∝ 1/n_k, c = (Σ_j √n_j/K)². Checked on "
        "the certified CS-SVM and along the certified ridge path (λ = 1e-2 … 1e-5: distances to √c S, Ω^{-1}SΩ^{-1}, "
        "SΩ^{-1} decrease). CDT (class temperatures) has no such γ: with the authors' CDT closed form (cdt-step) the "
        "classifier cosines of majority and minority cannot both equal −1/(K−1) unless R = 1."
    ),
    requires=SYMMETRIC_REQUIRES,
    predict=_sym_predict,
    observe=_sym_observe,
    defaults=_sym_defaults,
    experiments=(_sym_path,),
    **closed_forms(symbolic, "symmetric"),
)


# ========================================================================================= ldt-authors-geometry
def _step_observe(problem, solution) -> dict:
    W, H = np.asarray(solution.W), np.asarray(solution.H_mean)
    out = {**step_blocks(W @ W.T, problem.sizes, "w"), **step_blocks(H.T @ H, problem.sizes, "h"),
           "objective": float(solution.objective)}
    return out


def _authors_ldt_predict(problem: Problem) -> Prediction:
    omega, d0 = _ldt_params(problem)
    om = d0 * omega
    P = authors_ldt_point(problem.sizes, om)
    q = {**step_blocks(P["WW"], problem.sizes, "w"), **step_blocks(P["HH"], problem.sizes, "h"),
         "objective": P["value"]}
    nA, nB, _, _ = half_step(problem)
    n = np.asarray(problem.sizes)
    gamma = math.log(om[n == nA][0] / om[n == nB][0]) / math.log(nA / nB)
    return Prediction("behnia2023/ldt-authors-geometry", problem, q,
                      f"authors' LDT point: SELI classifiers at R = {nA / nB:.6g} (cos(w_min, w_min') = "
                      f"{q['cos_w_B']:.6f}) whatever the temperatures (here γ = {gamma:.4g}), ‖h‖² divided by δ²",
                      objective=P["value"])


def _authors_ldt_defaults() -> list[Problem]:
    step = (10,) * 5 + (1,) * 5
    # the authors' default γ = 1/2, k = 10, R = 10: their formula keeps cos(w_min, w_min') = 0.033369 (SELI)
    return [Problem(sizes=step, loss=VectorScaling(omega=tuple(normalised_factors(step, 0.5))))]


LDT_AUTHORS = CS_SVM_CLAIM(
    id="behnia2023/ldt-authors-geometry",
    source=SOURCE + " (registered to be refuted)",
    provenance=("authors-code",),
    statement=(
        "The authors' LDT geometry (their code's LDT_geom, (R, 1/2)-step, k classes): the classifier Gram is SELI's at "
        "the true R whatever the temperatures δ (so cos(w_min, w_min') = 0.033369, 0.338026, 0.670748 for k = 10, "
        "R = 10, 100, 1000, as catalogue §9 records), and only ‖h̄_k‖² is divided by δ_k². As a point: "
        "(W_SELI, H̄_SELI Ω^{-1}), feasible for the LDT CS-SVM; its best rescaling has value "
        "‖W_SELI‖_F (Σ n_k‖h̄_k‖²/δ_k²)^{1/2}. Refuted by value wherever the temperatures differ: the certified "
        "CS-SVM optimum is lower (k = 10, R = 10, γ = 1/2: 18.730249 vs 21.638100) and is SELI at the effective "
        "ratio R^{1−2γ} (behnia2023/ldt-geometry): cos(w_min, w_min') = −1/9 at γ = 1/2."
    ),
    requires=AUTHORS_LDT_REQUIRES,
    predict=_authors_ldt_predict,
    observe=_step_observe,
    defaults=_authors_ldt_defaults,
    expected="false",
)


# ========================================================================================= cdt-step
def _cdt_predict(problem: Problem) -> Prediction:
    nA, nB, KA, KB = half_step(problem)
    d, _, w = vs_parts(problem)
    n = np.asarray(problem.sizes)
    a, b = float(d[n == nA][0]), float(d[n == nB][0])
    k = KA + KB
    e = step_gram_entries(k, nA / nB, a, b)
    q = {**step_summary(e, "w"), **step_summary(e, "h")}
    # absolute entries: minority size n_B scales the classifier Gram by √n_B and the mean Gram by 1/√n_B; a uniform
    # label temperature ω₀ sets the margins to 1/ω₀, which scales both Grams by 1/ω₀
    root, w0 = math.sqrt(nB), float(w[0])
    q.update({"w_sq_A": e["w_sq_A"] * root / w0, "w_sq_B": e["w_sq_B"] * root / w0,
              "h_sq_A": e["h_sq_A"] / (root * w0), "h_sq_B": e["h_sq_B"] / (root * w0)})
    value = 0.5 * (KA * q["w_sq_A"] + KB * q["w_sq_B"]) + 0.5 * (KA * nA * q["h_sq_A"] + KB * nB * q["h_sq_B"])
    q["objective"] = value
    return Prediction("behnia2023/cdt-step", problem, q,
                      f"authors' CDT closed form, k = {k}, R = {nA / nB:.6g}, temperatures {a:.6g} (majority), {b:.6g}")


def _cdt_observe(problem, solution) -> dict:
    W, H = np.asarray(solution.W), np.asarray(solution.H_mean)
    GW, GH = W @ W.T, H.T @ H
    n = np.asarray(problem.sizes)
    A, B = n == n.max(), n == n.min()
    out = {**step_blocks(GW, problem.sizes, "w"), **step_blocks(GH, problem.sizes, "h"),
           "w_sq_A": float(np.diag(GW)[A].mean()), "w_sq_B": float(np.diag(GW)[B].mean()),
           "h_sq_A": float(np.diag(GH)[A].mean()), "h_sq_B": float(np.diag(GH)[B].mean()),
           "objective": float(solution.objective)}
    return out


def _cdt_defaults() -> list[Problem]:
    step = (10,) * 5 + (1,) * 5
    big = (200,) * 3 + (2,) * 3
    return [Problem(sizes=step, loss=VectorScaling(delta=tuple(normalised_factors(step, 0.5)))),
            Problem(sizes=big, loss=VectorScaling(delta=tuple(normalised_factors(big, 1.0))))]


CDT_STEP = CS_SVM_CLAIM(
    id="behnia2023/cdt-step",
    provenance=("authors-code",),
    statement=(
        "CDT (class temperatures Δ_c: a on the majority, b on the minority), (R, 1/2)-step with k = 2K_A classes, "
        "minority size 1 (size n_B: classifier Gram × √n_B, mean Gram × 1/√n_B): the CS-SVM solution has "
        "u = a^{-2} + b^{-2}, q_A = 2√(R+1)u^{-3/2}b^{-3}, q_B = 2√(R+1)u^{-3/2}a^{-3}, τ = √(u(R+1)), "
        "‖w_A‖² = (√R(k−2) + q_A)/(ka), ⟨w_A,w_A'⟩ = (q_A − 2√R)/(ka), ‖w_B‖² = (k − 2 + q_B)/(kb), "
        "⟨w_B,w_B'⟩ = (q_B − 2)/(kb), ⟨w_A,w_B⟩ = −2√(R+1)/(ka²b²u^{3/2}); ‖h̄_A‖² = ((k−2)/√R + 2/(bτ))/(ka), "
        "⟨h̄_A,h̄_A'⟩ = (2/(bτ) − 2/√R)/(ka), ‖h̄_B‖² = (k − 2 + 2/(aτ))/(kb), ⟨h̄_B,h̄_B'⟩ = (2/(aτ) − 2)/(kb), "
        "⟨h̄_A,h̄_B⟩ = −2/(kabτ) (the authors' CDT_geom, restated; not derived here). Checked on certified CS-SVM "
        "solves: ratios, cosines and the absolute norms."
    ),
    requires=CDT_REQUIRES,
    predict=_cdt_predict,
    observe=_cdt_observe,
    defaults=_cdt_defaults,
    **closed_forms(symbolic, "cdt"),
)


# ========================================================================================= cs-svm-limit
def _limit_predict(problem: Problem) -> Prediction:
    from nctheory.solvers.convex.cs_svm import cs_svm_parameters

    delta, margins = cs_svm_parameters(problem)
    return Prediction(
        "behnia2023/cs-svm-limit", problem, {"cs_svm_delta": delta, "cs_svm_margins": margins},
        "a statement about λ → 0: the limit is the CS-SVM with these Δ and margins 1/ω (ι drops out); checked along a "
        "sequence by limit_path(problem) (distances to the certified CS-SVM must not increase, and end below the "
        "distances to SELI); per instance only the distances to SELI are reported")


def _limit_observe(problem, solution) -> dict:
    from nctheory.claims.sources.behnia2023.experiments import _dist, _grams

    T = seli_grams(problem.sizes)
    d = _dist(_grams(solution), (T["WW"], T["HH"], T["WH"]))
    return {"seli_distance_W": float(d[0]), "seli_distance_H": float(d[1]), "seli_distance_WH": float(d[2])}


def _limit_defaults() -> list[Problem]:
    sizes = (10,) * 3 + (1,) * 3
    f = normalised_factors(sizes, 0.5)
    # every VS part at once: CDT with exponent 1/4, LA (which drops out), LDT with exponent 1/2 on the reversed sizes
    return [Problem(sizes=sizes, lambda_w=1e-3, lambda_h=1e-3,
                    loss=VectorScaling(delta=tuple(normalised_factors(sizes, 0.25)), iota=(0.3,) * 3 + (-0.3,) * 3,
                                       omega=tuple(f[::-1])))]


CS_SVM_LIMIT = BEHNIA2023(
    id="behnia2023/cs-svm-limit",
    provenance=("recalled", "derived"),
    statement=(
        "[recalled] As λ → 0 the UFM geometry under a VS loss follows a cost-sensitive SVM. Derived (which CS-SVM): "
        "min ½‖W‖² + ½‖H‖² s.t. Δ_{y_i} w_{y_i}ᵀh_i − Δ_c w_cᵀh_i ≥ 1/ω_{y_i} (c ≠ y_i), i.e. min ‖Z̄D^{1/2}‖_* s.t. "
        "Δ_k z̄_kk − Δ_c z̄_ck ≥ 1/ω_k; the logit adjustment ι drops out (it only multiplies the exponentials of the "
        "margins by constants). Checked along λ = 1e-2 … 1e-5 (certified ridge VS-UFM, bias-free, λ_H/λ_W of the "
        "problem): the normalised Gram distances of WWᵀ, H̄ᵀH̄, WH̄ to the certified CS-SVM solution do not increase, "
        "decrease overall, and end below the distances to SELI (the plain-CE limit) when the CS-SVM differs from it. "
        "Slow, ~1/log(1/λ), as for SELI."
    ),
    requires=PATH_REQUIRES,
    predict=_limit_predict,
    observe=_limit_observe,
    reference=("certified",),
    defaults=_limit_defaults,
    tolerances=acc.PATH_TOLERANCES,
    experiments=(limit_path,),
)

CLAIMS = [CS_SVM_LIMIT, LDT_GEOMETRY, SYMMETRIC_GAMMA, LDT_AUTHORS, CDT_STEP]
