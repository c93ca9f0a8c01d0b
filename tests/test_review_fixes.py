"""Honesty fixes outside the CLI: a relaxation is not an answer, loose certificates are inconclusive,
unobservable predictions are reported.  (The CLI parts of this file moved to tests/cli/.)"""

import numpy as np

from nctheory.claims.base import Claim, Prediction, Requires, Tolerance
from nctheory.model import Problem
from nctheory.solvers import certified
from nctheory.verify import verify_claim

P0 = Problem(sizes=(5, 5), lambda_w=1e-2, lambda_h=1e-2)


def test_relaxation_is_not_an_answer():
    sol = certified.solve(Problem((50, 40, 30, 20, 10), lambda_w=1e-3, lambda_h=1e-3, d=2))
    assert sol.status == "relaxation" and not sol.success and not sol.certified


def _claim_with_certificate(allowance, quantities=None):
    quantities = quantities or {"objective": 0.0}
    return Claim(
        id="test/loose", source="test", provenance=("derived",), statement="objective is what it is",
        requires=Requires(), predict=lambda p: Prediction("test/loose", p, dict(quantities)),
        observe=lambda p, s: {"objective": 0.0}, reference=("certified",), defaults=lambda: [P0],
        tolerances={"objective": Tolerance(0.0, 0.0, "exact", certificate=lambda p, s: allowance)})


def test_loose_certificate_allowance_makes_the_verdict_inconclusive():
    assert verify_claim(_claim_with_certificate(0.5), P0).verdict == "inconclusive"
    assert verify_claim(_claim_with_certificate(1e-9), P0).verdict == "pass"


def test_unobserved_prediction_is_reported():
    v = verify_claim(_claim_with_certificate(0.0, {"objective": 0.0, "typo": 1.0}), P0)
    assert any("not observable" in n and "typo" in n for n in v.notes)
    assert np.isfinite(v.time_s)
