r"""Hong & Ling's collapse threshold located in λ, n_B and n_A (catalogue §2, HL-threshold).

The claim: a cluster of at least two classes of equal size :math:`n_c` collapses iff :math:`\lambda N \ge \sqrt{n_c}`
(:math:`\lambda = \sqrt{\lambda_W\lambda_H}`, N the total size).  Three one-parameter families:

* ``lambda`` -- both penalties scaled (ratio kept): :math:`\lambda^* = \sqrt{n_c}/N` for the smallest such cluster;
* ``n_B`` -- two clusters, the minority size varied at fixed :math:`n_A`, λ: collapse iff :math:`n_B \le n_B^*`,
  :math:`\sqrt{n_B^*} = (1 - \sqrt{1 - 4\lambda^2K_AK_Bn_A})/(2\lambda K_B)` (the smaller root of
  :math:`\lambda(K_An_A + K_Bn_B) = \sqrt{n_B}`; the domain stops at the vertex :math:`n_B = 1/(4\lambda^2K_B^2)`,
  beyond which large minorities collapse again);
* ``n_A`` -- two clusters, the majority size varied at fixed :math:`n_B`: collapse iff
  :math:`n_A \ge n_A^* = (\sqrt{n_B}/\lambda - K_Bn_B)/K_A`.

The sizes are real numbers along the families (``Problem(real_sizes=True)``): R2 depends on them only through
:math:`\pi` and :math:`\sqrt{n_k}`.  Predicate: the certified solver of R2 at its rounding floor (relative gap :math:`8K\varepsilon`); the cluster is
collapsed when its within-cluster spectral ratio of :math:`Y = \bar ZD^{1/2}` is ≤ 1e-12 (the solver's last step is
a singular-value soft threshold: exact zeros), separated when ≥ 1e-9, and a second certified solve from a
perturbed start must agree (:func:`nctheory.explore.onsets.decide.confirmed_decision`).
"""

from __future__ import annotations

import math

import numpy as np

from nctheory.claims.sources.hong_ling.formulas import (collapse_clusters, critical_majority_size,
                                                        critical_minority_size, threshold_lambda, two_clusters)
from nctheory.claims.sources.hong_ling.requirements import THRESHOLD_REQUIRES
from nctheory.explore.onsets import decide as dc
from nctheory.explore.onsets.spec import OnsetSpec
from nctheory.model import Problem

CLAIM = "hong-ling/threshold"
RESOLUTION = ("exact zeros of the soft threshold: the within-cluster singular value grows like (1 − x/x*)·O(1) on "
              "the separated side and is 0 to rounding on the collapsed side, so decisions hold down to ~1e-9 "
              "relative from the onset")


# ----------------------------------------------------------------------------------------- families
def scale_lambda(problem: Problem, lam: float) -> Problem:
    r"""``problem`` with :math:`\lambda_W, \lambda_H` both multiplied by :math:`\lambda/\sqrt{\lambda_W\lambda_H}`."""
    t = float(lam) / problem.lam
    return problem.with_(lambda_w=problem.lambda_w * t, lambda_h=problem.lambda_h * t)


def set_sizes(problem: Problem, idx, value: float) -> Problem:
    """``problem`` with the classes ``idx`` of size ``value`` (real sizes)."""
    sizes = list(map(float, problem.sizes))
    for i in np.asarray(idx, dtype=int):
        sizes[int(i)] = float(value)
    return problem.with_(sizes=tuple(sizes), real_sizes=True)


def _pair(problem: Problem):
    pair = two_clusters(problem)
    if pair is None:
        raise ValueError("sizes: needs exactly two class sizes (a majority and a minority cluster)")
    return pair


def _pair_unmet(problem: Problem) -> list[str]:
    out = THRESHOLD_REQUIRES.unmet(problem)
    pair = two_clusters(problem)
    if pair is None:
        out.append("sizes: needs exactly two class sizes (a majority and a minority cluster)")
    elif pair[1].size < 2:
        out.append("sizes: needs at least 2 minority classes (collapse is between minority classes)")
    return out


# ----------------------------------------------------------------------------------------- predicate
def decide_cluster(problem: Problem, *, method: str = "certified", watched=None, tol: float | None = None,
                   accept_rel_gap: float = dc.ACCEPT_REL_GAP, zero_tol: float = dc.ZERO_TOL,
                   nonzero_tol: float = dc.NONZERO_TOL):
    """State "the cluster ``watched`` has collapsed", confirmed by two certified solves of R2 (module doc)."""
    idx = collapse_clusters(problem)[-1] if watched is None else np.asarray(watched, dtype=int)
    return dc.confirmed_decision(problem.lam, problem, dc.certified_solver(method, tol=tol),
                                 dc.spectral_state(idx, zero_tol=zero_tol, nonzero_tol=nonzero_tol),
                                 accept_rel_gap=accept_rel_gap)


def _with_x(value_of):
    """Wrap :func:`decide_cluster` so the evaluation records the family's variable instead of λ."""

    def decide(problem, **kw):
        from dataclasses import replace

        return replace(decide_cluster(problem, **kw), x=float(value_of(problem, kw.get("watched"))))

    return decide


# ----------------------------------------------------------------------------------------- specs
LAMBDA = OnsetSpec(
    claim_id=CLAIM, variable="lambda", state="the smallest cluster of >= 2 equal-size classes collapsed",
    formula="λ* = √n_c/N (λ = √(λ_Wλ_H), ratio λ_W/λ_H kept)",
    unmet=lambda p: THRESHOLD_REQUIRES.unmet(p),
    predict=lambda p: threshold_lambda(p.sizes[int(collapse_clusters(p)[-1][0])], p.N),
    value=lambda p: p.lam, at=scale_lambda, decide=decide_cluster,
    watch=lambda p: collapse_clusters(p)[-1], onset_above=True, resolution=RESOLUTION,
)


def _predict_nB(problem: Problem) -> float:
    A, B = _pair(problem)
    value = critical_minority_size(problem.sizes[int(A[0])], A.size, B.size, problem.lam)
    if not math.isfinite(value):
        raise ValueError("lambda_w: 4λ²K_AK_Bn_A >= 1: every minority size collapses at this n_A (no n_B onset)")
    return value


def _domain_nB(problem: Problem):
    _, B = _pair(problem)
    return 0.0, 1.0 / (4.0 * problem.lam ** 2 * B.size ** 2)


N_B = OnsetSpec(
    claim_id=CLAIM, variable="n_B", state="the minority cluster collapsed",
    formula="n_B* = [(1 − √(1 − 4λ²K_AK_Bn_A))/(2λK_B)]² (collapse iff n_B <= n_B*, n_A and λ fixed)",
    unmet=_pair_unmet, predict=_predict_nB,
    value=lambda p: float(p.sizes[int(_pair(p)[1][0])]),
    at=lambda p, x: set_sizes(p, _pair(p)[1], x),
    decide=_with_x(lambda p, w: p.sizes[int(w[0])]), watch=lambda p: _pair(p)[1], onset_above=False,
    domain=_domain_nB, resolution=RESOLUTION,
)


def _predict_nA(problem: Problem) -> float:
    A, B = _pair(problem)
    value = critical_majority_size(problem.sizes[int(B[0])], A.size, B.size, problem.lam)
    if value <= 0:
        raise ValueError("lambda_w: λ√n_B >= 1/K_B: the minority collapses for every n_A (no n_A onset)")
    return value


def _majority_of(problem: Problem):
    return _pair(problem)[0]


N_A = OnsetSpec(
    claim_id=CLAIM, variable="n_A", state="the minority cluster collapsed",
    formula="n_A* = (√n_B/λ − K_Bn_B)/K_A (collapse iff n_A >= n_A*, n_B and λ fixed)",
    unmet=_pair_unmet, predict=_predict_nA,
    value=lambda p: float(p.sizes[int(_majority_of(p)[0])]),
    at=lambda p, x: set_sizes(p, _majority_of(p), x),
    decide=lambda p, **kw: _decide_nA(p, **kw), watch=lambda p: _pair(p), onset_above=True,
    resolution=RESOLUTION,
)


def _decide_nA(problem: Problem, *, watched, **kw):
    from dataclasses import replace

    A, B = watched
    return replace(decide_cluster(problem, watched=B, **kw), x=float(problem.sizes[int(A[0])]))


ONSETS = [LAMBDA, N_B, N_A]
