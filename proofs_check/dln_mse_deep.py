r"""Deep linear MSE, M >= 2 (Dang et al. 2023, catalogue §3): the scalar root equation is the stationarity of
the per-class optimal value.

With all layer penalties equal (:math:`c = 1`), the catalogue's optimal value per class is
:math:`f(s) = \frac{n\lambda_H}{2(s^{2M} + N\lambda_H)} + \frac{M\lambda_W s^2}{2}` with :math:`\sigma = s^{2M}`.
Writing :math:`\sigma = N\lambda_H x^M`, :math:`f'(s) = 0` is exactly
:math:`\beta = M x^{M-1}/(x^M+1)^2` with :math:`\beta = b/n`, :math:`b = MN(N\lambda_H\lambda_W^M)^{1/M}`.
In :math:`x` units the value is :math:`\frac{n}{2N}\,(1/(x^M+1) + \beta x)`.  Also checked: the right-hand side peaks at :math:`x = ((M-1)/(M+1))^{1/M}`, and the zero class is the global
minimum iff :math:`\beta \ge (M-1)^{(M-1)/M}/M` (where :math:`f` at the nonzero root equals :math:`f(0)`).
"""

import sympy as sp

lw, lh, N, n, x = sp.symbols("lambda_W lambda_H N n x", positive=True)


def _root_equation(M: int):
    s = sp.symbols("s", positive=True)
    f = n * lh / (2 * (s ** (2 * M) + N * lh)) + M * lw * s**2 / 2
    # f'(s) = 0  <=>  n lh s^(2M-2) = lw (s^(2M) + N lh)^2 ; substitute s^2 = (N lh x^M)^(1/M)
    stationarity = sp.simplify(sp.diff(f, s) / s)
    s_of_x = (N * lh * x**M) ** sp.Rational(1, 2 * M)
    lhs = sp.simplify(stationarity.subs(s, s_of_x))
    beta = M * N * (N * lh * lw**M) ** sp.Rational(1, M) / n
    root_eq = beta - M * x ** (M - 1) / (x**M + 1) ** 2
    # lhs must vanish exactly where root_eq does: lhs = (positive factor) * root_eq
    ratio = sp.simplify(lhs / root_eq)
    ok = sp.simplify(sp.diff(ratio, x)) == 0 or ratio.free_symbols.isdisjoint({x})
    return bool(ok), f"ratio = {ratio}"


def _peak(M: int):
    g = M * x ** (M - 1) / (x**M + 1) ** 2
    xp = ((sp.Integer(M) - 1) / (M + 1)) ** sp.Rational(1, M)
    return sp.simplify(sp.diff(g, x).subs(x, xp)) == 0, ""


def _global_threshold(M: int):
    # in x units the per-class value is (n/(2N)) F(x), F(x) = 1/(x^M + 1) + beta x (see _scaled_objective_matches)
    beta = sp.symbols("beta", positive=True)
    F = 1 / (x**M + 1) + beta * x
    thr = (sp.Integer(M) - 1) ** sp.Rational(M - 1, M) / M
    # at beta = thr the nonzero stationary point x* = (M-1)^(1/M) has F(x*) = F(0) = 1 and F'(x*) = 0
    xs = (sp.Integer(M) - 1) ** sp.Rational(1, M)
    same_value = sp.simplify(F.subs({beta: thr, x: xs}) - 1) == 0
    stationary = sp.simplify(sp.diff(F, x).subs({beta: thr, x: xs})) == 0
    return same_value and stationary, ""


def _scaled_objective_matches():
    # the value formula in x units: n lh/(2(σ+N lh)) + M lw s^2/2 = (n/(2N)) [1/(x^M+1) + beta x]
    M = 3
    s2 = (N * lh * x**M) ** sp.Rational(1, M)
    val = n * lh / (2 * (N * lh * x**M + N * lh)) + M * lw * s2 / 2
    beta = M * N * (N * lh * lw**M) ** sp.Rational(1, M) / n
    target = n / (2 * N) * (1 / (x**M + 1) + beta * x)
    return sp.simplify(val - target) == 0, ""


CHECKS = [
    *[(f"root equation is the stationarity of the optimal value (M={M})", (lambda M=M: _root_equation(M)))
      for M in (2, 3, 6)],
    *[(f"peak of M x^(M-1)/(x^M+1)^2 at ((M-1)/(M+1))^(1/M) (M={M})", (lambda M=M: _peak(M))) for M in (2, 3, 6)],
    *[(f"zero class is global iff beta >= (M-1)^((M-1)/M)/M (M={M})", (lambda M=M: _global_threshold(M)))
      for M in (2, 3, 6)],
    ("optimal value in x units = (n/2N)[1/(x^M+1) + beta x] (M=3)", _scaled_objective_matches),
]
