r"""Zhu et al. 2021, balanced CE (catalogue §6), in the canonical convention.

With the ETF ansatz :math:`\bar Z = mS` the logit margin (own logit minus another) is :math:`m`, the
per-class loss is :math:`\log(1 + (K-1)e^{-m})` and :math:`Y = \bar Z\sqrt n` has :math:`K-1` singular values
:math:`m\sqrt n`, so the objective is :math:`\log(1+(K-1)e^{-m}) + \lambda\sqrt n (K-1) m`, with stationarity
:math:`\frac{e^{-m}}{1+(K-1)e^{-m}} = s`, :math:`s = \sqrt n\lambda`.  By R1 each row has
:math:`\|w\|^2 = \sqrt{n\lambda_H/\lambda_W}\,\frac{K-1}{K}m`.
Its solution :math:`m^* = \log\frac{1-(K-1)s}{s}` gives :math:`\rho^* = \frac{K-1}{K}m^*`, positive iff
:math:`Ks < 1`.
"""

import sympy as sp

K, s = sp.symbols("K s", positive=True)


def _stationarity():
    m = sp.log((1 - (K - 1) * s) / s)
    lhs = sp.exp(-m) / (1 + (K - 1) * sp.exp(-m))
    return sp.simplify(lhs - s) == 0, ""


def _zero_threshold():
    m = sp.log((1 - (K - 1) * s) / s)
    return sp.simplify(m.subs(s, 1 / K)) == 0, ""


def _worked_example():
    Kv, n, lv = 4, 5, 0.01
    sv = (n * lv * lv) ** 0.5
    rho = (Kv - 1) / Kv * float(sp.log((1 - (Kv - 1) * sv) / sv))
    w2 = (n * lv / lv) ** 0.5 * rho
    h2 = (lv / (n * lv)) ** 0.5 * rho
    ok = abs(w2 - 6.257099) < 5e-7 and abs(h2 - 1.251420) < 5e-7  # catalogue quotes 6 decimals
    return ok, f"|w|^2={w2:.7f} |h|^2={h2:.7f}"


CHECKS = [
    ("m* = log((1-(K-1)s)/s) is stationary", _stationarity),
    ("the margin vanishes at K s = 1", _zero_threshold),
    ("worked example K=4, n=5, lambda=1e-2", _worked_example),
]
