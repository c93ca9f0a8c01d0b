r"""A good dual point in a spectral ball, built from a gradient: :func:`spectral_dual`.

Several bounds (R2, the full-sample UFM, the layer-peeled model) need a dual point U whose columns lie
in the conjugate's domain and which satisfies a spectral constraint :math:`\|U\operatorname{diag}(w)\|_2 \le \rho`
(w a fixed column scaling), and they are tight at :math:`U^* = \nabla\ell(Z^*)`.  Only an approximate
minimiser Z is at hand (a conic solver's answer), and the bound built from :math:`\nabla\ell(Z)` is in
general only *first-order* accurate in the error of Z.  Write :math:`G = U\operatorname{diag}(w) =
A\Sigma B^\top`.  The first-order gap has two parts: singular values above ρ (they force a shrink of
all of U), and singular values *below* ρ on the range of the primal logits (the bound
:math:`\langle G, X\rangle \ge -\rho\|X\|_*` is then loose by :math:`\sum_i s_i(\rho - \sigma_i)`, where
:math:`s_i` are the primal's components).  Both are removed to first order by moving the singular
values, keeping the singular vectors:

* ``scaled``: :math:`U_s = cU`, :math:`c = \min(1, \rho/\sigma_1)` -- always feasible (the domain is convex
  and contains 0);
* ``level r`` (r = 0, 1, ..., rank G): :math:`\sigma'_i = \rho` for :math:`i \le r` and
  :math:`\min(\sigma_i, \rho)` for :math:`i > r`, :math:`U_r = A\Sigma'B^\top\operatorname{diag}(1/w)` (r = 0 only
  clips, as the certified solver's dual does; r = rank of the primal equalises its range).  Only
  singular values that are nonzero are raised, so every linear condition :math:`Gv = 0` or
  :math:`v^\top G = 0` that G satisfies (a free bias :math:`U\pi = 0`, the CE column sums
  :math:`\mathbf 1^\top U = 0`) is kept.  If :math:`U_r` leaves the conjugate's domain, the furthest
  feasible point of the segment :math:`[U_s, U_r]` is used (``loss.dual_segment``): both ends are in the
  ball, so the segment is.

Every candidate is re-measured at the end (its spectral norm by
:func:`~nctheory.solvers.bounds.rounding.spectral_upper`, scaled into the ball if rounding put it outside;
for a free bias moved back onto :math:`U\pi = 0` first) and the best value wins.  Any candidate is a valid
dual point; the choice only affects tightness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.bounds.conjugate import DualValue, bias_feasible, dual_value
from nctheory.solvers.bounds.rounding import EPS, spectral_upper

#: Singular values above this multiple of ``max(m, n) ε σ_1`` count as nonzero (and may be raised).
NONZERO_RTOL = 1e3


@dataclass(frozen=True)
class SpectralDual:
    """A dual point in the spectral ball and its loss + bias value (module doc).

    Attributes
    ----------
    U : ndarray
    value : DualValue
    norm : float
        Upper bound on :math:`\\|U\\operatorname{diag}(w)\\|_2` (at most the radius).
    candidate : str
    """

    U: np.ndarray
    value: DualValue
    norm: float
    candidate: str


def _finish(problem, U, labels, weights, w, radius):
    """Bias condition, then scale into the ball; returns (U, norm)."""
    if problem.bias == Bias.FREE:
        U = bias_feasible(problem, U, labels, weights)
    top = spectral_upper(U * w)
    for _ in range(8):  # the scaled matrix is rounded again: re-measure until it is inside
        if top <= radius:
            break
        U = U * ((radius / top) * (1.0 - 16.0 * EPS))
        top = spectral_upper(U * w)
    return U, top


class SpectralStart:
    r"""The starting dual point and its SVD, from which the candidates of the module doc are built.

    Parameters
    ----------
    problem : Problem
        Supplies the loss and the bias kind (:mod:`~nctheory.solvers.bounds.conjugate`).
    Gamma : ndarray, shape (K, m)
        Starting point, a point of the conjugate's domain (the loss gradient at the answer).
    labels, weights : ndarray, shape (m,)
        Column labels and the loss weights :math:`c_j`.
    w : ndarray, shape (m,)
        Column scaling of the spectral constraint.
    """

    def __init__(self, problem, Gamma: np.ndarray, labels: np.ndarray, weights: np.ndarray, w: np.ndarray):
        self.problem, self.labels, self.weights = problem, labels, weights
        self.w = np.asarray(w, dtype=np.float64)
        self.U = bias_feasible(problem, np.asarray(Gamma, dtype=np.float64), labels, weights)
        G = self.U * self.w
        self.A, self.sigma, self.Bt = np.linalg.svd(G, full_matrices=False)
        top = self.sigma[0] if self.sigma.size else 0.0
        self.nonzero = 0 if top == 0.0 else int(np.count_nonzero(
            self.sigma > NONZERO_RTOL * max(G.shape) * EPS * top))

    def _result(self, U, radius, name):
        U, top = _finish(self.problem, U, self.labels, self.weights, self.w, radius)
        return SpectralDual(U, dual_value(self.problem, U, self.labels, self.weights), top, name)

    def scaled(self, radius: float) -> SpectralDual:
        """The ``scaled`` candidate: :math:`cU`, :math:`c = \\min(1, \\rho/\\sigma_1)`."""
        top = self.sigma[0] if self.sigma.size else 0.0
        c = 1.0 if top <= radius else radius / top
        return self._result(c * self.U, radius, "scaled")

    def level(self, r: int, radius: float, scaled: SpectralDual | None = None) -> SpectralDual | None:
        """The ``level r`` candidate (None when it leaves the domain at once or r is out of range)."""
        if not 0 <= r <= self.nonzero or self.nonzero == 0:
            return None
        s2 = np.minimum(self.sigma, radius)
        s2[:r] = radius
        base = self.scaled(radius) if scaled is None else scaled
        U_r = ((self.A * s2) @ self.Bt) / self.w
        theta = self.problem.loss.dual_segment(base.U, U_r, self.labels)
        if theta <= 0.0:
            return None
        U_m = U_r if theta >= 1.0 else base.U + theta * (U_r - base.U)
        return self._result(U_m, radius, f"level {r}" + ("" if theta >= 1.0 else f" (segment {theta:.3g})"))

    def best(self, radius: float, ranks=None) -> SpectralDual:
        """The best of the scaled candidate and the levels ``ranks`` (None: all) at ``radius``."""
        best = self.scaled(radius)
        scaled = best
        levels = range(self.nonzero + 1) if ranks is None else sorted({int(r) for r in ranks})
        for r in levels:
            if r == 0 and self.sigma.size and self.sigma[0] <= radius:
                continue  # nothing to clip: the scaled candidate is U itself
            cand = self.level(r, radius, scaled)
            if cand is not None and cand.value.value > best.value.value:
                best = cand
        return best


def spectral_dual(problem, Gamma: np.ndarray, labels: np.ndarray, weights: np.ndarray, w: np.ndarray,
                  radius: float, ranks=None) -> SpectralDual:
    r"""The best candidate of the module doc for :math:`\|U\operatorname{diag}(w)\|_2 \le` ``radius``.

    Parameters
    ----------
    problem, Gamma, labels, weights, w
        As in :class:`SpectralStart`.
    radius : float
        :math:`\rho \ge 0`.
    ranks : iterable of int or None
        Levels r to try (None: all, 0..rank G).

    Returns
    -------
    SpectralDual
    """
    return SpectralStart(problem, Gamma, labels, weights, w).best(radius, ranks)
