r"""Claims of "All-around Neural Collapse for Imbalanced Classification" (AllNC 2024, arXiv 2408.07253),
catalogue §7.  Only the abstract was available: the claims below test its *premises* in the unconstrained
feature model (UFM); the loss formulas and theorems of the paper were not.

* ``allnc/mean-squeeze`` — "minority collapse squeezes class means as well as classifiers".  In the CE UFM
  with a learned classifier (catalogue §0) both squeezes happen, exactly and at the **same** threshold:
  with two clusters the optimal :math:`\bar Z` (HL-block, §2) has a minority block :math:`s_BI + q_BJ` with
  constant off-cluster blocks, so :math:`s_B = 0` makes the minority rows of :math:`\bar Z` equal (equal
  :math:`w_k`, as :math:`W\propto U\Sigma^{1/2}` of :math:`Y = \bar ZD^{1/2}`) and the minority columns equal
  (equal :math:`\bar h_k`, as :math:`\bar H\propto\Sigma^{1/2}V^\top D^{-1/2}` and the minority share one
  :math:`n_B`).  The onset is :math:`\lambda N = \sqrt{n_B}` (HL-threshold, §2) for both.
  :func:`squeeze_onsets` locates the two onsets separately by bisection on certified solves.
* ``allnc/fixed-etf-repair`` — "repairing the classifier alone (a fixed ETF) leaves the means squeezed,
  breaks self-duality and weakens NC1".  In the UFM the features follow the fixed ETF exactly
  (:math:`\bar h_k = c\,w^*_k`, ``yang/etf-variants``): no squeeze, exact self-duality, exact NC1.  The claim
  is registered as the abstract states it, with ``expected="false"``: the UFM refutes it, which says the
  effect (if real in trained networks) comes from what the UFM leaves out — feature learning through shared
  layers, finite training — not from the loss landscape of the last layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.model import Problem

SOURCE = "AllNC 2024, arXiv 2408.07253 (abstract only)"

#: Relative squared spread :math:`\max_{j,k\in B}\|v_j - v_k\|^2 / \operatorname{mean}_{k}\|v_k\|^2` (mean over
#: **all** classes) at or below which a cluster counts as squeezed (collapsed).  The certified solver
#: soft-thresholds singular values, so a collapsed minority comes out with spread exactly 0 or at rounding
#: level (~1e-16 .. 1e-12 measured); a separated minority one part in 1e-6 away from the onset has a squared
#: spread ~1e-6 or more.  1e-8 separates the two.
SQUEEZE_SQ_TOL = 1e-8


# =========================================================================== measurement
def _two_clusters(problem: Problem):
    """(minority indices, majority indices) for a two-size profile, else None."""
    sizes = sorted(set(problem.sizes))
    if len(sizes) != 2:
        return None
    n = np.asarray(problem.sizes)
    return np.flatnonzero(n == sizes[0]), np.flatnonzero(n == sizes[1])


def relative_spread_sq(V: np.ndarray, cluster) -> float:
    r""":math:`\max_{j,k\in C}\|v_j - v_k\|^2 / \operatorname{mean}_k\|v_k\|^2` for the rows ``v_k`` of V.

    The denominator averages over **all** rows, so a cluster of vectors that are all tiny (but distinct)
    is not called spread; 0.0 when every row is zero (everything collapsed).
    """
    V = np.asarray(V, dtype=float)
    idx = list(cluster)
    P = V[idx]
    D = np.sum((P[:, None, :] - P[None, :, :]) ** 2, axis=2)
    scale = float(np.mean(np.sum(V * V, axis=1)))
    if scale == 0.0:
        return 0.0
    return float(np.max(D)) / scale


def squeeze_state(W, H_mean, minority) -> dict:
    """Relative squared spreads of the minority classifiers and class means, and whether each is squeezed."""
    w = relative_spread_sq(W, minority)
    h = relative_spread_sq(np.asarray(H_mean, dtype=float).T, minority)
    return {"minority_w_spread_sq": w, "minority_h_spread_sq": h,
            "minority_w_squeezed": bool(w <= SQUEEZE_SQ_TOL), "minority_h_squeezed": bool(h <= SQUEEZE_SQ_TOL)}


def threshold_lambda(problem: Problem) -> float:
    r"""The HL-threshold :math:`\lambda^* = \sqrt{n_B}/N` of the minority cluster
    (:math:`\lambda = \sqrt{\lambda_W\lambda_H}`)."""
    return math.sqrt(min(problem.sizes)) / problem.N


# =========================================================================== allnc/mean-squeeze
def _squeeze_assumptions(problem: Problem) -> list[str]:
    unmet = []
    if problem.classifier != "learned":
        unmet.append("classifier: must be 'learned' (the premise is about minority collapse of a learned classifier)")
    if problem.constraint != "penalty":
        unmet.append("constraint: must be 'penalty' (the canonical UFM)")
    if problem.loss.name != "ce":
        unmet.append("loss: must be 'ce'")
    if problem.features != "free":
        unmet.append("features: must be 'free'")
    if problem.depth != 1:
        unmet.append("depth: must be 1")
    cl = _two_clusters(problem)
    if cl is None:
        unmet.append("sizes: must be two clusters (K_A classes of n_A > n_B, K_B classes of n_B)")
    elif cl[0].size < 2:
        unmet.append("sizes: need at least 2 minority classes (a squeeze is between minority classes)")
    return unmet


def _squeeze_predict(problem: Problem) -> Prediction:
    lam_n = problem.lam * problem.N
    squeezed = bool(problem.lam >= threshold_lambda(problem))  # one formula: λN >= √n_B
    q = {"minority_w_squeezed": squeezed, "minority_h_squeezed": squeezed}
    if squeezed:
        q["minority_w_spread_sq"] = 0.0
        q["minority_h_spread_sq"] = 0.0
    return Prediction("allnc/mean-squeeze", problem, q,
                      notes=f"lambda N = {lam_n:.6g} vs sqrt(n_B) = {math.sqrt(min(problem.sizes)):.6g}: minority "
                            + ("classifiers AND means squeezed" if squeezed
                               else "classifiers and means both separated"))


def _squeeze_observe(problem: Problem, solution) -> dict:
    minority, _ = _two_clusters(problem)
    return squeeze_state(solution.W, solution.H_mean, minority)


def _squeeze_sympy() -> dict:
    import sympy as sp

    lam, N, n_B = sp.symbols("lambda N n_B", positive=True)
    return {"squeeze_threshold_lambda": sp.sqrt(n_B) / N, "squeeze_indicator": lam * N - sp.sqrt(n_B)}


@dataclass(frozen=True)
class SqueezeOnsets:
    r"""Onsets of the two squeezes in :math:`\lambda = \sqrt{\lambda_W\lambda_H}` (fixed :math:`\lambda_W/\lambda_H`).

    ``classifier`` and ``means`` are the bisection midpoints (None if inconclusive), ``predicted`` is
    :math:`\sqrt{n_B}/N`; brackets and evaluation counts are kept for reporting.
    """

    classifier: float | None
    means: float | None
    predicted: float
    classifier_bracket: tuple
    means_bracket: tuple
    evaluations: int


def with_lambda(problem: Problem, lam: float) -> Problem:
    r"""``problem`` with :math:`\sqrt{\lambda_W\lambda_H} = \lambda`, keeping :math:`\lambda_W/\lambda_H`."""
    ratio = math.sqrt(problem.lambda_w / problem.lambda_h)
    return problem.with_(lambda_w=lam * ratio, lambda_h=lam / ratio)


def squeeze_onsets(problem: Problem, lo: float, hi: float, *, rtol: float = 1e-6, tol: float = 1e-13) -> SqueezeOnsets:
    r"""Locate, separately, where the minority classifiers and the minority means squeeze, as λ grows.

    Log-scale bisection (:func:`nctheory.threshold.bisect_onset`) on certified solves
    (``nctheory.solvers.certified.solve`` with relative gap ``tol``); a solve that does not certify makes
    that search inconclusive.  The default ``tol = 1e-13``: the certificate bounds the objective, while
    positions (hence spreads) are only ~sqrt(gap) accurate, and at 1e-10 the two onsets measured here
    differed by up to 4e-7 relative; at 1e-13 they coincide (measured on three size profiles).  Solves are cached, so the two searches share the evaluations they have in
    common.
    """
    from nctheory.solvers.certified import solve as certified_solve
    from nctheory.threshold import bisect_onset

    unmet = _squeeze_assumptions(problem)
    if unmet:
        raise ValueError(f"problem: {unmet[0]}")
    minority, _ = _two_clusters(problem)
    cache: dict[float, dict | None] = {}

    def state(lam: float):
        if lam not in cache:
            sol = certified_solve(with_lambda(problem, lam), tol=tol)
            cache[lam] = squeeze_state(sol.W, sol.H_mean, minority) if sol.success else None
        return cache[lam]

    def pred(key):
        def f(lam):
            s = state(lam)
            return None if s is None else s[key]
        return f

    w = bisect_onset(pred("minority_w_squeezed"), lo, hi, rtol=rtol, log=True)
    h = bisect_onset(pred("minority_h_squeezed"), lo, hi, rtol=rtol, log=True)
    return SqueezeOnsets(w.value if w.conclusive else None, h.value if h.conclusive else None,
                         threshold_lambda(problem), w.bracket, h.bracket, len(cache))


_SQUEEZE_TOL = {
    "minority_w_squeezed": Tolerance(0.0, 0.0, "boolean; instances within 1e-6 of the onset are ambiguous"),
    "minority_h_squeezed": Tolerance(0.0, 0.0, "boolean; instances within 1e-6 of the onset are ambiguous"),
    "*": Tolerance(SQUEEZE_SQ_TOL, 0.0, "a collapsed cluster comes out of the certified solver with singular "
                   "values soft-thresholded to exactly 0: spread at rounding level (<= 1e-12 measured)"),
}


# =========================================================================== allnc/fixed-etf-repair
def learned_counterpart(problem: Problem) -> Problem:
    """The same instance with the classifier learned (the model before the 'repair')."""
    return problem.with_(classifier="learned", e_w=None, d=None)


def _repair_assumptions(problem: Problem) -> list[str]:
    unmet = []
    if problem.classifier != "fixed-etf":
        unmet.append("classifier: must be 'fixed-etf' (the repaired model)")
    if problem.constraint != "penalty":
        unmet.append("constraint: must be 'penalty' (weight decay on H, as in the learned model)")
    if problem.loss.name != "ce":
        unmet.append("loss: must be 'ce'")
    if problem.bias != "none":
        unmet.append("bias: must be 'none'")
    if problem.features != "free":
        unmet.append("features: must be 'free'")
    cl = _two_clusters(problem)
    if cl is None or cl[0].size < 2:
        unmet.append("sizes: must be two clusters with at least 2 minority classes")
    if problem.lambda_w <= 0:
        unmet.append("lambda_w: must be > 0 (the weight decay the classifier had before it was fixed; it "
                     "defines the learned model being repaired)")
    elif cl is not None and problem.lam * problem.N < math.sqrt(min(problem.sizes)):
        unmet.append("lambda_w: the learned model must be in its minority-collapse regime "
                     f"(lambda N = {problem.lam * problem.N:.4g} < sqrt(n_B) = {math.sqrt(min(problem.sizes)):.4g}): "
                     "there is nothing to repair")
    return unmet


def _repair_predict(problem: Problem) -> Prediction:
    return Prediction(
        "allnc/fixed-etf-repair", problem,
        {"minority_h_squeezed": True, "self_duality_broken": True, "nc1_weakened": True},
        notes="as the abstract states it; derived for the UFM: h_k = c w*_k (not squeezed, self-dual), so the "
              "UFM is expected to refute it",
    )


#: Self-duality counts as broken when some class has :math:`1 - \cos\angle(w_k,\bar h_k)` above this.  The
#: fixed-ETF solves are accurate to ~1e-7 in the features, giving 1 - cos ~ 1e-12; a visible break in a
#: trained network is degrees (1 - cos(1°) = 1.5e-4).
SELF_DUALITY_TOL = 1e-6


#: NC1 counts as weakened above this.  Full-sample solves of the fixed-ETF model put every sample within
#: ~1e-8 of its class mean (measured), i.e. NC1 ~ 1e-16; trained networks report NC1 of 1e-3 .. 1.
NC1_TOL = 1e-8


def _repair_observe(problem: Problem, solution) -> dict:
    minority, _ = _two_clusters(problem)
    st = squeeze_state(solution.W, solution.H_mean, minority)
    W = np.asarray(solution.W, dtype=float)
    M = np.asarray(solution.H_mean, dtype=float)
    wn, hn = np.linalg.norm(W, axis=1), np.linalg.norm(M, axis=0)
    ok = (wn > 0) & (hn > 0)
    # a zero mean or classifier has no direction: duality with it is undefined, count it as broken
    cos = np.einsum("kd,dk->k", W[ok], M[:, ok]) / (wn[ok] * hn[ok])
    broken = bool((not np.all(ok)) or np.any(1.0 - cos > SELF_DUALITY_TOL))
    out = {"minority_h_squeezed": st["minority_h_squeezed"], "self_duality_broken": broken,
           "minority_h_spread_sq": st["minority_h_spread_sq"]}
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        from nctheory.metrics import nc1

        out["nc1"] = nc1(H, problem.labels, problem.K)
        out["nc1_weakened"] = bool(out["nc1"] > NC1_TOL)
    return out


_REPAIR_TOL = {
    "minority_h_squeezed": Tolerance(0.0, 0.0, "boolean"),
    "self_duality_broken": Tolerance(0.0, 0.0, "boolean"),
    "nc1_weakened": Tolerance(0.0, 0.0, "boolean; observed only on full-sample solves (factored, on='samples')"),
}


# =========================================================================== registry
def _default_squeeze() -> list[Problem]:
    # N = 64, lambda = 0.03: lambda N = 1.92 >= sqrt(2) (squeezed); N = 80: 2.4 < sqrt(10) (separated)
    return [
        Problem(sizes=(30, 30, 2, 2), lambda_w=0.03, lambda_h=0.03),
        Problem(sizes=(30, 30, 10, 10), lambda_w=0.03, lambda_h=0.03),
    ]


def _default_repair() -> list[Problem]:
    return [Problem(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_w=0.03, lambda_h=0.03, e_w=1.0)]


CLAIMS = [
    Claim(
        id="allnc/mean-squeeze",
        source=SOURCE,
        provenance=("abstract", "derived"),
        statement=(
            "Under imbalance, minority collapse squeezes the class means as well as the classifiers. Checked in "
            "the CE UFM with a learned classifier (derived): the minority w_k AND h_k coincide exactly, both iff "
            "lambda N >= sqrt(n_B) (lambda = sqrt(lambda_W lambda_H)), i.e. the two squeezes share one threshold; "
            "squeeze = relative squared spread max ||v_j - v_k||^2 / mean ||v||^2 <= 1e-8."
        ),
        requires=requires_from(_squeeze_assumptions),
        predict=_squeeze_predict,
        observe=_squeeze_observe,
        reference=("certified",),
        defaults=_default_squeeze,
        tolerances=_SQUEEZE_TOL,
        symbolic=_squeeze_sympy,
    ),
    Claim(
        id="allnc/fixed-etf-repair",
        source=SOURCE,
        provenance=("abstract",),
        statement=(
            "Repairing only the classifier (fixing it to a simplex ETF) leaves the minority class means "
            "squeezed, breaks self-duality (w_k not parallel to h_k) and weakens NC1. Registered to be refuted in "
            "the UFM: with free features and weight decay the means follow the fixed ETF exactly, h_k = c w*_k "
            "(yang/etf-variants), so nothing stays squeezed, self-duality is exact and so is NC1 (observed on "
            "full-sample solves: factored with on='samples'). Instances: the fixed-ETF model whose learned "
            "counterpart (same sizes, lambda_W, lambda_H) is in its minority-collapse regime."
        ),
        requires=requires_from(_repair_assumptions),
        predict=_repair_predict,
        observe=_repair_observe,
        reference=("convex:fixed-etf", "factored"),
        defaults=_default_repair,
        tolerances=_REPAIR_TOL,
        expected="false",
    ),
]
