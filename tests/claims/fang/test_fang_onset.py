"""Fang et al. 2021: the exact minority-collapse onset R0 against SDP bisections (spread and dual predicates) and
the collapse as R grows.
"""

from __future__ import annotations

import math

import pytest

from nctheory.claims.sources import fang as F


# --------------------------------------------------------------------------- onset
@pytest.mark.parametrize("K_A, K_B, ewh", [(3, 3, 1.0), (2, 2, 4.0)])
def test_onset_by_sdp_bisection_is_stable_and_matches_prediction(K_A, K_B, ewh):
    R0 = F.predicted_onset(K_A, K_B, ewh)
    a = F.sdp_onset(K_A, K_B, ewh, 1.0, 100.0 * R0, rtol=1e-6)
    b = F.sdp_onset(K_A, K_B, ewh, 1.0 + 0.1 * (R0 - 1), 10.0 * R0 + 7.0, rtol=1e-6)
    assert a.conclusive and b.conclusive, (a.message, b.message)
    # required stability 1e-4 relative (measured: brackets agree to ~1e-6 .. 1e-5)
    assert abs(a.value - b.value) <= 1e-4 * R0
    # the spread predicate's bias is ~1e-5 (COLLAPSE_SQ_TOL); measured <= 1.2e-5 against the exact onset
    assert abs(a.value - R0) <= 1e-4 * R0


def test_onset_dual_predicate():
    R0 = F.predicted_onset(2, 3, 0.5)
    d = F.sdp_onset(2, 3, 0.5, 1.0, 20.0, rtol=1e-6, predicate="dual")
    assert d.conclusive
    assert abs(d.value - R0) <= 1e-4 * R0  # duals accurate to ~1e-5 relative (measured 2e-6 .. 2e-5)


def test_onset_earlier_for_smaller_budget():
    R0 = [F.predicted_onset(2, 2, ewh) for ewh in (0.25, 1.0, 4.0)]
    assert R0[0] < R0[1] < R0[2]
    # between two predicted onsets the SDP agrees: collapsed with the small budget, separated with the large
    R = math.sqrt(R0[0] * R0[1])
    small = F.sdp_two_cluster(2, 2, R, 0.25)
    large = F.sdp_two_cluster(2, 2, R, 1.0)
    assert F.minority_spread_sq(small.gram_WW, [2, 3]) <= F.COLLAPSE_SQ_TOL
    assert F.minority_spread_sq(large.gram_WW, [2, 3]) > 100 * F.COLLAPSE_SQ_TOL


def test_collapse_as_R_grows():
    K_A, K_B, ewh = 3, 2, 1.0
    R0 = F.predicted_onset(K_A, K_B, ewh)
    spreads = []
    for R in [1.0, 0.5 * (1 + R0), 0.9 * R0, 1.5 * R0, 10 * R0, 1000 * R0]:
        sol = F.sdp_two_cluster(K_A, K_B, R, ewh)
        spreads.append(F.minority_spread_sq(sol.gram_WW, [3, 4]))  # squared distances, never cosines
    assert all(x > y for x, y in zip(spreads[:3], spreads[1:3]))  # shrinking before the onset
    assert all(s <= F.COLLAPSE_SQ_TOL for s in spreads[3:])  # exactly collapsed after it (up to SDP noise)
    assert spreads[0] == pytest.approx(2 * (K_A + K_B) / (K_A + K_B - 1), rel=1e-5)  # ETF at R = 1
