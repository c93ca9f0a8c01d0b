"""The Hong & Ling claims as registered: requirements, default instances, statements."""

import pytest

from nctheory.claims.sources import hong_ling as hl
from nctheory.model import Problem
from nctheory.verify import verify_claim


@pytest.mark.parametrize("claim", hl.CLAIMS, ids=lambda c: c.id)
def test_assumptions_reject_outside_models(claim):
    base = dict(sizes=(20, 20, 4, 4), lambda_w=1e-3, lambda_h=1e-3)
    assert claim.assumptions(Problem(**base)) == []
    for bad in (dict(loss="mse"), dict(features="relu"), dict(depth=2)):
        unmet = claim.assumptions(Problem(**{**base, **bad}))
        assert unmet and any(u.split(":")[0] in bad for u in unmet)


def test_assumptions_reject_wrong_size_profiles():
    assert any(u.startswith("sizes:") for u in hl.ANGLES.assumptions(Problem(sizes=(20, 10, 4))))
    assert any(u.startswith("sizes:") for u in hl.ANGLES.assumptions(Problem(sizes=(20, 20, 20))))
    assert any(u.startswith("sizes:") for u in hl.THRESHOLD.assumptions(Problem(sizes=(20, 10, 4))))
    assert any(u.startswith("d:") for u in hl.NO_ETF.assumptions(Problem(sizes=(20, 10, 4, 3), d=2)))
    # NC1 is a statement about every d
    assert hl.NC1.assumptions(Problem(sizes=(20, 10, 4, 3), d=1)) == []


@pytest.mark.parametrize("claim", hl.CLAIMS, ids=lambda c: c.id)
def test_default_instances_verify(claim):
    for p in claim.default_instances():
        v = verify_claim(claim, p)
        if claim.reference[0] == "certified":
            assert v.verdict == "pass", (claim.id, v.notes, [c.to_json() for c in v.checks if not c.ok])
        else:
            # hong-ling/nc1's reference is the full-sample cvxpy solve, which carries no certificate yet (the
            # bounds work certifies cvxpy answers): agreement with it is "consistent" until then
            assert v.verdict in ("pass", "consistent"), (claim.id, v.notes, [c.to_json() for c in v.checks])
            assert v.checks and all(c.ok for c in v.checks)


def test_statements_record_pitfalls_and_convention():
    for claim in hl.CLAIMS:
        assert "no-½" in claim.statement or "no-½ penalties" in claim.statement or "Canonical" in claim.statement
        assert "rows of W·H̄" in claim.statement
