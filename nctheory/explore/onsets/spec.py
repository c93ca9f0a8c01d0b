r"""What an onset is: a claim, a variable, the predicted value, and a predicate decided on certified solves.

A claim that states an onset ("the minority collapses iff λ ≥ √n_B/N") is checked by varying one parameter of a
problem, keeping the others, and locating where the claimed state switches.  An :class:`OnsetSpec` says

* which claim and which **variable** (:data:`VARIABLES`: the names the CLI's ``--vary`` takes);
* how the variable is read off a problem (``value``) and set (``at``; class sizes become real numbers, see
  ``Problem(real_sizes=True)``);
* the **predicted** onset (``predict``, the claim's own formula);
* the **predicate** (``decide``): a certified solve at one value of the variable and the state it shows --
  True (the claim's onset state: collapsed, zero, ...), False, or None (undecided: the solve did not certify,
  or its answer lies in the band between the two states' thresholds, or the certificate cannot tell the two
  states apart).  Undecided stops the bisection (:func:`~nctheory.explore.onsets.locate.locate_onset`).

The predicate never uses the predicted value; only the default bracket does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from nctheory.model import Problem

#: The variables an onset can be located in (``nctheory threshold --vary NAME``).
VARIABLES = {
    "lambda": "λ = √(λ_Wλ_H); both penalties scaled together (their ratio kept)",
    "tau": "Dang et al. 2024's τ = K N²λ_Wλ_H/(K−1), varied through λ (ratio λ_W/λ_H kept)",
    "n_B": "the size of every class of the minority cluster (a real number; the other sizes kept)",
    "n_A": "the size of every class of the majority cluster (a real number; the other sizes kept)",
    "n": "the common class size of a balanced problem (a real number)",
    "R": "the imbalance ratio n_A/n_B of a two-cluster problem (n_B kept; only the weights π matter)",
    "E": "the budget product E_W·E_H of the layer-peeled model (the ratio E_W/E_H kept)",
}


def check_variable(variable: str) -> str:
    """``variable`` if it is one of :data:`VARIABLES`, else ValueError naming the field ``variable``."""
    if variable not in VARIABLES:
        raise ValueError(f"variable: unknown {variable!r}; allowed: {', '.join(VARIABLES)}")
    return variable


@dataclass(frozen=True)
class Evaluation:
    """One predicate evaluation: the solve(s) at one value of the variable and the state decided from them.

    Attributes
    ----------
    x : float
        Value of the variable.
    state : bool or None
        True: the claim's onset state (collapsed / zero); False: not; None: undecided.
    certified : bool
        The deciding solve is certified (status optimal with a lower bound at the accepted relative gap).
    method : str
        The deciding solve's method.
    status : str
    rel_gap, gap : float or None
        The certified relative and absolute gaps (None without a certificate).
    measure : float or None
        The order parameter read off the solution (e.g. a within-cluster spectral ratio; 0 in the onset state).
    reason : str
        Why the state was decided (or not).
    time_s : float
    extra : dict
        Predicate-specific numbers (thresholds, the other configuration's objective, ...).
    """

    x: float
    state: bool | None
    certified: bool
    method: str
    status: str
    rel_gap: float | None
    gap: float | None
    measure: float | None
    reason: str
    time_s: float = 0.0
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        from nctheory.present.serialize import jsonable

        return jsonable({"x": self.x, "state": self.state, "certified": self.certified, "method": self.method,
                         "status": self.status, "rel_gap": self.rel_gap, "gap": self.gap, "measure": self.measure,
                         "reason": self.reason, "time_s": self.time_s, **({"extra": self.extra} if self.extra else {})})


def undecided(x: float, reason: str, *, method: str = "", status: str = "", certified: bool = False,
              rel_gap=None, gap=None, measure=None, time_s: float = 0.0, extra=None) -> Evaluation:
    """An :class:`Evaluation` with ``state=None``."""
    return Evaluation(float(x), None, certified, method, status, rel_gap, gap, measure, reason, time_s, extra or {})


@dataclass(frozen=True)
class OnsetSpec:
    r"""One claim's onset in one variable (module doc).

    Attributes
    ----------
    claim_id : str
    variable : str
        A key of :data:`VARIABLES`.
    state : str
        The onset state in words (what ``decide`` returning True means), e.g. "minority cluster collapsed".
    formula : str
        The predicted onset with its maths, e.g. "λ* = √n_B/N".
    unmet : callable(Problem) -> list of str
        Why the spec does not apply to a problem (messages start with the field name); empty if it does.
    predict : callable(Problem) -> float
        The predicted onset for the problem's family; ValueError naming the field when there is none.
    value : callable(Problem) -> float
        The variable's value at the problem.
    at : callable(Problem, float) -> Problem
        The problem with the variable set to a value.
    decide : callable(Problem, **options) -> Evaluation
        The predicate at a problem produced by ``at``.  Keyword options: ``method`` (one of ``methods``),
        ``watched`` (what :attr:`watch` returned for the family's problem) and method-specific solver options.
    watch : callable(Problem) -> object
        The classes whose state the predicate reads, fixed on the family's problem (a varied size may cross
        another, so the cluster is not recomputed at every value).
    onset_above : bool
        True if the onset state holds for values at or above the onset (λ ≥ λ*), False if at or below
        (n_B ≤ n_B*).
    domain : callable(Problem) -> (float, float)
        Open interval of values where the statement is about one switch (e.g. n_B below the vertex of a
        quadratic, R ≥ 1).
    methods : tuple of str
        Methods ``decide`` accepts; the first is the default.
    resolution : str
        How finely the predicate can decide near the onset, and why (measured), for the report.
    """

    claim_id: str
    variable: str
    state: str
    formula: str
    unmet: Callable[[Problem], list]
    predict: Callable[[Problem], float]
    value: Callable[[Problem], float]
    at: Callable[[Problem, float], Problem]
    decide: Callable[..., Evaluation]
    watch: Callable[[Problem], Any] = field(default=lambda p: None)
    onset_above: bool = True
    domain: Callable[[Problem], tuple] = field(default=lambda p: (0.0, math.inf))
    methods: tuple = ("certified",)
    resolution: str = ""
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        check_variable(self.variable)
        if "/" not in self.claim_id:
            raise ValueError(f"claim_id: a claim id is '<source>/<name>', got {self.claim_id!r}")

    @property
    def key(self) -> tuple[str, str]:
        return self.claim_id, self.variable

    def describe(self) -> dict[str, Any]:
        return {"claim": self.claim_id, "variable": self.variable, "variable_meaning": VARIABLES[self.variable],
                "state": self.state, "formula": self.formula, "onset_state_above": self.onset_above,
                "methods": list(self.methods), "resolution": self.resolution}
