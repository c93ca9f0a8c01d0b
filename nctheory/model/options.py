"""Model options as enums.

Each option is a :class:`enum.StrEnum`, so its members compare equal to (and serialise as) the
strings of the CLI/JSON contract: ``Bias.FREE == "free"`` and ``json.dumps(Bias.FREE) == '"free"'``.
Code branches on members; users may pass either form to :class:`~nctheory.model.problem.Problem`.
"""

from __future__ import annotations

from enum import StrEnum


class Bias(StrEnum):
    """How the classifier bias enters: absent, with a penalty :math:`(\\lambda_b/2)\\|b\\|^2`, or unpenalised."""

    NONE = "none"
    REGULARIZED = "regularized"
    FREE = "free"


class Features(StrEnum):
    """Unconstrained features, or non-negative (ReLU) features :math:`H \\ge 0`."""

    FREE = "free"
    RELU = "relu"


class Classifier(StrEnum):
    """A learned classifier (depth M), or the fixed simplex ETF of Yang et al."""

    LEARNED = "learned"
    FIXED_ETF = "fixed-etf"


class Constraint(StrEnum):
    """Penalties (weight decay), Fang et al.'s average norm budgets, or Yang et al.'s per-sample budget."""

    PENALTY = "penalty"
    AVERAGE = "average"
    PER_SAMPLE = "per-sample"


def parse_option(enum: type[StrEnum], field: str, value) -> StrEnum:
    """``value`` as a member of ``enum``; ValueError naming ``field`` and the allowed values otherwise."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValueError(f"{field}: unknown option {value!r}; allowed: {allowed}") from None
