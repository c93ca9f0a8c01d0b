r"""Label-smoothed CE in the UFM: closed forms, derived here (catalogue §9; Zhou et al. 2022 for the balanced case).

Loss (:mod:`nctheory.model.losses.label_smoothing`): :math:`\ell(z, y) = \operatorname{lse}(z) - q_y^\top z`,
:math:`q_y = (1-\varepsilon)e_y + \frac\varepsilon K\mathbf 1`, ε ∈ [0, 1).  It is shift invariant (:math:`1^\top q_y = 1`),
convex, with gradient :math:`\operatorname{softmax}(z) - q_y`.  Reduction R2 (catalogue §1):
:math:`\min_X \varphi(X) + \lambda\|X\|_*`, :math:`\varphi(X) = \sum_k\pi_k\ell(x_k/\sqrt{n_k} (+ b), k)`,
:math:`X = \bar ZD^{1/2}`, λ = √(λ_Wλ_H).

Balanced (n per class) [derived].  The objective is convex and invariant under relabelling the classes, and
shift invariance plus :math:`\|SY\|_* \le \|Y\|_*` lets us centre the columns; so some minimiser is
:math:`\bar Z = cS`, b = 0 (any b ∝ 1 with a free bias).  There
:math:`\operatorname{lse}(cSe_k) = -c/K + \log(e^c + K - 1)` and :math:`q_k^\top cSe_k = (1-\varepsilon)c(K-1)/K`, so the
per-class loss is :math:`\log(1 + (K-1)e^{-c}) + c\varepsilon(K-1)/K`, and :math:`Y = c\sqrt n S` has K−1 singular
values :math:`c\sqrt n`.  The reduced objective

.. math::

    E(c) = \log(1 + (K-1)e^{-c}) + c\,\varepsilon\tfrac{K-1}K + s(K-1)c,\qquad s = \sqrt{n\lambda_W\lambda_H},

is convex in c; :math:`E'(c) = 0` reads :math:`\dfrac{e^{-c}}{1 + (K-1)e^{-c}} = s + \dfrac\varepsilon K =: p`, i.e.
:math:`c^* = \log\dfrac{1 - (K-1)p}{p}`, positive iff :math:`Kp < 1 \iff Ks + \varepsilon < 1`; otherwise (E'(0) ≥ 0) the
minimiser is c = 0, the zero solution (value log K).  Norms follow from R1 as for CE (Zhu et al.):
:math:`\rho^* = \frac{K-1}Kc^*`, :math:`\|w\|^2 = \sqrt{n\lambda_H/\lambda_W}\rho^*`, :math:`\|h\|^2 = \sqrt{\lambda_W/(n\lambda_H)}\rho^*`,
:math:`WW^\top = \|w\|^2\frac K{K-1}S`, :math:`h_k = \sqrt{\lambda_W/(\lambda_Hn)}\,w_k`.  As λ → 0 the margin stays
finite, :math:`c^* \to \log(1 + K(1-\varepsilon)/\varepsilon)` (CE: ∞) -- the "bounded norms" of Zhou et al.

Imbalanced, the global zero [derived].  At X = 0 the gradient is :math:`\nabla\varphi(0) = -\frac{1-\varepsilon}N\,G`
with :math:`G = SD^{1/2}` without bias (:math:`\operatorname{softmax}(0) - q_k = -(1-\varepsilon)Se_k`) and
:math:`G = (I - \pi\mathbf 1^\top)D^{1/2}` with a free bias (its optimum at X = 0 has
:math:`\operatorname{softmax}(b) = \sum_k\pi_kq_k = (1-\varepsilon)\pi + \frac\varepsilon K\mathbf 1`, so
:math:`\operatorname{softmax}(b) - q_k = (1-\varepsilon)(\pi - e_k)`).  X = 0 is optimal iff
:math:`\|\nabla\varphi(0)\|_2 \le \lambda`:

.. math::

    \bar Z^* = 0 \iff \lambda N \ge (1-\varepsilon)\,\|G\|_2 .

Imbalanced, clusters [derived].  Let a cluster c be m ≥ 2 classes of equal size :math:`n_c`, and
:math:`P_c` the projection onto the vectors supported on c that sum to 0.  The problem is invariant under
permuting the classes of c, so some minimiser is; for it, :math:`X` and :math:`\nabla\varphi` commute with those
permutations and map :math:`\operatorname{range}P_c` into itself (Schur), and on it
:math:`P_cXP_c = \sqrt{n_c}\,s_c\,P_c` (the within-cluster margin :math:`s_c \ge 0` = own logit minus another cluster
logit).  Writing :math:`p_{\rm own}` and :math:`p_{\rm other}` for the softmax probabilities a class of c gives its own
and to another class of c, the :math:`P_c` block of the gradient is
:math:`\frac{\pi_c}{\sqrt{n_c}}(p_{\rm own} - p_{\rm other} - (1-\varepsilon))P_c` (:math:`q_k` contributes
:math:`(1-\varepsilon)(e_k - \mathbf 1_c/m)`; the softmax contributes its own/other difference).  Optimality
:math:`-\nabla\varphi \in \lambda\partial\|X\|_*` restricted to that block: if :math:`s_c > 0` the block of the
subgradient is :math:`P_c`, so :math:`\frac{\sqrt{n_c}}N(1 - \varepsilon - (p_{\rm own} - p_{\rm other})) = \lambda`; if
:math:`s_c = 0` it is any matrix of norm ≤ 1, so :math:`(1-\varepsilon)\sqrt{n_c}/N \le \lambda`.  Since
:math:`p_{\rm own} - p_{\rm other} \ge 0` exactly when :math:`s_c \ge 0`, the **within-cluster softmax gap** is

.. math::

    g_c := p_{\rm own} - p_{\rm other} = \max\Big(0,\ 1 - \varepsilon - \frac{\lambda N}{\sqrt{n_c}}\Big),

and the cluster collapses (:math:`\bar h_j = \bar h_k`, :math:`w_j = w_k` within c) iff
:math:`\lambda N \ge (1-\varepsilon)\sqrt{n_c}` -- Hong & Ling's threshold :math:`\lambda N \ge \sqrt{n_c}` (ε = 0) lowered by
the factor 1 − ε, independent of the other classes and of the bias (a bias symmetric in c keeps the softmax
constant on c).  The gap needs no solve of the other clusters: it is a closed form for any sizes.

Small λ [derived].  The loss of class k is minimal, :math:`\mathcal H(q_k)`, exactly when
:math:`\operatorname{softmax}(\bar z_k) = q_k`, i.e. :math:`\bar z_k = c_\infty e_k + t_k\mathbf 1` with
:math:`c_\infty = \log\frac{1-\varepsilon+\varepsilon/K}{\varepsilon/K} = \log(1 + K(1-\varepsilon)/\varepsilon)`, for every
class and every size.  Among these points the nuclear norm of :math:`\bar ZD^{1/2}` is smallest at the centred one
(:math:`\|SY\|_* \le \|Y\|_*`), so as λ → 0 the minimiser tends to :math:`\bar Z = c_\infty S` (the loss is strongly
convex in the centred logits near it, so the distance is O(λ)), and by R1 the factors tend to a **finite** limit
with the SELI geometry: :math:`WW^\top \to \sqrt{\lambda_H/\lambda_W}\,c_\infty(SDS)^{1/2}`,
:math:`\bar H^\top\bar H \to \sqrt{\lambda_W/\lambda_H}\,c_\infty D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}` (λ_H/λ_W fixed).
"""

from __future__ import annotations

import math

import numpy as np


def balanced_closed_form(K: int, n: float, lambda_w: float, lambda_h: float, epsilon: float) -> dict:
    r"""The balanced LS closed form (module doc): ``s``, ``p``, ``c`` (margin), ``rho``, ``w_sq``, ``h_sq``, ``alpha``,
    ``objective``, ``zero`` (Ks + ε >= 1)."""
    s = math.sqrt(n * lambda_w * lambda_h)
    p = s + epsilon / K
    zero = K * p >= 1.0
    c = 0.0 if zero else math.log((1.0 - (K - 1) * p) / p)
    rho = (K - 1) / K * c
    if zero:
        objective = math.log(K)
    else:
        objective = math.log1p((K - 1) * math.exp(-c)) + c * epsilon * (K - 1) / K + s * (K - 1) * c
    return {"s": s, "p": p, "c": c, "rho": rho, "w_sq": math.sqrt(n * lambda_h / lambda_w) * rho,
            "h_sq": math.sqrt(lambda_w / (n * lambda_h)) * rho, "alpha": math.sqrt(lambda_w / (lambda_h * n)),
            "objective": objective, "zero": bool(zero)}


def limit_margin(K: int, epsilon: float) -> float:
    r""":math:`c_\infty = \log(1 + K(1-\varepsilon)/\varepsilon)` (ε > 0), the λ → 0 margin for any sizes."""
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon: the finite limit needs 0 < ε < 1, got {epsilon!r}")
    return math.log1p(K * (1.0 - epsilon) / epsilon)


def zero_threshold(sizes, epsilon: float, bias: str) -> float:
    r"""The λ at which the global zero sets in: :math:`(1-\varepsilon)\|G\|_2/N` (module doc), bias "none" or "free"."""
    n = np.asarray(sizes, dtype=np.float64)
    K, N = n.size, float(n.sum())
    if bias == "none":
        G = (np.eye(K) - 1.0 / K) * np.sqrt(n)[None, :]
    elif bias == "free":
        pi = n / N
        G = (np.eye(K) - np.outer(pi, np.ones(K))) * np.sqrt(n)[None, :]
    else:
        raise ValueError(f"bias: the zero threshold has a closed form without a bias or with a free one, got {bias!r}")
    return (1.0 - epsilon) * float(np.linalg.norm(G, 2)) / N


def cluster_gap(n_c: float, N: float, lam: float, epsilon: float) -> float:
    r"""The within-cluster softmax gap :math:`\max(0, 1 - \varepsilon - \lambda N/\sqrt{n_c})` (module doc)."""
    return max(0.0, 1.0 - epsilon - lam * N / math.sqrt(n_c))


def cluster_threshold(n_c: float, N: float, epsilon: float) -> float:
    r"""The λ from which a cluster of size :math:`n_c` collapses: :math:`(1-\varepsilon)\sqrt{n_c}/N`."""
    return (1.0 - epsilon) * math.sqrt(n_c) / N


def softmax_columns(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax."""
    Z = np.asarray(Z, dtype=np.float64)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def observed_gaps(logits: np.ndarray, groups) -> np.ndarray:
    r"""Per group (index arrays of ≥ 2 classes): the mean over its classes k of
    :math:`p_{kk} - \operatorname{mean}_{j\in c, j\ne k}p_{jk}` with :math:`p = \operatorname{softmax}` of the mean logits."""
    P = softmax_columns(logits)
    out = []
    for idx in groups:
        blk = P[np.ix_(idx, idx)]
        own = np.diag(blk)
        other = (blk.sum(axis=0) - own) / (idx.size - 1)
        out.append(float(np.mean(own - other)))
    return np.asarray(out)


__all__ = ["balanced_closed_form", "cluster_gap", "cluster_threshold", "limit_margin", "observed_gaps",
           "softmax_columns", "zero_threshold"]
