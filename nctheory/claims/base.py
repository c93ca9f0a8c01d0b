r"""What a claim is: a statement about the global minimizers of a model, written as data.

A claim never solves anything.  It says

* where it applies (:class:`Requires`, one checker that names the field of every unmet condition);
* what it predicts (``predict(problem) -> Prediction``: named quantities, and optionally the
  objective of the minimiser it predicts, which lets any feasible point with a lower value refute it);
* how to read the same quantities off a solution (``observe``: reader names from the shared
  vocabulary :mod:`nctheory.observe`, or a function);
* which solver gives the reference answer, at which options, and how close prediction and truth must
  be (:class:`Tolerance`, each with its measured reason);
* where it comes from (source, provenance tags) and whether it is registered to be refuted.

The verification engine (:mod:`nctheory.verify`) does the rest, the same way for every claim.  A user's
claim is the same dataclass in the user's own file (``docs/examples/my_claims.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Iterable

import numpy as np

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.model.problem import Problem

#: Provenance tags (catalogue preamble).  Every claim carries at least one.
PROVENANCE = {
    "abstract": "stated in the paper's abstract or summary; full text not available here",
    "authors-code": "appears in the authors' public code",
    "derived": "derived from the model and checked here against independent global solves",
    "recalled": "the paper's statement as recalled; wording and side conditions unconfirmed",
    "user": "written by a user of nctheory (not part of the catalogue)",
}


class Expectation(StrEnum):
    """Whether a claim is registered as true, or registered in order to be refuted."""

    TRUE = "true"
    FALSE = "false"


# ------------------------------------------------------------------------------ requirements
def _allowed(name: str, value, allowed) -> str | None:
    if allowed is None or value in allowed:
        return None
    shown = ", ".join(sorted(str(getattr(a, "value", a)) for a in allowed))
    return f"{name}: the claim is about {shown}, got {getattr(value, 'value', value)!r}"


@dataclass(frozen=True)
class Requires:
    """Where a claim applies.  ``None`` means "any".  :meth:`unmet` names the field of each unmet condition.

    Attributes
    ----------
    loss : tuple of str
        Loss names (``"ce"``, ``"mse"``, ...).
    bias, features, classifier, constraint : tuple of option values
    depth : tuple of int
        ``(min, max)`` depth M.
    min_classes : int
    balanced : bool or None
        True: all sizes equal; False: not all equal.
    full_dim : bool
        The feature dimension must be unset or at least K (the reductions are exact there).
    conditions : tuple of callables
        Further conditions ``problem -> list[str]`` (messages start with the field name).
    """

    loss: tuple | None = None
    bias: tuple | None = None
    features: tuple | None = None
    classifier: tuple | None = None
    constraint: tuple | None = None
    depth: tuple[int, int] | None = None
    min_classes: int = 2
    balanced: bool | None = None
    full_dim: bool = False
    conditions: tuple = ()

    def unmet(self, problem: Problem) -> list[str]:
        out: list[str] = []
        if self.loss is not None and problem.loss.name not in self.loss:
            out.append(f"loss: the claim is about {', '.join(self.loss)}, got {problem.loss.name!r}")
        for name in ("bias", "features", "classifier", "constraint"):
            msg = _allowed(name, getattr(problem, name), getattr(self, name))
            if msg:
                out.append(msg)
        if self.depth is not None and not self.depth[0] <= problem.depth <= self.depth[1]:
            lo, hi = self.depth
            want = f"depth {lo}" if lo == hi else f"depth between {lo} and {hi}"
            out.append(f"depth: the claim is about {want}, got {problem.depth}")
        if problem.K < self.min_classes:
            out.append(f"sizes: the claim needs at least {self.min_classes} classes, got K = {problem.K}")
        if self.balanced is True and not problem.balanced:
            out.append("sizes: the claim is about balanced classes (all n_k equal)")
        if self.balanced is False and problem.balanced:
            out.append("sizes: the claim is about imbalanced classes (not all n_k equal)")
        if self.full_dim and problem.d is not None and problem.d < problem.K:
            out.append(f"d: the claim needs d >= K = {problem.K} (or d unset), got d = {problem.d}")
        for cond in self.conditions:
            out.extend(cond(problem))
        return out

    @staticmethod
    def ufm(loss: str | tuple = "ce", **kw) -> "Requires":
        """The plain UFM (learned classifier, depth 1, free features, penalties) with the given loss."""
        base = dict(loss=(loss,) if isinstance(loss, str) else tuple(loss), features=(Features.FREE,),
                    classifier=(Classifier.LEARNED,), constraint=(Constraint.PENALTY,), depth=(1, 1))
        base.update(kw)
        return Requires(**base)


ANY_BIAS = tuple(Bias)


# ------------------------------------------------------------------------------ tolerances
@dataclass(frozen=True)
class Tolerance:
    """How close prediction and truth must be for one quantity, with the reason for its size.

    The allowance of entry i is ``abs + rel * s_i (+ the certificate allowance)``, where ``s_i`` is
    ``|p_i|`` (``scale="entry"``) or ``max_j |p_j|`` (``scale="max"``: matrices, whose small entries
    are known only as well as the matrix).  ``scale=None`` picks ``"max"`` for 2-D arrays and
    ``"entry"`` otherwise.

    ``certificate``, when given, is a function ``(problem, solution) -> float`` returning a *rigorous*
    bound on the observed quantity's distance to its value at the global optimum, derived from the
    solution's certificate (e.g. :func:`bias_distance_bound`); it is added to ``abs``.
    """

    abs: float
    rel: float
    why: str
    certificate: Callable | None = None
    scale: str | None = None

    def __post_init__(self):
        if self.scale not in (None, "entry", "max"):
            raise ValueError(f"scale: must be None, 'entry' or 'max', got {self.scale!r}")
        for name in ("abs", "rel"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v >= 0):
                raise ValueError(f"{name}: a tolerance must be a finite number >= 0, got {v!r}")

    def certificate_allowance(self, problem, solution) -> float:
        if self.certificate is None or solution is None:
            return 0.0
        extra = float(self.certificate(problem, solution))
        return extra if extra > 0 else 0.0

    def allowance(self, predicted, extra: float = 0.0) -> np.ndarray:
        """Per-entry allowance for ``predicted`` (see class doc)."""
        p = np.abs(np.asarray(predicted, dtype=float))
        scale = self.scale or ("max" if p.ndim >= 2 else "entry")
        s = np.full_like(p, float(p.max()) if p.size else 0.0) if scale == "max" else p
        return self.abs + extra + self.rel * s

    def to_json(self, extra: float = 0.0) -> dict:
        return {"abs": self.abs + extra, "rel": self.rel, "scale": self.scale, "why": self.why,
                "certificate_allowance": extra}


def bias_distance_bound(problem, solution) -> float:
    r"""Rigorous bound :math:`\|b - b^*\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}` for a regularized bias.

    :math:`F(X, b) - \frac{\lambda_b}{2}\|b\|^2` is convex, so with :math:`0 \in \partial F(X^*, b^*)`,
    :math:`F(X, b) \ge F^* + \frac{\lambda_b}{2}\|b - b^*\|^2`; the certified gap bounds
    :math:`F(X, b) - F^*`.  Returns 0 (no allowance) without a regularized bias or a certificate.
    """
    if problem.bias != Bias.REGULARIZED or getattr(solution, "gap", None) is None:
        return 0.0
    return float(np.sqrt(2.0 * max(float(solution.gap), 0.0) / problem.lambda_b))


#: Used when a claim states no tolerance for a quantity.
DEFAULT_TOLERANCE = Tolerance(1e-6, 1e-6, "default: certified solves reach relative gap 1e-10; quantities derived "
                                          "from them agree to ~1e-7")


# ------------------------------------------------------------------------------ prediction
@dataclass(frozen=True)
class Prediction:
    """Named predicted quantities for one problem.

    ``quantities`` maps a name (e.g. ``"cos_w_AA"``, ``"gram_WW"``) to a float, a bool, or an
    ndarray.  ``notes`` says which branch of a formula was used.  ``objective``, when given, is the
    objective of a *feasible point* of the predicted form (the claim says it is the global minimum):
    any solution with a lower objective refutes the claim, certified or not.
    """

    claim_id: str
    problem: Problem
    quantities: dict[str, Any]
    notes: str = ""
    objective: float | None = None


# ------------------------------------------------------------------------------ the claim
@dataclass(frozen=True)
class Claim:
    r"""One checkable statement (module doc).

    Attributes
    ----------
    id : str
        ``"<source>/<name>"``, e.g. ``"hong-ling/threshold"``.
    source : str
        Paper and arXiv number (or "user").
    provenance : tuple of str
        Keys of :data:`PROVENANCE`.
    statement : str
        The claim in words, with the formula.
    requires : Requires
        Where the claim applies.
    predict : callable(Problem) -> Prediction
    observe : tuple of str or callable(Problem, Solution) -> dict
        Reader names of :mod:`nctheory.observe` (the observed quantity of each has the reader's name),
        or a function returning the same named quantities as ``predict``.
    reference : tuple of str
        Solver methods that give the reference answer, in order of preference (``"auto"`` = the exact
        solver for the model).
    defaults : callable() -> list[Problem]
        Instances ``nctheory check`` runs (kept small: check must stay fast).
    tolerances : dict
        Quantity name (or ``"*"`` default) -> :class:`Tolerance`.
    expected : Expectation
        ``FALSE`` for claims registered to be refuted.
    symbolic : callable() -> dict or None
        Symbolic closed forms (sympy expressions); ``proofs_check`` and the contract test use them.
    numeric : callable() -> dict or None
        ``name -> (function, symbols)``: the numeric form the code evaluates for each symbolic form, so
        the contract test can check that the lambdified symbolic form equals what runs.
    solver_options : dict
        ``{method: {option: value}}`` the reference solves need.
    experiments : tuple of callable(Problem) -> result
        Checks along a sequence of instances (λ → 0, N → ∞): each returns an object with ``ok``,
        ``certified`` and ``message``; verification records one boolean check per callable.
    """

    id: str
    source: str
    provenance: tuple[str, ...]
    statement: str
    requires: Requires
    predict: Callable[[Problem], Prediction]
    observe: Any
    reference: tuple[str, ...] = ("auto",)
    defaults: Callable[[], list[Problem]] = field(default=lambda: [])
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    expected: Expectation = Expectation.TRUE
    symbolic: Callable[[], dict] | None = None
    numeric: Callable[[], dict] | None = None
    solver_options: dict = field(default_factory=dict)
    experiments: tuple = ()

    def __post_init__(self):
        if not isinstance(self.id, str) or "/" not in self.id:
            raise ValueError(f"id: a claim id is '<source>/<name>', got {self.id!r}")
        bad = [p for p in self.provenance if p not in PROVENANCE]
        if bad or not self.provenance:
            raise ValueError(f"provenance: unknown or missing tag(s) {bad}; allowed: {', '.join(PROVENANCE)}")
        try:
            object.__setattr__(self, "expected", Expectation(self.expected))
        except ValueError:
            raise ValueError(f"expected: must be 'true' or 'false', got {self.expected!r}") from None
        if not isinstance(self.requires, Requires):
            raise ValueError(f"requires: expected a Requires, got {type(self.requires).__name__}")
        if isinstance(self.reference, str):
            object.__setattr__(self, "reference", (self.reference,))
        if not callable(self.observe):
            names = tuple(self.observe)
            from nctheory.observe import unknown_readers

            missing = unknown_readers(names)
            if missing:
                raise ValueError(f"observe: unknown reader(s) {', '.join(missing)} (see nctheory.observe.READERS)")
            object.__setattr__(self, "observe", names)

    # -------------------------------------------------------------------- use
    def assumptions(self, problem: Problem) -> list[str]:
        """Unmet requirements for ``problem`` (empty: the claim applies)."""
        return self.requires.unmet(problem)

    def applies(self, problem: Problem) -> bool:
        return not self.assumptions(problem)

    def observed(self, problem: Problem, solution) -> dict:
        """The observed quantities on ``solution`` (through the readers or the claim's function)."""
        if callable(self.observe):
            return self.observe(problem, solution)
        from nctheory.observe import read

        return {name: read(name, problem, solution) for name in self.observe}

    def tolerance(self, quantity: str) -> Tolerance:
        """The tolerance for ``quantity`` (falls back to ``"*"``, then to :data:`DEFAULT_TOLERANCE`)."""
        if quantity in self.tolerances:
            return self.tolerances[quantity]
        return self.tolerances.get("*", DEFAULT_TOLERANCE)

    def default_instances(self) -> list[Problem]:
        return list(self.defaults())

    @property
    def methods(self) -> tuple[str, ...]:
        return self.reference

    def reference_for(self, problem: Problem) -> str:
        """The first reference method as run on ``problem``: its grouped variant where that applies
        (:func:`~nctheory.solvers.registry.preferred_method`), so a claim written against a dense certified solver
        is checked at K = 10⁵ by the symmetry-reduced one, with a certificate for the same K-class problem."""
        from nctheory.solvers.registry import preferred_method

        return preferred_method(self.reference[0], problem)

    def describe(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "provenance": list(self.provenance),
            "statement": self.statement,
            "methods": list(self.reference),
            "expected": self.expected.value,
        }


def requires_from(fn: Callable[[Problem], Iterable[str]]) -> Requires:
    """A :class:`Requires` whose only condition is ``fn`` (for requirements no field list expresses)."""
    return Requires(conditions=(lambda p: list(fn(p)),))
