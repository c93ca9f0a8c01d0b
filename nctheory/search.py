r"""Counterexample search: draw instances around a claim's default instance, verify the
claim on each, and shrink the first failure to a minimal instance.

The search is hypothesis-driven (:func:`hypothesis.find`): problems are drawn by
varying the class sizes (number of classes and sizes, from the public size
profiles) and the penalties (log-uniform over a range around the claim's default),
keeping every other model option of the claim's default instance.  Hypothesis
shrinks a failing instance towards fewer classes, smaller sizes and simpler
values.  The search is reproducible by ``seed`` (hypothesis' database is off).

A *counterexample* is an instance inside the claim's assumptions (or, with
``outside=True``, outside them) where the claim does not behave as registered: a
true claim whose verdict is ``fail``, or — for a claim registered to be refuted — an
instance where it fails (that is the refutation the search looks for).
Inconclusive verdicts are never counted as counterexamples.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, assume, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from nctheory.claims.base import Claim
from nctheory.model import Problem
from nctheory.testing import log_uniform, size_profiles
from nctheory.verify import Verification, verify_claim


@dataclass(frozen=True)
class SearchResult:
    claim_id: str
    counterexample: Problem | None
    verification: Verification | None
    evaluations: int
    seed: int
    budget: int
    outside: bool
    conclusive: int = 0

    def to_json(self) -> dict:
        ce = None
        if self.counterexample is not None:
            ce = {"problem": self.counterexample.to_dict(),
                  "failing_checks": [c.to_json() for c in self.verification.checks if not c.ok],
                  "verdict": self.verification.verdict,
                  "solutions": self.verification.solutions}
        return {"claim": self.claim_id, "counterexample": ce, "evaluations": self.evaluations,
                "conclusive": self.conclusive,
                "seed": self.seed, "budget": self.budget, "outside": self.outside}


def instances_around(claim: Claim, *, max_classes: int = 6, decades: float = 1.5):
    """Strategy of problems like ``claim``'s first default instance, with new sizes and penalties
    (:func:`nctheory.testing.claim_instances` without the assumption filter, which :func:`search` applies
    itself so that ``outside=True`` can look beyond the assumptions)."""
    base = claim.default_instances()[0]

    @st.composite
    def build(draw):
        sizes = draw(size_profiles(max_classes))
        changes = {"sizes": sizes}
        for name in ("lambda_w", "lambda_h"):
            v = getattr(base, name)
            if v > 0:
                changes[name] = draw(log_uniform(v * 10 ** -decades, v * 10 ** decades))
        if base.d is not None:
            changes["d"] = max(base.d, 2 * len(sizes)) if base.d >= base.K else max(base.d, len(sizes) - 1)
        try:
            return base.with_(**changes)
        except ValueError:
            assume(False)

    return build()


def search(claim: Claim, *, budget: int = 30, seed: int = 0, outside: bool = False,
           max_classes: int = 6) -> SearchResult:
    """Look for a counterexample to ``claim`` within ``budget`` verified instances.

    Parameters
    ----------
    claim : Claim
    budget : int
        Maximum number of instances drawn (shrinking may verify a few more).
    seed : int
        Seed of the draw: the same seed gives the same instances.
    outside : bool
        Search outside the claim's assumptions instead of inside.
    """
    if budget < 1:
        raise ValueError(f"budget: must be >= 1, got {budget}")
    if max_classes < 2:
        raise ValueError(f"max_classes: must be >= 2 (a problem has at least two classes), got {max_classes}")
    count = [0]
    conclusive = [0]
    last: dict = {}

    def fails(p: Problem) -> bool:
        unmet = claim.assumptions(p)
        if outside:
            assume(bool(unmet))
        else:
            assume(not unmet)
        count[0] += 1
        v = verify_claim(claim, p, check_assumptions=not outside)
        conclusive[0] += v.verdict != "inconclusive"
        if v.verdict == "fail":
            last[p] = v
            return True
        return False

    cfg = settings(max_examples=budget, database=None, deadline=None, derandomize=False,
                   phases=[Phase.generate, Phase.shrink],
                   suppress_health_check=list(HealthCheck))
    try:
        found = find(instances_around(claim, max_classes=max_classes), fails, settings=cfg,
                     random=random.Random(seed))
    except (NoSuchExample, Unsatisfiable):
        return SearchResult(claim.id, None, None, count[0], seed, budget, outside, conclusive[0])
    v = last.get(found) or verify_claim(claim, found, check_assumptions=not outside)
    return SearchResult(claim.id, found, v, count[0], seed, budget, outside, conclusive[0])
