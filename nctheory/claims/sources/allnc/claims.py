r"""The AllNC claims (arXiv 2408.07253, catalogue §7; only the abstract was available): its *premises*, checked in
the unconstrained feature model (UFM).

* ``allnc/mean-squeeze`` -- "minority collapse squeezes class means as well as classifiers".  In the CE UFM
  with a learned classifier both squeezes happen, exactly and at the **same** threshold λN = √n_B
  (:mod:`.formulas`); :func:`~.experiments.squeeze_onsets` locates the two onsets separately.
* ``allnc/fixed-etf-repair`` -- "repairing the classifier alone (a fixed ETF) leaves the means squeezed,
  breaks self-duality and weakens NC1".  In the UFM the features follow the fixed ETF exactly
  (:math:`\bar h_k = c\,w^*_k`, ``yang/etf-variants``): no squeeze, exact self-duality, exact NC1.  Registered as
  the abstract states it, with ``expected="false"``: the UFM refutes it, which says the effect (if real in
  trained networks) comes from what the UFM leaves out -- feature learning through shared layers, finite
  training -- not from the loss landscape of the last layer.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.base import Prediction
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.sources.allnc import accuracy as acc
from nctheory.claims.sources.allnc import symbolic
from nctheory.claims.sources.allnc.formulas import threshold_lambda, two_clusters
from nctheory.claims.sources.allnc.requirements import REPAIR_REQUIRES, SQUEEZE_REQUIRES
from nctheory.claims.sources.allnc.squeeze import squeeze_state
from nctheory.model import Problem
from nctheory.observe import H_of, W_of

SOURCE = "AllNC 2024, arXiv 2408.07253 (abstract only)"


# =========================================================================== allnc/mean-squeeze
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
    minority, _ = two_clusters(problem)
    return squeeze_state(W_of(solution), H_of(solution), minority)


#: Both AllNC claims.
ALLNC = ClaimFamily(source=SOURCE)

MEAN_SQUEEZE = ALLNC(
    id="allnc/mean-squeeze",
    provenance=("abstract", "derived"),
    statement=(
        "Under imbalance, minority collapse squeezes the class means as well as the classifiers. Checked in "
        "the CE UFM with a learned classifier (derived): the minority w_k AND h_k coincide exactly, both iff "
        "lambda N >= sqrt(n_B) (lambda = sqrt(lambda_W lambda_H)), i.e. the two squeezes share one threshold; "
        "squeeze = relative squared spread max ||v_j - v_k||^2 / mean ||v||^2 <= 1e-8."
    ),
    requires=SQUEEZE_REQUIRES,
    predict=_squeeze_predict,
    observe=_squeeze_observe,
    reference=("certified",),
    # N = 64, lambda = 0.03: lambda N = 1.92 >= sqrt(2) (squeezed); N = 80: 2.4 < sqrt(10) (separated)
    defaults=lambda: [Problem(sizes=(30, 30, 2, 2), lambda_w=0.03, lambda_h=0.03),
                      Problem(sizes=(30, 30, 10, 10), lambda_w=0.03, lambda_h=0.03)],
    tolerances=acc.SQUEEZE_TOLERANCES,
    **closed_forms(symbolic, "squeeze"),
)


# =========================================================================== allnc/fixed-etf-repair
def _repair_predict(problem: Problem) -> Prediction:
    return Prediction(
        "allnc/fixed-etf-repair", problem,
        {"minority_h_squeezed": True, "self_duality_broken": True, "nc1_weakened": True},
        notes="as the abstract states it; derived for the UFM: h_k = c w*_k (not squeezed, self-dual), so the "
              "UFM is expected to refute it",
    )


def _self_duality_broken(W: np.ndarray, M: np.ndarray) -> bool:
    r"""Some class has :math:`1 - \cos\angle(w_k,\bar h_k) >` :data:`~.accuracy.SELF_DUALITY_TOL`, or a zero vector
    (duality with a vector that has no direction is undefined: counted as broken)."""
    wn, hn = np.linalg.norm(W, axis=1), np.linalg.norm(M, axis=0)
    ok = (wn > 0) & (hn > 0)
    cos = np.einsum("kd,dk->k", W[ok], M[:, ok]) / (wn[ok] * hn[ok])
    return bool((not np.all(ok)) or np.any(1.0 - cos > acc.SELF_DUALITY_TOL))


def _repair_observe(problem: Problem, solution) -> dict:
    minority, _ = two_clusters(problem)
    W, M = W_of(solution), H_of(solution)
    st = squeeze_state(W, M, minority)
    out = {"minority_h_squeezed": st["minority_h_squeezed"], "self_duality_broken": _self_duality_broken(W, M),
           "minority_h_spread_sq": st["minority_h_spread_sq"]}
    H = getattr(solution, "H", None)
    if H is not None and H.shape[1] == problem.N:
        from nctheory.metrics import nc1

        out["nc1"] = nc1(H, problem.labels, problem.K)
        out["nc1_weakened"] = bool(out["nc1"] > acc.NC1_TOL)
    return out


FIXED_ETF_REPAIR = ALLNC(
    id="allnc/fixed-etf-repair",
    provenance=("abstract",),
    statement=(
        "Repairing only the classifier (fixing it to a simplex ETF) leaves the minority class means "
        "squeezed, breaks self-duality (w_k not parallel to h_k) and weakens NC1. Registered to be refuted in "
        "the UFM: with free features and weight decay the means follow the fixed ETF exactly, h_k = c w*_k "
        "(yang/etf-variants), so nothing stays squeezed, self-duality is exact and so is NC1 (observed on "
        "full-sample solves: factored with on='samples'). Instances: the fixed-ETF model whose learned "
        "counterpart (same sizes, lambda_W, lambda_H) is in its minority-collapse regime."
    ),
    requires=REPAIR_REQUIRES,
    predict=_repair_predict,
    observe=_repair_observe,
    reference=("convex:fixed-etf", "factored"),
    defaults=lambda: [Problem(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_w=0.03, lambda_h=0.03, e_w=1.0)],
    tolerances=acc.REPAIR_TOLERANCES,
    expected="false",
)
