r"""The model instance every claim and solver works on.

Canonical convention (catalogue §0).  For K classes with sizes :math:`n_1, \dots, n_K`,
:math:`N = \sum_k n_k`, the unconstrained feature model is

.. math::

    f(W, H, b) = \frac1N \sum_k \sum_{i=1}^{n_k} \ell(W h_{k,i} + b, k)
        + \frac{\lambda_W}{2}\|W\|_F^2 + \frac{\lambda_H}{2}\|H\|_F^2
        + \frac{\lambda_b}{2}\|b\|^2 ,

with :math:`\ell` a :class:`~nctheory.model.losses.Loss` (CE :math:`\operatorname{logsumexp}(z) - z_k`, MSE
:math:`\tfrac12\|z - e_k\|^2`, dot regression, or a user's loss) and :math:`\|H\|_F^2` **summed** over
samples.

Variants, all expressed by fields of :class:`Problem` (options are enums in
:mod:`nctheory.model.options`; their string values are accepted too):

* ``bias``: none, regularized (``lambda_b > 0``) or free (no penalty on ``b``);
* ``features``: free or relu (:math:`H \ge 0`);
* ``classifier``: learned, or fixed-etf (``W`` is the simplex ETF with row norms :math:`\sqrt{E_W}`;
  only ``H`` is optimised);
* ``depth`` M: the classifier is a product :math:`W_M \cdots W_1` with a penalty
  :math:`(\lambda_W/2)\|W_i\|^2` on every layer (deep linear UFM);
* ``constraint``: penalty (the formula above), average (Fang et al.'s layer-peeled model:
  :math:`\frac1K\sum_k\|w_k\|^2 \le E_W`, :math:`\frac1K\sum_k \frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H`, no
  penalties) or per-sample (Yang et al.: :math:`\|h_{k,i}\|^2 \le E_H`, fixed classifier).

Other papers' conventions are converted by the functions of :mod:`nctheory.model.conventions` (also
available as ``Problem.from_*`` constructors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from nctheory.model.losses import Loss, get_loss
from nctheory.model.options import Bias, Classifier, Constraint, Features, parse_option
from nctheory.model.reals import real_number
from nctheory.model.sizes import validate_real_sizes, validate_sizes

#: Positive penalties and budgets must lie in this range: outside it float64 products such as
#: :math:`\lambda_W\lambda_H N^2` under- or overflow (a subnormal λ made the objective NaN).
VALUE_RANGE = (1e-100, 1e100)
#: Largest depth M (each layer is a d×d matrix; the deep-linear theory is about a few layers).
MAX_DEPTH = 64
#: Largest feature dimension d accepted by a Problem (solvers estimate memory before allocating).
MAX_DIM = 10_000_000


def _real(name: str, value, *, positive: bool = False, allow_none: bool = False):
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"{name}: a value is required")
    v = real_number(name, value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    if v < 0:
        raise ValueError(f"{name}: must be >= 0, got {v!r}")
    if positive and v <= 0:
        raise ValueError(f"{name}: must be > 0, got {v!r}")
    if v > 0 and not (VALUE_RANGE[0] <= v <= VALUE_RANGE[1]):
        raise ValueError(f"{name}: {v!r} is outside [{VALUE_RANGE[0]:g}, {VALUE_RANGE[1]:g}], where float64 "
                         "arithmetic of the objective stays exact enough")
    return v


def _integer(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name}: must be an integer, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name}: must be between {lo} and {hi}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Problem:
    r"""An immutable, validated model instance (canonical convention, see module doc).

    Parameters
    ----------
    sizes : tuple of int
        Class sizes :math:`n_k \ge 1`, at least two classes.
    lambda_w, lambda_h : float
        Penalties :math:`\lambda_W, \lambda_H > 0` (``constraint="penalty"``; ``lambda_w`` may be 0
        for a fixed classifier).  Ignored (and may be 0) under the layer-peeled constraints.
    loss : Loss or str or dict
        A :class:`~nctheory.model.losses.Loss`, a registered name (``"ce"``, ``"mse"``, ``"dr"``) or
        ``{"name": ..., **params}``.
    bias : Bias or str
    lambda_b : float
        Bias penalty; must be > 0 iff ``bias == "regularized"``.
    features : Features or str
    classifier : Classifier or str
    depth : int
        Number M of linear classifier layers (1 to :data:`MAX_DEPTH`).
    d : int or None
        Feature dimension. ``None`` means "large enough for the model": K for most models (so every
        reduction is exact), 2K for ReLU features.
    constraint : Constraint or str
    e_w, e_h : float or None
        Norm budgets :math:`E_W, E_H > 0` for the layer-peeled constraints; ``e_w`` also sets the row
        norm :math:`\sqrt{E_W}` of the fixed ETF classifier (default 1).
    """

    sizes: tuple[int, ...]
    lambda_w: float = 5e-4
    lambda_h: float = 5e-4
    loss: Loss = "ce"  # type: ignore[assignment]  (normalised to a Loss in __post_init__)
    bias: Bias = Bias.NONE
    lambda_b: float = 0.0
    features: Features = Features.FREE
    classifier: Classifier = Classifier.LEARNED
    depth: int = 1
    d: int | None = None
    constraint: Constraint = Constraint.PENALTY
    e_w: float | None = None
    e_h: float | None = None
    real_sizes: bool = False
    _n: np.ndarray = field(init=False, repr=False, compare=False)
    _N: int | float = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 (frozen dataclass)
        if not isinstance(self.real_sizes, (bool, np.bool_)):
            raise ValueError(f"real_sizes: must be True or False, got {self.real_sizes!r}")
        set_("real_sizes", bool(self.real_sizes))
        set_("sizes", validate_real_sizes(self.sizes) if self.real_sizes else validate_sizes(self.sizes))
        set_("bias", parse_option(Bias, "bias", self.bias))
        set_("features", parse_option(Features, "features", self.features))
        set_("classifier", parse_option(Classifier, "classifier", self.classifier))
        set_("constraint", parse_option(Constraint, "constraint", self.constraint))
        set_("depth", _integer("depth", self.depth, 1, MAX_DEPTH))
        penalised = self.constraint == Constraint.PENALTY
        learned = self.classifier == Classifier.LEARNED
        set_("lambda_w", _real("lambda_w", self.lambda_w, positive=penalised and learned))
        set_("lambda_h", _real("lambda_h", self.lambda_h, positive=penalised))
        set_("lambda_b", _real("lambda_b", self.lambda_b))
        if self.bias == Bias.REGULARIZED and self.lambda_b <= 0:
            raise ValueError("lambda_b: bias='regularized' needs lambda_b > 0 (use bias='free' for an unpenalised bias)")
        if self.bias != Bias.REGULARIZED and self.lambda_b != 0:
            raise ValueError(f"lambda_b: a bias penalty {self.lambda_b} needs bias='regularized', "
                             f"got bias={self.bias.value!r}")
        set_("e_w", _real("e_w", self.e_w, positive=True, allow_none=True))
        set_("e_h", _real("e_h", self.e_h, positive=True, allow_none=True))
        if not penalised:
            if self.e_h is None:
                raise ValueError(f"e_h: constraint={self.constraint.value!r} needs a feature budget e_h > 0")
            if self.constraint == Constraint.AVERAGE and self.e_w is None and learned:
                raise ValueError("e_w: constraint='average' with a learned classifier needs e_w > 0")
            if self.constraint == Constraint.PER_SAMPLE and learned:
                raise ValueError("constraint: 'per-sample' (Yang et al.) is defined for classifier='fixed-etf' only")
        if self.depth > 1 and not learned:
            raise ValueError("depth: a fixed-ETF classifier has a single layer; use depth=1")
        if self.depth > 1 and not penalised:
            raise ValueError("depth: deep linear classifiers are defined with penalties only (constraint='penalty')")
        if self.d is not None:
            set_("d", _integer("d", self.d, 1, MAX_DIM))
            if self.d < self.min_dim:
                raise ValueError(
                    f"d: {self.d} is too small for this model; need d >= {self.min_dim} ({self._min_dim_reason})"
                )
        object.__setattr__(self, "_n", np.asarray(self.sizes, dtype=np.float64))
        object.__setattr__(self, "_N", float(math.fsum(self.sizes)) if self.real_sizes else int(sum(self.sizes)))
        loss = get_loss(self.loss).bind(self)
        set_("loss", loss)
        loss.check(self)

    # ----------------------------------------------------------------- derived
    @property
    def K(self) -> int:
        """Number of classes."""
        return len(self.sizes)

    @property
    def N(self) -> int | float:
        """Total number of samples (a float for real sizes)."""
        return self._N

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
        return self.bias != Bias.NONE

    @property
    def balanced(self) -> bool:
        return len(set(self.sizes)) == 1

    @property
    def min_dim(self) -> int:
        """Smallest feature dimension for which the model is defined here."""
        if self.classifier == Classifier.FIXED_ETF:
            return self.K - 1
        return 1

    @property
    def _min_dim_reason(self) -> str:
        if self.classifier == Classifier.FIXED_ETF:
            return "a simplex ETF of K vectors needs d >= K-1"
        return "d must be positive"

    @property
    def dim(self) -> int:
        """The feature dimension in use: ``d`` if given, else K (2K for ReLU features)."""
        if self.d is not None:
            return self.d
        return 2 * self.K if self.features == Features.RELU else self.K

    @property
    def labels(self) -> np.ndarray:
        """Sample labels ``0..K-1`` in class order (length N); ValueError naming ``sizes`` for real sizes."""
        if self.real_sizes:
            raise ValueError("sizes: real-valued class sizes (real_sizes=True) have no samples; per-sample "
                             "computations (labels, full-sample solves) need integer sizes")
        return np.repeat(np.arange(self.K), self.sizes)

    def with_(self, **changes) -> "Problem":
        """A validated copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict:
        """JSON-ready description (the inverse of :meth:`from_dict`); ``real_sizes`` appears only when True."""
        return {
            "sizes": list(self.sizes),
            "lambda_w": self.lambda_w,
            "lambda_h": self.lambda_h,
            "loss": self.loss.to_json(),
            "bias": self.bias.value,
            "lambda_b": self.lambda_b,
            "features": self.features.value,
            "classifier": self.classifier.value,
            "depth": self.depth,
            "d": self.d,
            "constraint": self.constraint.value,
            "e_w": self.e_w,
            "e_h": self.e_h,
            **({"real_sizes": True} if self.real_sizes else {}),
        }

    @classmethod
    def from_dict(cls, data) -> "Problem":
        """Build from :meth:`to_dict` output; unknown or missing required keys are an error naming the field."""
        if not isinstance(data, dict):
            raise ValueError(f"problem: expected a JSON object (dict), got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__ if not f.startswith("_")}
        extra = [k for k in data if k not in known]
        if extra:
            raise ValueError(f"{sorted(map(str, extra))[0]}: unknown field; allowed: {', '.join(sorted(known))}")
        if "sizes" not in data:
            raise ValueError("sizes: a value is required")
        data = dict(data)
        if isinstance(data["sizes"], list):
            data["sizes"] = tuple(data["sizes"])
        return cls(**data)

    # ------------------------------------------------------------ conversions
    @classmethod
    def from_no_half_penalties(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        """See :func:`nctheory.model.conventions.from_no_half_penalties`."""
        from nctheory.model.conventions import from_no_half_penalties

        return from_no_half_penalties(sizes, lambda_w, lambda_h, lambda_b, **kw)

    @classmethod
    def from_averaged_feature_penalty(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        """See :func:`nctheory.model.conventions.from_averaged_feature_penalty`."""
        from nctheory.model.conventions import from_averaged_feature_penalty

        return from_averaged_feature_penalty(sizes, lambda_w, lambda_h, lambda_b, **kw)

    @classmethod
    def from_halved_ce(cls, sizes, lambda_w, lambda_h, lambda_b=0.0, **kw) -> "Problem":
        """See :func:`nctheory.model.conventions.from_halved_ce`."""
        from nctheory.model.conventions import from_halved_ce

        return from_halved_ce(sizes, lambda_w, lambda_h, lambda_b, **kw)
