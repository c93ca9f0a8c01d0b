r"""Dang et al. 2024 — CE with ReLU (non-negative) features, imbalanced (catalogue §4).

Source: H. Dang, T. Tran, T. Nguyen, N. Ho, "Neural Collapse for Cross-entropy
Class-Imbalanced Learning with Unconstrained ReLU Feature Model", arXiv 2401.02058.

Model: the UFM in the canonical convention (catalogue §0) with CE, no bias,
:math:`H \ge 0` entrywise, :math:`d \ge K`.  Constants

.. math::

    C = \sqrt{\frac{K\lambda_H}{(K-1)\lambda_W}}, \qquad
    \tau = \frac{K N^2\lambda_W\lambda_H}{K-1}.

Structure of the global minimizer (as claimed): NC1; class means non-negative and
mutually orthogonal; margins

.. math::

    t_k = \log\Big((K-1)\Big[\frac{\sqrt{n_k}}{N\sqrt{(K-1)\lambda_W\lambda_H/K}} - 1\Big]\Big)
    \ \text{if } n_k > \tau, \quad t_k = 0 \ \text{otherwise};

:math:`W\bar H = S\operatorname{diag}(t)`,
:math:`\|\bar h_k\|^2 = \sqrt{(K-1)\lambda_W/(K\lambda_H n_k)}\; t_k`,
:math:`W = C\,S D^{1/2}\bar H^\top`.  Derivation (used for the predicted optimal value):
for orthogonal class means of norms :math:`\rho_k` and :math:`W\bar H = S\operatorname{diag}(t)`,
the cheapest W has :math:`\|W\|_F^2 = \frac{K-1}K\sum_k t_k^2/\rho_k^2`; minimising the
penalties over :math:`\rho_k` leaves, per class,

.. math::

    \frac{n_k}{N}\log\big(1 + (K-1)e^{-t_k}\big) + t_k\sqrt{\lambda_W\lambda_H n_k (K-1)/K},

whose minimizer is the :math:`t_k` above; the predicted optimal value is the sum over classes.

The authors' public code uses a different constant in the margin (catalogue §4 pitfall);
the exact constant is not stated in the catalogue, so no variant is provided here.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from nctheory.claims.base import Claim, Prediction, Tolerance, requires_from
from nctheory.model import Problem

SOURCE = ("Dang, Tran, Nguyen, Ho: Neural Collapse for Cross-entropy Class-Imbalanced Learning with "
          "Unconstrained ReLU Feature Model, arXiv 2401.02058")

#: A vector counts as zero when its squared norm is at most this fraction of the largest
#: squared norm of its family, floored at 1.  Predicted nonzero squared norms (away from
#: the threshold tau) are >= 1e-3 on every instance the tests draw.
ZERO_RTOL = 1e-7


# ------------------------------------------------------------------------ the math
def constants(problem: Problem) -> tuple[float, float]:
    r""":math:`C = \sqrt{K\lambda_H/((K-1)\lambda_W)}` and :math:`\tau = KN^2\lambda_W\lambda_H/(K-1)`."""
    K = problem.K
    C = math.sqrt(K * problem.lambda_h / ((K - 1) * problem.lambda_w))
    tau = K * problem.N**2 * problem.lambda_w * problem.lambda_h / (K - 1)
    return C, tau


def margins(problem: Problem) -> np.ndarray:
    r"""Margins :math:`t_k` (module doc); 0 for classes with :math:`n_k \le \tau`."""
    K, N = problem.K, problem.N
    _, tau = constants(problem)
    n = problem.n
    t = np.zeros(K)
    alive = n > tau
    ratio = np.sqrt(n[alive]) / (N * math.sqrt((K - 1) * problem.lambda_w * problem.lambda_h / K))
    t[alive] = np.log((K - 1) * (ratio - 1.0))
    return t


def class_objective(t, problem: Problem) -> np.ndarray:
    r"""Per-class objective :math:`\frac{n_k}N\log(1+(K-1)e^{-t_k}) + t_k\sqrt{\lambda_W\lambda_H n_k(K-1)/K}`."""
    K, N = problem.K, problem.N
    t = np.asarray(t, dtype=np.float64)
    n = problem.n
    ce = np.logaddexp(0.0, math.log(K - 1) - t)
    return n / N * ce + t * np.sqrt(problem.lambda_w * problem.lambda_h * n * (K - 1) / K)


def relu_quantities(problem: Problem) -> dict:
    r"""Every predicted quantity of the three ReLU claims (module doc and catalogue §4).

    ``margins`` t, ``collapsed`` (:math:`n_k \le \tau`), ``global_collapse``,
    ``h_norm_sq``, ``gram_HH`` (diagonal), ``logits_mean`` (:math:`S\operatorname{diag}(t)`),
    ``gram_WW`` (:math:`C\,S\operatorname{diag}(q)S`, :math:`q_k = \sqrt{n_k}t_k`),
    ``w_norm_sq``, ``classifier_residual`` (0), ``objective``; unless globally collapsed also
    ``cos_ww``, ``cos_wh`` (columns: non-collapsed classes), ``h_norm_ratio``
    (:math:`\|\bar h_k\|^2/\max_j\|\bar h_j\|^2`); with collapsed classes
    ``collapsed_classifier_residual`` (0) and, with two or more,
    ``collapsed_classifier_spread`` (0).  Also ``C`` and ``tau`` (not observed).
    """
    K = problem.K
    C, tau = constants(problem)
    t = margins(problem)
    n = problem.n
    collapsed = t == 0.0
    S = np.eye(K) - np.full((K, K), 1.0 / K)
    h_norm_sq = np.sqrt((K - 1) * problem.lambda_w / (K * problem.lambda_h * n)) * t
    q = np.sqrt(n) * t
    Q = float(q.sum())
    w_norm_sq = C / K**2 * ((K**2 - 2 * K) * q + Q)
    out = {
        "margins": t,
        "collapsed": collapsed,
        "global_collapse": bool(collapsed.all()),
        "h_norm_sq": h_norm_sq,
        "gram_HH": np.diag(h_norm_sq),
        "logits_mean": S * t[None, :],
        "gram_WW": C * (S * q[None, :]) @ S,
        "w_norm_sq": w_norm_sq,
        "classifier_residual": 0.0,
        "objective": float(class_objective(t, problem).sum()),
        "C": C,
        "tau": tau,
    }
    if not collapsed.all():
        a = (K**2 - 2 * K) * q + Q
        out["cos_ww"] = (Q - K * (q[:, None] + q[None, :])) / np.sqrt(a[:, None] * a[None, :])
        np.fill_diagonal(out["cos_ww"], 1.0)
        alive = np.flatnonzero(~collapsed)
        delta = np.eye(K)[:, alive]
        out["cos_wh"] = (K * delta - 1.0) * np.sqrt(q[alive])[None, :] / np.sqrt(a)[:, None]
        out["h_norm_ratio"] = h_norm_sq / h_norm_sq.max()
    if collapsed.any() and not collapsed.all():
        out["collapsed_classifier_residual"] = 0.0
        if collapsed.sum() >= 2:
            out["collapsed_classifier_spread"] = 0.0
    return out


# --------------------------------------------------------------------- observation
def _is_zero(sq_norms: np.ndarray) -> np.ndarray:
    return sq_norms <= ZERO_RTOL * max(1.0, float(sq_norms.max()))


def _cosines(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Cosines between rows of A and rows of B (callers pass nonzero rows only)."""
    na = np.linalg.norm(A, axis=1)
    nb = np.linalg.norm(B, axis=1)
    return (A @ B.T) / (na[:, None] * nb[None, :])


def relu_observe(problem: Problem, solution) -> dict:
    r"""The quantities of :func:`relu_quantities` measured on a solution.

    Collapse is read off the solution (:math:`\|\bar h_k\|^2 \le 10^{-7}\max(1, \max_j\|\bar h_j\|^2)`);
    cosines use the solution's own non-collapsed classes, so a different collapse set shows
    up as a shape mismatch.  ``margins``: :math:`t_k = \bar Z_{kk} - \frac1{K-1}\sum_{j\ne k}\bar Z_{jk}`.
    Residuals are relative to :math:`\max(1, \|W\|_F)`.
    """
    K = problem.K
    C, _ = constants(problem)
    W = np.asarray(solution.W, dtype=np.float64)
    Hm = np.asarray(solution.H_mean, dtype=np.float64)
    Z = np.asarray(solution.logits_mean, dtype=np.float64)
    gram_HH = Hm.T @ Hm
    gram_WW = W @ W.T
    h_sq = np.diag(gram_HH).copy()
    w_sq = np.diag(gram_WW).copy()
    collapsed = _is_zero(h_sq)
    scale = max(1.0, float(np.linalg.norm(W)))
    sqrt_n = np.sqrt(problem.n)
    S = np.eye(K) - np.full((K, K), 1.0 / K)
    predicted_W = C * S @ (sqrt_n[:, None] * Hm.T)
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
        out["collapsed_classifier_residual"] = float(
            max(np.linalg.norm(W[k] - shared) for k in dead) / scale)
        if dead.size >= 2:
            out["collapsed_classifier_spread"] = float(
                max(np.linalg.norm(W[i] - W[j]) for i in dead for j in dead if i < j) / scale)
    return out


# --------------------------------------------------------------------- assumptions
def relu_assumptions(problem: Problem) -> list[str]:
    """Unmet assumptions of §4: CE, no bias, ReLU features, learned W, depth 1, penalties, d >= K."""
    unmet = []
    if problem.loss.name != "ce":
        unmet.append(f"loss: the ReLU claims are about CE, got {problem.loss.name!r}")
    if problem.bias != "none":
        unmet.append("bias: the ReLU claims are bias-free (bias='none')")
    if problem.features != "relu":
        unmet.append("features: the claims need non-negative (ReLU) features, features='relu'")
    if problem.classifier != "learned":
        unmet.append("classifier: the claims are about a learned classifier")
    if problem.depth != 1:
        unmet.append(f"depth: the claims are for one linear layer, got M = {problem.depth}")
    if problem.constraint != "penalty":
        unmet.append("constraint: the claims are about the penalised model")
    if problem.dim < problem.K:
        unmet.append(f"d: {problem.dim} < K = {problem.K}; orthogonal non-negative class means need d >= K")
    return unmet


def _sympy_forms() -> dict:
    K, N, n, lw, lh, t = sp.symbols("K N n_k lambda_W lambda_H t_k", positive=True)
    return {
        "C": sp.sqrt(K * lh / ((K - 1) * lw)),
        "tau": K * N**2 * lw * lh / (K - 1),
        "margin": sp.log((K - 1) * (sp.sqrt(n) / (N * sp.sqrt((K - 1) * lw * lh / K)) - 1)),
        "h_norm_sq": sp.sqrt((K - 1) * lw / (K * lh * n)) * t,
        "class_objective": n / N * sp.log(1 + (K - 1) * sp.exp(-t)) + t * sp.sqrt(lw * lh * n * (K - 1) / K),
    }


def _angle_sympy_forms() -> dict:
    K, C, qi, qj, Q, ti, tj, ni, nj = sp.symbols("K C q_i q_j Q t_i t_j n_i n_j", positive=True)
    return {
        "w_norm_sq": C / K**2 * ((K**2 - 2 * K) * qi + Q),
        "cos_ww": (Q - K * (qi + qj)) / sp.sqrt(((K**2 - 2 * K) * qi + Q) * ((K**2 - 2 * K) * qj + Q)),
        "cos_wh_same": (K - 1) * sp.sqrt(qi) / sp.sqrt((K**2 - 2 * K) * qi + Q),
        "cos_wh_other": -sp.sqrt(qi) / sp.sqrt((K**2 - 2 * K) * qj + Q),
        "h_norm_ratio": (ti / tj) * sp.sqrt(nj / ni),
    }


def _predictor(claim_id: str, names: tuple[str, ...]):
    def predict(problem: Problem) -> Prediction:
        q = relu_quantities(problem)
        kept = {k: v for k, v in q.items() if k in names}
        dead = np.flatnonzero(q["collapsed"]).tolist()
        note = (f"tau = {q['tau']:.6g}; "
                + ("global collapse (max n_k <= tau): W = H = 0" if q["global_collapse"]
                   else f"collapsed classes {dead}" if dead else "no collapsed class"))
        return Prediction(claim_id, problem, kept, note)

    return predict


def _default_alive() -> list[Problem]:
    # tau = (4/3) * 150^2 * 1e-6 = 0.03: no collapse, K = 4, d = 2K.
    return [Problem(sizes=(60, 40, 30, 20), lambda_w=1e-3, lambda_h=1e-3, features="relu")]


def _default_collapse() -> list[Problem]:
    # tau = (4/3) * 124^2 * 1e-4 = 2.05: the two classes of 2 collapse, d = 2K.
    return [Problem(sizes=(60, 60, 2, 2), lambda_w=1e-2, lambda_h=1e-2, features="relu")]


def _defaults() -> list[Problem]:
    return _default_alive() + _default_collapse()


_FACTORED = ("factored: best of restarts of L-BFGS-B to projected gradient 1e-10; on a strict "
             "local minimum quantities are accurate to ~1e-8 (measured)")
_TOL = {
    "*": Tolerance(1e-6, 1e-5, _FACTORED + "; 1e-5 relative leaves two decades"),
    "objective": Tolerance(1e-9, 1e-8, "objective is first-order insensitive to the factors' error: "
                           "error ~ gradient^2, far below 1e-8"),
    "classifier_residual": Tolerance(1e-6, 0.0, _FACTORED + "; a residual, so absolute"),
    "collapsed_classifier_residual": Tolerance(1e-6, 0.0, _FACTORED + "; a residual, so absolute"),
    "collapsed_classifier_spread": Tolerance(1e-6, 0.0, _FACTORED + "; a residual, so absolute"),
}

_STRUCTURE = ("margins", "collapsed", "h_norm_sq", "gram_HH", "logits_mean", "classifier_residual",
              "objective", "C", "tau")
_ANGLES = ("w_norm_sq", "gram_WW", "cos_ww", "cos_wh", "h_norm_ratio")
_COLLAPSE = ("collapsed", "global_collapse", "collapsed_classifier_residual", "collapsed_classifier_spread",
             "tau")

RELU_STRUCTURE = Claim(
    id="dang2024/relu-structure",
    source=SOURCE,
    provenance=("abstract", "derived"),
    statement=(
        "UFM, CE, no bias, H >= 0, d >= K (canonical convention). Global minimizers have NC1; non-negative, "
        "mutually orthogonal class means; W Hbar = S diag(t) with t_k = log((K-1)[sqrt(n_k)/(N sqrt((K-1) "
        "lambda_W lambda_H/K)) - 1]) if n_k > tau = K N^2 lambda_W lambda_H/(K-1), else 0; "
        "||hbar_k||^2 = sqrt((K-1) lambda_W/(K lambda_H n_k)) t_k; W = C S D^(1/2) Hbar^T with "
        "C = sqrt(K lambda_H/((K-1) lambda_W)); optimal value sum_k (n_k/N) log(1+(K-1)e^{-t_k}) + "
        "t_k sqrt(lambda_W lambda_H n_k (K-1)/K) (derived here)."
    ),
    requires=requires_from(relu_assumptions),
    predict=_predictor("dang2024/relu-structure", _STRUCTURE),
    observe=relu_observe,
    reference=("factored",),
    defaults=_defaults,
    tolerances=_TOL,
    symbolic=_sympy_forms,
)

RELU_ANGLES = Claim(
    id="dang2024/relu-angles",
    source=SOURCE,
    provenance=("derived",),
    statement=(
        "Same model. With q_k = sqrt(n_k) t_k, Q = sum q: ||w_k||^2 = (C/K^2)((K^2-2K) q_k + Q); "
        "cos(w_i, w_j) = (Q - K(q_i+q_j))/sqrt(((K^2-2K)q_i+Q)((K^2-2K)q_j+Q)); "
        "cos(w_j, hbar_k) = (K delta_jk - 1) sqrt(q_k)/sqrt((K^2-2K)q_j+Q) (non-collapsed k); "
        "||hbar_i||^2/||hbar_j||^2 = (t_i/t_j) sqrt(n_j/n_i)."
    ),
    requires=requires_from(relu_assumptions),
    predict=_predictor("dang2024/relu-angles", _ANGLES),
    observe=relu_observe,
    reference=("factored",),
    defaults=_default_alive,
    tolerances=_TOL,
    symbolic=_angle_sympy_forms,
)

RELU_COLLAPSE = Claim(
    id="dang2024/relu-collapse",
    source=SOURCE,
    provenance=("abstract", "derived"),
    statement=(
        "Same model. Class k collapses (hbar_k = 0) iff n_k <= tau = K N^2 lambda_W lambda_H/(K-1); all collapsed "
        "classes share the classifier -(C/K) sum_j sqrt(n_j) hbar_j; global collapse (W = H = 0) iff max n_k <= tau."
    ),
    requires=requires_from(relu_assumptions),
    predict=_predictor("dang2024/relu-collapse", _COLLAPSE),
    observe=relu_observe,
    reference=("factored",),
    defaults=_default_collapse,
    tolerances=_TOL,
    symbolic=lambda: {"tau": _sympy_forms()["tau"]},
)

CLAIMS: list[Claim] = [RELU_STRUCTURE, RELU_ANGLES, RELU_COLLAPSE]
