"""The outcome of locating one onset: predicted and located values, the bracket, every evaluation's evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from nctheory.model import Problem


@dataclass(frozen=True)
class OnsetResult:
    r"""A located onset beside the predicted one.

    Attributes
    ----------
    claim_id, variable : str
    problem : Problem
        The problem the family was built from (the other parameters are its own).
    predicted : float
        The claim's onset for the family.
    located : float or None
        Midpoint of the final bracket of a conclusive bisection (None when it stopped undecided).
    bracket : tuple of float
        The last bracket :math:`[a, b]` whose ends had different certified states (the initial bracket when the
        ends could not be decided).
    rel_error : float or None
        :math:`|x_{\rm located} - x_{\rm predicted}|/|x_{\rm predicted}|`.
    conclusive : bool
        Every evaluation decided a state and the bracket reached ``rtol`` (or float resolution).
    message : str
    rtol : float
        Requested relative width of the final bracket.
    method : str
        The method of the predicate's solves.
    evaluations : list of Evaluation
    state : str
        The onset state in words.
    onset_above : bool
    formula : str
    time_s : float
    """

    claim_id: str
    variable: str
    problem: Problem
    predicted: float
    located: float | None
    bracket: tuple
    rel_error: float | None
    conclusive: bool
    message: str
    rtol: float
    method: str
    evaluations: list = field(default_factory=list)
    state: str = ""
    onset_above: bool = True
    formula: str = ""
    time_s: float = 0.0

    @property
    def certified(self) -> bool:
        """Every evaluation was decided on a certified solve (a conclusive search has only such evaluations)."""
        return bool(self.evaluations) and all(e.certified and e.state is not None for e in self.evaluations)

    @property
    def predicted_in_bracket(self) -> bool:
        a, b = self.bracket
        return bool(a <= self.predicted <= b)

    def agrees(self, agree: float) -> bool:
        """Conclusive and :math:`|x_{\\rm located} - x_{\\rm predicted}| \\le` ``agree`` · :math:`|x_{\\rm predicted}|`."""
        return bool(self.conclusive and self.rel_error is not None and self.rel_error <= agree)

    def bracket_evidence(self) -> dict:
        r"""What the final bracket :math:`[a, b]` proves about the predicted onset :math:`x^*`.

        ``bracket_certified``: both ends were decided on certified solves, in different states (the onset lies in
        :math:`[a, b]` as far as those decisions go).  ``prediction_distance``:
        :math:`\operatorname{dist}(x^*, [a, b])/x^*` (0 inside).  ``max_rel_error``:
        :math:`\max(|a - x^*|, |b - x^*|)/x^*`, the largest relative error any onset in the bracket can have.
        """
        a, b = self.bracket
        x = self.predicted
        def state_at(x):
            # an evaluation records the variable as read back from its problem (e.g. R = n_A/n_B), which can
            # differ from the bisection's x in the last bits: matched to 1e-12 relative (points are >= rtol apart)
            hits = [e.state for e in self.evaluations
                    if e.certified and e.state is not None and abs(e.x - x) <= 1e-12 * abs(x)]
            return hits[0] if hits else None

        sa, sb = state_at(a), state_at(b)
        ok = sa is not None and sb is not None and sa != sb
        dist = 0.0 if a <= x <= b else min(abs(x - a), abs(x - b))
        return {"bracket_certified": bool(ok), "prediction_distance": dist / abs(x),
                "max_rel_error": max(abs(a - x), abs(b - x)) / abs(x)}

    def outcome(self, agree: float) -> str:
        """``agree`` when every onset in a certified final bracket is within ``agree`` (relative) of the
        prediction, ``disagree`` when the prediction lies farther than ``agree`` outside it, else ``inconclusive``
        (an end not decided, or the bracket too wide to tell at this tolerance)."""
        ev = self.bracket_evidence()
        if not ev["bracket_certified"]:
            return "inconclusive"
        if ev["max_rel_error"] <= agree:
            return "agree"
        if ev["prediction_distance"] > agree:
            return "disagree"
        return "inconclusive"

    def to_json(self) -> dict:
        """JSON keys: ``claim``, ``variable``, ``predicted``, ``located``, ``bracket``, ``rel_error``, ``conclusive``,
        ``certified``, ``predicted_in_bracket``, ``bracket_rel_width``, ``message``, ``rtol``, ``method``, ``state``,
        ``onset_state_above``, ``formula``, ``evaluations`` (each: ``x``, ``state``, ``certified``, ``method``,
        ``status``, ``rel_gap``, ``gap``, ``measure``, ``reason``, ``time_s``), ``problem``, ``time_s``."""
        from nctheory.present.serialize import jsonable

        a, b = self.bracket
        return jsonable({
            "claim": self.claim_id, "variable": self.variable, "predicted": self.predicted, "located": self.located,
            "bracket": [a, b], "rel_error": self.rel_error, "conclusive": self.conclusive,
            "certified": self.certified, "predicted_in_bracket": self.predicted_in_bracket,
            "bracket_rel_width": (b - a) / abs(self.predicted) if self.predicted else None,
            "message": self.message, "rtol": self.rtol, "method": self.method, "state": self.state,
            "onset_state_above": self.onset_above, "formula": self.formula,
            "evaluations": [e.to_json() for e in self.evaluations], "problem": self.problem.to_dict(),
            "time_s": self.time_s,
        })
