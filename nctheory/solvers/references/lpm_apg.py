r"""The accelerated projected-gradient iteration of the certified layer-peeled solver
(:mod:`~nctheory.solvers.references.lpm_solve`, whose module doc derives it): the best certified point kept
(:class:`_Best`), the projection onto the nuclear-norm budget, and the APG loop with its certificate schedule."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nctheory.solvers.references.best import BestSoFar
from nctheory.solvers.references.lpm import LPMObjective, lower_bound
from nctheory.solvers.references.rounding import EPS
from nctheory.solvers.references.spectrum import project_onto_l1_ball

#: Step growth after an accepted step and shrink on a failed test.
_GROW, _SHRINK = 1.25, 0.5
#: Stop as stalled when the certified gap fell by less than 1 % over this many iterations.
STALL_ITERATIONS = 50
#: Default iterations between two certificates.
CHECK_EVERY = 5
#: Near an attained loss infimum (no positive bound, F at the rounding level of the instance's scale), stop when F
#: fell by less than 1 % over this many iterations.
INFIMUM_ITERATIONS = 10


def rounding_floor(size: int) -> float:
    r"""The smallest relative gap worth asking for: twice the rounding allowance of a bound whose terms are of the
    objective's size, :math:`16(\text{size} + 6)\varepsilon` (size = K dense, C + 2 grouped)."""
    return 16.0 * (int(size) + 6) * EPS


@dataclass
class _Best(BestSoFar):
    """The best point (``Z``, its spectrum ``spec``/``vals``, bias ``b``) and its :class:`~nctheory.solvers.references.lpm.LPMBound`."""

    Z: object = None
    spec: object = None
    vals: np.ndarray | None = None
    b: np.ndarray | None = None
    scale: float = math.nan

    def floor(self, size: int) -> float:
        """The floor of the gap: the bound's own allowance relative to F (at least :func:`rounding_floor`)."""
        if self.bound is None or not math.isfinite(self.value) or self.value == 0.0:
            return rounding_floor(size)
        return max(rounding_floor(size), 2.0 * self.bound.allowance / abs(self.value))


def _project(obj: LPMObjective, V):
    lay = obj.layout
    spec = lay.spectrum(V)
    vals = project_onto_l1_ball(spec.values, spec.mult, obj.radius)
    return spec.rebuild(vals), spec, vals


def _apg(obj: LPMObjective, Z0, b0, tol, max_iter, clock, log, check_every):
    lay = obj.layout
    best = _Best()

    def offer(ev, Z, spec, vals):
        if ev.value < best.value:
            best.value, best.Z, best.spec, best.vals, best.b = ev.value, Z, spec, vals, ev.b

    def certify(ev, spec, vals):
        bound = lower_bound(obj, ev.Gamma, spec.rank(vals), ev.value)
        best.certificates += 1
        if bound is not None and bound.value > best.lower:
            best.bound = bound

    def target():
        return max(tol, best.floor(lay.size))

    scale = obj.evaluate(lay.zeros(), None if b0 is None else b0).value  # φ(0): the instance's natural scale

    Z, spec, vals = _project(obj, Z0)
    ev = obj.evaluate(Z, b0)
    offer(ev, Z, spec, vals)
    certify(ev, spec, vals)
    if best.rel_gap() <= target():
        return best, 0, "converged"
    step = 1.0 / obj.lipschitz
    Zp = Z
    theta, F_prev = 1.0, ev.value
    best.open_window()
    it, reason, last_cert = 0, "max_iter", 0
    period, next_cert = check_every, check_every
    infimum_window = (math.inf, 0)
    while it < max_iter:
        it += 1
        theta_n = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
        mom = (theta - 1.0) / theta_n
        if mom > 0.0:
            Y = lay.lin(1.0 + mom, Z, -mom, Zp)
            evY = obj.evaluate(Y, ev.b)
        else:
            Y, evY = Z, ev
        while True:
            Zn, spec_n, vals_n = _project(obj, lay.lin(1.0, Y, -step, evY.grad))
            evn = obj.evaluate(Zn, evY.b)
            D = lay.lin(1.0, Zn, -1.0, Y)
            dd = lay.inner(D, D)
            rounding = 8.0 * EPS * (abs(evY.value) + abs(evn.value))
            if dd == 0.0 or evn.value - evY.value <= lay.inner(evY.grad, D) + dd / (2.0 * step) + rounding \
                    or lay.inner(lay.lin(1.0, evn.grad, -1.0, evY.grad), D) <= dd / (2.0 * step):
                break
            step *= _SHRINK
        restart = lay.inner(lay.lin(1.0, Y, -1.0, Zn), lay.lin(1.0, Zn, -1.0, Z)) > 0.0 or evn.value > F_prev
        theta = 1.0 if restart else theta_n
        Zp, Z, ev, F_prev = Z, Zn, evn, evn.value
        spec, vals = spec_n, vals_n
        step *= _GROW
        offer(ev, Z, spec, vals)
        if it % check_every == 0:
            if it >= next_cert:
                before = best.value - best.lower
                certify(ev, spec, vals)
                last_cert = it
                # a bound that no longer moves (the primal point is the laggard): certify less often, up to 16x
                improved = before - (best.value - best.lower)
                period = check_every if not improved < 0.01 * before else min(16 * check_every, 2 * period)
                next_cert = it + period
            gap = best.rel_gap()
            if log is not None:
                log(f"apg it={it:6d} F={best.value:.15g} LB={best.lower:.15g} rel_gap={gap:.3e} "
                    f"rank={spec.rank(vals)} step*L={step * obj.lipschitz:.3g}")
            if gap <= target():
                reason = "converged"
                break
            if best.lower <= 0.0 < best.value <= rounding_floor(lay.size) * abs(scale):
                # near the loss's infimum 0 with no positive bound: stop once F no longer falls (an attained
                # infimum, e.g. an exact MSE fit, leaves F at its rounding level; a CE with huge budgets keeps
                # falling geometrically and goes on to a relative certificate)
                if not best.value < 0.99 * infimum_window[0] and it - infimum_window[1] >= INFIMUM_ITERATIONS:
                    reason = "infimum"
                    break
                if best.value < 0.99 * infimum_window[0]:
                    infimum_window = (best.value, it)
        if clock.expired():
            reason = "time_limit"
            break
        if it % STALL_ITERATIONS == 0 and best.stalled():
            reason = "stalled"
            break
    if last_cert != it:
        certify(ev, spec, vals)
        if best.rel_gap() <= target():
            reason = "converged"
    if best.rel_gap() > tol and best.lower <= 0.0 < best.value <= rounding_floor(lay.size) * abs(scale):
        # the objective is at the rounding level of the instance's scale and no positive bound exists: the optimum is
        # (numerically) the loss's infimum 0, attained (an exact MSE fit), where no relative gap can be certified
        reason = "infimum"
    best.scale = scale
    return best, it, reason
