r"""Dual bound for the UFM with ReLU features (catalogue §1 R5, §4 Dang et al. 2024).

Model
-----
Features :math:`H \ge 0`, learned classifier, depth 1, no bias, penalties:
:math:`f = \frac1N\sum_i\ell(Wh_i, y_i) + \frac{\lambda_W}2\|W\|_F^2 + \frac{\lambda_H}2\|H\|_F^2`.

Reduction (NC1 by Jensen)
-------------------------
Replacing a class's features by their mean keeps :math:`\bar H \ge 0`, does not increase a loss convex in
the logits and does not increase the penalty (:math:`\sum_i\|h_{k,i}\|^2 \ge n_k\|\bar h_k\|^2`), so
:math:`f \ge \sum_k\pi_k\ell(W\bar h_k, k) + \frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\sum_kn_k\|\bar h_k\|^2`.

Bound
-----
Fenchel–Young with :math:`u_k \in \operatorname{dom}\ell^*(\cdot, k)` leaves
:math:`\langle W, U\operatorname{diag}(\pi)\bar H^\top\rangle + \frac{\lambda_W}2\|W\|^2`, whose minimum over W is
:math:`-\frac1{2\lambda_W}\|U\operatorname{diag}(\pi)\bar H^\top\|_F^2 = -\langle B, G\rangle` with
:math:`B = \frac1{2\lambda_W}\operatorname{diag}(\pi)U^\top U\operatorname{diag}(\pi)` and
:math:`G = \bar H^\top\bar H`.
With :math:`A = \frac{\lambda_H}2 D` (D = diag(n)) and :math:`C = A - B`,

.. math::

    f \ge -\sum_k\pi_k\ell^*(u_k, k) + \langle C, G\rangle .

G is positive semidefinite and entrywise non-negative (inner products of non-negative vectors).  So if
:math:`C = S + P` with :math:`S \succeq 0` and :math:`P \ge 0` entrywise, :math:`\langle C, G\rangle =
\langle S, G\rangle + \langle P, G\rangle \ge 0` and

.. math::

    f \ge \mathrm{LB}(U) = -\sum_k\pi_k\ell^*(u_k, k) .

(This is the dual of the doubly-non-negative relaxation of :mod:`nctheory.solvers.convex.relu_dnn`:
:math:`C` must lie in the dual cone PSD + NN.)

Construction.  P is the positive part of the off-diagonal of C (at a minimiser with disjoint supports,
the structure of the dual optimum: S vanishes on the non-zero classes and P carries their positive
off-diagonal entries), :math:`S = C - P`, and S is checked positive semidefinite with a rigorous rounding
margin τ (:func:`~nctheory.solvers.bounds.rounding.eigen_margin`).  If the check fails by η, U is scaled
by :math:`c \in (0, 1]` (cU stays in the domain, which is convex and contains 0): with
:math:`P(c) = c^2P`, :math:`S(c) = A - c^2(B + P) = c^2S + (1 - c^2)A \succeq 0` as soon as
:math:`c^2 \le a/(a + \eta)`, :math:`a = \min_k A_{kk}` -- and S(c) is checked again.

Dual points tried (any is valid; the largest verified bound wins): the loss gradient :math:`\Gamma` at the
answer's mean logits; Γ with columns scaled down so that :math:`C_{kk} \ge 0`; and Γ with the columns of
the *active* classes (:math:`C_{kk} \le 10^{-6}A_{kk}`) scaled to :math:`C_{kk} = 0` exactly, up or down (within
the domain); a class is also active when its mean is non-zero in the answer.  The last removes the
first-order loss of a uniform scaling: at the optimum :math:`C_{kk} = 0` for every class with
:math:`\bar h_k \ne 0` (stationarity in :math:`\|\bar h_k\|`), and an answer's gradient misses it by its own
error.
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.conjugate import dual_value
from nctheory.solvers.bounds.inputs import array, dual_bound_applies
from nctheory.solvers.bounds.rounding import eigen_margin, sum_allowance
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="copositive-dual:relu",
    description="dual bound of the doubly-non-negative relaxation of the ReLU UFM: loss conjugate at a dual point "
                "whose matrix (lambda_H/2)D - diag(pi)U^T U diag(pi)/(2 lambda_W) is verified to be PSD + "
                "non-negative",
    assumes="NC1 by Jensen (a loss convex in the logits; class means of non-negative features are non-negative); "
            "nothing about the claim under test",
)

#: A class is *active* (its diagonal constraint nearly tight) when C_kk <= ACTIVE_RTOL * A_kk, or when its class
#: mean in the answer is non-zero: norm above ALIVE_RTOL times the largest (a conic answer's C_kk misses 0 by ~1e-5).
ACTIVE_RTOL = 1e-6
ALIVE_RTOL = 1e-6
#: Attempts at shrinking the scale c when a verified S(c) still has a negative eigenvalue.
MAX_SHRINKS = 12


def split(problem, U: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""``(C, P, S, tau)`` for a dual point U: :math:`C = A - B`, P its positive off-diagonal part,
    :math:`S = C - P` and the rounding margin τ of S's eigenvalues (module doc)."""
    pi = problem.weights
    A = 0.5 * problem.lambda_h * problem.n
    V = U * pi
    B = (V.T @ V) / (2.0 * problem.lambda_w)
    B_abs = (np.abs(V).T @ np.abs(V)) / (2.0 * problem.lambda_w)
    C = np.diag(A) - B
    P = np.maximum(C, 0.0)
    np.fill_diagonal(P, 0.0)
    S = C - P
    tau = eigen_margin(S, float(A.max()) + float(np.linalg.norm(B_abs)) + float(np.linalg.norm(P)))
    return C, P, S, tau


def verified_scale(problem, U: np.ndarray) -> float | None:
    r"""The largest c tried with :math:`S(c) \succeq 0` verified (module doc), or None."""
    a = float(0.5 * problem.lambda_h * problem.n.min())
    _, P, S, tau = split(problem, U)
    lam_min = float(np.linalg.eigvalsh(S)[0])
    if lam_min >= tau:
        return 1.0
    eta = 2.0 * tau - lam_min
    c2 = a / (a + eta)
    for _ in range(MAX_SHRINKS):
        _, _, S_c, tau_c = split(problem, math.sqrt(c2) * U)
        # the split of cU takes P from C(c): its off-diagonal is -c^2 B, so this P equals c^2 P (module doc)
        if float(np.linalg.eigvalsh(S_c)[0]) >= tau_c:
            return math.sqrt(c2)
        eta *= 4.0
        c2 = a / (a + eta)
    return None


def _candidates(problem, Gamma: np.ndarray, H_mean: np.ndarray) -> list[tuple[str, np.ndarray]]:
    labels = np.arange(problem.K)
    A = 0.5 * problem.lambda_h * problem.n
    b = problem.weights ** 2 * np.einsum("ij,ij->j", Gamma, Gamma) / (2.0 * problem.lambda_w)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(b > 0, np.sqrt(A / b), 1.0)
    out = [("gradient", Gamma), ("diagonal down", Gamma * np.minimum(exact, 1.0))]
    norms = np.linalg.norm(H_mean, axis=0)
    alive = norms > ALIVE_RTOL * norms.max() if norms.max() > 0 else np.zeros(problem.K, dtype=bool)
    active = ((A - b) <= ACTIVE_RTOL * A) | alive
    if active.any():
        target = Gamma * np.where(active, exact, 1.0)
        theta = problem.loss.dual_segment(Gamma, target, labels)
        if theta > 0.0:
            out.append(("active classes exact", target if theta >= 1.0 else Gamma + theta * (target - Gamma)))
    return out


def relu_bound(problem, solution):
    """``(lower_bound, Certificate)`` for a ReLU-UFM answer (module doc), or None when it does not apply."""
    if (not dual_bound_applies(problem, solution, classifier=Classifier.LEARNED, features=Features.RELU,
                               constraint=Constraint.PENALTY) or problem.bias != Bias.NONE):
        return None
    K = problem.K
    Z = array(solution, "logits_mean", (K, K))
    H_mean = array(solution, "H_mean", (None, K))
    if Z is None or H_mean is None or H_mean.min() < 0.0:
        return None  # no objective of a ReLU-feasible point to certify
    labels, pi = np.arange(K), problem.weights
    _, Gamma = problem.loss.value_grad(Z, labels)
    best = -math.inf
    for _name, U in _candidates(problem, Gamma, H_mean):
        c = verified_scale(problem, U)
        if c is None:
            continue
        val = dual_value(problem, c * U, labels, pi)
        if val.finite:
            best = max(best, val.value - sum_allowance(val.magnitude, val.count))
    if not math.isfinite(best):
        return None
    return best, CERTIFICATE


register_bound("factored", relu_bound)
register_bound("convex:relu-dnn", relu_bound)

__all__ = ["relu_bound", "split", "verified_scale", "CERTIFICATE"]
