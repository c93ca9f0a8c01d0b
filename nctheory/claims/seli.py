r"""SELI: the simplex-encoded-labels interpolation of Thrampoulidis et al. 2022 (arXiv 2208.05512).

Catalogue §6.  Notation (§0): K classes, sizes :math:`n_k`, :math:`D = \operatorname{diag}(n)`,
:math:`S = I - J/K`, Y the K×N one-hot label matrix.

* UF-SVM: :math:`\min \tfrac12\|W\|^2 + \tfrac12\|H\|^2` s.t. :math:`(w_{y_i} - w_c)^\top h_i \ge 1`
  :math:`\iff \min\|Z\|_*` s.t. the same margins on Z = WH; the unique solution is the SEL matrix
  :math:`\hat Z = SY` (class means: :math:`W\bar H = S`), with value :math:`\|SY\|_* = \|SD^{1/2}\|_*`.
* SELI geometry (balanced factors of :math:`\hat Z`, exact with this normalisation):
  :math:`WW^\top = (SDS)^{1/2}`,
  :math:`\bar H^\top\bar H = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}`, :math:`W\bar H = S`.
* Ridge-CE solutions (canonical UFM, catalogue §0) converge in direction to SELI as λ → 0,
  slowly (~1/log(1/λ)).
* (R,ρ)-step closed forms (majority size R, minority size 1, :math:`K_A = (1-\rho)k`,
  :math:`K_B = \rho k`, :math:`\mu = R\rho + 1 - \rho`), exact for the SELI Grams above with
  minority size 1; a minority size :math:`n_B` multiplies the w-Gram by :math:`\sqrt{n_B}` and
  the h̄-Gram by :math:`1/\sqrt{n_B}` (R = n_A/n_B), so ratios and cosines depend on R only.

The UF-SVM solver is :func:`nctheory.solvers.convex.solve_uf_svm` (reference method
``"convex:uf-svm"`` of the dispatcher).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.model import Problem

SOURCE = ("Thrampoulidis, Kini, Vakilian, Behnia, 'Imbalance trouble: revisiting neural-collapse geometry', "
          "arXiv 2208.05512")

UF_SVM_METHOD = "convex:uf-svm"

#: Allowance for solver noise when checking that a sequence of distances does not increase:
#: certified logits at λ ≤ 1e-5 carry relative errors up to ~1e-4 (flat CE), and normalised
#: Gram distances inherit them.
PATH_NOISE = 1e-3


# =========================================================================== formulas
def _centering(K: int) -> np.ndarray:
    return np.eye(K) - 1.0 / K


def seli_targets(sizes) -> dict:
    r"""SELI Grams (module doc) for class sizes ``sizes``: keys ``"WW"``, ``"HH"``, ``"WH"``, ``"nuclear"``.

    Both square roots come from one SVD :math:`SD^{1/2} = P\Theta Q^\top`:
    :math:`(SDS)^{1/2} = P\Theta P^\top`, :math:`(D^{1/2}SD^{1/2})^{1/2} = Q\Theta Q^\top` (no squaring,
    so rounding-level accuracy despite the singular S); ``nuclear`` = :math:`\sum\Theta = \|SY\|_*`.
    """
    n = np.asarray(sizes, dtype=np.float64)
    K = n.size
    S = _centering(K)
    sq = np.sqrt(n)
    P, theta, Qt = np.linalg.svd(S * sq[None, :])
    WW = (P * theta) @ P.T
    HH = ((Qt.T * theta) @ Qt) / sq[:, None] / sq[None, :]
    return {"WW": 0.5 * (WW + WW.T), "HH": 0.5 * (HH + HH.T), "WH": S, "nuclear": float(theta.sum())}


def step_formulas(k: int, R: float, rho: float) -> dict:
    r"""(R,ρ)-step SELI Gram entries with minority size 1 (catalogue §6).

    Returns ``w_sq_maj``, ``w_sq_min``, ``w_in_maj`` (⟨w_maj, w_maj'⟩), ``w_in_min``, ``w_in_cross``,
    ``mu_sq_maj``, ``mu_sq_min``, ``mu_in_maj``, ``mu_in_min``, ``mu_in_cross``, and the derived
    ``w_sq_ratio`` = ‖w_maj‖²/‖w_min‖², ``mu_sq_ratio``, cosines ``cos_w_maj``, ``cos_w_min``,
    ``cos_w_cross``, ``cos_mu_maj``, ``cos_mu_min``, ``cos_mu_cross``.
    """
    KA = (1.0 - rho) * k
    KB = rho * k
    mu = R * rho + 1.0 - rho
    sR, smu = math.sqrt(R), math.sqrt(mu)
    e = {
        "w_sq_maj": sR * (1 - 1 / KA) + smu * KB / (KA * k),
        "w_sq_min": (1 - 1 / KB) + smu * KA / (KB * k),
        "w_in_maj": -sR / KA + smu * KB / (KA * k),
        "w_in_min": -1 / KB + smu * KA / (KB * k),
        "w_in_cross": -smu / k,
        "mu_sq_maj": (1 - 1 / KA) / sR + KB / (KA * k * smu),
        "mu_sq_min": (1 - 1 / KB) + KA / (KB * k * smu),
        "mu_in_maj": -1 / (KA * sR) + KB / (KA * k * smu),
        "mu_in_min": -1 / KB + KA / (KB * k * smu),
        "mu_in_cross": -1 / (k * smu),
    }
    e["w_sq_ratio"] = e["w_sq_maj"] / e["w_sq_min"]
    e["mu_sq_ratio"] = e["mu_sq_maj"] / e["mu_sq_min"]
    e["cos_w_maj"] = e["w_in_maj"] / e["w_sq_maj"]
    e["cos_w_min"] = e["w_in_min"] / e["w_sq_min"]
    e["cos_w_cross"] = e["w_in_cross"] / math.sqrt(e["w_sq_maj"] * e["w_sq_min"])
    e["cos_mu_maj"] = e["mu_in_maj"] / e["mu_sq_maj"]
    e["cos_mu_min"] = e["mu_in_min"] / e["mu_sq_min"]
    e["cos_mu_cross"] = e["mu_in_cross"] / math.sqrt(e["mu_sq_maj"] * e["mu_sq_min"])
    return e


def _normalized(G: np.ndarray) -> np.ndarray:
    nrm = np.linalg.norm(G)
    return G / nrm if nrm > 0 else G


def seli_distances(problem_or_sizes, solution) -> np.ndarray:
    r"""Distances :math:`\|G/\|G\|_F - T/\|T\|_F\|_F` of :math:`WW^\top`, :math:`\bar H^\top\bar H`, :math:`W\bar H` to SELI.

    Returns an array of three floats (nan where the solution's Gram is 0: no direction).
    """
    sizes = problem_or_sizes.sizes if isinstance(problem_or_sizes, Problem) else problem_or_sizes
    T = seli_targets(sizes)
    W = np.asarray(solution.W, dtype=float)
    H = np.asarray(solution.H_mean, dtype=float)
    out = []
    for G, key in ((W @ W.T, "WW"), (H.T @ H, "HH"), (W @ H, "WH")):
        out.append(np.nan if np.linalg.norm(G) == 0 else float(np.linalg.norm(_normalized(G) - _normalized(T[key]))))
    return np.asarray(out)


def _uf_svm_unmet(problem: Problem) -> list[str]:
    # The UF-SVM is a property of the class sizes alone; the penalties, loss and bias of the
    # Problem are not used.  It needs a learned classifier with free features and d ≥ K-1.
    unmet = []
    if problem.classifier != "learned":
        unmet.append("classifier: the UF-SVM has a learned classifier")
    if problem.features != "free":
        unmet.append("features: the UF-SVM has free (unconstrained) features")
    if problem.depth != 1:
        unmet.append(f"depth: the UF-SVM has one classifier layer, got M = {problem.depth}")
    if problem.dim < problem.K - 1:
        unmet.append(f"d: needs d ≥ K-1 = {problem.K - 1} (rank of SY), got d = {problem.dim}")
    return unmet


# =========================================================================== seli/uf-svm
def _uf_predict(problem: Problem) -> Prediction:
    T = seli_targets(problem.sizes)
    return Prediction("seli/uf-svm", problem,
                      {"class_mean_logits": T["WH"], "objective": T["nuclear"], "min_margin": 1.0},
                      "UF-SVM optimum: Ẑ = SY (class means S), value ‖SD^{1/2}‖_*, all margins ≥ 1 with equality")


def _uf_observe(problem: Problem, solution) -> dict:
    out = {
        "class_mean_logits": np.asarray(solution.W, dtype=float) @ np.asarray(solution.H_mean, dtype=float),
        "objective": float(solution.objective),
    }
    if "min_margin" in solution.extra:
        out["min_margin"] = float(solution.extra["min_margin"])
    return out


def _uf_defaults() -> list[Problem]:
    return [Problem(sizes=(10, 10, 10, 1, 1, 1)), Problem(sizes=(7, 3, 2, 1))]


UF_SVM = Claim(
    id="seli/uf-svm",
    source=SOURCE,
    provenance=("recalled", "derived"),
    statement=(
        "The UF-SVM min ½‖W‖² + ½‖H‖² s.t. (w_{y_i} − w_c)ᵀh_i ≥ 1 (c ≠ y_i) ⇔ min ‖Z‖_* s.t. the margins has the "
        "unique solution Ẑ = SY (SEL matrix; column i = e_{y_i} − 1/K), so the class-mean logits are S, the "
        "optimal value is ‖SY‖_* = ‖SD^{1/2}‖_* and the smallest margin is exactly 1, for any class sizes. "
        "Only the class sizes of the Problem are used (no penalties, loss or bias)."
    ),
    requires=requires_from(_uf_svm_unmet),
    predict=_uf_predict,
    observe=_uf_observe,
    reference=(UF_SVM_METHOD,),
    defaults=_uf_defaults,
    tolerances={"*": Tolerance(1e-6, 1e-6, "cvxpy/Clarabel conic solves reach ~1e-8 relative; logits of a "
                                       "max-margin problem are Lipschitz in the solution (no flat directions), "
                                       "so 1e-6 leaves a 100x margin")},
)


# =========================================================================== seli/grams
def _grams_predict(problem: Problem) -> Prediction:
    T = seli_targets(problem.sizes)
    return Prediction("seli/grams", problem, {"gram_W": T["WW"], "gram_H": T["HH"], "gram_WH": T["WH"]},
                      "SELI: WWᵀ = (SDS)^{1/2}, H̄ᵀH̄ = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}, WH̄ = S (UF-SVM scale)")


def _grams_observe(problem: Problem, solution) -> dict:
    W = np.asarray(solution.W, dtype=float)
    H = np.asarray(solution.H_mean, dtype=float)
    GW, GH = W @ W.T, H.T @ H
    return {"gram_W": 0.5 * (GW + GW.T), "gram_H": 0.5 * (GH + GH.T), "gram_WH": W @ H}


GRAMS = Claim(
    id="seli/grams",
    source=SOURCE,
    provenance=("recalled", "derived"),
    statement=(
        "SELI geometry for any class sizes: the balanced factors of the UF-SVM solution Ẑ = SY have "
        "WWᵀ = (SDS)^{1/2}, H̄ᵀH̄ = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2} and WH̄ = S (exactly, with the "
        "UF-SVM's margin-1 scale); for equal sizes n this is the simplex ETF (√n S and S/√n). Predicted from "
        "the formula, observed on the UF-SVM solution."
    ),
    requires=requires_from(_uf_svm_unmet),
    predict=_grams_predict,
    observe=_grams_observe,
    reference=(UF_SVM_METHOD,),
    defaults=_uf_defaults,
    tolerances={"*": Tolerance(1e-6, 1e-5, "cvxpy/Clarabel solves to ~1e-8; Grams from one SVD of the solved "
                                       "Z inherit ~1e-7, square-root sensitivity near zero singular values "
                                       "(S is singular) gives up to ~1e-6")},
)


# =========================================================================== seli/step-formulas
def _step_unmet(problem: Problem) -> list[str]:
    unmet = _uf_svm_unmet(problem)
    if len(set(problem.sizes)) != 2:
        unmet.append(f"sizes: needs an (R,ρ)-step profile (exactly two distinct sizes), got {sorted(set(problem.sizes))}")
    return unmet


def _step_params(problem: Problem):
    n = np.asarray(problem.sizes)
    nA, nB = int(n.max()), int(n.min())
    KA = int(np.sum(n == nA))
    KB = int(np.sum(n == nB))
    return nA, nB, KA, KB


def _step_predict(problem: Problem) -> Prediction:
    nA, nB, KA, KB = _step_params(problem)
    k = KA + KB
    R = nA / nB
    e = step_formulas(k, R, KB / k)
    q = {"w_sq_ratio": e["w_sq_ratio"], "mu_sq_ratio": e["mu_sq_ratio"], "cos_w_cross": e["cos_w_cross"],
         "cos_mu_cross": e["cos_mu_cross"],
         # the UF-SVM scale: w-Gram × √n_B, h̄-Gram × 1/√n_B (module doc)
         "w_sq_maj": e["w_sq_maj"] * math.sqrt(nB), "w_sq_min": e["w_sq_min"] * math.sqrt(nB),
         "w_in_cross": e["w_in_cross"] * math.sqrt(nB),
         "mu_sq_maj": e["mu_sq_maj"] / math.sqrt(nB), "mu_sq_min": e["mu_sq_min"] / math.sqrt(nB),
         "mu_in_cross": e["mu_in_cross"] / math.sqrt(nB)}
    if KA >= 2:
        q["cos_w_maj"], q["cos_mu_maj"] = e["cos_w_maj"], e["cos_mu_maj"]
    if KB >= 2:
        q["cos_w_min"], q["cos_mu_min"] = e["cos_w_min"], e["cos_mu_min"]
    return Prediction("seli/step-formulas", problem, q,
                      f"(R,ρ)-step with k = {k}, R = {R:.6g}, ρ = {KB / k:.6g} (K_A = {KA}, K_B = {KB}); "
                      "no exact minority collapse at finite R (cos_w_min < 1)")


def _step_observe(problem: Problem, solution) -> dict:
    nA, nB, KA, KB = _step_params(problem)
    n = np.asarray(problem.sizes)
    A, B = np.flatnonzero(n == nA), np.flatnonzero(n == nB)
    W = np.asarray(solution.W, dtype=float)
    H = np.asarray(solution.H_mean, dtype=float)
    out = {}
    for tag, G in (("w", W @ W.T), ("mu", H.T @ H)):
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


def _step_defaults() -> list[Problem]:
    # the catalogue's worked example: k = 10, R = 10, ρ = 1/2
    return [Problem(sizes=(10,) * 5 + (1,) * 5)]


def _step_sympy() -> dict:
    k, R, rho = sp.symbols("k R rho", positive=True)
    KA, KB = (1 - rho) * k, rho * k
    mu = R * rho + 1 - rho
    w_maj = sp.sqrt(R) * (1 - 1 / KA) + sp.sqrt(mu) * KB / (KA * k)
    w_min = (1 - 1 / KB) + sp.sqrt(mu) * KA / (KB * k)
    m_maj = (1 - 1 / KA) / sp.sqrt(R) + KB / (KA * k * sp.sqrt(mu))
    m_min = (1 - 1 / KB) + KA / (KB * k * sp.sqrt(mu))
    return {
        "w_sq_maj": w_maj, "w_sq_min": w_min,
        "w_in_maj": -sp.sqrt(R) / KA + sp.sqrt(mu) * KB / (KA * k),
        "w_in_min": -1 / KB + sp.sqrt(mu) * KA / (KB * k),
        "w_in_cross": -sp.sqrt(mu) / k,
        "mu_sq_maj": m_maj, "mu_sq_min": m_min,
        "mu_in_maj": -1 / (KA * sp.sqrt(R)) + KB / (KA * k * sp.sqrt(mu)),
        "mu_in_min": -1 / KB + KA / (KB * k * sp.sqrt(mu)),
        "mu_in_cross": -1 / (k * sp.sqrt(mu)),
        "w_sq_ratio": w_maj / w_min,
        "mu_sq_ratio": m_maj / m_min,
    }


STEP = Claim(
    id="seli/step-formulas",
    source=SOURCE,
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
    requires=requires_from(_step_unmet),
    predict=_step_predict,
    observe=_step_observe,
    reference=(UF_SVM_METHOD,),
    defaults=_step_defaults,
    tolerances={"*": Tolerance(1e-6, 1e-5, "cvxpy/Clarabel UF-SVM solves to ~1e-8; Gram entries, ratios and "
                                       "cosines inherit ~1e-7..1e-6")},
    symbolic=_step_sympy,
)


# =========================================================================== seli/regularization-path
@dataclass(frozen=True)
class PathCheck:
    """Distances to SELI along a decreasing-λ sequence (see :func:`regularization_path`).

    Attributes
    ----------
    lambdas : ndarray
        The λ = √(λ_Wλ_H) values, decreasing.
    distances : ndarray, shape (len(lambdas), 3)
        Normalised-Gram distances of WWᵀ, H̄ᵀH̄, WH̄ to SELI (:func:`seli_distances`).
    monotone : bool
        No distance increases by more than ``noise`` from one λ to the next.
    decreased : bool
        The last distances are below the first ones (or the first are already at noise level).
    certified : bool
        Every solve was certified (status "optimal").
    ok : bool
        ``monotone and decreased and certified``.
    message : str
    """

    lambdas: np.ndarray
    distances: np.ndarray
    monotone: bool
    decreased: bool
    certified: bool
    ok: bool
    message: str


def regularization_path(problem: Problem, lambdas=(1e-2, 1e-3, 1e-4, 1e-5), *, method: str = "certified",
                        noise: float = PATH_NOISE, **solver_options) -> PathCheck:
    r"""Solve the ridge-CE UFM along ``lambdas`` (λ_W/λ_H ratio of ``problem`` kept) and measure the distance to SELI.

    The claim: the distances decrease as λ → 0 (convergence in direction, ~1/log(1/λ)).
    """
    from nctheory.solvers import solve

    lam = np.asarray(lambdas, dtype=np.float64)
    if lam.ndim != 1 or lam.size < 2 or not np.all(lam > 0) or not np.all(np.diff(lam) < 0):
        raise ValueError("lambdas: need at least two positive values in decreasing order")
    if not noise >= 0:
        raise ValueError(f"noise: must be >= 0, got {noise!r}")
    ratio = math.sqrt(problem.lambda_h / problem.lambda_w)
    dist = np.empty((lam.size, 3))
    certified = True
    for i, l in enumerate(lam):
        p = problem.with_(lambda_w=l / ratio, lambda_h=l * ratio)
        sol = solve(p, method=method, **solver_options)
        certified &= sol.status == "optimal"
        dist[i] = seli_distances(p, sol)
    finite = np.all(np.isfinite(dist))
    monotone = bool(finite and np.all(np.diff(dist, axis=0) <= noise))
    decreased = bool(finite and np.all((dist[-1] < dist[0]) | (dist[0] <= noise)))
    ok = monotone and decreased and certified
    msg = ("distances to SELI (W, H, WH) per λ: "
           + "; ".join(f"{l:.1e}: {d[0]:.4f}/{d[1]:.4f}/{d[2]:.4f}" for l, d in zip(lam, dist)))
    if not certified:
        msg += " (some solve was not certified)"
    return PathCheck(lam, dist, monotone, decreased, bool(certified), ok, msg)


def _path_unmet(problem: Problem) -> list[str]:
    unmet = _uf_svm_unmet(problem)
    if problem.loss.name != "ce":
        unmet.append(f"loss: the path is the ridge-regularised CE, got {problem.loss.name!r}")
    if problem.bias != "none":
        unmet.append(f"bias: the statement is for the bias-free UFM, got {problem.bias!r}")
    if problem.constraint != "penalty":
        unmet.append(f"constraint: needs penalties, got {problem.constraint!r}")
    return unmet


def _path_predict(problem: Problem) -> Prediction:
    T = seli_targets(problem.sizes)
    return Prediction(
        "seli/regularization-path", problem,
        {"seli_direction_W": _normalized(T["WW"]), "seli_direction_H": _normalized(T["HH"]),
         "seli_direction_WH": _normalized(T["WH"])},
        "a statement about λ → 0, not about one λ: check it along a sequence with "
        "nctheory.claims.seli.regularization_path(problem, lambdas) (distances must not increase); "
        "per instance only the distances are reported")


def _path_observe(problem: Problem, solution) -> dict:
    d = seli_distances(problem, solution)
    return {"distance_W": float(d[0]), "distance_H": float(d[1]), "distance_WH": float(d[2])}


def _path_defaults() -> list[Problem]:
    return [Problem(sizes=(10,) * 3 + (1,) * 3, lambda_w=1e-4, lambda_h=1e-4)]


REGULARIZATION_PATH = Claim(
    id="seli/regularization-path",
    source=SOURCE,
    provenance=("recalled", "derived"),
    statement=(
        "Ridge-CE UFM solutions converge in direction to SELI as λ → 0, slowly (~1/log(1/λ)): the normalised "
        "Gram distances ‖G/‖G‖ − T/‖T‖‖ of WWᵀ, H̄ᵀH̄ and WH̄ to the SELI Grams decrease along a decreasing λ "
        "sequence (e.g. 1e-2, 1e-3, 1e-4, 1e-5 with certified solves). A sequence statement: per instance the "
        "verifier has nothing to compare (inconclusive); regularization_path() performs the check. Canonical "
        "convention (the direction does not depend on it). K = 2 without bias is degenerate: the CE optimum is "
        "already along S for every λ (distances 0 up to solver noise)."
    ),
    requires=requires_from(_path_unmet),
    predict=_path_predict,
    observe=_path_observe,
    reference=("certified",),
    defaults=_path_defaults,
    tolerances={"*": Tolerance(PATH_NOISE, 0.0, "sequence check: a distance may rise by at most the solver "
                                               "noise 1e-3 (certified logits at λ ≤ 1e-5 are accurate to ~1e-4 "
                                               "relative)")},
    experiments=(regularization_path,),
)


#: Sequence checks for claims that relate several instances (the verifier checks one instance).
SEQUENCE_CHECKS = {"seli/regularization-path": (regularization_path,)}

CLAIMS: list[Claim] = [UF_SVM, GRAMS, STEP, REGULARIZATION_PATH]
