r"""The model instance every claim and solver works on.

Canonical convention (catalogue §0).  For K classes with sizes
:math:`n_1, \dots, n_K`, :math:`N = \sum_k n_k`, the unconstrained feature model is

.. math::

    f(W, H, b) = \frac1N \sum_k \sum_{i=1}^{n_k} \ell(W h_{k,i} + b, k)
        + \frac{\lambda_W}{2}\|W\|_F^2 + \frac{\lambda_H}{2}\|H\|_F^2
        + \frac{\lambda_b}{2}\|b\|^2 ,

with :math:`\ell` = CE (:math:`\operatorname{logsumexp}(z) - z_k`) or MSE
(:math:`\tfrac12\|z - e_k\|^2`) and :math:`\|H\|_F^2` **summed** over samples.

Variants, all expressed by fields of :class:`Problem`:

* ``bias``: ``"none"``, ``"regularized"`` (``lambda_b > 0``) or ``"free"``
  (no penalty on ``b``).
* ``features``: ``"free"`` or ``"relu"`` (:math:`H \ge 0`).
* ``classifier``: ``"learned"`` or ``"fixed-etf"`` (``W`` is the simplex ETF with
  row norms :math:`\sqrt{E_W}`; only ``H`` is optimised).
* ``depth`` M: the classifier is a product :math:`W_M \cdots W_1` with a penalty
  :math:`(\lambda_W/2)\|W_i\|^2` on every layer (deep linear UFM).
* ``constraint``: ``"penalty"`` (the formula above), ``"average"`` (Fang et al.'s
  layer-peeled model: :math:`\frac1K\sum_k\|w_k\|^2 \le E_W`,
  :math:`\frac1K\sum_k \frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H`, no penalties) or
  ``"per-sample"`` (Yang et al.: :math:`\|h_{k,i}\|^2 \le E_H`, fixed classifier).

Conversions from the conventions other sources use are the ``from_*``
constructors below; each one says exactly what it rescales.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

import numpy as np

LOSSES = ("ce", "mse")
BIASES = ("none", "regularized", "free")
FEATURES = ("free", "relu")
CLASSIFIERS = ("learned", "fixed-etf")
CONSTRAINTS = ("penalty", "average", "per-sample")

_SIZE_ITEM = re.compile(r"^\s*(\d+)\s*(?:x\s*(\d+))?\s*$")


def parse_sizes(text: str) -> tuple[int, ...]:
    """Parse class sizes from the CLI form.

    ``"200,100,50,50"`` lists every class; ``"500x5,100x5"`` means five
    classes of 500 then five of 100 (the count comes after ``x``).

    Raises
    ------
    ValueError
        Naming the field ``sizes`` and the accepted forms.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("sizes: expected a list like '200,100,50,50' or '500x5,100x5', got an empty value")
    sizes: list[int] = []
    for item in text.split(","):
        m = _SIZE_ITEM.match(item)
        if m is None:
            raise ValueError(
                f"sizes: cannot read {item.strip()!r}; each item must be a positive integer "
                "'n' or 'nxc' (c classes of size n), e.g. '200,100,50,50' or '500x5,100x5'"
            )
        n = int(m.group(1))
        count = int(m.group(2)) if m.group(2) is not None else 1
        if count < 1:
            raise ValueError(f"sizes: class count in {item.strip()!r} must be at least 1")
        sizes.extend([n] * count)
    return validate_sizes(sizes)


def validate_sizes(sizes: Iterable) -> tuple[int, ...]:
    try:
        raw = list(sizes)
    except TypeError:
        raise ValueError("sizes: expected a sequence of positive integers") from None
    out: list[int] = []
    for i, n in enumerate(raw):
        if isinstance(n, bool):
            raise ValueError(f"sizes: entry {i} is a bool; class sizes must be positive integers")
        if isinstance(n, (float, np.floating)):
            if not math.isfinite(n) or n != int(n):
                raise ValueError(f"sizes: entry {i} = {n!r} is not an integer; class sizes count samples")
            n = int(n)
        if not isinstance(n, (int, np.integer)):
            raise ValueError(f"sizes: entry {i} = {n!r} is not an integer")
        if n <= 0:
            raise ValueError(f"sizes: entry {i} = {n} must be a positive integer (at least 1 sample per class)")
        out.append(int(n))
    if len(out) < 2:
        raise ValueError(f"sizes: need at least K = 2 classes, got K = {len(out)}")
    return tuple(out)


def _check_nonneg(name: str, value, *, positive: bool = False, allow_none: bool = False):
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{name}: a value is required")
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a real number, got a bool")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a real number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    if positive and v <= 0:
        raise ValueError(f"{name}: must be > 0, got {v!r}")
    if v < 0:
        raise ValueError(f"{name}: must be >= 0, got {v!r}")
    return v


def _check_choice(name: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}: unknown option {value!r}; allowed: {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Problem:
    r"""An immutable, validated model instance (canonical convention, see module doc).

    Parameters
    ----------
    sizes : tuple of int
        Class sizes :math:`n_k \ge 1`, at least two classes.
    lambda_w, lambda_h : float
        Penalties :math:`\lambda_W, \lambda_H > 0` (``constraint="penalty"``).
        Ignored (and may be 0) under the layer-peeled constraints.
    loss : {"ce", "mse"}
    bias : {"none", "regularized", "free"}
    lambda_b : float
        Bias penalty; must be > 0 iff ``bias == "regularized"``.
    features : {"free", "relu"}
    classifier : {"learned", "fixed-etf"}
    depth : int
        Number M >= 1 of linear classifier layers.
    d : int or None
        Feature dimension. ``None`` means "large enough for the model": K for most
        models (so every reduction is exact), 2K for ReLU features.
    constraint : {"penalty", "average", "per-sample"}
    e_w, e_h : float or None
        Norm budgets :math:`E_W, E_H > 0` for the layer-peeled constraints; ``e_w``
        also sets the row norm :math:`\sqrt{E_W}` of the fixed ETF classifier
        (default 1).
    """

    sizes: tuple[int, ...]
    lambda_w: float = 5e-4
    lambda_h: float = 5e-4
    loss: str = "ce"
    bias: str = "none"
    lambda_b: float = 0.0
    features: str = "free"
    classifier: str = "learned"
    depth: int = 1
    d: int | None = None
    constraint: str = "penalty"
    e_w: float | None = None
    e_h: float | None = None
    _n: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 (frozen dataclass)
        set_("sizes", validate_sizes(self.sizes))
        _check_choice("loss", self.loss, LOSSES)
        _check_choice("bias", self.bias, BIASES)
        _check_choice("features", self.features, FEATURES)
        _check_choice("classifier", self.classifier, CLASSIFIERS)
        _check_choice("constraint", self.constraint, CONSTRAINTS)
        if isinstance(self.depth, bool) or not isinstance(self.depth, (int, np.integer)) or self.depth < 1:
            raise ValueError(f"depth: must be an integer M >= 1, got {self.depth!r}")
        set_("depth", int(self.depth))
        penalised = self.constraint == "penalty"
        set_("lambda_w", _check_nonneg("lambda_w", self.lambda_w, positive=penalised and self.classifier == "learned"))
        set_("lambda_h", _check_nonneg("lambda_h", self.lambda_h, positive=penalised))
        set_("lambda_b", _check_nonneg("lambda_b", self.lambda_b))
        if self.bias == "regularized" and self.lambda_b <= 0:
            raise ValueError("lambda_b: bias='regularized' needs lambda_b > 0 (use bias='free' for an unpenalised bias)")
        if self.bias != "regularized" and self.lambda_b != 0:
            raise ValueError(f"lambda_b: a bias penalty {self.lambda_b} needs bias='regularized', got bias={self.bias!r}")
        set_("e_w", _check_nonneg("e_w", self.e_w, positive=True, allow_none=True))
        set_("e_h", _check_nonneg("e_h", self.e_h, positive=True, allow_none=True))
        if self.constraint != "penalty":
            if self.e_h is None:
                raise ValueError(f"e_h: constraint={self.constraint!r} needs a feature budget e_h > 0")
            if self.constraint == "average" and self.e_w is None and self.classifier == "learned":
                raise ValueError("e_w: constraint='average' with a learned classifier needs e_w > 0")
            if self.constraint == "per-sample" and self.classifier != "fixed-etf":
                raise ValueError("constraint: 'per-sample' (Yang et al.) is defined for classifier='fixed-etf' only")
        if self.depth > 1 and self.classifier == "fixed-etf":
            raise ValueError("depth: a fixed-ETF classifier has a single layer; use depth=1")
        if self.depth > 1 and self.constraint != "penalty":
            raise ValueError("depth: deep linear classifiers are defined with penalties only (constraint='penalty')")
        if self.d is not None:
            if isinstance(self.d, bool) or not isinstance(self.d, (int, np.integer)):
                raise ValueError(f"d: must be a positive integer, got {self.d!r}")
            set_("d", int(self.d))
            if self.d < self.min_dim:
                raise ValueError(
                    f"d: {self.d} is too small for this model; need d >= {self.min_dim} ({self._min_dim_reason})"
                )
        object.__setattr__(self, "_n", np.asarray(self.sizes, dtype=np.float64))

    # ----------------------------------------------------------------- derived
    @property
    def K(self) -> int:
        """Number of classes."""
        return len(self.sizes)

    @property
    def N(self) -> int:
        """Total number of samples."""
        return int(sum(self.sizes))

    @property
    def n(self) -> np.ndarray:
        """Class sizes as a float64 vector (a copy)."""
        return self._n.copy()

    @property
    def weights(self) -> np.ndarray:
        """Class proportions :math:`\\pi_k = n_k / N`."""
        return self._n / self.N

    @property
    def lam(self) -> float:
        r""":math:`\lambda = \sqrt{\lambda_W \lambda_H}`, the nuclear-norm weight of reduction R2."""
        return math.sqrt(self.lambda_w * self.lambda_h)

    @property
    def has_bias(self) -> bool:
        return self.bias != "none"

    @property
    def balanced(self) -> bool:
        return len(set(self.sizes)) == 1

    @property
    def min_dim(self) -> int:
        """Smallest feature dimension for which the model is defined here."""
        if self.classifier == "fixed-etf":
            return self.K - 1
        return 1

    @property
    def _min_dim_reason(self) -> str:
        if self.classifier == "fixed-etf":
            return "a simplex ETF of K vectors needs d >= K-1"
        return "d must be positive"

    @property
    def dim(self) -> int:
        """The feature dimension in use: ``d`` if given, else K (2K for ReLU features)."""
        if self.d is not None:
            return self.d
        return 2 * self.K if self.features == "relu" else self.K

    @property
    def labels(self) -> np.ndarray:
        """Sample labels ``0..K-1`` in class order (length N)."""
        return np.repeat(np.arange(self.K), self.sizes)

    def with_(self, **changes) -> "Problem":
        """A validated copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """JSON-ready description (the inverse of ``Problem(**d)``)."""
        return {
            "sizes": list(self.sizes),
            "lambda_w": self.lambda_w,
            "lambda_h": self.lambda_h,
            "loss": self.loss,
            "bias": self.bias,
            "lambda_b": self.lambda_b,
            "features": self.features,
            "classifier": self.classifier,
            "depth": self.depth,
            "d": self.d,
            "constraint": self.constraint,
            "e_w": self.e_w,
            "e_h": self.e_h,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        """Build from :meth:`to_dict` output; unknown keys are an error."""
        known = {f for f in cls.__dataclass_fields__ if not f.startswith("_")}
        extra = set(data) - known
        if extra:
            raise ValueError(f"{sorted(extra)[0]}: unknown field; allowed: {', '.join(sorted(known))}")
        data = dict(data)
        if "sizes" in data:
            data["sizes"] = tuple(data["sizes"])
        return cls(**data)

    # ------------------------------------------------------------ conversions
    @classmethod
    def from_no_half_penalties(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        r"""Sources that write :math:`\lambda_W\|W\|^2 + \lambda_H\|H\|^2 + \lambda_b\|b\|^2` (no ½).

        E.g. Hong & Ling's code. Same minimisers as the canonical problem with every
        penalty doubled: :math:`\lambda^{\rm canon} = 2\lambda^{\rm src}`; objectives are equal.
        """
        if lambda_b and "bias" not in kw:
            kw["bias"] = "regularized"
        return cls(sizes=sizes, lambda_w=2.0 * float(lambda_w), lambda_h=2.0 * float(lambda_h),
                   lambda_b=2.0 * float(lambda_b), **kw)

    @classmethod
    def from_averaged_feature_penalty(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        r"""Sources that write :math:`\frac{\lambda_H}{2N}\|H\|_F^2` (the feature penalty averaged over samples).

        E.g. Zhu et al. 2021 and Dang et al. Canonical :math:`\lambda_H = \lambda_H^{\rm src}/N`;
        :math:`\lambda_W, \lambda_b` unchanged; objectives are equal.
        """
        sizes = validate_sizes(sizes)
        if lambda_b and "bias" not in kw:
            kw["bias"] = "regularized"
        return cls(sizes=sizes, lambda_w=float(lambda_w), lambda_h=float(lambda_h) / sum(sizes),
                   lambda_b=float(lambda_b), **kw)

    @classmethod
    def from_halved_ce(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        r"""Sources that minimise :math:`\tfrac12\,\mathrm{CE} + \frac{\lambda_W}{2}\|W\|^2 + \dots`.

        Multiplying that objective by 2 gives the canonical one with every penalty
        doubled; canonical objective = 2 × source objective, same minimisers.
        """
        if lambda_b and "bias" not in kw:
            kw["bias"] = "regularized"
        return cls(sizes=sizes, lambda_w=2.0 * float(lambda_w), lambda_h=2.0 * float(lambda_h),
                   lambda_b=2.0 * float(lambda_b), **kw)
