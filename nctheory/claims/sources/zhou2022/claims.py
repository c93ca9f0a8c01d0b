r"""The label-smoothing claims (catalogue §9; Zhou et al., NeurIPS 2022, for the balanced statement).

* ``zhou2022/ls-balanced`` -- balanced: the finite-norm ETF, zero iff Ks + ε >= 1 [recalled; derived];
* ``zhou2022/ls-cluster-gap`` -- imbalanced: within-cluster softmax gap max(0, 1 − ε − λN/√n_c), collapse iff
  λN >= (1 − ε)√n_c, global zero iff λN >= (1 − ε)‖G‖₂ [derived];
* ``zhou2022/ls-small-lambda`` -- imbalanced, λ → 0: the logits tend to c_∞S and the factors to a finite SELI
  point, at rate O(λ) [derived].

Derivations: :mod:`nctheory.claims.sources.zhou2022.formulas`.  Reference: the certified solver (R2; the loss has
a conjugate, a Hessian and the free-bias dual move).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from nctheory.claims.base import Prediction, Requires
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.common import CERTIFIED_OPTIONS
from nctheory.claims.conditions import cluster_of_two, dim_at_least_k_minus_1
from nctheory.claims.sources.zhou2022 import accuracy as acc
from nctheory.claims.sources.zhou2022 import symbolic
from nctheory.claims.sources.zhou2022.experiments import small_lambda_path
from nctheory.claims.sources.zhou2022.formulas import (balanced_closed_form, cluster_gap, cluster_threshold,
                                                       limit_margin, observed_gaps, zero_threshold)
from nctheory.geometry import centering, seli_grams
from nctheory.model import Bias, Problem
from nctheory.model.losses import LabelSmoothing
from nctheory.model.sizes import equal_size_groups
from nctheory.observe import ZERO_LOGIT_TOL

SOURCE = ("Zhou, Li, Ding, You, Qu, Zhu, 'Are all losses created equal: a neural collapse perspective', NeurIPS 2022, "
          "arXiv 2210.02192 (balanced statement); imbalanced statements derived here")

LS_UFM = Requires.ufm("ce-ls", conditions=(dim_at_least_k_minus_1,))


def _eps(problem) -> float:
    return float(problem.loss.epsilon)


def _positive_eps(problem) -> list[str]:
    if problem.loss.name == "ce-ls" and not problem.loss.epsilon > 0:
        return ["loss: the finite λ → 0 limit needs a smoothing ε > 0 (ε = 0 is CE, whose margins diverge)"]
    return []


# ========================================================================================= ls-balanced
def _bal_predict(problem: Problem) -> Prediction:
    K, n = problem.K, problem.sizes[0]
    eps = _eps(problem)
    f = balanced_closed_form(K, n, problem.lambda_w, problem.lambda_h, eps)
    S = centering(K)
    q = {"rho": f["rho"], "w_sq_norm": np.full(K, f["w_sq"]), "h_sq_norm": np.full(K, f["h_sq"]),
         "gram_W": f["w_sq"] * K / (K - 1) * S, "gram_H": f["h_sq"] * K / (K - 1) * S,
         "self_duality_residual": 0.0, "b_spread": 0.0, "objective": f["objective"]}
    if problem.bias != Bias.FREE:
        q["b_norm"] = 0.0
    band = abs(K * f["s"] + eps - 1.0)
    notes = [f"Ks + ε = {K * f['s'] + eps:.6g}: " + ("zero solution" if f["zero"] else f"finite ETF, margin c* = {f['c']:.6g}")]
    if band >= acc.ZERO_BAND:
        q["zero_solution"] = f["zero"]
    else:
        notes.append("within 1e-3 of Ks + ε = 1: zero_solution not predicted")
    return Prediction("zhou2022/ls-balanced", problem, q, "; ".join(notes), objective=f["objective"])


def _bal_observe(problem: Problem, solution) -> dict:
    W = np.asarray(solution.W, dtype=np.float64)
    W = W - W.mean(axis=0, keepdims=True)  # the mean classifier is a flat direction (shift invariance)
    H = np.asarray(solution.H_mean, dtype=np.float64)
    Z = W @ H
    GW, GH = W @ W.T, H.T @ H
    alpha = math.sqrt(problem.lambda_w / (problem.lambda_h * problem.sizes[0]))
    floor = 1e-8 * (problem.lambda_w / problem.lambda_h) ** 0.25
    b = np.asarray(solution.b, dtype=np.float64).reshape(-1)
    out = {"rho": float(np.mean(np.diag(Z) - Z.mean(axis=0))), "w_sq_norm": np.diag(GW).copy(),
           "h_sq_norm": np.diag(GH).copy(), "gram_W": 0.5 * (GW + GW.T), "gram_H": 0.5 * (GH + GH.T),
           "self_duality_residual": float(np.linalg.norm(H - alpha * W.T) / max(np.linalg.norm(H), floor)),
           "b_spread": float(np.ptp(b)), "zero_solution": bool(np.abs(Z).max() <= ZERO_LOGIT_TOL),
           "objective": float(solution.objective)}
    if problem.bias != Bias.FREE:
        out["b_norm"] = float(np.linalg.norm(b))
    return out


def _bal_defaults() -> list[Problem]:
    return [
        # finite ETF: Ks + ε = 0.0894 + 0.1
        Problem(sizes=(5,) * 4, lambda_w=1e-2, lambda_h=1e-2, loss=LabelSmoothing(0.1), bias="regularized",
                lambda_b=1e-2),
        # zero by smoothing alone: CE would keep an ETF (Ks = 0.8 < 1), LS has Ks + ε = 1.1 >= 1
        Problem(sizes=(5,) * 4, lambda_w=0.0894427191, lambda_h=0.0894427191, loss=LabelSmoothing(0.3)),
    ]


#: The label-smoothing claims: certified reference solves at relative gap 1e-12.
LS_CLAIM = ClaimFamily(source=SOURCE, reference=("certified",), solver_options=CERTIFIED_OPTIONS)

LS_BALANCED = LS_CLAIM(
    id="zhou2022/ls-balanced",
    provenance=("recalled", "derived"),
    statement=(
        "[recalled] Balanced UFM with label-smoothed CE: the global minimisers are NC (simplex ETF) with bounded norms. "
        "Derived: with Z̄ = cS the objective is log(1+(K−1)e^{−c}) + cε(K−1)/K + s(K−1)c, s = √(nλ_Wλ_H); its "
        "minimiser solves e^{−c}/(1+(K−1)e^{−c}) = s + ε/K, c* = log((1−(K−1)p)/p), p = s + ε/K, and the minimiser is 0 "
        "iff Ks + ε >= 1 (the CE threshold Ks >= 1 lowered by ε). ρ* = (K−1)c*/K, ‖w‖² = √(nλ_H/λ_W)ρ*, "
        "‖h‖² = √(λ_W/(nλ_H))ρ*, WWᵀ = ‖w‖²(K/(K−1))S, h = √(λ_W/(λ_H n))w, b = 0 (free bias: spread 0). As λ → 0, "
        "c* → log(1 + K(1−ε)/ε) stays finite (CE: ∞). Any bias; canonical convention."
    ),
    requires=replace(LS_UFM, balanced=True),
    predict=_bal_predict,
    observe=_bal_observe,
    defaults=_bal_defaults,
    tolerances=acc.BALANCED_TOLERANCES,
    **closed_forms(symbolic, "balanced"),
)


# ========================================================================================= ls-cluster-gap
def _clusters(problem) -> list[np.ndarray]:
    return [g for g in equal_size_groups(problem.sizes) if g.size >= 2]


def _gap_predict(problem: Problem) -> Prediction:
    eps, lam, N = _eps(problem), problem.lam, problem.N
    groups = _clusters(problem)
    sizes = [problem.sizes[g[0]] for g in groups]
    gaps = np.array([cluster_gap(nc, N, lam, eps) for nc in sizes])
    thresholds = [cluster_threshold(nc, N, eps) for nc in sizes]
    q: dict = {"cluster_gap": gaps}
    notes = ["clusters (size: collapse from λ =) " + ", ".join(f"{nc}: {t:.6g}" for nc, t in zip(sizes, thresholds))]
    if all(abs(lam / t - 1.0) >= acc.THRESHOLD_BAND for t in thresholds):
        q["cluster_collapsed"] = np.array([lam >= t for t in thresholds])
    else:
        notes.append("λ within 1e-3 of a cluster threshold: cluster_collapsed not predicted")
    if problem.bias in (Bias.NONE, Bias.FREE):
        lz = zero_threshold(problem.sizes, eps, problem.bias.value)
        notes.append(f"global zero from λ = {lz:.6g}")
        if abs(lam / lz - 1.0) >= acc.THRESHOLD_BAND:
            q["zero_solution"] = bool(lam >= lz)
    return Prediction("zhou2022/ls-cluster-gap", problem, q, "; ".join(notes))


def _gap_observe(problem: Problem, solution) -> dict:
    groups = _clusters(problem)
    gaps = observed_gaps(np.asarray(solution.logits_mean, dtype=np.float64), groups)
    Z = np.asarray(solution.W, dtype=np.float64) @ np.asarray(solution.H_mean, dtype=np.float64)
    return {"cluster_gap": gaps, "cluster_collapsed": gaps <= acc.COLLAPSED_GAP,
            "zero_solution": bool(np.abs(Z).max() <= ZERO_LOGIT_TOL)}


def _gap_defaults() -> list[Problem]:
    sizes = (50, 50, 10, 10, 10)  # N = 130, ε = 0.1: minority collapses from λ = 0.02189, majority from 0.04895
    return [
        Problem(sizes=sizes, lambda_w=6e-3, lambda_h=6e-3, loss=LabelSmoothing(0.1)),
        Problem(sizes=sizes, lambda_w=0.025, lambda_h=0.025, loss=LabelSmoothing(0.1)),
        Problem(sizes=(30, 30, 12, 5, 5, 1), lambda_w=3e-3, lambda_h=3e-2, loss=LabelSmoothing(0.2), bias="free"),
    ]


LS_CLUSTER_GAP = LS_CLAIM(
    id="zhou2022/ls-cluster-gap",
    provenance=("derived",),
    statement=(
        "Label-smoothed CE (ε), any class sizes, any bias: for every cluster of m >= 2 classes of equal size n_c the "
        "softmax probabilities of the mean logits satisfy p_own − p_other = max(0, 1 − ε − λN/√n_c) (λ = √(λ_Wλ_H), "
        "p_other: another class of the same cluster), so the cluster collapses (equal class means and classifiers) "
        "iff λN >= (1 − ε)√n_c -- Hong & Ling's CE threshold λN >= √n_c lowered by the factor 1 − ε, independent of "
        "the other classes and of the bias. The global minimiser is 0 iff λN >= (1 − ε)‖G‖₂, G = SD^{1/2} without "
        "bias, (I − π1ᵀ)D^{1/2} with a free bias (π = n/N). From the KKT conditions of R2 on the within-cluster "
        "block (derivation in nctheory.claims.sources.zhou2022.formulas)."
    ),
    requires=replace(LS_UFM, conditions=(dim_at_least_k_minus_1, cluster_of_two)),
    predict=_gap_predict,
    observe=_gap_observe,
    defaults=_gap_defaults,
    tolerances=acc.GAP_TOLERANCES,
    **closed_forms(symbolic, "gap"),
)


# ========================================================================================= ls-small-lambda
def _limit_targets(problem: Problem) -> dict:
    eps = _eps(problem)
    c = limit_margin(problem.K, eps)
    T = seli_grams(problem.sizes)
    r = math.sqrt(problem.lambda_h / problem.lambda_w)
    return {"limit_margin": c, "limit_logits": c * centering(problem.K), "limit_gram_W": r * c * T["WW"],
            "limit_gram_H": c / r * T["HH"]}


def _limit_predict(problem: Problem) -> Prediction:
    return Prediction("zhou2022/ls-small-lambda", problem, _limit_targets(problem),
                      "a statement about λ → 0: checked along a sequence by small_lambda_path(problem) (distances of the "
                      "centred logits and the Grams to their finite limits must shrink at least half as fast as λ); "
                      "per instance only the distances are reported")


def _limit_observe(problem: Problem, solution) -> dict:
    from nctheory.claims.sources.zhou2022.experiments import distances_to_limit

    d = distances_to_limit(problem, solution)
    return {"distance_logits": d[0], "distance_gram_W": d[1], "distance_gram_H": d[2]}


LS_SMALL_LAMBDA = LS_CLAIM(
    id="zhou2022/ls-small-lambda",
    provenance=("derived",),
    statement=(
        "Label-smoothed CE with ε > 0, any class sizes, no bias: as λ → 0 (λ_H/λ_W fixed) the centred mean logits tend "
        "to c_∞S with c_∞ = log(1 + K(1−ε)/ε) for every class and every size, at rate O(λ), and the factors to a "
        "finite limit with the SELI geometry: WWᵀ → √(λ_H/λ_W) c_∞ (SDS)^{1/2}, H̄ᵀH̄ → √(λ_W/λ_H) c_∞ "
        "D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2} -- bounded norms, where CE's diverge (its direction tends to SELI, "
        "slowly). Checked along λ = λ₀, λ₀/10, λ₀/100, λ₀/1000, λ₀ = ε√n_min/(KN) (where the O(λ) regime starts), with "
        "certified solves: relative distances shrink by at least a factor 5 per decade of λ (linear convergence gives "
        "10)."
    ),
    requires=replace(LS_UFM, bias=(Bias.NONE,), conditions=(dim_at_least_k_minus_1, _positive_eps)),
    predict=_limit_predict,
    observe=_limit_observe,
    defaults=lambda: [Problem(sizes=(30, 30, 30, 5, 5), lambda_w=1e-3, lambda_h=4e-3, loss=LabelSmoothing(0.1))],
    tolerances=acc.PATH_TOLERANCES,
    experiments=(small_lambda_path,),
    **closed_forms(symbolic, "limit"),
)

CLAIMS = [LS_BALANCED, LS_CLUSTER_GAP, LS_SMALL_LAMBDA]
