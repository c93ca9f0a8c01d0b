"""Losses by name: the built-ins and any a user registers.

``get_loss("ce")`` returns the registered loss; ``loss_from_json`` reads what ``Loss.to_json`` wrote.
A user's loss becomes available to ``Problem(loss=...)``, the CLI's ``--loss`` and JSON files once
registered with :func:`register_loss` (e.g. in a ``--claims`` file).
"""

from __future__ import annotations

from nctheory.model.losses.base import Loss
from nctheory.model.losses.cross_entropy import CrossEntropy
from nctheory.model.losses.dot_regression import DotRegression
from nctheory.model.losses.label_smoothing import LabelSmoothing
from nctheory.model.losses.squared_error import SquaredError
from nctheory.model.losses.vector_scaling import VectorScaling

_REGISTRY: dict[str, type[Loss]] = {}


def register_loss(cls: type[Loss], *, replace: bool = False) -> type[Loss]:
    """Register a :class:`Loss` subclass under ``cls.name`` (usable as a decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Loss)) or not cls.name:
        raise ValueError(f"loss: expected a Loss subclass with a name, got {cls!r}")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls and not replace:
        raise ValueError(f"loss: the name {cls.name!r} is already registered by {_REGISTRY[cls.name].__qualname__}")
    _REGISTRY[cls.name] = cls
    return cls


for _cls in (CrossEntropy, SquaredError, DotRegression, VectorScaling, LabelSmoothing):
    register_loss(_cls)


def loss_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get_loss(spec) -> Loss:
    """A Loss from a Loss (returned as is), a registered name, or ``{"name": ..., **params}``."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        if spec not in _REGISTRY:
            raise ValueError(f"loss: unknown option {spec!r}; allowed: {', '.join(_REGISTRY)}")
        return _REGISTRY[spec]()
    if isinstance(spec, dict):
        params = dict(spec)
        name = params.pop("name", None)
        if name not in _REGISTRY:
            raise ValueError(f"loss: unknown option {name!r}; allowed: {', '.join(_REGISTRY)}")
        try:
            return _REGISTRY[name](**{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})
        except TypeError as exc:
            raise ValueError(f"loss: bad parameters for {name!r}: {exc}") from None
    raise ValueError(f"loss: expected a loss name, a Loss or a dict, got {type(spec).__name__}")


loss_from_json = get_loss
