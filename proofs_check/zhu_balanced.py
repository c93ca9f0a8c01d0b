r"""Zhu et al. 2021, balanced CE (catalogue §6): the claim's own symbolic forms, proved.

Imports :func:`nctheory.claims.sources.zhu.symbolic.forms` -- the expressions the claim states -- and checks
them against the model: with the ETF ansatz :math:`\bar Z = cS` the per-class loss is
:math:`\log(1 + (K-1)e^{-c})` and :math:`Y = \bar Z\sqrt n` has :math:`K-1` singular values :math:`c\sqrt n`, so the
reduced objective is :math:`\log(1+(K-1)e^{-c}) + s(K-1)c` with :math:`s = \sqrt n\lambda`.  The claim's margin
must be stationary for it, vanish at Ks = 1, and its norms must follow from R1.
"""

import sympy as sp

from nctheory.claims.sources.zhu.symbolic import K, forms, lambda_H, lambda_W, n

F = forms()
s = sp.sqrt(n * lambda_W * lambda_H)
c = sp.Symbol("c", positive=True)
REDUCED = sp.log(1 + (K - 1) * sp.exp(-c)) + s * (K - 1) * c


def _stationarity():
    grad = sp.diff(REDUCED, c).subs(c, F["margin"])
    return sp.simplify(grad) == 0, "d/dc [log(1+(K-1)e^{-c}) + s(K-1)c] = 0 at the claim's margin"


def _zero_threshold():
    at = F["margin"].subs(lambda_H, lambda_W).subs(lambda_W, 1 / (K * sp.sqrt(n)))
    crit = F["zero_threshold"].subs(lambda_H, F["critical_lambda"]).subs(lambda_W, F["critical_lambda"])
    return sp.simplify(at) == 0 and sp.simplify(crit) == 0, "margin 0 and threshold 0 at the critical λ"


def _norms_from_r1():
    # R1: W Wᵀ = √(λ_H/λ_W)(YYᵀ)^{1/2} with Y = c√n S, so ‖w‖² = √(λ_H/λ_W)·c√n·(K-1)/K
    w_sq = sp.sqrt(lambda_H / lambda_W) * F["margin"] * sp.sqrt(n) * (K - 1) / K
    h_sq = sp.sqrt(lambda_W / lambda_H) * F["margin"] / sp.sqrt(n) * (K - 1) / K
    ok = sp.simplify(w_sq - F["w_sq_norm"]) == 0 and sp.simplify(h_sq - F["h_sq_norm"]) == 0
    ratio = sp.simplify(F["h_sq_norm"] / F["w_sq_norm"] - F["self_duality_factor"] ** 2) == 0
    return ok and ratio, "‖w‖², ‖h‖² from R1 and h = αw"


def _objective_at_margin():
    return sp.simplify(REDUCED.subs(c, F["margin"]) - F["objective"]) == 0, "objective = reduced objective at c*"


def _worked_example():
    vals = {K: 4, n: 5, lambda_W: sp.Rational(1, 100), lambda_H: sp.Rational(1, 100)}
    w2, h2 = float(F["w_sq_norm"].subs(vals)), float(F["h_sq_norm"].subs(vals))
    ok = abs(w2 - 6.257099) < 5e-7 and abs(h2 - 1.251420) < 5e-7  # catalogue quotes 6 decimals
    return ok, f"|w|^2={w2:.7f} |h|^2={h2:.7f}"


CHECKS = [
    ("the claim's margin is stationary for the reduced objective", _stationarity),
    ("the margin vanishes at K s = 1", _zero_threshold),
    ("the claim's norms follow from R1", _norms_from_r1),
    ("the claim's objective is the reduced objective at its margin", _objective_at_margin),
    ("worked example K=4, n=5, lambda=1e-2", _worked_example),
]
