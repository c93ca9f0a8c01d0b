"""Dang et al. 2023: where the claims apply (field-named unmet requirements) and the default instances."""

from __future__ import annotations

import pytest

from nctheory import Problem
from nctheory.claims.sources import dang2023 as D


@pytest.mark.parametrize("claim, bad, field", [
    (D.MSE_IMBALANCED, dict(loss="ce"), "loss"),
    (D.MSE_IMBALANCED, dict(bias="free"), "bias"),
    (D.MSE_IMBALANCED, dict(features="relu"), "features"),
    (D.MSE_IMBALANCED, dict(classifier="fixed-etf"), "classifier"),
    (D.MSE_IMBALANCED, dict(d=1), "d"),  # 2 nonzero classes at the second default instance
    (D.MSE_BALANCED, dict(sizes=(20, 10, 10)), "sizes"),
    (D.MSE_BALANCED, dict(bias="regularized", lambda_b=1e-3), "bias"),
    (D.MSE_BALANCED, dict(d=1), "d"),
    (D.CE_ETF_M1, dict(loss="mse"), "loss"),
    (D.CE_ETF_M1, dict(depth=2), "depth"),
    (D.CE_ETF_M1, dict(sizes=(20, 10, 10)), "sizes"),
    (D.CE_ETF_M1, dict(bias="free", lambda_b=0.0), "bias"),
    (D.CE_ETF_M1, dict(d=2), "d"),
    (D.CE_ETF_DEEP, dict(depth=1), "depth"),
    (D.CE_ETF_DEEP, dict(bias="regularized", lambda_b=1e-3), "bias"),
    (D.CE_ETF_DEEP, dict(constraint="average", e_h=1.0, e_w=1.0, depth=1), "constraint"),
])
def test_assumptions_reject_outside_instances(claim, bad, field):
    base = claim.default_instances()[-1 if field == "d" and claim is D.MSE_IMBALANCED else 0]
    assert claim.assumptions(base) == []
    unmet = claim.assumptions(base.with_(**bad))
    assert any(u.startswith(field + ":") for u in unmet), unmet


def test_dimension_condition_counts_only_nonzero_classes():
    """d = 2 suffices at the authors'-code window instance, where only 2 of 3 classes are nonzero."""
    p = Problem(sizes=(40, 20, 10), lambda_w=3e-2, lambda_h=3e-2, loss="mse", depth=2, d=2)
    assert D.MSE_IMBALANCED.assumptions(p) == []
    assert any(u.startswith("d:") for u in D.MSE_IMBALANCED.assumptions(p.with_(lambda_w=1e-2, lambda_h=1e-2)))


def test_default_instances_are_inside_their_claims():
    for claim in D.CLAIMS:
        for p in claim.default_instances():
            assert claim.assumptions(p) == [], (claim.id, p)
