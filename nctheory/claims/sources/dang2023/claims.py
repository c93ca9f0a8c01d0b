r"""The Dang et al. 2023 claims (catalogue §3): statements, predictions, observations.

* ``dang2023/mse-imbalanced``, ``dang2023/mse-balanced``: deep linear MSE in closed form
  (:mod:`~nctheory.claims.sources.dang2023.formulas`); the predicted value is the objective of a feasible point.
* ``dang2023/ce-etf-m1``: Zhu et al.'s balanced-CE closed form (imported from
  :mod:`nctheory.claims.sources.zhu.formulas`).
* ``dang2023/ce-etf-deep`` (registered to be refuted): the best ETF-structured point
  (:mod:`~nctheory.claims.sources.dang2023.etf_scale`) is not globally optimal for M >= 2.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Claim, Prediction
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.sources.dang2023 import requirements, symbolic
from nctheory.claims.sources.dang2023.accuracy import (CE_DEEP_TOLERANCES, CE_M1_TOLERANCES, CERTIFIED_OPTIONS,
                                                       ETF_MARGIN_RTOL, MSE_TOLERANCES, ZERO_RTOL)
from nctheory.claims.sources.dang2023.etf_scale import best_etf_scale
from nctheory.claims.sources.dang2023.formulas import mse_quantities
from nctheory.claims.sources.dang2023.layers import layer_imbalance
from nctheory.explore.onsets.experiment import onset_experiment
from nctheory.claims.sources.zhu.formulas import zhu_closed_form
from nctheory.geometry import centering
from nctheory.model import Bias, Problem
from nctheory.observe import H_of, bias_of, grams, zbar

SOURCE = ("Dang, Tran, Osher, Tran-The, Ho, Nguyen: Neural Collapse in Deep Linear Networks: "
          "From Balanced to Imbalanced Data, arXiv 2301.00437")


# ---------------------------------------------------------------------------------------- MSE
def _mse_notes(problem: Problem, q: dict) -> str:
    zero = np.flatnonzero(q["zero_class"])
    rule = ("n_k <= N^2 lambda_W lambda_H" if problem.depth == 1
            else f"beta_k >= (M-1)^((M-1)/M)/M = {q['zero_threshold_beta']:.6g}")
    if zero.size == 0:
        return f"no zero class ({rule} nowhere)"
    return f"zero classes {zero.tolist()} ({rule})"


def _mse_predictor(claim_id: str):
    def predict(problem: Problem) -> Prediction:
        q = mse_quantities(problem)
        # the diagonal point of formulas' module doc is feasible and has this objective
        return Prediction(claim_id, problem, q, _mse_notes(problem, q), objective=q["objective"])

    return predict


def predict_mse_authors_code(problem: Problem) -> Prediction:
    r"""The MSE quantities with the authors' code's root rule (largest root, no global test).

    Differs from the correct prediction where threshold <= β_k <= ψ(x_p) (a nonzero class the global minimiser
    does not have); NaN where β_k > ψ(x_p) (the authors' code crashes).  Not a claim: it shows the difference.
    """
    q = mse_quantities(problem, rule="authors-code")
    return Prediction("dang2023/mse-authors-code-rule", problem, q,
                      "authors' code rule: right root without the global threshold test; NaN = crash")


def mse_observe(problem: Problem, solution) -> dict:
    """The MSE quantities on a solution (W is the product P of the layers; layers from ``extra['layers']``).

    Dense arrays throughout, as predicted: a compact symmetric-solver answer is read through its dense expansion
    (its ``W``, ``H_mean``, ``logits_mean``), not through the grouped readers.
    """
    gram_PP, gram_HH = grams(solution)
    sigma = np.diag(gram_PP).copy()
    out = {
        "sigma": sigma,
        "zero_class": sigma <= ZERO_RTOL * max(1.0, float(sigma.max())),
        "gram_PP": gram_PP,
        "gram_HH": gram_HH,
        "gram_PH": zbar(solution),
        "logits_mean": np.asarray(solution.logits_mean, dtype=np.float64),
        "objective": float(solution.objective),
    }
    if problem.bias == Bias.FREE:
        out["bias"] = bias_of(solution)
        out["feature_mean_norm"] = float(np.linalg.norm(H_of(solution).sum(axis=1)) / problem.K)
    layers = (solution.extra or {}).get("layers")
    if layers is not None and len(layers) >= 2:
        out["layer_imbalance"] = layer_imbalance(layers)
    return out


def _mse_defaults_imbalanced() -> list[Problem]:
    return [
        # catalogue worked example (M = 1): sigma = [13.94214, 9.8, 6.87107, 6.87107]
        Problem(sizes=(200, 100, 50, 50), lambda_w=5e-4, lambda_h=5e-4, loss="mse"),
        # M = 2: beta = [0.152, 0.304, 0.609] vs threshold 0.5 and peak 0.6495, so the smallest class is zero --
        # where the authors' code (largest root, no global test) would keep it nonzero
        Problem(sizes=(40, 20, 10), lambda_w=3e-2, lambda_h=3e-2, loss="mse", depth=2, d=3),
    ]


def _mse_defaults_balanced() -> list[Problem]:
    return [
        Problem(sizes=(20, 20, 20), lambda_w=5e-3, lambda_h=5e-3, loss="mse", bias="free"),
        Problem(sizes=(10, 10, 10), lambda_w=1e-2, lambda_h=1e-2, loss="mse", depth=2),
    ]


# ---------------------------------------------------------------------------------------- CE
def _ce_m1_predict(problem: Problem) -> Prediction:
    K, n = problem.K, problem.sizes[0]
    f = zhu_closed_form(K, n, problem.lambda_w, problem.lambda_h)
    a = f["c"]
    S = centering(K)
    root = math.sqrt(n * problem.lambda_h / problem.lambda_w)
    q = {
        "zero": a == 0.0,
        "etf_scale": a,
        "gram_WW": root * a * S,
        "gram_HH": a / root * S,
        "logits_mean": a * S,
        "w_norm_sq": np.full(K, f["w_sq"]),
        "h_norm_sq": np.full(K, f["h_sq"]),
        "bias": np.zeros(K),
        "objective": f["objective"],
    }
    note = "K s >= 1: the unique minimizer is 0" if a == 0.0 else f"ETF with scale a = {a:.6g}"
    # the ETF point with b = 0 is feasible and has this objective (no bias penalty at b = 0)
    return Prediction("dang2023/ce-etf-m1", problem, q, note, objective=f["objective"])


def _ce_m1_observe(problem: Problem, solution) -> dict:
    gww, ghh = grams(solution)
    tw, th = float(np.trace(gww)), float(np.trace(ghh))
    return {
        "zero": bool(tw <= ZERO_RTOL * max(1.0, tw) and th <= ZERO_RTOL * max(1.0, th)),
        "gram_WW": gww,
        "gram_HH": ghh,
        "logits_mean": np.asarray(solution.logits_mean, dtype=np.float64),
        "w_norm_sq": np.diag(gww).copy(),
        "h_norm_sq": np.diag(ghh).copy(),
        "bias": bias_of(solution),
        "objective": float(solution.objective),
    }


def _ce_deep_predict(problem: Problem) -> Prediction:
    a, value = best_etf_scale(problem)
    note = f"best ETF-structured objective {value:.10g} at scale a = {a:.6g}" + (" (the zero point)" if a == 0.0 else "")
    # the ETF point of scale a is feasible and has objective `value`: any lower feasible point refutes the claim
    return Prediction("dang2023/ce-etf-deep", problem, {"etf_beaten_by": 0.0}, note, objective=value)


def _ce_deep_observe(problem: Problem, solution) -> dict:
    _, value = best_etf_scale(problem)
    beaten = value - float(solution.objective)
    return {"etf_beaten_by": beaten if beaten > ETF_MARGIN_RTOL * max(1.0, abs(value)) else 0.0}


# ---------------------------------------------------------------------------------------- claims
#: Every Dang et al. 2023 claim: the paper, and the provenance all but mse-imbalanced share.
DANG2023 = ClaimFamily(source=SOURCE, provenance=("abstract", "derived"))
#: The two deep-linear MSE claims: one closed form, read the same way, solved by the exact solver for the depth.
MSE = DANG2023.extend(observe=mse_observe, reference=("auto", "factored"), solver_options=CERTIFIED_OPTIONS,
                      tolerances=MSE_TOLERANCES, **closed_forms(symbolic, "mse"))


def _mse_claim(claim_id: str, **fields) -> Claim:
    """A claim of :data:`MSE` predicting :func:`mse_quantities` under its own id."""
    return MSE(id=claim_id, predict=_mse_predictor(claim_id), **fields)


MSE_IMBALANCED = _mse_claim(
    "dang2023/mse-imbalanced",
    provenance=("abstract", "authors-code", "derived"),
    statement=(
        "Deep linear UFM, MSE, no bias, any class sizes, any depth M (canonical convention; Dang et al. also sum "
        "the feature penalty over the samples, so no conversion: catalogue §9). Every global minimizer has NC1, "
        "P P^T = diag(sigma_k), Hbar^T Hbar = diag(sigma_k/(sigma_k+N lambda_H)^2), "
        "P Hbar = diag(sigma_k/(sigma_k+N lambda_H)), balanced layers W_{i+1}^T W_{i+1} = W_i W_i^T, and "
        "optimal value sum_k [n_k lambda_H/(2(sigma_k+N lambda_H)) + M lambda_W s_k^2/2], sigma_k = c s_k^(2M). "
        "sigma_k = N lambda_H x_k^M, x_k the right root of beta_k = M x^(M-1)/(x^M+1)^2, "
        "beta_k = M N (N lambda_H lambda_W^M)^(1/M)/n_k; class k is zero iff beta_k >= (M-1)^((M-1)/M)/M "
        "(M >= 2) or n_k <= N^2 lambda_W lambda_H (M = 1). M = 1: sigma_k = sqrt(n_k lambda_H/lambda_W) - N lambda_H."
    ),
    requires=requirements.MSE_IMBALANCED,
    defaults=_mse_defaults_imbalanced,
    # the zero-class λ* located by certified bisection (M = 1: convex predicate; at M >= 2 a factored solve takes
    # ~1 s, too slow for `check`: `nctheory threshold` locates it)
    experiments=(onset_experiment("dang2023/mse-imbalanced", "lambda", applies=lambda p: p.depth == 1),),
)

MSE_BALANCED = _mse_claim(
    "dang2023/mse-balanced",
    statement=(
        "Deep linear UFM, MSE, balanced n_k = n, any depth M: the imbalanced solution with one sigma; nonzero iff "
        "beta < (M-1)^((M-1)/M)/M (M >= 2) or K N lambda_W lambda_H < 1 (M = 1). With a free bias: b* = 1/K, "
        "centred features, P P^T = sigma S, Hbar^T Hbar = sigma/(sigma+N lambda_H)^2 S, "
        "P Hbar = sigma/(sigma+N lambda_H) S (simplex ETF), objective (K-1) times the per-class value."
    ),
    requires=requirements.MSE_BALANCED,
    defaults=_mse_defaults_balanced,
)

CE_ETF_M1 = DANG2023(
    id="dang2023/ce-etf-m1",
    source=SOURCE + "; Zhu et al. arXiv 2105.02375 for the closed form",
    statement=(
        "CE, M = 1, balanced n_k = n, no bias or a penalised one: with s = sqrt(n lambda_W lambda_H), the global "
        "minimizer is 0 if K s >= 1, else the simplex ETF W Hbar = a S, a = log((1-(K-1)s)/s), "
        "W W^T = sqrt(n lambda_H/lambda_W) a S, Hbar^T Hbar = sqrt(lambda_W/(n lambda_H)) a S, b = 0, objective "
        "log(1+(K-1)e^{-a}) + s (K-1) a."
    ),
    requires=requirements.CE_M1,
    predict=_ce_m1_predict,
    observe=_ce_m1_observe,
    reference=("certified", "convex:reduced"),
    defaults=lambda: [
        # catalogue §6 worked example: ||w||^2 = 6.257099, ||h||^2 = 1.251420
        Problem(sizes=(5, 5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="ce", bias="regularized", lambda_b=1e-2),
    ],
    tolerances=CE_M1_TOLERANCES,
    **closed_forms(symbolic, "ce_m1"),
    solver_options=CERTIFIED_OPTIONS,
)

CE_ETF_DEEP = DANG2023(
    id="dang2023/ce-etf-deep",
    source=SOURCE + " (claim registered to be refuted; cf. Garrod & Keating arXiv 2410.23169)",
    statement=(
        "CE, deep linear UFM, M >= 2, balanced, no bias: 'the simplex ETF is a global minimizer'. Checked as: no "
        "point reaches an objective below the best ETF-structured one, min_a log(1+(K-1)e^{-a}) + "
        "((M+1)/2)(lambda_H lambda_W^M)^(1/(M+1)) (K-1)(sqrt(n) a)^(2/(M+1)) (including a = 0). Observed "
        "etf_beaten_by = max(0, ETF objective - factored objective) must be 0. Refuted e.g. at K = 4, n = 5, "
        "lambda = 1e-2, M = 3 (ETF 0.220633, rank-2 factored solution 0.201427)."
    ),
    requires=requirements.CE_DEEP,
    predict=_ce_deep_predict,
    observe=_ce_deep_observe,
    reference=("factored",),
    defaults=lambda: [Problem(sizes=(5, 5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="ce", depth=3)],
    tolerances=CE_DEEP_TOLERANCES,
    expected="false",
    **closed_forms(symbolic, "ce_deep"),
)

CLAIMS: list[Claim] = [MSE_IMBALANCED, MSE_BALANCED, CE_ETF_M1, CE_ETF_DEEP]
