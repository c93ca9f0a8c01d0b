r"""The structure claims of Hong & Ling (catalogue §2): ``hong-ling/nc1``, ``no-etf``, ``block``, ``angles``.

The threshold and asymptotic claims are in :mod:`.threshold_claims`.  Observations are made in the CE-UFM
gauge (mean classifier removed, :func:`nctheory.claims.common.centred_logits`).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Prediction
from nctheory.claims.forms import closed_forms
from nctheory.claims.common import centred_grams, centred_logits
from nctheory.claims.sources.hong_ling import accuracy as acc
from nctheory.claims.sources.hong_ling import symbolic
from nctheory.claims.sources.hong_ling.family import HONG_LING
from nctheory.claims.sources.hong_ling.formulas import (angle_formulas, natural_units, two_clusters,
                                                        zero_gradient_ratio, zero_objective)
from nctheory.claims.sources.hong_ling.kkt import kkt_for
from nctheory.claims.sources.hong_ling.provenance import PITFALLS
from nctheory.claims.sources.hong_ling.requirements import ANGLES_REQUIRES, NC1_REQUIRES, UFM_REQUIRES
from nctheory.claims.sources.hong_ling.structure import (block_residual, cluster_cos, cross_mean, diagonal_mean,
                                                         off_diagonal_mean,
                                                         sqrt_gram_pair, within_scalar)
from nctheory.geometry import centering
from nctheory.metrics import class_means
from nctheory.model import Bias, Problem, equal_size_groups
from nctheory.observe import ZERO_LOGIT_TOL, W_of, bias_of, is_grouped, normalized


# =========================================================================== HL-NC1
def _nc1_predict(problem: Problem) -> Prediction:
    return Prediction("hong-ling/nc1", problem, {"within_class_dev": 0.0, "within_class_logit_dev": 0.0},
                      "every global minimiser has h_{k,i} = h̄_k: per-sample deviations from the class means are 0")


def _nc1_observe(problem: Problem, solution) -> dict:
    if solution.H is None:
        return {}  # a class-mean solver cannot show NC1; only full-sample solves are evidence
    H = np.asarray(solution.H, dtype=np.float64)
    lab = problem.labels
    means = class_means(H, lab, problem.K)
    W = W_of(solution)
    Z, Zm = W @ H, W @ means
    fscale = acc.ZERO_FLOOR * math.sqrt(problem.N) * (problem.lambda_w / problem.lambda_h) ** 0.25
    return {
        "within_class_dev": float(np.linalg.norm(H - means[:, lab]) / max(np.linalg.norm(H), fscale)),
        "within_class_logit_dev": float(np.linalg.norm(Z - Zm[:, lab])
                                        / max(np.linalg.norm(Z), acc.ZERO_FLOOR * math.sqrt(problem.N))),
    }


NC1 = HONG_LING(
    id="hong-ling/nc1",
    statement=(
        "HL-NC1: for CE and any d, λ_W, λ_H > 0, every global minimiser of the UFM has collapsed features "
        "h_{k,i} = h̄_k (NC1), for any class sizes. Checked on the full-sample convex problem "
        "min (1/N)Σ_i CE(z_i + b, y_i) + λ‖Z‖_* (no NC1 assumed): within-class deviation "
        "‖H − H̄Yᵀ‖_F/‖H‖_F is predicted 0. Canonical convention; the authors' code uses no-½ penalties "
        "(Problem.from_no_half_penalties). " + PITFALLS
    ),
    requires=NC1_REQUIRES,
    predict=_nc1_predict,
    observe=_nc1_observe,
    reference=("convex:full-sample",),
    solver_options={},
    defaults=lambda: [Problem(sizes=(4, 2, 1), lambda_w=1e-2, lambda_h=1e-2),
                      Problem(sizes=(3, 3, 1, 1), lambda_w=5e-3, lambda_h=2e-2, bias="regularized", lambda_b=1e-2)],
    tolerances=acc.NC1_TOLERANCES,
)


# =========================================================================== HL-noETF
def _noetf_findings(problem: Problem) -> list[str]:
    notes = []
    if two_clusters(problem) is not None and problem.K > 2:
        kkt, _, _ = kkt_for(problem)
        if kkt.s_B == 0.0 and kkt.sigma3 == 0.0:
            notes.append("FINDING (two clusters, minority collapsed or single, and σ₃ = 0): the minority's w and h̄ "
                         "are exactly 0 and both Grams are ∝ the majority's centring, so they coincide although "
                         "the sizes differ — the catalogue's 'differ unless balanced' fails here; this "
                         "prediction keeps the catalogue's statement")
    if problem.K == 2 and not problem.balanced:
        notes.append("FINDING (K = 2): columns of Z̄ sum to 0, so Z̄ has rank 1 and w_1 = -w_2 (W is an ETF) "
                     "for any sizes; without a bias the two margins are also equal, Z̄ ∝ S, and H̄ is an ETF "
                     "too (Grams equal) — the catalogue's 'unless balanced' fails here; this prediction keeps "
                     "the catalogue's statement")
    return notes


def _noetf_predict(problem: Problem) -> Prediction:
    q: dict = {"factor_identity_W": 0.0, "factor_identity_H": 0.0}
    ratio = zero_gradient_ratio(problem)
    notes = ["WWᵀ = √(λ_H/λ_W)(YYᵀ)^{1/2}, H̄ᵀH̄ = √(λ_W/λ_H)D^{-1/2}(YᵀY)^{1/2}D^{-1/2} with Y = Z̄D^{1/2} "
             "of the solution itself (residuals predicted 0)"]
    objective = None
    if acc.near(ratio, 1.0):
        notes.append("too close to the Z̄ = 0 threshold to predict the geometry bools")
    elif ratio <= 1.0:
        q["zero_solution"] = True
        objective = zero_objective(problem)  # W = 0, H = 0 with the optimal bias: a feasible point
        notes.append("Z̄ = 0: W = 0, H̄ = 0, no geometry")
    else:
        q["zero_solution"] = False
        ratio_n = max(problem.sizes) / min(problem.sizes)
        if problem.balanced or ratio_n >= acc.DIFFER_MIN_RATIO:
            q["grams_differ"] = not problem.balanced
            q["w_gram_is_etf"] = problem.balanced
            q["h_gram_is_etf"] = problem.balanced
        else:
            notes.append(f"max n/min n = {ratio_n:.4g} < {acc.DIFFER_MIN_RATIO}: the Grams differ by less than the "
                         "solver resolution; bools not predicted")
        if problem.balanced:
            q["gram_distance"] = 0.0
        notes.extend(_noetf_findings(problem))
    return Prediction("hong-ling/no-etf", problem, q, "; ".join(notes), objective=objective)


def _noetf_observe(problem: Problem, solution) -> dict:
    Zb = centred_logits(solution)
    sq = np.sqrt(problem.n)
    GW, GH = centred_grams(solution)
    L, R = sqrt_gram_pair(Zb * sq[None, :])
    r = math.sqrt(problem.lambda_h / problem.lambda_w)
    TW = r * L
    TH = (R / sq[:, None] / sq[None, :]) / r
    floor_w = acc.ZERO_FLOOR * r
    floor_h = acc.ZERO_FLOOR / r / problem.n.min()
    out = {
        "factor_identity_W": float(np.linalg.norm(GW - TW) / max(np.linalg.norm(GW), floor_w)),
        "factor_identity_H": float(np.linalg.norm(GH - TH) / max(np.linalg.norm(GH), floor_h)),
        "zero_solution": bool(np.abs(Zb).max() <= ZERO_LOGIT_TOL),
    }
    if not out["zero_solution"]:
        Sn = normalized(centering(problem.K))
        dist = float(np.linalg.norm(normalized(GW) - normalized(GH)))
        out["gram_distance"] = dist
        out["grams_differ"] = dist > acc.DIFFER_TOL
        out["w_gram_is_etf"] = float(np.linalg.norm(normalized(GW) - Sn)) <= acc.DIFFER_TOL
        out["h_gram_is_etf"] = float(np.linalg.norm(normalized(GH) - Sn)) <= acc.DIFFER_TOL
    return out


NO_ETF = HONG_LING(
    id="hong-ling/no-etf",
    statement=(
        "HL-noETF: with Y = Z̄D^{1/2} (Z̄ = WH̄ the mean logits), every global minimiser has "
        "WWᵀ = √(λ_H/λ_W)(YYᵀ)^{1/2} and H̄ᵀH̄ = √(λ_W/λ_H)D^{-1/2}(YᵀY)^{1/2}D^{-1/2} (balanced factors, R1/R2), "
        "so the normalised Grams of W and H̄ differ and neither is a simplex ETF (no NC2/NC3) unless all n_k "
        "are equal (predicted as stated). Z̄ = 0 (exact zero test ‖∇φ(0)‖₂ ≤ λ) has no geometry and is excluded. "
        "Findings (the statement fails): (1) K = 2 — W is always an ETF (w_1 = −w_2, Z̄ has rank 1), and without "
        "a bias the margins are equal so Z̄ ∝ S and H̄ is an ETF as well (Grams coincide) for any sizes; (2) two "
        "clusters with the minority collapsed and σ₃ = 0 (e.g. sizes 79×4, 17×2, λ = 0.023) — the minority's w "
        "and h̄ are 0 and both Grams are ∝ the majority's centring, hence equal. Canonical convention (authors' code: no-½ penalties, "
        "Problem.from_no_half_penalties). " + PITFALLS
    ),
    requires=UFM_REQUIRES,
    predict=_noetf_predict,
    observe=_noetf_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(50, 50, 5, 5), lambda_w=1e-3, lambda_h=1e-3),
                      Problem(sizes=(10, 10, 10), lambda_w=1e-2, lambda_h=1e-2, bias="regularized", lambda_b=1e-2)],
    tolerances=acc.NO_ETF_TOLERANCES,
)


# =========================================================================== HL-block
def _block_predict(problem: Problem) -> Prediction:
    q = {"block_residual_Z": 0.0, "block_residual_W": 0.0, "block_residual_H": 0.0}
    if problem.has_bias:
        q["bias_cluster_spread"] = 0.0
    cl = equal_size_groups(problem.sizes)
    return Prediction("hong-ling/block", problem, q,
                      f"{len(cl)} cluster(s) of equal-size classes (sizes {[int(problem.sizes[c[0]]) for c in cl]}): "
                      "Z̄, WWᵀ, H̄ᵀH̄ invariant under permutations inside each cluster; bias constant per cluster")


def _block_observe(problem: Problem, solution) -> dict:
    cl = equal_size_groups(problem.sizes)
    GW, GH = centred_grams(solution)
    r = math.sqrt(problem.lambda_h / problem.lambda_w)
    out = {
        "block_residual_Z": block_residual(centred_logits(solution), cl, acc.ZERO_FLOOR),
        "block_residual_W": block_residual(GW, cl, acc.ZERO_FLOOR * r),
        "block_residual_H": block_residual(GH, cl, acc.ZERO_FLOOR / r / problem.n.min()),
    }
    if problem.has_bias:
        b = bias_of(solution)
        out["bias_cluster_spread"] = float(max(np.ptp(b[c]) for c in cl))
    return out


BLOCK = HONG_LING(
    id="hong-ling/block",
    provenance=("derived",),
    statement=(
        "HL-block: for clusters of equal-size classes the global minimiser is permutation-symmetric inside "
        "each cluster: Z̄_cc = s_c I + q_c J, off-cluster blocks of Z̄ constant, bias constant per cluster; "
        "within a cluster the w's (and the h̄'s) have equal norms and equal pairwise angles, and cross-cluster "
        "inner products are constant. Observed as the relative distance of Z̄, WWᵀ, H̄ᵀH̄ to their "
        "cluster-block averages (predicted 0) and the spread of b inside clusters. Canonical convention. " + PITFALLS
    ),
    requires=UFM_REQUIRES,
    predict=_block_predict,
    observe=_block_observe,
    reference=("certified",),
    defaults=lambda: [Problem(sizes=(40, 40, 10, 10, 2), lambda_w=1e-3, lambda_h=2e-3, bias="regularized",
                              lambda_b=1e-3)],
    tolerances=acc.BLOCK_TOLERANCES,
    **closed_forms(symbolic, "block"),
)


# =========================================================================== HL-angles
def _angles_predict(problem: Problem) -> Prediction:
    kkt, A, B = kkt_for(problem)
    f = angle_formulas(kkt)
    q: dict = {"r_A": kkt.r_A, "r_B": kkt.r_B, "sigma_Y": kkt.singular_values() / math.sqrt(problem.N)}
    if kkt.K_A >= 2:
        q["s_A"] = kkt.s_A
    if kkt.K_B >= 2:
        q["s_B"] = kkt.s_B
    q.update({k: v for k, v in f.items() if not k.startswith("cos_")})
    small_w = min(f["w_sq_norm_A"], f["w_sq_norm_B"]) < acc.COSINE_MIN_SQNORM
    small_h = min(f["h_sq_norm_A"], f["h_sq_norm_B"]) < acc.COSINE_MIN_SQNORM
    for k, v in f.items():
        if k.startswith("cos_") and v is not None and not (small_w if k.startswith("cos_w") else small_h):
            q[k] = v
    if problem.has_bias:
        q["bias_gap"] = kkt.delta
    if problem.bias == Bias.REGULARIZED:
        q["b_A"], q["b_B"] = kkt.b_A, kkt.b_B
    notes = (f"branch: {kkt.branch}; KKT residual {kkt.residual:.1e}, {kkt.roots} root(s) agreeing to "
             f"{kkt.extra['root_spread']:.1e}; A = {A.size} classes of {int(kkt.n_A)}, B = {B.size} of {int(kkt.n_B)}")
    if small_w or small_h:
        notes += "; vectors too small for meaningful cosines: only norms and inner products are predicted"
    # the restricted objective L is the UFM objective of the block point (Z̄ from the KKT scalars, b = (b_A, b_B),
    # W, H̄ its balanced factors): a feasible point, so any lower objective refutes the claim
    return Prediction("hong-ling/angles", problem, q, notes, objective=kkt.objective)


def _angles_observe(problem: Problem, solution) -> dict:
    A, B = two_clusters(problem)
    Z = centred_logits(solution)
    GW, GH = centred_grams(solution)
    out: dict = {}
    if A.size >= 2:
        out["s_A"] = within_scalar(Z, A)
    if B.size >= 2:
        out["s_B"] = within_scalar(Z, B)
    out["r_A"] = cross_mean(Z, B, A)
    out["r_B"] = cross_mean(Z, A, B)
    if is_grouped(solution):
        values, mult = Z.times_diagonal(np.sqrt(solution.structure.sizes)).singular_values()
        out["sigma_Y"] = np.repeat(values, mult) / math.sqrt(problem.N)
    else:
        out["sigma_Y"] = np.linalg.svd(Z * np.sqrt(problem.n)[None, :], compute_uv=False) / math.sqrt(problem.N)
    uW, uH = natural_units(problem)
    for name, G in (("w", GW.scaled(1 / uW) if is_grouped(solution) else GW / uW),
                    ("h", GH.scaled(1 / uH) if is_grouped(solution) else GH / uH)):
        out[f"{name}_sq_norm_A"] = diagonal_mean(G, A)
        out[f"{name}_sq_norm_B"] = diagonal_mean(G, B)
        out[f"{name}_inner_AB"] = cross_mean(G, A, B)
        for lab, idx in (("AA", A), ("BB", B)):
            if idx.size >= 2:
                out[f"{name}_inner_{lab}"] = off_diagonal_mean(G, idx)
        for lab, (i, j) in (("AA", (A, None)), ("BB", (B, None)), ("AB", (A, B))):
            v = cluster_cos(G, i, j)
            if v is not None:
                out[f"cos_{name}_{lab}"] = v
    b = bias_of(solution)
    if problem.has_bias:
        out["bias_gap"] = float(b[A].mean() - b[B].mean())
    if problem.bias == Bias.REGULARIZED:
        out["b_A"], out["b_B"] = float(b[A].mean()), float(b[B].mean())
    return out


ANGLES = HONG_LING(
    id="hong-ling/angles",
    provenance=("derived",),
    statement=(
        "HL-angles: two clusters (K_A classes of size n_A > n_B, K_B of size n_B). The optimum is block "
        "symmetric with scalars s_A, s_B, r_A, r_B, Δ = b_A − b_B solving the KKT system "
        "(i) (√n_c/N)(1 − (1−e^{−s_c})/E_c) = λ if λN < √n_c, else s_c = 0; "
        "(ii) r_A = −κm_A/K_B, r_B = −κm_B/K_A, κ > 0, K(n_A m_A²/K_B + n_B m_B²/K_A) = (λN)², or r = 0 when "
        "that sum is ≤ (λN)² at r = 0; (iii) Δ = K(n_A m_A/K_B − n_B m_B/K_A)/(Nλ_b) (regularized bias), "
        "n_A K_A m_A = n_B K_B m_B (free bias: (iii) would divide by λ_b = 0; this is stationarity in b), "
        "Δ = 0 without bias. Singular values of Y = Z̄D^{1/2}: √n_A s_A (×(K_A−1)), √n_B s_B (×(K_B−1)), "
        "σ₃ = √(K(K_B n_A r_A² + K_A n_B r_B²)), 0. Predicted: s, r, Δ, σ(Y), norms and inner products of w and "
        "h̄ within/between clusters (in natural units: WWᵀ/(√(λ_H/λ_W)√N), H̄ᵀH̄·√(λ_H/λ_W)√N, σ(Y)/√N — "
        "dimensionless, see natural_units()), the catalogue's cosines where the vectors are nonzero, and the "
        "optimal value (the restricted objective at the KKT point, refuted by any lower feasible value). Solved by "
        "least squares from several starts with a residual check (nctheory.claims.sources.hong_ling.kkt). "
        "Canonical convention (authors' code: no-½ penalties, Problem.from_no_half_penalties). " + PITFALLS
    ),
    requires=ANGLES_REQUIRES,
    predict=_angles_predict,
    observe=_angles_observe,
    defaults=lambda: [Problem(sizes=(50, 50, 50, 5, 5), lambda_w=1e-3, lambda_h=1e-3),
                      Problem(sizes=(30, 30, 3, 3), lambda_w=5e-3, lambda_h=5e-3, bias="free")],
    tolerances=acc.ANGLES_TOLERANCES,
    **closed_forms(symbolic, "angles"),
)
