r"""The AllNC check that runs solvers: where the minority classifiers and the minority means squeeze, separately."""

from __future__ import annotations

from dataclasses import dataclass

from nctheory.claims.sources.allnc.formulas import threshold_lambda, two_clusters, with_lambda
from nctheory.claims.sources.allnc.requirements import SQUEEZE_REQUIRES
from nctheory.claims.sources.allnc.squeeze import squeeze_state
from nctheory.model import Problem


@dataclass(frozen=True)
class SqueezeOnsets:
    r"""Onsets of the two squeezes in :math:`\lambda = \sqrt{\lambda_W\lambda_H}` (fixed :math:`\lambda_W/\lambda_H`).

    ``classifier`` and ``means`` are the bisection midpoints (None if inconclusive), ``predicted`` is
    :math:`\sqrt{n_B}/N`; brackets and evaluation counts are kept for reporting.
    """

    classifier: float | None
    means: float | None
    predicted: float
    classifier_bracket: tuple
    means_bracket: tuple
    evaluations: int


def squeeze_onsets(problem: Problem, lo: float, hi: float, *, rtol: float = 1e-6, tol: float = 1e-13) -> SqueezeOnsets:
    r"""Locate, separately, where the minority classifiers and the minority means squeeze, as λ grows.

    Log-scale bisection (:func:`nctheory.threshold.bisect_onset`) on certified solves
    (``nctheory.solvers.certified.solve`` with relative gap ``tol``); a solve that does not certify makes
    that search inconclusive.  The default ``tol = 1e-13``: the certificate bounds the objective, while
    positions (hence spreads) are only ~sqrt(gap) accurate, and at 1e-10 the two onsets measured here
    differed by up to 4e-7 relative; at 1e-13 they coincide (measured on three size profiles).  Solves are
    cached, so the two searches share the evaluations they have in common.
    """
    from nctheory.solvers.certified import solve as certified_solve
    from nctheory.threshold import bisect_onset

    unmet = SQUEEZE_REQUIRES.unmet(problem)
    if unmet:
        raise ValueError(f"problem: {unmet[0]}")
    minority, _ = two_clusters(problem)
    cache: dict[float, dict | None] = {}

    def state(lam: float):
        if lam not in cache:
            sol = certified_solve(with_lambda(problem, lam), tol=tol)
            cache[lam] = squeeze_state(sol.W, sol.H_mean, minority) if sol.success else None
        return cache[lam]

    def pred(key):
        def f(lam):
            s = state(lam)
            return None if s is None else s[key]
        return f

    w = bisect_onset(pred("minority_w_squeezed"), lo, hi, rtol=rtol, log=True)
    h = bisect_onset(pred("minority_h_squeezed"), lo, hi, rtol=rtol, log=True)
    return SqueezeOnsets(w.value if w.conclusive else None, h.value if h.conclusive else None,
                         threshold_lambda(problem), w.bracket, h.bracket, len(cache))
