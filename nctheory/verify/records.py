"""What a verification reports, as data: :class:`Evidence` (one reference solve as the verdict saw it) and
:class:`Verification` (the outcome of :func:`nctheory.verify.verify_claim` on one problem), each with its JSON
form and the reader of that form (``to_json`` / ``from_json``, the ``verify`` schema's ``verification``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nctheory.claims.base import Expectation
from nctheory.model.problem import Problem
from nctheory.verify.compare import Check
from nctheory.verify.verdict import Decision, Verdict, exit_code


@dataclass(frozen=True)
class Evidence:
    """One reference solve as the verdict saw it."""

    method: str
    status: str
    level: str
    certified: bool
    objective: float | None
    lower_bound: float | None
    gap: float | None
    rel_gap: float | None
    certificate: dict | None
    precision_from: str
    solves: int
    time_s: float
    note: str = ""

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data) -> "Evidence":
        """The evidence written by :meth:`to_json`, read back; ValueError ``<field>: ...``."""
        from nctheory.solvers.result import json_bool, json_field, json_int, json_number, json_object, json_str

        data = json_object(data, "evidence")
        cert = json_field(data, "certificate", optional=True)
        if cert is not None and not isinstance(cert, dict):
            raise ValueError(f"certificate: expected a JSON object or null, got {type(cert).__name__}")
        return cls(method=json_str(data, "method"), status=json_str(data, "status"), level=json_str(data, "level"),
                   certified=json_bool(data, "certified"), objective=json_number(data, "objective", optional=True),
                   lower_bound=json_number(data, "lower_bound", optional=True),
                   gap=json_number(data, "gap", optional=True), rel_gap=json_number(data, "rel_gap", optional=True),
                   certificate=None if cert is None else dict(cert),
                   precision_from=json_str(data, "precision_from"), solves=json_int(data, "solves"),
                   time_s=json_number(data, "time_s"), note=json_str(data, "note", optional=True) or "")


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_claim` on one problem."""

    claim_id: str
    expected: Expectation
    problem: Problem
    verdict: Verdict
    checks: list[Check]
    solutions: list[Evidence]
    unmet: list[str]
    notes: list[str] = field(default_factory=list)
    time_s: float = 0.0
    certified: bool = False
    reason: str = ""
    refutation: dict | None = None

    @property
    def as_expected(self) -> bool:
        """A true claim passes (or is consistent), or a claim registered to be refuted fails."""
        if self.expected == Expectation.TRUE:
            return self.verdict in (Verdict.PASS, Verdict.CONSISTENT)
        return self.verdict == Verdict.FAIL

    def exit_code(self, *, require_certified: bool = False) -> int:
        return exit_code(self.verdict, self.expected == Expectation.TRUE, require_certified=require_certified)

    def failing_checks(self) -> list[Check]:
        return [c for c in self.checks if c.decision != Decision.AGREE]

    def to_json(self) -> dict:
        return {
            "claim": self.claim_id,
            "expected": self.expected.value,
            "verdict": self.verdict.value,
            "certified": self.certified,
            "as_expected": self.as_expected,
            "reason": self.reason,
            "problem": self.problem.to_dict(),
            "unmet": list(self.unmet),
            "checks": [c.to_json() for c in self.checks],
            "solutions": [e.to_json() for e in self.solutions],
            "refutation": self.refutation,
            "notes": list(self.notes),
            "time_s": self.time_s,
        }

    @classmethod
    def from_json(cls, data) -> "Verification":
        """The verification written by :meth:`to_json` (or printed by ``nctheory verify --json``), read back.

        ``as_expected`` follows from ``expected`` and ``verdict``; the envelope and fields a reader does not know
        are ignored, a ``schema_version`` other than this package's is refused.  ValueError ``<field>: ...`` for
        a missing or malformed field (the problem's own fields as :meth:`Problem.from_dict
        <nctheory.model.problem.Problem.from_dict>` names them).
        """
        from nctheory.solvers.result import json_bool, json_field, json_number, json_object, json_str

        data = json_object(data, "verification")

        def enum(kind, key):
            v = json_field(data, key)
            try:
                return kind(v)
            except ValueError:
                raise ValueError(f"{key}: unknown {v!r}; allowed: {', '.join(m.value for m in kind)}") from None

        def strings(key):
            v = json_field(data, key)
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise ValueError(f"{key}: expected a list of strings")
            return list(v)

        def items(key, reader):
            v = json_field(data, key)
            if not isinstance(v, list):
                raise ValueError(f"{key}: expected a list")
            return [reader(x) for x in v]

        refutation = json_field(data, "refutation", optional=True)
        if refutation is not None and not isinstance(refutation, dict):
            raise ValueError(f"refutation: expected a JSON object or null, got {type(refutation).__name__}")
        return cls(claim_id=json_str(data, "claim"), expected=enum(Expectation, "expected"),
                   problem=Problem.from_dict(json_field(data, "problem")), verdict=enum(Verdict, "verdict"),
                   checks=items("checks", Check.from_json), solutions=items("solutions", Evidence.from_json),
                   unmet=strings("unmet"), notes=strings("notes"), time_s=json_number(data, "time_s"),
                   certified=json_bool(data, "certified"), reason=json_str(data, "reason"),
                   refutation=None if refutation is None else dict(refutation))
