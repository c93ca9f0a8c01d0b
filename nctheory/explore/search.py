r"""Counterexample search: draw instances around a claim's default instance, verify the claim on each, and
shrink the first failure to a minimal instance that still fails *by a margin*.

The search is hypothesis-driven (:func:`hypothesis.find`): problems are drawn by varying the class sizes
(number of classes and sizes, from the public size profiles) and the penalties (log-uniform around the
claim's default), keeping every other model option of the default instance.  Hypothesis shrinks a failing
instance towards fewer classes, smaller sizes and simpler values; the search is reproducible by ``seed``.

A *counterexample* is an instance inside the claim's requirements (or, with ``outside=True``, outside them)
where the verdict is ``fail`` -- rigorous by construction (a value refutation, or a certified optimum that
misses by more than tolerance + 3 × precision, :mod:`nctheory.verify.verdict`) -- **and** the miss is large
compared with what the solution's imprecision could explain: the failure margin (:func:`failure_margin`)
must be at least :data:`MIN_MARGIN`.  Shrinking keeps that requirement, so it cannot walk towards an
instance where a false formula happens to equal the true one and only solver noise remains.  The first
counterexample found (before shrinking) is reported too.  Inconclusive verdicts never count.

Hypothesis writes a cache (``.hypothesis/``) in the working directory by default; the search keeps it in a
temporary directory unless ``hypothesis_dir`` is given.
"""

from __future__ import annotations

import math
import random
import tempfile
from dataclasses import dataclass

from nctheory.claims.base import Claim
from nctheory.model import Problem
from nctheory.verify import Verification, verify_claim
from nctheory.verify.verdict import Decision, Verdict

#: A shrunk counterexample must miss by at least this many times its precision (or its rounding margin, for a
#: value refutation).  The engine's disagreement rule already needs 3×; shrinking asks for a clear failure.
MIN_MARGIN = 10.0


def failure_margin(v: Verification) -> float:
    r"""How clearly ``v`` fails: for a value refutation, (predicted − feasible objective) / refutation margin;
    else the largest :math:`(e - a)/\pi` over disagreeing entries (e error, a allowance, π precision; ``inf`` when
    the precision is exactly 0 or not estimated and the entry misses).  0 when ``v`` does not fail."""
    if v.verdict != Verdict.FAIL:
        return 0.0
    if v.refutation is not None:
        r = v.refutation
        return (r["predicted_objective"] - r["feasible_objective"]) / max(r["margin"], 1e-300)
    best = 0.0
    for c in v.checks:
        if c.decision != Decision.DISAGREE:
            continue
        if c.entry_err is None:  # boolean mismatch, stable across both solves
            best = math.inf
            continue
        excess = c.entry_err - c.entry_allowance
        prec = c.entry_precision or 0.0
        best = max(best, math.inf if prec <= 0 else excess / prec)
    return best


class _ShrinkBudgetSpent(Exception):
    """Raised inside the predicate to end shrinking after ``max_shrinks`` verifications."""


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
    first_counterexample: Problem | None = None
    first_verification: Verification | None = None

    def to_json(self) -> dict:
        def record(p, v):
            if p is None:
                return None
            return {"problem": p.to_dict(), "failing_checks": [c.to_json() for c in v.failing_checks()],
                    "verdict": v.verdict.value, "certified": v.certified, "reason": v.reason,
                    "refutation": v.refutation, "margin": _finite(failure_margin(v)),
                    "solutions": [e.to_json() for e in v.solutions]}

        return {"claim": self.claim_id, "counterexample": record(self.counterexample, self.verification),
                "first_counterexample": record(self.first_counterexample, self.first_verification),
                "evaluations": self.evaluations, "conclusive": self.conclusive, "seed": self.seed,
                "budget": self.budget, "outside": self.outside}


def _finite(x: float):
    return None if not math.isfinite(x) else x


def instances_around(claim: Claim, *, max_classes: int = 6, decades: float = 1.5):
    """Strategy of problems like ``claim``'s first default instance, with new sizes and penalties."""
    from hypothesis import strategies as st

    from nctheory.testing import draw_instance_like, size_profiles

    base = claim.default_instances()[0]

    @st.composite
    def build(draw):
        return draw_instance_like(draw, base, draw(size_profiles(max_classes)), decades=decades)

    return build()


def search(claim: Claim, *, budget: int = 30, seed: int = 0, outside: bool = False, max_classes: int = 6,
           min_margin: float = MIN_MARGIN, hypothesis_dir: str | None = None, solver_options: dict | None = None,
           time_limit: float | None = None, max_shrinks: int = 25) -> SearchResult:
    """Look for a counterexample to ``claim`` within ``budget`` verified instances (module doc).

    Parameters
    ----------
    claim : Claim
    budget : int
        Maximum number of instances drawn (shrinking may verify a few more).
    seed : int
        Seed of the draw: the same seed gives the same instances.
    outside : bool
        Search outside the claim's requirements instead of inside.
    min_margin : float
        Failure margin a counterexample must keep (:func:`failure_margin`).
    hypothesis_dir : str, optional
        Where hypothesis may keep its cache (default: a temporary directory, removed afterwards).
    time_limit : float, optional
        Stop drawing new instances after this many seconds (the result says how many were checked).
    max_shrinks : int
        Verifications spent shrinking once a counterexample is found (each candidate is a full verification;
        hypothesis' shrinker would otherwise try ~50-100 of them).  The smallest counterexample found by then is
        returned.
    """
    try:
        from hypothesis import HealthCheck, Phase, assume, find, settings
        from hypothesis.configuration import set_hypothesis_home_dir
        from hypothesis.errors import NoSuchExample, Unsatisfiable
    except ImportError as exc:
        from nctheory.errors import MissingExtra

        raise MissingExtra("nctheory search", "search", "hypothesis") from exc
    import time

    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget: must be an integer >= 1, got {budget!r}")
    if isinstance(max_classes, bool) or not isinstance(max_classes, int) or max_classes < 2:
        raise ValueError(f"max_classes: must be >= 2 (a problem has at least two classes), got {max_classes!r}")
    if isinstance(max_shrinks, bool) or not isinstance(max_shrinks, int) or max_shrinks < 0:
        raise ValueError(f"max_shrinks: must be an integer >= 0, got {max_shrinks!r}")
    if not (isinstance(min_margin, (int, float)) and min_margin > 0 and math.isfinite(min_margin)):
        raise ValueError(f"min_margin: must be a finite number > 0, got {min_margin!r}")
    count, conclusive, shrinks = [0], [0], [0]
    last: list = []
    found: dict = {}
    first: list = []
    t0 = time.perf_counter()

    def fails(p: Problem) -> bool:
        unmet = claim.assumptions(p)
        assume(bool(unmet) if outside else not unmet)
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            assume(False)
        if first and shrinks[0] >= max_shrinks:
            raise _ShrinkBudgetSpent  # keep the smallest counterexample found so far (the last one found)
        if first:
            shrinks[0] += 1
        count[0] += 1
        v = verify_claim(claim, p, check_assumptions=not outside, solver_options=solver_options)
        conclusive[0] += v.verdict != Verdict.INCONCLUSIVE
        if v.verdict == Verdict.FAIL and failure_margin(v) >= min_margin:
            found[p] = v
            last[:] = [p]  # while shrinking, hypothesis only offers candidates smaller than its current best
            if not first:
                first.append((p, v))
            return True
        return False

    cfg = settings(max_examples=budget, database=None, deadline=None, derandomize=False,
                   phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    with tempfile.TemporaryDirectory(prefix="nctheory-hypothesis-") as tmp:
        set_hypothesis_home_dir(hypothesis_dir or tmp)
        try:
            shrunk = find(instances_around(claim, max_classes=max_classes), fails, settings=cfg,
                          random=random.Random(seed))
        except (NoSuchExample, Unsatisfiable):
            shrunk = None
        except _ShrinkBudgetSpent:
            shrunk = last[0]
        finally:
            set_hypothesis_home_dir(None)
    f_p, f_v = first[0] if first else (None, None)
    if shrunk is None:
        return SearchResult(claim.id, None, None, count[0], seed, budget, outside, conclusive[0], f_p, f_v)
    v = found.get(shrunk) or verify_claim(claim, shrunk, check_assumptions=not outside, solver_options=solver_options)
    return SearchResult(claim.id, shrunk, v, count[0], seed, budget, outside, conclusive[0], f_p, f_v)

