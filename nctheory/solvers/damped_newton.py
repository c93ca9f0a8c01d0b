r"""Damped Newton for the bias minimised out, shared by the certified and the reference solvers.

Minimise a smooth convex :math:`f(x)`, :math:`x \in \mathbb R^s` (the bias b, or its group coordinates β), from
:math:`x_0`.  Each step solves

.. math::

    (H + \gamma\,\tfrac{\operatorname{tr}H}{s}\,\mathbf 1\mathbf 1^\top/s
       + 10^{-14}\tfrac{\operatorname{tr}H}{s} I)\, p = -g,
    \qquad \delta = -g^\top p \;(\text{the Newton decrement, twice the predicted decrease}),

with :math:`\gamma = 1` in *gauge* mode (f constant along :math:`\mathbf 1`: a free bias with a shift-invariant
loss; g is centred, the rank-one term completes the Hessian along :math:`\mathbf 1` and leaves p in
:math:`\mathbf 1^\perp`), else 0; a least-squares solve if the system is singular.  Steps :math:`x + tp`,
:math:`t = 1, \frac12, \dots` (40 halvings at most) are accepted by sufficient decrease
:math:`f(x + tp) \le f(x) - \frac14 t\delta` or, where value differences drown in rounding, by a halved (centred)
gradient norm; no acceptable step or 100 steps end the iteration.

When to stop is the caller's :class:`Stopping` rule (absolute in the certified solver's
:class:`AbsoluteStopping`, relative in the references' :class:`RelativeStopping`); fixing the gauge at the end
(:math:`\mathbf 1^\top b = 0`) is the caller's too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

import numpy as np

__all__ = ["MAX_STEPS", "Stopping", "AbsoluteStopping", "RelativeStopping", "damped_newton"]

#: Newton steps at most.
MAX_STEPS = 100
#: Step halvings at most per line search.
MAX_HALVINGS = 40
#: float64 machine epsilon (the relative stopping rule's unit).
EPS = float(np.finfo(np.float64).eps)


class Stopping(Protocol):
    """When the Newton iteration of :func:`damped_newton` stops, and which step it accepts."""

    def converged(self, decrement: float, value: float) -> bool:
        """True: stop before stepping (``decrement`` δ at the current point, ``value`` f there)."""

    def decreased(self, trial: float, value: float, t: float, decrement: float) -> bool:
        """True: the value ``trial`` at step length ``t`` is a sufficient decrease from ``value``."""

    def done(self, decrement: float, t: float) -> bool:
        """True: stop after an accepted step of length ``t`` taken at decrement δ."""


@dataclass
class AbsoluteStopping:
    r"""The certified solver's rule: stop when :math:`\delta \le 10^{-24}`, or after a full step taken at
    :math:`\delta \le 10^{-20}` (quadratic convergence: the next step is at rounding level); Armijo
    :math:`f_t \le f - \frac14 t\delta`."""

    def converged(self, decrement: float, value: float) -> bool:
        return decrement <= 1e-24

    def decreased(self, trial: float, value: float, t: float, decrement: float) -> bool:
        return trial <= value - 0.25 * t * decrement

    def done(self, decrement: float, t: float) -> bool:
        return decrement <= 1e-20 and t == 1.0


@dataclass
class RelativeStopping:
    r"""The references' rule (:mod:`nctheory.solvers.references.bias`): stop when
    :math:`\delta \le 10^{-3}\varepsilon|f|`, or when, once :math:`\delta \le 10^{-10}|f|`, a full step shrank the
    decrement by less than 4× (rounding level); Armijo with a strict decrease :math:`f_t < f`.  Stateful: one
    instance per minimisation."""

    previous: float = np.inf
    full_step: bool = False

    def converged(self, decrement: float, value: float) -> bool:
        if decrement <= 1e-3 * EPS * abs(value):
            return True
        if self.full_step and decrement <= 1e-10 * abs(value) and decrement > 0.25 * self.previous:
            return True  # close to the minimum a full Newton step no longer shrinks the decrement: rounding level
        self.previous = decrement
        return False

    def decreased(self, trial: float, value: float, t: float, decrement: float) -> bool:
        return trial < value and trial <= value - 0.25 * t * decrement

    def done(self, decrement: float, t: float) -> bool:
        self.full_step = t == 1.0
        return False


def damped_newton(value_grad: Callable[[np.ndarray], tuple[float, np.ndarray, Any]],
                  hessian: Callable[[np.ndarray, Any], np.ndarray], x: np.ndarray, *, gauge: bool,
                  stopping: Stopping) -> tuple[np.ndarray, int]:
    r"""Minimise f from ``x`` by damped Newton (module doc).

    Parameters
    ----------
    value_grad : callable
        ``x -> (f(x), ∇f(x), state)``; ``state`` (e.g. the shifted logits) is passed on to ``hessian``.
    hessian : callable
        ``(x, state) -> ∇²f(x)``, an (s, s) array.
    x : ndarray, shape (s,)
        The start (not modified).
    gauge : bool
        f is constant along :math:`\mathbf 1`: centre gradients and complete the Hessian along it.
    stopping : Stopping
        When to stop and which steps to accept.

    Returns
    -------
    x : ndarray, shape (s,)
        The last accepted point (its gauge not fixed).
    steps : int
        Newton systems solved.
    """
    size = x.shape[0]
    eye = np.eye(size)

    def centred(g):
        return g - g.mean() if gauge else g

    f, grad, state = value_grad(x)
    steps = 0
    for _ in range(MAX_STEPS):
        Hess = hessian(x, state)
        scale = max(float(np.trace(Hess)) / size, 1e-300)
        if gauge:
            grad = centred(grad)
            Hess = Hess + scale / size  # + (scale/s) 1 1^T: fixes the gauge, keeps steps in 1^perp
        Hess = Hess + (1e-14 * scale) * eye
        try:
            step = -np.linalg.solve(Hess, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(Hess, grad, rcond=None)[0]
        decrement = -float(grad @ step)
        steps += 1
        if not np.isfinite(decrement) or stopping.converged(decrement, f):
            break
        grad_norm = float(np.linalg.norm(grad))
        t, accepted = 1.0, False
        for _halving in range(MAX_HALVINGS):
            trial = x + t * step
            f_trial, grad_trial, state_trial = value_grad(trial)
            if (stopping.decreased(f_trial, f, t, decrement)
                    or float(np.linalg.norm(centred(grad_trial))) <= 0.5 * grad_norm):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        x, f, grad, state = trial, f_trial, grad_trial, state_trial
        if stopping.done(decrement, t):
            break
    return x, steps
