r"""Dang et al. 2023's zero-class thresholds located in λ and in n_B (catalogue §3, ``dang2023/mse-imbalanced``).

Deep linear UFM, MSE, no bias, M layers with one :math:`\lambda_W`.  With
:math:`\beta_k = MN(N\lambda_H\lambda_W^M)^{1/M}/n_k`, class k is zero at every global minimiser iff
:math:`\beta_k \ge \beta^* = (M-1)^{(M-1)/M}/M` (M >= 2), and iff :math:`n_k \le N^2\lambda_W\lambda_H`
(:math:`\beta_k \ge 1`) for M = 1.  The watched classes are those of the smallest size.  Families:

* ``lambda`` -- both penalties scaled by t (ratio kept): :math:`\beta \propto t^{1+1/M}`, so
  :math:`\lambda^* = \lambda\,(\beta^*/\beta)^{M/(M+1)}` (M = 1: :math:`\lambda^* = \sqrt{n_k}/N`);
* ``n_B`` -- the size n of the m watched classes varied (others kept, :math:`N = N_r + mn`):
  :math:`\beta(n) = M(N_r + mn)^{1+1/M}\lambda_W\lambda_H^{1/M}/n` falls and rises again (its minimum at
  :math:`n_v = MN_r/m`), so the class is zero iff :math:`n \le n^*`, the root of :math:`\beta(n) = \beta^*` below
  :math:`n_v` (M = 1: :math:`\sqrt{n^*} = (1-\sqrt{1-4\lambda^2mN_r})/(2\lambda m)`).

Predicates.  M = 1 (a continuous onset): the certified solver of R2 (MSE) at its rounding floor, confirmed from
a perturbed start; the watched columns of :math:`Y = \bar ZD^{1/2}` relative to :math:`\|Y\|_2` are exactly 0
(≤ 1e-12, soft threshold) or ≥ 1e-9; the deep-linear MSE spectral bound is evaluated for the same answer too and
its relative gap recorded (``extra["deep_linear_mse_rel_gap"]``).  M >= 2 (a discontinuous onset: the nonzero
branch appears with a jump, :math:`x \ge x_p`): the factored solver certified by the deep-linear MSE spectral
bound, guarded against the other branch (:func:`nctheory.explore.onsets.decide.factored_decision`).  Method
``factored`` may be asked for at M = 1 too.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import brentq

from nctheory.claims.sources.dang2023.requirements import MSE_IMBALANCED
from nctheory.claims.onset_state import measured_state
from nctheory.claims.sources.dang2023.root import betas, zero_threshold
from nctheory.explore.onsets import decide as dc
from nctheory.explore.onsets.spec import OnsetSpec
from nctheory.model import Problem

CLAIM = "dang2023/mse-imbalanced"
RESOLUTION = ("M = 1: exact zeros of the soft threshold (continuous onset). M >= 2: the objective jumps in slope "
              "at the onset (the branches' values differ linearly in the distance), so certified gaps of ~1e-13 "
              "separate the branches down to ~1e-11 relative")


def watched_classes(problem: Problem) -> np.ndarray:
    """The classes of the smallest size."""
    n = np.asarray(problem.sizes, dtype=float)
    return np.flatnonzero(n == n.min())


def _unmet(problem: Problem) -> list[str]:
    out = MSE_IMBALANCED.unmet(problem)
    if problem.d is not None and problem.d < problem.K:
        out.append(f"d: the located onset needs d >= K = {problem.K} (or d unset): every class may be nonzero")
    if not out and len(set(problem.sizes)) < 2:
        out.append("sizes: needs at least two class sizes (the watched classes are the smallest ones)")
    return out


def scale_lambda(problem: Problem, lam: float) -> Problem:
    t = float(lam) / problem.lam
    return problem.with_(lambda_w=problem.lambda_w * t, lambda_h=problem.lambda_h * t)


def predict_lambda(problem: Problem) -> float:
    k = int(watched_classes(problem)[0])
    beta = float(betas(problem)[k])
    M = problem.depth
    return problem.lam * (zero_threshold(M) / beta) ** (M / (M + 1.0))


def _beta_of_n(problem: Problem, n: float) -> float:
    idx = watched_classes(problem)
    N_r = float(problem.N) - idx.size * float(problem.sizes[int(idx[0])])
    M = problem.depth
    N = N_r + idx.size * n
    return M * N * problem.lambda_w * (N * problem.lambda_h) ** (1.0 / M) / n


def _domain_n(problem: Problem):
    idx = watched_classes(problem)
    N_r = float(problem.N) - idx.size * float(problem.sizes[int(idx[0])])
    return 0.0, problem.depth * N_r / idx.size


def predict_n(problem: Problem) -> float:
    """:math:`n^*`: the root of :math:`\\beta(n) = \\beta^*` below the minimum of β(n) (module doc)."""
    M = problem.depth
    star = zero_threshold(M)
    _, n_v = _domain_n(problem)
    if _beta_of_n(problem, n_v) >= star:
        raise ValueError("lambda_w: β >= the zero threshold for every size of the watched classes (no n_B onset)")
    f = lambda log_n: math.log(_beta_of_n(problem, math.exp(log_n)) / star)  # noqa: E731
    lo = math.log(n_v)
    while f(lo) < 0:
        lo -= math.log(4.0)
    return math.exp(brentq(f, lo, math.log(n_v), xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=300))


def set_watched(problem: Problem, x: float) -> Problem:
    idx = watched_classes(problem)
    sizes = [float(n) for n in problem.sizes]
    for i in idx:
        sizes[int(i)] = float(x)
    return problem.with_(sizes=tuple(sizes), real_sizes=True)


# ----------------------------------------------------------------------------------------- predicate
def column_state(idx, *, zero_tol: float = dc.ZERO_TOL, nonzero_tol: float = dc.NONZERO_TOL):
    r"""``state_of`` for "the classes ``idx`` are zero": :math:`\max_{k\in idx}\|Ye_k\|/\|Y\|_2`, :math:`Y = \bar ZD^{1/2}`."""

    def relative_columns(problem, sol):
        Y = np.asarray(sol.logits_mean, dtype=np.float64) * np.sqrt(problem.n)[None, :]
        top = float(np.linalg.norm(Y, 2))
        return 0.0 if top == 0.0 else float(np.linalg.norm(Y[:, idx], axis=0).max()) / top

    return measured_state(relative_columns, "watched columns of Y {:.2e} relative", zero_tol=zero_tol,
                          nonzero_tol=nonzero_tol)


def decide_zero_class(problem: Problem, *, method: str = "auto", watched=None, x: float = math.nan, tol=None,
                      accept_rel_gap: float = dc.ACCEPT_REL_GAP, **solver_options):
    """State "the watched classes are zero" (module doc)."""
    from nctheory.solvers.bounds.deep_linear_mse import spectral_bound

    idx = watched_classes(problem) if watched is None else np.asarray(watched, dtype=int)
    if method == "auto":
        method = "certified" if problem.depth == 1 else "factored"
    if method == "factored":
        opts = {"gtol": 1e-11, **solver_options}
        return dc.factored_decision(x, problem, idx, accept_rel_gap=accept_rel_gap, **opts)
    if method != "certified" or problem.depth != 1:
        raise ValueError(f"method: the Dang 2023 onset is decided with auto, factored, or certified (M = 1 only); "
                         f"got {method!r} at M = {problem.depth}")
    ev = dc.confirmed_decision(x, problem, dc.certified_solver("certified", tol=tol), column_state(idx),
                               accept_rel_gap=accept_rel_gap)
    F = ev.extra.get("objective")
    if F:
        # the same answer against the deep-linear MSE spectral bound (for M = 1 it is a second, independent proof)
        lb = spectral_bound(problem)
        ev = replace(ev, extra={**ev.extra, "deep_linear_mse_bound": lb,
                                "deep_linear_mse_rel_gap": max(F - lb, 0.0) / abs(F)})
    return ev


def _decide(value_of):
    def decide(problem, **kw):
        return decide_zero_class(problem, x=float(value_of(problem)), **kw)

    return decide


LAMBDA = OnsetSpec(
    claim_id=CLAIM, variable="lambda", state="the smallest classes are zero (p_k = 0, h̄_k = 0)",
    formula="λ* = λ(β*/β_k)^(M/(M+1)), β* = (M−1)^((M−1)/M)/M (M >= 2), 1 (M = 1: λ* = √n_k/N)",
    unmet=_unmet, predict=predict_lambda, value=lambda p: p.lam, at=scale_lambda,
    decide=_decide(lambda p: p.lam), watch=watched_classes, onset_above=True,
    methods=("auto", "certified", "factored"), resolution=RESOLUTION,
)

N_B = OnsetSpec(
    claim_id=CLAIM, variable="n_B", state="the smallest classes are zero (p_k = 0, h̄_k = 0)",
    formula="n*: β(n) = β* below n_v = M N_r/m, β(n) = M (N_r + m n)^(1+1/M) λ_W λ_H^(1/M)/n (zero iff n <= n*)",
    unmet=_unmet, predict=predict_n, value=lambda p: float(min(p.sizes)), at=set_watched,
    decide=_decide(lambda p: float(min(p.sizes))), watch=watched_classes, onset_above=False, domain=_domain_n,
    methods=("auto", "certified", "factored"), resolution=RESOLUTION,
)

ONSETS = [LAMBDA, N_B]
