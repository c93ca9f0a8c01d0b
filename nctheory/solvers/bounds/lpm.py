r"""Fenchel dual bound for Fang et al.'s layer-peeled model (catalogue §1 R4, §6 FANG-LPM).

Model
-----
``constraint="average"``, learned classifier, free features, depth 1:

.. math::

    \min\ \frac1N\sum_{k,i}\ell(Wh_{k,i} + b, k) + \text{(bias penalty)}
    \quad\text{s.t.}\quad \frac1K\sum_k\|w_k\|^2 \le E_W,\quad
    \frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H .

The constraint on H is on samples (:mod:`nctheory.model.problem`); the Gram SDP of
:mod:`nctheory.solvers.convex.lpm_sdp` writes it on class means, :math:`\frac1K\operatorname{tr}(\bar H^\top\bar H)
\le E_H`.  Both have the same optimum: replacing a class's features by their mean keeps the sample
constraint (:math:`\|\bar h_k\|^2 \le \frac1{n_k}\sum_i\|h_{k,i}\|^2`) and does not increase a loss convex in
the logits (Jensen, NC1).  So, with :math:`\pi_k = n_k/N`, the optimum is that of
:math:`\sum_k\pi_k\ell(W\bar h_k + b, k)` over :math:`\|W\|_F \le \sqrt{KE_W}`, :math:`\|\bar H\|_F \le \sqrt{KE_H}`.

Bound
-----
Fenchel–Young with :math:`u_k \in \operatorname{dom}\ell^*(\cdot, k)` (:mod:`~nctheory.solvers.bounds.conjugate`)
leaves the term :math:`\sum_k\pi_k u_k^\top W\bar h_k = \langle U\operatorname{diag}(\pi), W\bar H\rangle`, and

.. math::

    \langle U\operatorname{diag}\pi, W\bar H\rangle \ge -\sigma_1(U\operatorname{diag}\pi)\,\|W\bar H\|_*
    \ge -\sigma_1(U\operatorname{diag}\pi)\,\|W\|_F\|\bar H\|_F
    \ge -K\sqrt{E_WE_H}\;\sigma_1(U\operatorname{diag}\pi)

(trace duality, then :math:`\|AB\|_* \le \|A\|_F\|B\|_F`), hence

.. math::

    F \ge \mathrm{LB}(U) = -\sum_k\pi_k\ell^*(u_k, k) + \text{bias term}(U)
        - K\sqrt{E_WE_H}\,\sigma_1(U\operatorname{diag}\pi).

This is the exact dual of :math:`\min f(Z)` over :math:`\|Z\|_* \le K\sqrt{E_WE_H}` (the set of products
:math:`W\bar H` within the budgets when d ≥ K), so it is tight at the optimum.

Dual point: the loss gradient at the answer, improved by :mod:`~nctheory.solvers.bounds.spectral`.  The
gradient-based bound is only first-order accurate here (the nuclear ball has flat faces), so the
singular values of :math:`U\operatorname{diag}\pi` are moved to a common level ρ on the range of the
answer's logits; ρ is chosen by golden-section search, for each level count r near the rank of the
answer's logits, on :math:`\rho \mapsto \mathrm{LB}(U_{r,\rho})` (concave in ρ for fixed r while no
segment back-off is needed, since :math:`U_{r,\rho}` is then affine in ρ).  Every point tried is a valid
dual point; the largest value wins.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model.options import Constraint
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.inputs import learned_mean_answer
from nctheory.solvers.bounds.rounding import sum_allowance
from nctheory.solvers.bounds.spectral import SpectralStart
from nctheory.solvers.result import Certificate
from nctheory.solvers.bounds.golden import golden_max

CERTIFICATE = Certificate(
    kind="fenchel-dual:lpm",
    description="Fenchel dual bound of the layer-peeled model: loss conjugate at a dual point minus "
                "K sqrt(E_W E_H) times its spectral norm (trace duality and ||AB||_* <= ||A||_F ||B||_F)",
    assumes="NC1 by Jensen (a loss convex in the logits; class averaging keeps the feature budget); nothing about "
            "the claim under test",
)

#: Golden-section iterations per level (the bracket shrinks by 0.618 per step: 1e-13 after 60).
GOLDEN_STEPS = 60
#: Relative cutoff for the numerical rank of the answer's logits (the levels tried are near it).
RANK_RTOL = 1e-7


def _lb(candidate, R):
    if candidate is None or not candidate.value.finite:
        return -math.inf
    return candidate.value.value - R * candidate.norm


def lpm_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a layer-peeled answer (module doc), or None when it does not apply."""
    answer = learned_mean_answer(problem, solution, Constraint.AVERAGE)
    if answer is None:
        return None
    Z, b = answer
    K = problem.K
    labels, pi = np.arange(K), problem.weights
    R = K * math.sqrt(problem.e_w * problem.e_h)
    _, Gamma = problem.loss.value_grad(Z, labels)
    start = SpectralStart(problem, Gamma, labels, pi, pi)
    sigma = start.sigma
    top = float(sigma[0])
    plain = start.scaled(top * (1.0 + 1e-12) if top > 0 else 0.0)
    best = _lb(plain, R), plain
    s = np.linalg.svd(Z - b[:, None], compute_uv=False)
    rank = int(np.count_nonzero(s > RANK_RTOL * s[0])) if s.size and s[0] > 0 else 0
    for r in sorted({0, rank - 1, rank, rank + 1}):
        if not 0 <= r <= start.nonzero or top == 0.0:
            continue
        lo = float(sigma[r]) if r < sigma.size else 0.0
        cache = {}

        def f(rho, r=r, cache=cache):
            cand = start.level(r, rho) if r > 0 else start.best(rho, ranks=(0,))
            cache[rho] = cand
            return _lb(cand, R)

        value, rho = golden_max(f, lo, top, GOLDEN_STEPS)
        if value > best[0]:
            best = value, cache[rho]
    value, cand = best
    if not math.isfinite(value):
        return None
    slack = sum_allowance(cand.value.magnitude + R * cand.norm, cand.value.count + 2 * K)
    return value - slack, CERTIFICATE


register_bound("convex:lpm", lpm_bound)
register_bound("factored", lpm_bound)

__all__ = ["lpm_bound", "CERTIFICATE"]
