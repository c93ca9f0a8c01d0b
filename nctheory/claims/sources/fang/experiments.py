r"""Experiments that run solvers: the minority-collapse onset located by bisection on SDP solves.

The located onset is compared with the exact one (:func:`~nctheory.claims.sources.fang.onset.predicted_onset`)
by the tests and the gallery; the claims' own verification does not run these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nctheory.claims.sources.fang.accuracy import COLLAPSE_SQ_TOL
from nctheory.claims.sources.fang.formulas import minority_spread_sq, two_cluster_weights
from nctheory.claims.sources.fang.sdp import LpmGram, lpm_sdp_weights


@dataclass(frozen=True)
class OnsetSearch:
    """Result of :func:`sdp_onset`: the located onset and the bisection record."""

    value: float | None
    bracket: tuple
    evaluations: int
    conclusive: bool
    message: str
    predicate: str


#: Clarabel settings tried in turn by :func:`sdp_two_cluster`.  At ratios within ~1e-4 of the onset the
#: default settings can stall ("inaccurate": strict complementarity fails there); turning equilibration off or
#: shortening the step fraction got every such case tried here to "optimal" with the objective within 1e-11 of
#: the exact reduction (:func:`two_cluster_lpm`).
SDP_ATTEMPTS = (
    {"tol": 1e-11},
    {"tol": 1e-11, "equilibrate_enable": False},
    {"tol": 1e-11, "max_step_fraction": 0.9},
    {"tol": 1e-10},
)


def sdp_two_cluster(K_A, K_B, R, ewh) -> LpmGram | None:
    """The first optimal SDP solve over :data:`SDP_ATTEMPTS`, else None."""
    e = math.sqrt(ewh)
    for opts in SDP_ATTEMPTS:
        sol = lpm_sdp_weights(two_cluster_weights(K_A, K_B, R), e, e, **opts)
        if sol.status == "optimal":
            return sol
    return None


def sdp_onset(K_A: int, K_B: int, ewh: float, lo: float, hi: float, *, rtol: float = 1e-6,
              predicate: str = "spread", sq_tol: float = COLLAPSE_SQ_TOL) -> OnsetSearch:
    r"""Locate the minority-collapse onset R₀ by log-scale bisection on SDP solves (:func:`lpm_sdp_weights`).

    Parameters
    ----------
    K_A, K_B : int
    ewh : float
        :math:`E_WE_H` (solved with :math:`E_W = E_H = \sqrt{E_WE_H}`; only the product matters).
    lo, hi : float
        Bracket with the minority separated at ``lo`` and collapsed at ``hi``.
    rtol : float
        Relative width of the final bracket.
    predicate : {"spread", "dual"}
        ``"spread"`` (the direct observation): collapsed iff the relative squared minority spread of
        :math:`WW^\top` is at most ``sq_tol``; accurate to ~1e-5 relative (:data:`COLLAPSE_SQ_TOL`).
        ``"dual"``: collapsed iff the SDP's budget multiplier μ is at least :math:`\pi_B` — the derived
        criterion (module doc); μ comes from the duals of the budget constraints, accurate to ~1e-5
        relative near the onset (measured: onsets within 2e-6 .. 2e-5 of :func:`predicted_onset`, no sharper
        than the spread predicate).
    Solves that are not optimal are retried with the settings of :data:`SDP_ATTEMPTS`; a ratio where none
    reaches "optimal" makes the search inconclusive.
    """
    from nctheory.threshold import bisect_onset

    if predicate not in ("spread", "dual"):
        raise ValueError(f"predicate: must be 'spread' or 'dual', got {predicate!r}")
    minority = range(K_A, K_A + K_B)

    def collapsed(R: float):
        sol = sdp_two_cluster(K_A, K_B, R, ewh)
        if sol is None:
            return None
        if predicate == "dual":
            return sol.mu >= 1.0 / (K_A * R + K_B)
        return minority_spread_sq(sol.gram_WW, minority) <= sq_tol

    res = bisect_onset(collapsed, lo, hi, rtol=rtol, log=True)
    return OnsetSearch(res.value, res.bracket, res.evaluations, res.conclusive, res.message, predicate)
