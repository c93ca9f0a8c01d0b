"""Yang et al. 2022 (fixed ETF classifier): where the claims apply (field-named unmet requirements), bad input."""

from __future__ import annotations

import pytest

from nctheory import Problem
from nctheory.claims.sources import yang as Y

CE, DR, VAR = Y.CLAIMS


def _fixed(sizes, **kw):
    kw.setdefault("lambda_w", 0.0)
    kw.setdefault("lambda_h", 0.0)
    return Problem(sizes=tuple(sizes), classifier="fixed-etf", **kw)


@pytest.mark.parametrize(
    "claim, problem, field",
    [
        (CE, Problem(sizes=(5, 3)), "classifier"),
        (CE, _fixed((5, 3), constraint="average", e_h=1.0), "constraint"),
        (CE, _fixed((5, 3), constraint="per-sample", e_h=1.0, loss="mse"), "loss"),
        (CE, _fixed((5, 3), constraint="per-sample", e_h=1.0, bias="free"), "bias"),
        (DR, _fixed((5, 3), constraint="penalty", lambda_h=0.1), "constraint"),
        (VAR, _fixed((5, 3), constraint="per-sample", e_h=1.0), "constraint"),
        (VAR, Problem(sizes=(5, 3), constraint="average", e_w=1.0, e_h=1.0), "classifier"),
    ],
)
def test_assumptions_reject(claim, problem, field):
    unmet = claim.assumptions(problem)
    assert any(u.startswith(field + ":") for u in unmet), unmet


def test_scale_helpers_validate():
    with pytest.raises(ValueError, match="^lambda_h:"):
        Y.penalty_scale(3, 10, 0.0, 1.0)


def test_default_instances_are_inside_their_claims():
    for claim in Y.CLAIMS:
        for p in claim.default_instances():
            assert claim.assumptions(p) == [], (claim.id, p)
