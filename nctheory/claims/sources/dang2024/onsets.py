r"""Dang et al. 2024's ReLU collapse threshold located in τ and in λ (catalogue §4, ``dang2024/relu-collapse``).

UFM with ReLU features (:math:`H \ge 0`), CE, no bias, d >= K.  With :math:`\tau = KN^2\lambda_W\lambda_H/(K-1)`,
class k collapses (:math:`\bar h_k = 0`) iff :math:`n_k \le \tau`.  The watched classes are the smallest ones
(they collapse first).  Families, both through the penalties (ratio :math:`\lambda_W/\lambda_H` kept, sizes kept):

* ``tau`` -- :math:`\tau` itself: the smallest classes are zero iff :math:`\tau \ge \tau^* = n_{\min}`;
* ``lambda`` -- :math:`\lambda = \sqrt{\lambda_W\lambda_H}`: zero iff
  :math:`\lambda \ge \lambda^* = \sqrt{(K-1)n_{\min}/K}/N`.

Predicate: the factored solver (restarts, class-drop refinement) certified by the registered ReLU bound
(:mod:`nctheory.solvers.bounds.relu_dnn`), guarded against the other configuration
(:func:`nctheory.explore.onsets.decide.factored_decision`): the smallest classes are zero when their mean norms are
at most 1e-6 of the largest, alive when at least 1e-4.  The onset is continuous (the derived margin
:math:`t_k = \log(K\sqrt{n_k/\tau} - (K-1))` and :math:`\|\bar h_k\|^2 \propto t_k` grow linearly from it), so the
two configurations' objectives differ quadratically in the distance: the certificate separates them only down
to :math:`\sim\sqrt{\text{gap}}` relative (the predicate says so when it cannot, and the search stops there).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.dang2024.claims import relu_assumptions
from nctheory.claims.sources.dang2024.formulas import collapse_threshold
from nctheory.explore.onsets import decide as dc
from nctheory.explore.onsets.spec import OnsetSpec
from nctheory.model import Problem

CLAIM = "dang2024/relu-collapse"
RESOLUTION = ("continuous onset decided by a nonconvex solve: the zero and alive configurations differ by "
              "~(distance)² in objective, so a certified gap g separates them down to ~√(g/F) relative")


def watched_classes(problem: Problem) -> np.ndarray:
    """The classes of the smallest size."""
    n = np.asarray(problem.sizes, dtype=float)
    return np.flatnonzero(n == n.min())


def _unmet(problem: Problem) -> list[str]:
    out = relu_assumptions(problem)
    if not out and len(set(problem.sizes)) < 2:
        out.append("sizes: needs at least two class sizes (the watched classes are the smallest ones)")
    return out


def tau_of(problem: Problem) -> float:
    r""":math:`\tau = KN^2\lambda_W\lambda_H/(K-1)`."""
    return collapse_threshold(problem.K, float(problem.N), problem.lambda_w, problem.lambda_h)


def scale_lambda(problem: Problem, lam: float) -> Problem:
    """Both penalties multiplied by ``lam``/λ (ratio kept)."""
    t = float(lam) / problem.lam
    return problem.with_(lambda_w=problem.lambda_w * t, lambda_h=problem.lambda_h * t)


def set_tau(problem: Problem, tau: float) -> Problem:
    r"""``problem`` with τ set to ``tau`` through λ (:math:`\tau \propto \lambda^2`)."""
    return scale_lambda(problem, problem.lam * math.sqrt(float(tau) / tau_of(problem)))


def predict_tau(problem: Problem) -> float:
    r""":math:`\tau^* = n_{\min}`."""
    return float(min(problem.sizes))


def predict_lambda(problem: Problem) -> float:
    r""":math:`\lambda^* = \sqrt{(K-1)n_{\min}/K}/N` (τ = n_min solved for λ)."""
    K = problem.K
    return math.sqrt((K - 1) * float(min(problem.sizes)) / K) / float(problem.N)


def decide_collapse(problem: Problem, *, method: str = "factored", watched=None, x: float = math.nan,
                    accept_rel_gap: float = dc.ACCEPT_REL_GAP, **solver_options):
    """State "the watched classes are zero" (module doc)."""
    if method != "factored":
        raise ValueError(f"method: the Dang 2024 onset is decided with factored, got {method!r}")
    idx = watched_classes(problem) if watched is None else np.asarray(watched, dtype=int)
    opts = {"gtol": 1e-11, **solver_options}
    return dc.factored_decision(x, problem, idx, accept_rel_gap=accept_rel_gap, **opts)


TAU = OnsetSpec(
    claim_id=CLAIM, variable="tau", state="the smallest classes collapsed (h̄_k = 0)",
    formula="τ* = n_min (class k collapses iff n_k <= τ = K N² λ_Wλ_H/(K−1))",
    unmet=_unmet, predict=predict_tau, value=tau_of, at=set_tau,
    decide=lambda p, **kw: decide_collapse(p, x=tau_of(p), **kw), watch=watched_classes, onset_above=True,
    methods=("factored",), resolution=RESOLUTION,
)

LAMBDA = OnsetSpec(
    claim_id=CLAIM, variable="lambda", state="the smallest classes collapsed (h̄_k = 0)",
    formula="λ* = √((K−1) n_min/K)/N (τ = n_min)",
    unmet=_unmet, predict=predict_lambda, value=lambda p: p.lam, at=scale_lambda,
    decide=lambda p, **kw: decide_collapse(p, x=p.lam, **kw), watch=watched_classes, onset_above=True,
    methods=("factored",), resolution=RESOLUTION,
)

ONSETS = [TAU, LAMBDA]
