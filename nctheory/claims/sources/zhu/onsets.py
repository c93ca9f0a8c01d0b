r"""Zhu et al.'s zero threshold located in λ and in n (catalogue §6, ZHU-balanced-CE).

Balanced CE, K classes of n samples, :math:`s = \lambda\sqrt n` (:math:`\lambda = \sqrt{\lambda_W\lambda_H}`): the
unique minimiser is 0 iff :math:`Ks \ge 1`.  Families:

* ``lambda`` -- both penalties scaled (ratio kept): zero iff :math:`\lambda \ge \lambda^* = 1/(K\sqrt n)`;
* ``n`` -- the common class size varied (a real number): zero iff :math:`n \ge n^* = 1/(K\lambda)^2`.

Predicate: the certified solver of R2 at its rounding floor, confirmed by a second solve from a perturbed start
(:func:`nctheory.explore.onsets.decide.confirmed_decision`); the state "zero" is read from the largest centred
mean logit :math:`\max|\bar Z - \mathbf 1\bar z^\top|` (dimensionless): ≤ 1e-12 zero (the soft threshold of the
solver's last step makes every singular value exactly 0), ≥ 1e-9 nonzero (the ETF scale
:math:`c = \log((1-(K-1)s)/s) \approx K(1 - Ks)` grows linearly from the threshold).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from nctheory.claims.common import CE_UFM, centred_logits
from nctheory.claims.onset_state import measured_state
from nctheory.explore.onsets import decide as dc
from nctheory.explore.onsets.spec import OnsetSpec
from nctheory.model import Problem

CLAIM = "zhu/balanced-ce"
RESOLUTION = ("exact zeros of the soft threshold: the ETF scale grows like K(1 − Ks) on the nonzero side and is 0 "
              "to rounding on the zero side")


def _unmet(problem: Problem) -> list[str]:
    out = CE_UFM.unmet(problem)
    if not problem.balanced:
        out.append("sizes: the claim is about balanced classes (all n_k equal)")
    return out


def scale_lambda(problem: Problem, lam: float) -> Problem:
    t = float(lam) / problem.lam
    return problem.with_(lambda_w=problem.lambda_w * t, lambda_h=problem.lambda_h * t)


def zero_state(zero_tol: float = dc.ZERO_TOL, nonzero_tol: float = dc.NONZERO_TOL):
    """``state_of`` for "the minimiser is 0": the largest centred mean logit (module doc)."""

    def largest_logit(problem, sol):
        return float(np.abs(centred_logits(sol)).max())

    return measured_state(largest_logit, "max |centred mean logit| {:.2e}", zero_tol=zero_tol, nonzero_tol=nonzero_tol)


def decide_zero(problem: Problem, *, method: str = "certified", watched=None, tol: float | None = None,
                accept_rel_gap: float = dc.ACCEPT_REL_GAP, zero_tol: float = dc.ZERO_TOL,
                nonzero_tol: float = dc.NONZERO_TOL):
    """State "the minimiser is 0" (module doc), confirmed by two certified solves."""
    return dc.confirmed_decision(problem.lam, problem, dc.certified_solver(method, tol=tol),
                                 zero_state(zero_tol, nonzero_tol), accept_rel_gap=accept_rel_gap)


LAMBDA = OnsetSpec(
    claim_id=CLAIM, variable="lambda", state="the global minimiser is 0",
    formula="λ* = 1/(K√n) (zero iff K s >= 1, s = λ√n)",
    unmet=_unmet, predict=lambda p: 1.0 / (p.K * math.sqrt(p.sizes[0])), value=lambda p: p.lam,
    at=scale_lambda, decide=decide_zero, onset_above=True, resolution=RESOLUTION,
)

N = OnsetSpec(
    claim_id=CLAIM, variable="n", state="the global minimiser is 0",
    formula="n* = 1/(Kλ)² (zero iff K s >= 1, s = λ√n)",
    unmet=_unmet, predict=lambda p: 1.0 / (p.K * p.lam) ** 2, value=lambda p: float(p.sizes[0]),
    at=lambda p, x: p.with_(sizes=(float(x),) * p.K, real_sizes=True),
    decide=lambda p, **kw: replace(decide_zero(p, **kw), x=float(p.sizes[0])), onset_above=True,
    resolution=RESOLUTION,
)

ONSETS = [LAMBDA, N]
