r"""Fang et al.'s layer-peeled model as a nuclear-ball problem, and its Fenchel dual bound.

Model (catalogue §6 FANG-LPM; :class:`~nctheory.model.problem.Problem` with ``constraint="average"``, learned
classifier, free features, depth 1, any loss, bias none / regularized / free):

.. math::

    \min_{W, H, b}\ \frac1N\sum_k\sum_{i=1}^{n_k}\ell(Wh_{k,i} + b, k) + \frac{\lambda_b}2\|b\|^2
    \quad\text{s.t.}\quad \frac1K\sum_k\|w_k\|^2 \le E_W,\qquad
    \frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2 \le E_H

(:math:`\lambda_b = 0` for a free bias, no b without bias).  The feature budget averages **within each class
first** (Fang's convention): every class contributes its mean squared feature norm with weight 1/K, whatever
its size.

Reduction
---------
Write :math:`\pi_k = n_k/N`, :math:`\bar Z = W\bar H` (column k = class k's mean logit) and
:math:`R = K\sqrt{E_WE_H}`.

1. *Class means* (NC1).  :math:`\|\bar h_k\|^2 \le \frac1{n_k}\sum_i\|h_{k,i}\|^2` (Jensen for the convex
   :math:`\|\cdot\|^2`), so replacing every feature by its class mean keeps the feature budget, and it does not
   increase the loss when ℓ is convex in the logits (Jensen again).  The constraint on the means is
   :math:`\|\bar H\|_F^2 \le KE_H` -- the plain Frobenius norm, no class weights, because of the within-class
   average above.  (With a sample-averaged budget :math:`\frac1N\sum\|h_i\|^2 \le E_H` it would be
   :math:`\|\bar HD^{1/2}\|_F^2 \le NE_H` and the ball below would be one of :math:`\|\bar ZD^{1/2}\|_*`.)
2. *Products within the budgets.*  For any W, H̄: :math:`\|W\bar H\|_* \le \|W\|_F\|\bar H\|_F \le R`
   (Hölder for Schatten norms).  Conversely every :math:`\bar Z = U\Sigma V^\top` with :math:`\|\bar Z\|_* \le R` and
   rank :math:`\le d` is such a product: the balanced factors :math:`W = \gamma U\Sigma^{1/2}`,
   :math:`\bar H = \gamma^{-1}\Sigma^{1/2}V^\top`, :math:`\gamma^2 = \sqrt{E_W/E_H}`, have
   :math:`\frac1K\|W\|_F^2 = \gamma^2\|\bar Z\|_*/K \le E_W` and :math:`\frac1K\|\bar H\|_F^2 \le E_H`.

Hence, when ℓ is convex in the logits and :math:`d \ge \operatorname{rank}\bar Z^*` (always for d ≥ K), the model's
optimum equals that of the convex problem

.. math::

    \min_{\bar Z\in\mathbb R^{K\times K},\,b}\ f(\bar Z, b) = \sum_k\pi_k\,\ell(\bar z_k + b, k)
        + \frac{\lambda_b}2\|b\|^2 \quad\text{s.t.}\quad \|\bar Z\|_* \le R .

Only the product :math:`E_WE_H` matters.  For d below the rank of the solution the convex problem is a
relaxation (its value is still a lower bound; the solver reports ``"relaxation"``).

Certificate
-----------
For every U whose columns lie in the domains of :math:`\ell^*(\cdot, k)`, Fenchel–Young
(:math:`\ell(z, k) \ge u_k^\top z - \ell^*(u_k, k)`, true for any function ℓ) applied **to every sample** with the
class's :math:`u_k` gives, for every feasible point of the model (any d, no NC1 needed: the right side is linear
in :math:`h_{k,i}`, so it only sees the class means),

.. math::

    \frac1N\sum_{k,i}\ell(Wh_{k,i} + b, k) \ge -\sum_k\pi_k\ell^*(u_k, k)
        + \langle U\operatorname{diag}(\pi), W\bar H\rangle + \langle U\pi, b\rangle .

Trace duality and step 2 (with :math:`\|\bar H\|_F^2 \le \sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2`) give
:math:`\langle U\operatorname{diag}\pi, W\bar H\rangle \ge -\|U\operatorname{diag}\pi\|_2\,R`, and minimising over b:
:math:`\langle U\pi, b\rangle + \frac{\lambda_b}2\|b\|^2 \ge -\|U\pi\|^2/(2\lambda_b)`
(regularized), 0 if :math:`U\pi = 0` (free; otherwise unbounded), absent without bias.  So

.. math::

    \mathrm{LB}(U) = -\sum_k\pi_k\ell^*(u_k, k) - R\,\|U\operatorname{diag}(\pi)\|_2
        \;\Big[-\frac{\|U\pi\|^2}{2\lambda_b}\Big] \;\le\; \text{the model's optimum},

the Fenchel dual of the convex problem; at its solution :math:`U^* = [\nabla\ell(\bar z^*_k + b^*, k)]_k` the bound
is tight.  The reported bound is :math:`\mathrm{LB}(U)` minus a float64 rounding allowance
(:mod:`~nctheory.solvers.references.rounding`), with :math:`\|U\operatorname{diag}\pi\|_2` replaced by a rigorous
upper bound; for a free bias :math:`U\pi = 0` holds up to the rounding of the loss's ``dual_zero_bias``
(checked), as for the certified solver.

*Dual point.*  The gradient at an iterate gives a bound that is only first-order accurate: away from the
solution the top singular values of :math:`G = U\operatorname{diag}\pi = A\Sigma B^\top` are not yet equal, and
the gap :math:`R\sigma_1 + \langle G, \bar Z\rangle` (the Frank–Wolfe gap) is linear in the error.  The *level*
candidates remove that part: the q largest singular values are set to a common level τ and the others kept,

.. math::

    U(\tau) = U_a + \tau V,\qquad U_a = A\operatorname{diag}(0_q, \sigma_{q+1}, \dots)B^\top
    \operatorname{diag}(\pi)^{-1},\qquad V = A_qB_q^\top\operatorname{diag}(\pi)^{-1},

with :math:`\|U(\tau)\operatorname{diag}\pi\|_2 = \tau` for :math:`\tau \in [\sigma_{q+1}, \sigma_1]`.  U(τ) is affine
in τ, so :math:`\mathrm{LB}(U(\tau))` is concave while U(τ) stays in the conjugate's domain; outside it the furthest
feasible point of the segment from the gradient point is used (its spectral norm is at most the convex
combination of σ₁ and τ).  q is the rank of the iterate, counted with multiplicity (q - 1 and q + 1 are tried
too), and τ is found by golden-section search, first in :math:`[\sigma_q, \sigma_1]` (where it lies near the
solution, the raised values being nearly equal there), then below.  The level search runs only once the
plain gradient bound is within :data:`LEVEL_GATE` of φ (relative): before that it cannot close the gap.
U = 0 is a candidate too: its bound :math:`-\sum_k\pi_k\ell^*(0, k) = \sum_k\pi_k\inf_z\ell(z, k)` is the best one
when the optimum is the loss's infimum.  Only the chosen point's bound is evaluated rigorously (a fresh SVD),
and the plain gradient point is the fallback.  Raising only nonzero singular values keeps every linear
condition :math:`Gv = 0` (:math:`U\pi = 0` for a free bias, :math:`\mathbf 1^\top U = 0` for CE) up to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.model.options import Bias
from nctheory.solvers.references.bias import BiasSolver
from nctheory.solvers.references.rounding import EPS, sum_allowance
from nctheory.solvers.bounds.golden import golden_max

__all__ = ["LPMObjective", "Evaluation", "LPMBound", "lower_bound", "budget_radius"]

#: Golden-section steps per bracket (it shrinks by 0.618 per step: ~1e-7 of its width after 32; near the optimum
#: the bound is flat in τ, so the loss is second order in that).
GOLDEN_STEPS = 32
#: A free-bias dual point counts as U π = 0 when ||U π|| <= FREE_BIAS_RTOL * size * ε * Σ_k π_k ||u_k||_1.
FREE_BIAS_RTOL = 64.0
#: Relative gap of the plain gradient bound below which the level candidates are searched (they remove the
#: first-order part of the gap, so they matter once that is small; measured here: skipping them above 1e-2 halves a
#: K = 300 solve and never delays the final certificate).
LEVEL_GATE = 1e-2


def budget_radius(problem) -> float:
    r""":math:`R = K\sqrt{E_WE_H}`, the radius of the nuclear ball (module doc)."""
    return problem.K * math.sqrt(float(problem.e_w) * float(problem.e_h))


@dataclass(frozen=True)
class Evaluation:
    """φ and its gradient at one point Z, the minimising bias ``b`` (None without bias) and ``Gamma``, the matrix of
    per-column loss gradients at ``(Z, b)`` (a point of the conjugate's domain)."""

    value: float
    grad: object
    b: np.ndarray | None
    Gamma: object


class LPMObjective:
    r""":math:`\varphi(\bar Z) = \min_b f(\bar Z, b)` of the module doc on a layout, with the radius R.

    The bias is minimised out at every evaluation (damped Newton on the loss's Hessian with relative stopping,
    warm-started at the previous bias: :class:`~nctheory.solvers.references.bias.BiasSolver`).  Partial
    minimisation keeps φ convex, with :math:`\nabla\varphi(\bar Z) = \Gamma\operatorname{diag}(\pi)` at the minimising
    b and no larger curvature than f.  It avoids one step size for two blocks whose curvatures differ by orders
    of magnitude (a flat CE with large margins next to the bias penalty :math:`\lambda_b`), where a joint
    iteration stalled (measured: relative gap 1 after 100 iterations at E_W E_H = 340).  At the minimising b the
    gradient point Γ satisfies :math:`\Gamma\pi + \lambda_bb = 0`, so for a free bias it is already (up to the
    Newton tolerance) on :math:`U\pi = 0`.
    """

    def __init__(self, problem, layout):
        self.problem = problem
        self.layout = layout
        self.loss = problem.loss
        self.bias = problem.bias
        self.has_bias = problem.bias != Bias.NONE
        self.lambda_b = float(problem.lambda_b)
        self.radius = budget_radius(problem)
        self.pi = layout.pi
        self.pi_max = float(np.max(layout.pi))
        #: curvature of φ in one column of Z: the loss's curvature times the column weight (at most π_max)
        self.lipschitz = float(self.loss.curvature) * self.pi_max
        self._bias_solver = BiasSolver(problem, layout) if self.has_bias else None

    @property
    def bias_newton_steps(self) -> int:
        return 0 if self._bias_solver is None else int(self._bias_solver.steps)

    def optimal_bias(self, Z, b_start):
        """The minimising bias at Z (None without bias; per group for a grouped layout)."""
        return None if self._bias_solver is None else self._bias_solver.minimize(Z, b_start)

    def evaluate(self, Z, b_start=None) -> Evaluation:
        """φ, its gradient and Γ at Z, with the bias minimised out from ``b_start``."""
        lay = self.layout
        b = self.optimal_bias(Z, b_start)
        value, Gamma = lay.loss_columns(Z, b)
        if self.bias == Bias.REGULARIZED:
            value += 0.5 * self.lambda_b * lay.bias_inner(b, b)
        return Evaluation(value, lay.weight_columns(Gamma, self.pi), b, Gamma)

    def objective(self, Z, b) -> float:
        """f at ``(Z, b)`` for the given bias (no minimisation, no feasibility check)."""
        lay = self.layout
        value, _ = lay.loss_columns(Z, b if self.has_bias else None)
        if self.bias == Bias.REGULARIZED:
            value += 0.5 * self.lambda_b * lay.bias_inner(b, b)
        return value


@dataclass(frozen=True)
class LPMBound:
    """A rigorous lower bound and the dual point it came from.

    Attributes
    ----------
    value : float
        :math:`\\mathrm{LB}(U)` minus the rounding allowance.
    allowance : float
        The subtracted allowance.
    magnitude : float
        Total size of the bound's terms (the allowance is proportional to it).
    candidate : str
        ``"gradient"`` or ``"level q"`` (q raised singular values, with multiplicity).
    spectral : float
        The rigorous upper bound on :math:`\\|U\\operatorname{diag}\\pi\\|_2` used.
    U : object
        The dual point (K × K array or grouped matrix).
    """

    value: float
    allowance: float
    magnitude: float
    candidate: str
    spectral: float
    U: object


def _rigorous(obj: LPMObjective, U, name: str) -> LPMBound | None:
    """The bound of the module doc at U, every term evaluated with its rounding allowance; None when U is not a
    valid dual point (outside the domain, or U π ≠ 0 for a free bias beyond rounding)."""
    lay = obj.layout
    t = lay.dual_terms(U)
    if not math.isfinite(t.neg_conjugate):
        return None
    bias_term = 0.0
    if obj.bias == Bias.FREE:
        limit = FREE_BIAS_RTOL * lay.size * EPS * t.residual_scale
        if math.sqrt(t.residual_sq) > limit:
            return None
    elif obj.bias == Bias.REGULARIZED:
        bias_term = t.residual_sq / (2.0 * obj.lambda_b)
    spectral_term = obj.radius * t.spectral
    raw = t.neg_conjugate - spectral_term - bias_term
    magnitude = t.magnitude + spectral_term + bias_term
    allowance = sum_allowance(magnitude, t.count + 2)
    return LPMBound(value=raw - allowance, allowance=allowance, magnitude=magnitude, candidate=name,
                    spectral=t.spectral, U=U)


def _estimate(obj: LPMObjective, U, spectral: float) -> float:
    """The bound at U with a known spectral norm, without allowances (for the level search only)."""
    lay = obj.layout
    value = lay.conjugate_value(U)
    if not math.isfinite(value):
        return -math.inf
    value -= obj.radius * spectral
    if obj.bias == Bias.REGULARIZED:
        r = lay.bias_residual(U)
        value -= lay.bias_inner(r, r) / (2.0 * obj.lambda_b)
    return value


def lower_bound(obj: LPMObjective, Gamma, primal_rank: int, value: float | None = None) -> LPMBound | None:
    r"""The best rigorous bound from the gradient point ``Gamma`` and its level candidates (module doc).

    Parameters
    ----------
    obj : LPMObjective
    Gamma : array or GroupedMatrix
        Per-column loss gradients at the iterate (a point of the conjugate's domain).
    primal_rank : int
        Rank of the iterate (with multiplicity): the number of singular values to equalise.
    value : float or None
        φ at the iterate: the level candidates are searched only when the plain gradient bound is within
        :data:`LEVEL_GATE` of it (relative); far from the solution they cannot close the gap and cost ~100
        conjugate evaluations.
    """
    lay = obj.layout
    U0 = lay.zero_bias(Gamma) if obj.bias == Bias.FREE else Gamma
    G0 = lay.weight_columns(U0, obj.pi)
    spec = lay.spectrum(G0)
    sigma1 = spec.top()
    inv_pi = 1.0 / obj.pi
    best_est, best_U, best_name = _estimate(obj, U0, sigma1), U0, "gradient"
    order = spec.order()
    values, mult = spec.values, spec.mult
    nonzero = order[values[order] > 1e3 * lay.size * EPS * sigma1] if sigma1 > 0 else order[:0]
    plain_gap = (value - best_est) / abs(value) if value is not None and value != 0 else 0.0
    if nonzero.size and primal_rank > 0 and plain_gap <= LEVEL_GATE:
        cum = np.cumsum(mult[nonzero])
        q_star = int(np.searchsorted(cum, primal_rank)) + 1  # components needed to reach the rank
        for q in sorted({q_star - 1, q_star, q_star + 1}):
            if not 1 <= q <= nonzero.size:
                continue
            raised = nonzero[:q]
            ind = np.zeros(values.size)
            ind[raised] = 1.0
            kept = np.where(ind > 0, 0.0, values)
            V = lay.weight_columns(spec.rebuild(ind), inv_pi)
            Ua = lay.weight_columns(spec.rebuild(kept), inv_pi)
            lo = float(values[nonzero[q]]) if q < nonzero.size else 0.0
            lo = max(lo, float(np.max(kept)) if kept.size else 0.0)

            def point(tau, V=V, Ua=Ua):
                U = lay.lin(1.0, Ua, tau, V)
                if math.isfinite(lay.conjugate_value(U)):
                    return U, tau
                theta = lay.dual_segment(U0, U)  # U left the domain: the furthest feasible point towards it
                return lay.lin(1.0 - theta, U0, theta, U), (1.0 - theta) * sigma1 + theta * tau

            def value_at(t, point=point):
                return _estimate(obj, *point(t))

            # near convergence the q raised values are nearly equal and the best level lies between them: search
            # [σ_q, σ_1] first, and below σ_q only if the best point sits at that end
            sigma_q = float(values[nonzero[q - 1]])
            est, tau = golden_max(value_at, max(sigma_q, lo), sigma1, GOLDEN_STEPS)
            if sigma_q > lo and tau <= sigma_q + 1e-3 * (sigma1 - sigma_q):
                est, tau = max((est, tau), golden_max(value_at, lo, sigma_q, GOLDEN_STEPS))
            if est > best_est:
                best_est, best_U, best_name = est, point(tau)[0], f"level {int(cum[q - 1])}"
    # U = 0: the loss infimum -Σπℓ*(0) (the best bound when the optimum is the infimum, e.g. an exact MSE fit)
    zero = lay.lin(0.0, U0, 0.0, U0)
    zero_est = _estimate(obj, zero, 0.0)
    if zero_est > best_est:
        best_est, best_U, best_name = zero_est, zero, "zero"
    bound = _rigorous(obj, best_U, best_name)
    if bound is None and best_name != "gradient" and obj.bias == Bias.FREE:
        bound = _rigorous(obj, lay.zero_bias(best_U), best_name + " (re-centred)")
    if bound is None and best_name != "gradient":
        bound = _rigorous(obj, U0, "gradient")
    return bound
