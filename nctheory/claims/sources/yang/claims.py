r"""The Yang et al. 2022 claims (catalogue §5): a classifier fixed to a simplex ETF.

* ``yang/etf-ce``: per-sample budget, CE: every global minimiser has :math:`h_{k,i} = \sqrt{E_H/E_W}\,w^*_k`.
* ``yang/etf-dr``: the dot-regression loss has the same unique minimiser (loss 0); its gradient on the sphere is
  pull only (:func:`nctheory.diagnostics.feature_gradient_pull_push`).
* ``yang/etf-variants``: weight decay (c independent of n_k) and Fang's average budget (c_k grows with n_k).

Every prediction is stated with gauge-invariant quantities (Grams, norms, cosines with the solution's own fixed
classifier), so it can be read off any solver's answer.
"""

from __future__ import annotations

import numpy as np

from nctheory.claims.base import Prediction, Requires
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.sources.yang import symbolic
from nctheory.claims.sources.yang.accuracy import DR_TOLERANCES, FIXED_TOLERANCES, VARIANTS_TOLERANCES
from nctheory.claims.sources.yang.formulas import (dr_loss, etf_e_w, predicted_geometry, predicted_objective,
                                                   predicted_scales)
from nctheory.model import Bias, Classifier, Constraint, Features, Problem
from nctheory.observe import H_of, W_of, bias_of, zbar

SOURCE = "Yang et al. 2022, arXiv 2203.09081"

#: Solved by the fixed-ETF cvxpy formulation, the factored solver as the second reference.
FIXED_ETF = ClaimFamily(source=SOURCE, provenance=("recalled", "derived"), reference=("convex:fixed-etf", "factored"))


def _fixed_etf(loss: str, *constraints) -> Requires:
    """Yang et al.'s model: fixed-ETF classifier, free features, no bias, the given loss and constraint types."""
    return Requires(loss=(loss,), classifier=(Classifier.FIXED_ETF,), bias=(Bias.NONE,), features=(Features.FREE,),
                    constraint=tuple(constraints))


# ---------------------------------------------------------------------------------------- observation
def fixed_etf_geometry(problem: Problem, solution) -> dict:
    """Gauge-invariant quantities of a fixed-classifier solution (the keys of :func:`predicted_geometry`)."""
    W, M = W_of(solution), H_of(solution)
    wn2 = np.sum(W * W, axis=1)
    hn = np.linalg.norm(M, axis=0)
    proj = np.einsum("kd,dk->k", W, M)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(hn > 0, proj / (np.sqrt(wn2) * hn), np.nan)
    out = {
        "gram_HH": M.T @ M,
        "logits_mean": zbar(solution) + bias_of(solution)[:, None],
        "h_norms": hn,
        "cos_hw": cos,
        "scale_c": proj / wn2,
    }
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        out["max_within_class_deviation"] = float(np.max(np.linalg.norm(H - M[:, problem.labels], axis=0)))
    return out


def dr_objective(problem: Problem, solution) -> float:
    r"""Dot-regression objective :math:`\sum_k\pi_k(w_k^\top\bar h_k - \sqrt{E_WE_H})^2/(2\sqrt{E_WE_H})` at NC1
    (over all samples when the solution has them)."""
    e_w = etf_e_w(problem)
    W = W_of(solution)
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        return float(np.mean(dr_loss(np.einsum("dn,nd->n", H, W[problem.labels]), e_w, problem.e_h)))
    proj = np.einsum("kd,dk->k", W, H_of(solution))
    return float(problem.weights @ dr_loss(proj, e_w, problem.e_h))


def _with_objective(problem: Problem, solution) -> dict:
    return {**fixed_etf_geometry(problem, solution), "objective": float(solution.objective)}


def _length_order(problem: Problem, h_norms: np.ndarray) -> np.ndarray:
    """For every pair j, k with n_j > n_k: is ||h_j|| > ||h_k||? (flattened over those pairs, in index order)."""
    n = problem.n
    pairs = [(j, k) for j in range(problem.K) for k in range(problem.K) if n[j] > n[k]]
    return np.array([bool(h_norms[j] > h_norms[k]) for j, k in pairs], dtype=bool)


def _variants_observe(problem: Problem, solution) -> dict:
    out = _with_objective(problem, solution)
    if problem.constraint == Constraint.AVERAGE:
        out["length_order"] = _length_order(problem, out["h_norms"])
    return out


def _dr_observe(problem: Problem, solution) -> dict:
    return {**fixed_etf_geometry(problem, solution), "dr_objective": dr_objective(problem, solution)}


# ---------------------------------------------------------------------------------------- prediction
def _geometry(problem: Problem) -> tuple[np.ndarray, dict]:
    c = predicted_scales(problem)
    return c, predicted_geometry(problem.K, etf_e_w(problem), c)


def _ce_predict(problem: Problem) -> Prediction:
    c, q = _geometry(problem)
    q["objective"] = predicted_objective(problem, c)
    # h = c w*_k meets every per-sample budget with equality: a feasible point with this objective
    return Prediction("yang/etf-ce", problem, q, notes=f"h_(k,i) = sqrt(E_H/E_W) w*_k = {c[0]:.6g} w*_k for every "
                      "sample", objective=q["objective"])


def _dr_predict(problem: Problem) -> Prediction:
    _, q = _geometry(problem)
    q["dr_objective"] = 0.0
    return Prediction("yang/etf-dr", problem, q, notes="unique minimiser h = sqrt(E_H/E_W) w*_c with zero "
                      "dot-regression loss", objective=0.0)


def _variants_predict(problem: Problem) -> Prediction:
    c, q = _geometry(problem)
    q["objective"] = predicted_objective(problem, c)
    if problem.constraint == Constraint.PENALTY:
        notes = f"penalty: h_k = c w*_k with c = {c[0]:.8g}, the same for every class"
    else:
        q["length_order"] = np.ones(len(_length_order(problem, np.zeros(problem.K))), dtype=bool)
        notes = "average constraint: h_k = c_k w*_k, c_k strictly increasing in n_k: " + ", ".join(f"{x:.6g}" for x in c)
    # weight decay: any c is feasible; average budget: (1/K) sum c_k^2 E_W = E_H holds (root-found)
    return Prediction("yang/etf-variants", problem, q, notes=notes, objective=q["objective"])


# ---------------------------------------------------------------------------------------- claims
def _instances_ce() -> list[Problem]:
    return [
        Problem(sizes=(40, 10, 2), classifier="fixed-etf", constraint="per-sample", e_w=1.0, e_h=2.0,
                lambda_w=0.0, lambda_h=0.0),
        Problem(sizes=(30, 30, 5, 5), classifier="fixed-etf", constraint="per-sample", e_w=2.0, e_h=0.5,
                lambda_w=0.0, lambda_h=0.0),
    ]


def _instances_variants() -> list[Problem]:
    return [
        Problem(sizes=(40, 10, 2), classifier="fixed-etf", constraint="penalty", e_w=1.0, lambda_w=0.0, lambda_h=5e-3),
        Problem(sizes=(40, 10, 2, 2), classifier="fixed-etf", constraint="average", e_w=1.0, e_h=3.0,
                lambda_w=0.0, lambda_h=0.0),
    ]


ETF_CE = FIXED_ETF(
    id="yang/etf-ce",
    statement=(
        "Fixed simplex-ETF classifier W* (row norms sqrt(E_W)), per-sample constraint ||h_{k,i}||^2 <= E_H, "
        "CE loss: for ANY class sizes every global minimiser has h_{k,i} = sqrt(E_H/E_W) w*_k (NC holds under "
        "imbalance). Objective log(1 + (K-1) exp(-sqrt(E_W E_H) K/(K-1))). Canonical convention: loss averaged "
        "over the N samples, no penalties."
    ),
    requires=_fixed_etf("ce", Constraint.PER_SAMPLE),
    predict=_ce_predict,
    observe=_with_objective,
    defaults=_instances_ce,
    tolerances=FIXED_TOLERANCES,
    **closed_forms(symbolic, "ce"),
)

ETF_DR = FIXED_ETF(
    id="yang/etf-dr",
    statement=(
        "Dot-regression loss (w*_c^T h - sqrt(E_W E_H))^2 / (2 sqrt(E_W E_H)) with the fixed ETF and the "
        "per-sample constraint: the unique minimiser is h = sqrt(E_H/E_W) w*_c (loss 0), for any class sizes; "
        "at ||h|| = sqrt(E_H) the gradient is -(1 - cos(h, w*_c)) w*_c (pull only, no push). Verified by "
        "solving convex:fixed-etf with the dot-regression loss (Problem(loss='dr'), CLI --loss dr)."
    ),
    requires=_fixed_etf("dr", Constraint.PER_SAMPLE),
    predict=_dr_predict,
    observe=_dr_observe,
    reference=("convex:fixed-etf",),
    defaults=lambda: [p.with_(loss="dr") for p in _instances_ce()[:1]],
    tolerances=DR_TOLERANCES,
    **closed_forms(symbolic, "dr"),
)

ETF_VARIANTS = FIXED_ETF(
    id="yang/etf-variants",
    provenance=("derived",),
    statement=(
        "Fixed ETF classifier, CE. (a) Weight decay (lambda_H/2)||H||^2 instead of the constraint: "
        "h_{k,i} = c w*_k with c the root of c (exp(c E_W K/(K-1)) + K - 1) = K/(N lambda_H), independent of "
        "n_k. (b) Fang's average constraint (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H: h_{k,i} = c_k w*_k "
        "(directions align) with c_k (exp(c_k E_W K/(K-1)) + K - 1) = pi_k t, (1/K) sum c_k^2 E_W = E_H: "
        "lengths grow strictly with n_k."
    ),
    requires=_fixed_etf("ce", Constraint.PENALTY, Constraint.AVERAGE),
    predict=_variants_predict,
    observe=_variants_observe,
    defaults=_instances_variants,
    tolerances=VARIANTS_TOLERANCES,
    **closed_forms(symbolic, "variants"),
)

CLAIMS = [ETF_CE, ETF_DR, ETF_VARIANTS]
