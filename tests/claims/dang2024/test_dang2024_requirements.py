"""Dang et al. 2024 (ReLU features): where the claims apply (field-named unmet requirements)."""

from __future__ import annotations

import pytest

from nctheory.claims.sources import dang2024 as D
from dang2024_instances import relu_problem

CLAIMS = D.CLAIMS


@pytest.mark.parametrize("change, field", [
    ({"loss": "mse"}, "loss"),
    ({"bias": "free"}, "bias"),
    ({"features": "free"}, "features"),
    ({"depth": 2}, "depth"),
    ({"d": 2}, "d"),
])
def test_assumptions_reject_outside_instances(change, field):
    base = relu_problem((40, 20, 10), 1e-3, 1e-3)
    assert D.relu_assumptions(base) == []
    p = base.with_(**change)
    unmet = D.relu_assumptions(p)
    assert unmet and any(u.startswith(field + ":") for u in unmet)
    for claim in CLAIMS:
        assert not claim.applies(p)




def test_default_instances_are_inside_their_claims():
    for claim in CLAIMS:
        for p in claim.default_instances():
            assert claim.assumptions(p) == [], (claim.id, p)
