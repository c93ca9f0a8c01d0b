r"""What a claim is: a statement about the global minimizers of a model, with a
prediction that can be compared to an independent global solve.

A claim never solves anything itself.  ``predict(problem)`` evaluates the
closed form (or the small KKT system) the source states; ``observe(problem,
solution)`` reads the *same named quantities* off a solver's answer; the
verification engine (``nctheory.verify``) compares the two under the claim's
stated tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nctheory.problem import Problem

#: Provenance tags (catalogue preamble).  Every claim carries at least one.
PROVENANCE = {
    "abstract": "stated in the paper's abstract or summary; full text not available here",
    "authors-code": "appears in the authors' public code",
    "derived": "derived from the model and checked here against independent global solves",
    "recalled": "the paper's statement as recalled; wording and side conditions unconfirmed",
}


@dataclass(frozen=True)
class Tolerance:
    """Absolute and relative tolerance for one quantity, with the reason for its size.

    A check passes when ``|pred - obs| <= abs + rel * |pred|`` elementwise.

    ``certificate``, when given, is a function ``(problem, solution) -> float`` returning a
    *rigorous* bound on the observed quantity's distance to its value at the global optimum,
    derived from the solution's certificate (e.g. :func:`bias_distance_bound`); verification adds it
    to ``abs`` (see :meth:`effective`), so the tolerance grows with a looser certificate and shrinks
    with a tighter one.
    """

    abs: float
    rel: float
    why: str
    certificate: Callable | None = None

    def effective(self, problem, solution) -> "Tolerance":
        """This tolerance with the certificate-derived allowance for ``solution`` added to ``abs``."""
        if self.certificate is None or solution is None:
            return self
        extra = float(self.certificate(problem, solution))
        if not extra > 0:
            return self
        return Tolerance(self.abs + extra, self.rel, f"{self.why}; + {extra:.2e} from the certificate")

    def ok(self, predicted, observed) -> bool:
        p = np.asarray(predicted, dtype=float)
        o = np.asarray(observed, dtype=float)
        if p.shape != o.shape:
            return False
        return bool(np.all(np.abs(p - o) <= self.abs + self.rel * np.abs(p)))


def bias_distance_bound(problem, solution) -> float:
    r"""Rigorous bound :math:`\|b - b^*\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}` for a regularized bias.

    :math:`F(X, b) - \frac{\lambda_b}{2}\|b\|^2` is convex, so with :math:`0 \in \partial F(X^*, b^*)`,
    :math:`F(X, b) \ge F^* + \frac{\lambda_b}{2}\|b - b^*\|^2`; the certified gap bounds
    :math:`F(X, b) - F^*`.  Returns 0 (no allowance) without a regularized bias or a certificate.
    """
    if problem.bias != "regularized" or getattr(solution, "gap", None) is None:
        return 0.0
    return float(np.sqrt(2.0 * max(float(solution.gap), 0.0) / problem.lambda_b))


@dataclass(frozen=True)
class Prediction:
    """Named predicted quantities for one problem.

    ``quantities`` maps a name (e.g. ``"cos_w_AA"``, ``"gram_WW"``,
    ``"threshold_nB"``) to a float, a bool, or an ndarray.  ``notes`` says which
    branch of a formula was used (e.g. "s_B = 0: minority collapsed").
    """

    claim_id: str
    problem: Problem
    quantities: dict[str, Any]
    notes: str = ""


@dataclass(frozen=True)
class Claim:
    r"""One checkable statement.

    Attributes
    ----------
    id : str
        ``"<source>/<name>"``, e.g. ``"hong-ling/threshold"``.
    source : str
        Paper and arXiv number.
    provenance : tuple of str
        Keys of :data:`PROVENANCE`.
    statement : str
        The claim in words, with the formula.
    assumptions : callable(Problem) -> list[str]
        Unmet assumptions for this instance (empty list: the claim applies).
    predict : callable(Problem) -> Prediction
    observe : callable(Problem, Solution) -> dict
        The same named quantities as ``predict``, measured on a solution.
    methods : tuple of str
        Solver methods that give the reference answer, in order of preference
        (``"certified"``, ``"convex"``, ``"convex-sdp"``, ``"factored"``...).
    default_instances : callable() -> list[Problem]
        Instances ``nctheory check`` runs (kept small: check must stay fast).
    tolerances : dict
        Quantity name (or ``"*"`` default) -> :class:`Tolerance`.
    expected : {"true", "false"}
        ``"false"`` for claims the toolkit registers in order to refute them
        (e.g. "the ETF is the global minimizer of deep CE").
    sympy_forms : callable() -> dict or None
        Symbolic closed forms (sympy expressions) for proofs_check and docs.
    solver_options : dict
        ``{method: {option: value}}`` the reference solves need (e.g. the dot-regression
        loss for the fixed-ETF solver); verification passes them to the solver.
    sequence_checks : tuple of callable(Problem) -> result
        For claims about a sequence of instances (λ → 0, N → ∞): each callable solves the
        sequence that starts at the given problem and returns an object with ``ok``,
        ``certified`` and ``message``; verification records one boolean check per callable.
    """

    id: str
    source: str
    provenance: tuple[str, ...]
    statement: str
    assumptions: Callable[[Problem], list[str]]
    predict: Callable[[Problem], Prediction]
    observe: Callable[[Problem, Any], dict]
    methods: tuple[str, ...]
    default_instances: Callable[[], list[Problem]]
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    expected: str = "true"
    sympy_forms: Callable[[], dict] | None = None
    solver_options: dict = field(default_factory=dict)
    sequence_checks: tuple = ()

    def __post_init__(self):
        bad = [p for p in self.provenance if p not in PROVENANCE]
        if bad or not self.provenance:
            raise ValueError(f"provenance: unknown or missing tag(s) {bad}; allowed: {', '.join(PROVENANCE)}")
        if self.expected not in ("true", "false"):
            raise ValueError(f"expected: must be 'true' or 'false', got {self.expected!r}")

    def tolerance(self, quantity: str) -> Tolerance:
        """The tolerance for ``quantity`` (falls back to ``"*"``, then to 1e-6 abs/rel)."""
        if quantity in self.tolerances:
            return self.tolerances[quantity]
        if "*" in self.tolerances:
            return self.tolerances["*"]
        return Tolerance(1e-6, 1e-6, "default: certified solves reach relative gap 1e-10; "
                         "quantities derived from them agree to ~1e-7")

    def applies(self, problem: Problem) -> bool:
        return not self.assumptions(problem)

    def describe(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "provenance": list(self.provenance),
            "statement": self.statement,
            "methods": list(self.methods),
            "expected": self.expected,
        }
