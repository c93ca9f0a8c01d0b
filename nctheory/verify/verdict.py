r"""The verdict vocabulary, and how one verdict follows from the evidence.

=================  ==============================================================================  ======================
verdict            means                                                                           exit
=================  ==============================================================================  ======================
``pass``           the prediction agrees with a **certified global** optimum (a lower bound        0
                   that does not assume the claim) within tolerance, and the optimum's
                   quantities are known at least that precisely
``consistent``     it agrees only with uncertified solves (best of restarts, a conic status        0 (3 with
                   without a gap of ours)                                                          --require-certified)
``fail``           rigorous only: a feasible point has a lower objective than the predicted        1
                   minimiser (a *value refutation*, which needs no certificate), or a certified
                   optimum differs from the prediction by more than tolerance + 3 × precision
``inconclusive``   anything else, with the reason (no solver certified, precision too coarse       3
                   after re-solving, an uncertified solve disagrees, assumptions unmet)
=================  ==============================================================================  ======================

Per quantity the comparison (:mod:`nctheory.verify.compare`) decides *agree*, *disagree* or
*undecided*; per reference solve the decisions combine to the same three; :func:`combine` turns the
references (and sequence experiments) into the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"
    CONSISTENT = "consistent"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


VERDICTS = tuple(v.value for v in Verdict)


class Decision(StrEnum):
    """Outcome of one comparison (a quantity, or all quantities of one reference solve)."""

    AGREE = "agree"
    DISAGREE = "disagree"
    UNDECIDED = "undecided"


def worst(decisions) -> Decision:
    """Disagree beats undecided beats agree (an empty list agrees)."""
    decisions = list(decisions)
    if Decision.DISAGREE in decisions:
        return Decision.DISAGREE
    if Decision.UNDECIDED in decisions:
        return Decision.UNDECIDED
    return Decision.AGREE


@dataclass(frozen=True)
class ReferenceOutcome:
    """What one reference solve says: its level (certified / uncertified) and its combined decision."""

    method: str
    level: str
    decision: Decision
    compared: int
    value_refuted: bool = False
    experiment: bool = False  # a sequence experiment: a part of the claim that must agree for a pass


def combine(outcomes: list[ReferenceOutcome], *, inconclusive_reasons: list[str]) -> tuple[Verdict, bool, str]:
    """``(verdict, certified, reason)`` from the reference outcomes (module doc).

    ``certified`` is True when the verdict rests on a certified solve (or, for a value refutation, on a
    feasible point, which needs no certificate).
    """
    if any(o.value_refuted for o in outcomes):
        return Verdict.FAIL, True, "value refutation: a feasible point has a lower objective than the predicted minimiser"
    experiments = [o for o in outcomes if o.experiment]
    if any(o.decision == Decision.DISAGREE and o.level == "certified" for o in experiments):
        return Verdict.FAIL, True, "a certified sequence experiment contradicts the claim"
    if any(o.decision != Decision.AGREE for o in experiments):
        inconclusive_reasons = list(inconclusive_reasons) + ["a sequence experiment did not decide (an uncertified solve, or a "
                                                          "sequence that says nothing, such as zero solutions)"]
    outcomes = [o for o in outcomes if not o.experiment] + [o for o in experiments if o.decision == Decision.AGREE]
    cert = [o for o in outcomes if o.level == "certified" and o.compared]
    unc = [o for o in outcomes if o.level == "uncertified" and o.compared]
    if any(o.decision == Decision.DISAGREE for o in cert):
        return Verdict.FAIL, True, "a certified optimum differs from the prediction by more than tolerance + 3 × precision"
    if cert and all(o.decision == Decision.AGREE for o in cert) and not inconclusive_reasons:
        return Verdict.PASS, True, "agrees with a certified optimum within tolerance"
    if cert and any(o.decision == Decision.UNDECIDED for o in cert):
        return Verdict.INCONCLUSIVE, False, ("precision too coarse: the certified optimum is not known precisely "
                                            "enough to decide, even after re-solving")
    if unc and all(o.decision == Decision.AGREE for o in unc) and not inconclusive_reasons:
        return Verdict.CONSISTENT, False, "agrees with uncertified solves only (no certificate of global optimality)"
    if unc and any(o.decision == Decision.DISAGREE for o in unc):
        return Verdict.INCONCLUSIVE, False, ("an uncertified solve disagrees with the prediction (a local minimum or "
                                            "an inaccurate solve cannot refute a claim)")
    if inconclusive_reasons:
        return Verdict.INCONCLUSIVE, False, "; ".join(inconclusive_reasons)
    if not outcomes:
        return Verdict.INCONCLUSIVE, False, "no reference solve was usable"
    return Verdict.INCONCLUSIVE, False, "no predicted quantity could be compared"


def exit_code(verdict: Verdict, expected_true: bool, *, require_certified: bool = False) -> int:
    """CLI exit code of one verification (0 as expected, 1 a claim behaved unexpectedly, 3 undecided)."""
    if verdict == Verdict.INCONCLUSIVE:
        return 3
    if expected_true:
        if verdict == Verdict.FAIL:
            return 1
        if verdict == Verdict.CONSISTENT and require_certified:
            return 3
        return 0
    if verdict == Verdict.FAIL:
        return 0
    if verdict == Verdict.PASS:
        return 1
    return 3  # consistent with a claim registered to be refuted: not refuted, not proven
