r"""The Dang et al. 2024 claims (catalogue §4): ReLU features, CE, imbalanced.

Three claims share one prediction (:func:`~nctheory.claims.sources.dang2024.formulas.relu_quantities`) and one
observation (:func:`relu_observe`); each predicts its own subset of the quantities.
"""

from __future__ import annotations

import numpy as np

from nctheory.claims.base import Claim, Prediction, Requires
from nctheory.claims.family import ClaimFamily
from nctheory.claims.forms import closed_forms
from nctheory.claims.sources.dang2024 import symbolic
from nctheory.claims.sources.dang2024.accuracy import TOLERANCES, ZERO_RTOL
from nctheory.claims.sources.dang2024.formulas import constants, relu_quantities
from nctheory.geometry import centering
from nctheory.model import Bias, Features, Problem
from nctheory.observe import H_of, W_of, grams

SOURCE = ("Dang, Tran, Nguyen, Ho: Neural Collapse for Cross-entropy Class-Imbalanced Learning with "
          "Unconstrained ReLU Feature Model, arXiv 2401.02058")

#: CE, no bias, ReLU features, learned W, depth 1, penalties, d >= K (orthogonal non-negative class means).
RELU_CE = Requires.ufm("ce", features=(Features.RELU,), bias=(Bias.NONE,), full_dim=True)


def relu_assumptions(problem: Problem) -> list[str]:
    """Unmet requirements of the three claims (:data:`RELU_CE`)."""
    return RELU_CE.unmet(problem)


# ---------------------------------------------------------------------------------------- observation
def _is_zero(sq_norms: np.ndarray) -> np.ndarray:
    return sq_norms <= ZERO_RTOL * max(1.0, float(sq_norms.max()))


def _cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Cosines between rows of A and rows of B (callers pass nonzero rows only)."""
    na = np.linalg.norm(A, axis=1)
    nb = np.linalg.norm(B, axis=1)
    return (A @ B.T) / (na[:, None] * nb[None, :])


def relu_observe(problem: Problem, solution) -> dict:
    r"""The quantities of :func:`relu_quantities` measured on a solution.

    Collapse is read off the solution (:math:`\|\bar h_k\|^2 \le 10^{-7}\max(1, \max_j\|\bar h_j\|^2)`); cosines use
    the solution's own non-collapsed classes, so a different collapse set shows up as a shape mismatch.
    ``margins``: :math:`t_k = \bar Z_{kk} - \frac1{K-1}\sum_{j\ne k}\bar Z_{jk}`.  Residuals are relative to
    :math:`\max(1, \|W\|_F)`.
    """
    K = problem.K
    C, _ = constants(problem)
    W, Hm = W_of(solution), H_of(solution)
    Z = np.asarray(solution.logits_mean, dtype=np.float64)
    gram_WW, gram_HH = grams(solution)
    h_sq = np.diag(gram_HH).copy()
    w_sq = np.diag(gram_WW).copy()
    collapsed = _is_zero(h_sq)
    scale = max(1.0, float(np.linalg.norm(W)))
    sqrt_n = np.sqrt(problem.n)
    predicted_W = C * centering(K) @ (sqrt_n[:, None] * Hm.T)
    out = {
        "margins": np.diag(Z) - (Z.sum(axis=0) - np.diag(Z)) / (K - 1),
        "collapsed": collapsed,
        "global_collapse": bool(collapsed.all()),
        "h_norm_sq": h_sq,
        "gram_HH": gram_HH,
        "logits_mean": Z,
        "gram_WW": gram_WW,
        "w_norm_sq": w_sq,
        "classifier_residual": float(np.linalg.norm(W - predicted_W) / scale),
        "objective": float(solution.objective),
    }
    w_zero = _is_zero(w_sq) if w_sq.max() > 0 else np.ones(K, dtype=bool)
    if not collapsed.all():
        cos_ww = np.full((K, K), np.nan)
        ok = ~w_zero
        cos_ww[np.ix_(ok, ok)] = _cosines(W[ok], W[ok])
        out["cos_ww"] = cos_ww
        alive = np.flatnonzero(~collapsed)
        cos_wh = np.full((K, alive.size), np.nan)
        cos_wh[ok] = _cosines(W[ok], Hm[:, alive].T)
        out["cos_wh"] = cos_wh
        out["h_norm_ratio"] = h_sq / h_sq.max()
    dead = np.flatnonzero(collapsed)
    if dead.size and not collapsed.all():
        shared = -(C / K) * (Hm @ sqrt_n)
        out["collapsed_classifier_residual"] = float(max(np.linalg.norm(W[k] - shared) for k in dead) / scale)
        if dead.size >= 2:
            out["collapsed_classifier_spread"] = float(
                max(np.linalg.norm(W[i] - W[j]) for i in dead for j in dead if i < j) / scale)
    return out


# ---------------------------------------------------------------------------------------- prediction
def _predictor(claim_id: str, names: tuple[str, ...], with_objective: bool):
    def predict(problem: Problem) -> Prediction:
        q = relu_quantities(problem)
        kept = {k: v for k, v in q.items() if k in names}
        dead = np.flatnonzero(q["collapsed"]).tolist()
        note = (f"tau = {q['tau']:.6g}; "
                + ("global collapse (max n_k <= tau): W = H = 0" if q["global_collapse"]
                   else f"collapsed classes {dead}" if dead else "no collapsed class"))
        # the structured point (disjoint-support means, W = C S D^(1/2) Hbar^T) is feasible with this objective
        return Prediction(claim_id, problem, kept, note, objective=q["objective"] if with_objective else None)

    return predict


def _default_alive() -> list[Problem]:
    # tau = (4/3) * 150^2 * 1e-6 = 0.03: no collapse, K = 4, d = 2K
    return [Problem(sizes=(60, 40, 30, 20), lambda_w=1e-3, lambda_h=1e-3, features="relu")]


def _default_collapse() -> list[Problem]:
    # tau = (4/3) * 124^2 * 1e-4 = 2.05: the two classes of 2 collapse, d = 2K
    return [Problem(sizes=(60, 60, 2, 2), lambda_w=1e-2, lambda_h=1e-2, features="relu")]


def _defaults() -> list[Problem]:
    return _default_alive() + _default_collapse()


_STRUCTURE = ("margins", "collapsed", "h_norm_sq", "gram_HH", "logits_mean", "classifier_residual",
              "objective", "C", "tau")
_ANGLES = ("w_norm_sq", "gram_WW", "cos_ww", "cos_wh", "h_norm_ratio")
_COLLAPSE = ("collapsed", "global_collapse", "collapsed_classifier_residual", "collapsed_classifier_spread", "tau")

#: What the three claims share: the model, the observation, the reference solver and the tolerances.
RELU = ClaimFamily(source=SOURCE, requires=RELU_CE, observe=relu_observe, reference=("factored",),
                   tolerances=TOLERANCES)


def _relu_claim(claim_id: str, quantities: tuple[str, ...], *, with_objective: bool = False, **fields) -> Claim:
    """A claim of :data:`RELU` predicting ``quantities`` of :func:`relu_quantities` (and, ``with_objective``, the
    objective of the structured point, so a lower feasible value refutes it)."""
    return RELU(id=claim_id, predict=_predictor(claim_id, quantities, with_objective), **fields)


RELU_STRUCTURE = _relu_claim(
    "dang2024/relu-structure", _STRUCTURE, with_objective=True,
    provenance=("abstract", "derived"),
    statement=(
        "UFM, CE, no bias, H >= 0, d >= K (canonical convention). Global minimizers have NC1; non-negative, "
        "mutually orthogonal class means; W Hbar = S diag(t) with t_k = log((K-1)[sqrt(n_k)/(N sqrt((K-1) "
        "lambda_W lambda_H/K)) - 1]) if n_k > tau = K N^2 lambda_W lambda_H/(K-1), else 0; "
        "||hbar_k||^2 = sqrt((K-1) lambda_W/(K lambda_H n_k)) t_k; W = C S D^(1/2) Hbar^T with "
        "C = sqrt(K lambda_H/((K-1) lambda_W)); optimal value sum_k (n_k/N) log(1+(K-1)e^{-t_k}) + "
        "t_k sqrt(lambda_W lambda_H n_k (K-1)/K) (derived here)."
    ),
    defaults=_defaults,
    **closed_forms(symbolic, "structure"),
)

RELU_ANGLES = _relu_claim(
    "dang2024/relu-angles", _ANGLES,
    provenance=("derived",),
    statement=(
        "Same model. With q_k = sqrt(n_k) t_k, Q = sum q: ||w_k||^2 = (C/K^2)((K^2-2K) q_k + Q); "
        "cos(w_i, w_j) = (Q - K(q_i+q_j))/sqrt(((K^2-2K)q_i+Q)((K^2-2K)q_j+Q)); "
        "cos(w_j, hbar_k) = (K delta_jk - 1) sqrt(q_k)/sqrt((K^2-2K)q_j+Q) (non-collapsed k); "
        "||hbar_i||^2/||hbar_j||^2 = (t_i/t_j) sqrt(n_j/n_i)."
    ),
    defaults=_default_alive,
    **closed_forms(symbolic, "angle"),
)

RELU_COLLAPSE = _relu_claim(
    "dang2024/relu-collapse", _COLLAPSE,
    provenance=("abstract", "derived"),
    statement=(
        "Same model. Class k collapses (hbar_k = 0) iff n_k <= tau = K N^2 lambda_W lambda_H/(K-1); all collapsed "
        "classes share the classifier -(C/K) sum_j sqrt(n_j) hbar_j; global collapse (W = H = 0) iff max n_k <= tau."
    ),
    defaults=_default_collapse,
    **closed_forms(symbolic, "collapse"),
)

CLAIMS: list[Claim] = [RELU_STRUCTURE, RELU_ANGLES, RELU_COLLAPSE]
