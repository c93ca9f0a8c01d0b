r"""What a solver is: a name, what it supports (as data), and ``solve(problem) -> Solution``.

Capabilities are declared, not discovered by trying: a :class:`Requirements` lists the model
options a solver handles and the loss capabilities it needs (e.g. the certified solver needs the
loss's conjugate; see :mod:`nctheory.model.losses.base`).  ``supports(problem)`` checks them and
names every unmet field, so "not applicable" is a value, not a parsed error message.

A solver also says what its answers are worth:

* ``certifies`` -- an optimal answer carries a lower bound on the model's global optimum;
* ``exact`` -- it solves the model itself (not a relaxation or a bound), so ``method="auto"`` may
  pick it as the reference;
* ``nonconvex`` -- it solves the nonconvex problem locally (its answers are stationary points).

``refine(problem, solution)`` re-solves more tightly from a different start; the verification
engine uses the two answers to estimate how precisely positions are known
(:mod:`nctheory.verify.precision`).  Solvers that cannot refine return None.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from nctheory.model.options import Bias, Classifier, Constraint, Features
from nctheory.model.problem import Problem
from nctheory.solvers.result import Solution


@dataclass(frozen=True)
class Support:
    """Whether a solver handles a problem; ``reasons`` name the unmet fields (``"field: ..."``)."""

    ok: bool
    reasons: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ok

    def message(self) -> str:
        return "; ".join(self.reasons)


_ALL_BIAS = frozenset(Bias)
_ALL_FEATURES = frozenset(Features)
_ALL_CLASSIFIERS = frozenset(Classifier)
_ALL_CONSTRAINTS = frozenset(Constraint)


@dataclass(frozen=True)
class Requirements:
    """The models a solver handles, as data.

    Attributes
    ----------
    classifier, features, constraint, bias : frozenset
        Allowed option values.
    depth : tuple of int
        ``(min, max)`` depth M.
    loss_needs : frozenset of str
        Loss capabilities needed for every problem.
    bias_loss_needs : dict
        Extra loss capabilities per bias kind (e.g. a free bias needs ``"free-bias-dual"``).
    losses : frozenset of str or None
        Loss names handled (None: any loss with the capabilities above).
    """

    classifier: frozenset = _ALL_CLASSIFIERS
    features: frozenset = _ALL_FEATURES
    constraint: frozenset = _ALL_CONSTRAINTS
    bias: frozenset = _ALL_BIAS
    depth: tuple[int, int] = (1, 1)
    loss_needs: frozenset = frozenset()
    bias_loss_needs: dict = field(default_factory=dict)
    losses: frozenset | None = None

    def unmet(self, problem: Problem) -> list[str]:
        out = []
        for name, allowed in (("classifier", self.classifier), ("features", self.features),
                              ("constraint", self.constraint), ("bias", self.bias)):
            value = getattr(problem, name)
            if value not in allowed:
                out.append(f"{name}: {value.value!r} not handled (allowed: {', '.join(sorted(v.value for v in allowed))})")
        lo, hi = self.depth
        if not lo <= problem.depth <= hi:
            out.append(f"depth: {problem.depth} not handled (allowed: {lo}..{hi})")
        loss = problem.loss
        if self.losses is not None and loss.name not in self.losses:
            out.append(f"loss: {loss.name!r} not handled (allowed: {', '.join(sorted(self.losses))})")
        needs = set(self.loss_needs) | set(self.bias_loss_needs.get(problem.bias, ()))
        missing = sorted(needs - loss.capabilities())
        if missing:
            out.append(f"loss: {loss.name!r} lacks the capabilities {', '.join(missing)} this solver needs")
        return out


class Solver(ABC):
    """Base class of every solver (module doc).  Subclasses set the class attributes and ``solve``."""

    name: str = ""
    requires: Requirements = Requirements()
    certifies: bool = False
    exact: bool = True
    nonconvex: bool = False
    description: str = ""

    def supports(self, problem: Problem) -> Support:
        reasons = tuple(self.requires.unmet(problem)) + tuple(self.extra_unmet(problem))
        return Support(not reasons, reasons)

    def extra_unmet(self, problem: Problem) -> list[str]:
        """Conditions beyond :attr:`requires` (override when a solver has some)."""
        return []

    def check(self, problem: Problem) -> None:
        """Raise the ValueError ``problem: ...`` naming the unmet fields when unsupported."""
        if not isinstance(problem, Problem):
            raise ValueError(f"problem: expected a nctheory Problem, got {type(problem).__name__}")
        support = self.supports(problem)
        if not support:
            raise ValueError(f"problem: method {self.name!r} does not handle this model: {support.message()}")

    @abstractmethod
    def solve(self, problem: Problem, **options) -> Solution:
        """Solve ``problem``; options are solver-specific (ValueError naming a bad option)."""

    def refine(self, problem: Problem, solution: Solution, **options) -> Solution | None:
        """A tighter solve from a different start (for precision estimates); None when not possible."""
        return None

    #: Another solver whose option names this one shares (a claim's ``solver_options`` for that solver apply
    #: here too, e.g. the symmetric solver takes the dense certified solver's ``tol``).
    options_like: str | None = None

    def min_tol(self, problem: Problem) -> float | None:
        """The tightest ``tol`` this solver can honour on ``problem`` (its rounding floor), or None."""
        return None

    def describe(self) -> dict:
        return {"name": self.name, "certifies": self.certifies, "exact": self.exact, "nonconvex": self.nonconvex,
                "description": self.description}
