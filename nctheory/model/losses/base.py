r"""The :class:`Loss` protocol: what a loss must (and may) provide to the solvers.

A loss is a function :math:`\ell(z, y)` of a logit vector :math:`z \in \mathbb R^K` and a label y,
**convex in z**.  Everything is column-wise on a logit matrix :math:`Z \in \mathbb R^{K\times m}`
(column j = one sample or one class mean, with label :math:`y_j`); the reduced problems use the
class-mean form, where column k carries label k.

Required (every solver needs them):

* :meth:`Loss.value_grad` -- per-column values :math:`\ell(z_j, y_j)` and gradients
  :math:`\nabla_z\ell(z_j, y_j)`;
* :attr:`Loss.curvature` -- a bound :math:`L` with :math:`\nabla^2_z\ell \preceq L\,I` (the Lipschitz
  constant of the gradient; the certified solver's step size is :math:`N/L` in its coordinates);
* :attr:`Loss.shift_invariant` -- whether :math:`\ell(z + c\mathbf 1, y) = \ell(z, y)` (it fixes the
  gauge of a free bias and makes the optimal class-mean logits centred).

Optional capabilities (a solver supports a loss exactly when the loss provides what it needs; see
:meth:`Loss.capabilities`):

* ``"hessian"`` :meth:`Loss.hessian_sum` -- Newton steps for the bias;
* ``"conjugate"`` :meth:`Loss.neg_conjugate` and :meth:`Loss.dual_segment` -- the Fenchel conjugate
  :math:`\ell^*(u, y) = \sup_z u^\top z - \ell(z, y)` on its domain, which must be convex and contain
  0; every certificate (dual lower bound) is built from it.  A loss without a conjugate can be
  solved but never certified: no certificate borrows another loss's conjugate;
* ``"free-bias-dual"`` :meth:`Loss.dual_zero_bias` -- move a dual point to the subspace
  :math:`U\pi = 0` that an unpenalised bias requires;
* ``"cvxpy"`` :meth:`Loss.cvxpy` -- the loss as a cvxpy expression (the independent references);
* ``"grouped"`` :meth:`grouped_value_grad`, :meth:`grouped_neg_conjugate`, :meth:`grouped_dual_segment` --
  the same quantities on *compressed columns* (below), for the symmetry-reduced solver
  (:mod:`nctheory.solvers.certified.symmetric`); with ``"grouped-hessian"``
  (:meth:`grouped_hessian_sum`) for a bias and ``"grouped-free-bias-dual"`` (:meth:`grouped_dual_zero_bias`)
  for a free bias.

Compressed columns.  A logit vector whose non-label entries take only a few distinct values is given
by its label entry ``own`` and the distinct values ``rest[h]`` with multiplicities ``counts[h]``
(:math:`z = (z_y; \text{rest}[h] \text{ repeated counts}[h] \text{ times})`, entries with count 0 are
ignored).  Arrays are column-wise: ``own`` (C,), ``rest`` and ``counts`` (R, C).  The bias methods use
the *square* layout of class groups (groups g = 1..C of :math:`m_g` classes each; column g is a class
of group g, whose label entry lies in row group g): ``counts[h, g] = m_h - δ_{hg}``.

Adding a loss is one file: subclass :class:`Loss`, implement the required members and the
capabilities you can, and register it (:func:`nctheory.model.losses.register_loss`); the
known-optima catalogue in the tests then runs it against every solver that supports it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import ClassVar, Protocol

import numpy as np

#: Capability name -> the methods a loss defines to have it (signatures in :class:`CapabilityMethods`).
CAPABILITY_METHODS = {
    "hessian": ("hessian_sum",),
    "conjugate": ("neg_conjugate", "dual_segment"),
    "free-bias-dual": ("dual_zero_bias",),
    "cvxpy": ("cvxpy",),
    "grouped": ("grouped_value_grad", "grouped_neg_conjugate", "grouped_dual_segment"),
    "grouped-hessian": ("grouped_hessian_sum",),
    "grouped-free-bias-dual": ("grouped_dual_zero_bias",),
}
CAPABILITIES = tuple(CAPABILITY_METHODS)


@dataclass(frozen=True, eq=False)
class Loss(ABC):
    """Base class of every loss (module doc).  Subclasses are frozen dataclasses (``eq=False``, so they keep
    this class's equality) whose fields are the loss's parameters; a loss is hashable and serialises as
    ``{"name": ..., **params}``.

    A loss compares equal to another loss of the same class with the same parameters, and to the string
    of its name (``problem.loss == "ce"``), so user code written against the CLI's names never
    compares a Loss with a string silently unequal.  The package itself branches on capabilities,
    never on names."""

    #: Registry name (the CLI's ``--loss`` value).
    name: ClassVar[str] = ""
    #: :math:`\ell(z + c\mathbf 1, y) = \ell(z, y)` for every c.
    shift_invariant: ClassVar[bool] = False
    #: The loss uses a bias only if the model has one; some losses (dot regression) forbid it.
    allows_bias: ClassVar[bool] = True

    # ------------------------------------------------------------------ required
    @abstractmethod
    def value_grad(self, Z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""Per-column values and gradients.

        Parameters
        ----------
        Z : ndarray, shape (K, m)
        labels : int ndarray, shape (m,)

        Returns
        -------
        values : ndarray, shape (m,)
            :math:`\ell(z_j, y_j)`.
        grad : ndarray, shape (K, m)
            Column j is :math:`\nabla_z\ell(z_j, y_j)`.
        """

    @property
    @abstractmethod
    def curvature(self) -> float:
        r"""A bound L with :math:`\nabla^2_z\ell(z, y) \preceq L I` for all z, y."""

    # Optional capabilities are methods a subclass may define (see the module doc and
    # :data:`CAPABILITY_METHODS`); they are looked up by name, so a loss without them simply lacks the
    # capability and every solver that needs it declines the problem.

    # ----------------------------------------------------------------------- identity
    def _key(self):
        return (type(self).__qualname__, tuple((k, tuple(v) if isinstance(v, list) else v)
                                                for k, v in sorted(self.params().items())))

    def __eq__(self, other):
        if isinstance(other, str):
            return self.name == other
        if isinstance(other, Loss):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self):
        return hash(self._key())

    def __str__(self) -> str:
        return self.describe()

    # ----------------------------------------------------------------------- helpers
    def capabilities(self) -> frozenset[str]:
        """The optional capabilities this loss implements (names of :data:`CAPABILITIES`)."""
        return frozenset(cap for cap, methods in CAPABILITY_METHODS.items()
                         if all(callable(getattr(self, m, None)) for m in methods))

    def has(self, *capabilities: str) -> bool:
        """True when this loss provides every named capability."""
        return set(capabilities) <= self.capabilities()

    def weighted(self, Z: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, np.ndarray]:
        r"""Weighted loss :math:`\sum_j c_j\ell(z_j, y_j)` and its gradient in Z (columns scaled by :math:`c_j`)."""
        values, grad = self.value_grad(Z, labels)
        return float(values @ weights), grad * weights

    def bind(self, problem) -> "Loss":
        """This loss with any parameter that the problem determines filled in (default: unchanged)."""
        return self

    def check(self, problem) -> None:
        """Raise a ValueError naming the field when the loss cannot be used with ``problem``."""
        if not self.allows_bias and problem.has_bias:
            raise ValueError(f"bias: the {self.name!r} loss is defined without a bias, got bias={problem.bias.value!r}")

    def params(self) -> dict:
        """The loss's parameters (its dataclass fields) as JSON-ready values."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple):
                v = [float(x) for x in v]
            out[f.name] = v
        return out

    def to_json(self):
        """``"ce"`` for a loss without parameters, else ``{"name": ..., **params}``."""
        p = self.params()
        if not p or all(v is None for v in p.values()):
            return self.name
        return {"name": self.name, **p}

    def describe(self) -> str:
        p = {k: v for k, v in self.params().items() if v is not None}
        return self.name if not p else f"{self.name}({', '.join(f'{k}={v}' for k, v in p.items())})"


class CapabilityMethods(Protocol):
    """Signatures of the optional capability methods (documentation; a loss defines those it has)."""

    def hessian_sum(self, Z: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
        r"""``"hessian"``: :math:`\sum_j c_j\nabla_z^2\ell(z_j, y_j)` (K × K), the Hessian of a weighted
        loss in a common bias."""

    def neg_conjugate(self, U: np.ndarray, labels: np.ndarray) -> np.ndarray:
        r"""``"conjugate"``: per-column :math:`-\ell^*(u_j, y_j)`, ``-inf`` outside the domain.  The domain of
        :math:`\ell^*(\cdot, y)` must be convex and contain 0 (so :math:`cU` is in it for c in [0, 1]
        whenever U is); :math:`\ell^*(0, y) = -\inf_z\ell(z, y)`."""

    def dual_segment(self, U_in: np.ndarray, U_out: np.ndarray, labels: np.ndarray) -> float:
        r"""``"conjugate"``: largest :math:`\theta \in [0, 1]` with :math:`U_{in} + \theta(U_{out} - U_{in})`
        in the domain (``U_in`` is in it)."""

    def dual_zero_bias(self, U: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
        r"""``"free-bias-dual"``: a nearby dual point :math:`U'` in the domain with :math:`U'c = 0`."""

    def conjugate_scale(self, U: np.ndarray, labels: np.ndarray) -> np.ndarray:
        r"""Optional with ``"conjugate"``: per-column sum of the absolute values of the terms of
        :math:`\ell^*(u_j)` (the scale of its rounding when the terms cancel); default ``|ℓ*|``."""

    def cvxpy(self, logits, labels: np.ndarray, weights: np.ndarray):
        r"""``"cvxpy"``: cvxpy expression of :math:`\sum_j c_j\ell(z_j, y_j)` for a cvxpy ``logits`` (K × m)."""

    def grouped_value_grad(self, own: np.ndarray, rest: np.ndarray, counts: np.ndarray):
        r"""``"grouped"``: per compressed column (module doc) the value :math:`\ell(z, y)`, the label entry's
        partial derivative and the partial derivative with respect to *one* entry of each ``rest`` value
        (0 where the count is 0): ``(values (C,), grad_own (C,), grad_rest (R, C))``."""

    def grouped_neg_conjugate(self, own: np.ndarray, rest: np.ndarray, counts: np.ndarray) -> np.ndarray:
        r"""``"grouped"``: :math:`-\ell^*(u, y)` per compressed dual column (``own`` = :math:`u_y`, ``rest`` the
        distinct other entries with their counts), ``-inf`` outside the domain."""

    def grouped_dual_segment(self, own_in, rest_in, own_out, rest_out, counts) -> float:
        r"""``"grouped"``: :meth:`dual_segment` on compressed columns."""

    def grouped_conjugate_scale(self, own, rest, counts) -> np.ndarray:
        r"""Optional with ``"grouped"``: :meth:`conjugate_scale` on compressed columns."""

    def grouped_hessian_sum(self, own, rest, counts, weights) -> np.ndarray:
        r"""``"grouped-hessian"``: in the square layout, the C × C Hessian of
        :math:`\beta \mapsto \sum_g m_g w_g\,\ell(z_g + E\beta)`, i.e.
        :math:`\sum_g m_g w_g S_g^\top\nabla^2\ell(z_g)S_g` with :math:`S_g` summing the entries of row group h
        (``weights`` = the weight :math:`w_g` of one class of group g)."""

    def grouped_dual_zero_bias(self, own, rest, counts, weights):
        r"""``"grouped-free-bias-dual"``: :meth:`dual_zero_bias` in the square layout: a nearby compressed dual
        point ``(own, rest)`` in the domain whose expanded K × K matrix U has :math:`Uc = 0` (``weights`` = the
        weight :math:`c_k` of one class of each group)."""


def one_hot(labels: np.ndarray, K: int) -> np.ndarray:
    """K × m matrix with a 1 at ``(labels[j], j)``."""
    E = np.zeros((K, labels.size))
    E[labels, np.arange(labels.size)] = 1.0
    return E


def nonnegative_segment(q_in: np.ndarray, q_out: np.ndarray) -> float:
    r"""The largest :math:`t \in [0, 1]` with :math:`q_{in} + t(q_{out} - q_{in}) \ge 0` entrywise (``q_in`` >= 0),
    shrunk by a relative :math:`10^{-12}` so that the point stays strictly inside: the step of ``dual_segment`` for
    losses whose conjugate's domain is a (shifted) probability simplex, ``q`` the probabilities of the two points."""
    neg = q_out < 0.0
    if not neg.any():
        return 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        limits = q_in[neg] / (q_in[neg] - q_out[neg])
    return max(0.0, min(1.0, float(np.min(limits)) * (1.0 - 1e-12)))
