"""Fang et al. 2021: where the claims apply (field-named unmet requirements), the symbolic key identity, bad input."""

from __future__ import annotations

import pytest

from nctheory import Problem
from nctheory.claims.sources import fang as F

BAL, COLL, OVER = F.CLAIMS


def _lpm(sizes, e_w=1.0, e_h=1.0):
    return Problem(sizes=tuple(sizes), constraint="average", e_w=e_w, e_h=e_h, lambda_w=0.0, lambda_h=0.0)


@pytest.mark.parametrize(
    "claim, problem, field",
    [
        (BAL, Problem(sizes=(3, 3)), "constraint"),
        (BAL, _lpm((5, 3)), "sizes"),
        (COLL, _lpm((5, 5, 1)), "sizes"),
        (COLL, _lpm((9, 5, 1, 1)), "sizes"),
        (COLL, Problem(sizes=(5, 1, 1), constraint="average", e_w=1, e_h=1, loss="mse"), "loss"),
        (OVER, _lpm((5, 1, 1)), "sizes"),
    ],
)
def test_assumptions_reject(claim, problem, field):
    assert any(u.startswith(field + ":") for u in claim.assumptions(problem))


def test_sympy_key_identity():
    import sympy as sp

    f = COLL.symbolic()
    slope = f["minority_loss_slope_at_collapse"]
    K_B = next(s for s in slope.free_symbols if s.name == "K_B")
    assert sp.simplify(slope + (K_B - 1) / K_B) == 0  # independent of t: the collapse criterion mu >= pi_B


def test_bad_arguments():
    with pytest.raises(ValueError, match="^K_B:"):
        F.predicted_onset(2, 1, 1.0)
    with pytest.raises(ValueError, match="^R:"):
        F.two_cluster_lpm(2, 2, -1.0, 1.0)
    with pytest.raises(ValueError, match="^weights:"):
        F.lpm_sdp_weights([1.0], 1.0, 1.0)
    with pytest.raises(ValueError, match="^predicate:"):
        F.sdp_onset(2, 2, 1.0, 1.0, 10.0, predicate="cosine")
    with pytest.raises(ValueError, match="^factor:"):
        F.oversample(_lpm((5, 1)), 0)


def test_default_instances_are_inside_their_claims():
    for claim in F.CLAIMS:
        for p in claim.default_instances():
            assert claim.assumptions(p) == [], (claim.id, p)
