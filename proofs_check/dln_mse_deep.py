r"""Deep linear networks, M >= 2 (Dang et al. 2023, catalogue §3): the claims' own forms, proved.

Imports :mod:`nctheory.claims.sources.dang2023.symbolic` and checks, for M = 2, 3, 6:

* MSE: the root equation is the stationarity of the class value in the root variable
  (:math:`\sigma = N\lambda_Hx^M`), which equals :math:`\frac{n_k}{2N}G_\beta(x)`; ψ peaks at the claimed
  location; zero and the right root tie exactly at the claimed threshold; and the class value is the objective of
  the explicit diagonal point (:math:`p = \sqrt\sigma`, :math:`\bar h = \sqrt\sigma/(\sigma+N\lambda_H)`, M
  balanced layers of squared singular value :math:`\sigma^{1/M}`) -- so a lower solve refutes the claim by value.
* CE: the best-ETF objective :math:`E_M(a)` is the objective of the explicit balanced ETF point, and at M = 1 it
  is Zhu et al.'s reduced objective (the claim ``dang2023/ce-etf-m1`` uses Zhu's closed form).
"""

import sympy as sp

from nctheory.claims.sources.dang2023.symbolic import (K, M, N, a, beta, ce_deep_forms, lambda_H, lambda_W,
                                                       mse_forms, n, n_k, sigma_k, x)
from nctheory.claims.sources.zhu.symbolic import forms as zhu_forms

DEPTHS = (2, 3, 6)


def _f(M_):
    return {name: expr.subs(M, M_) for name, expr in mse_forms().items()}


def _simplify_zero(expr) -> bool:
    return sp.simplify(sp.powdenest(sp.expand_power_base(expr, force=True), force=True)) == 0


def _value_in_root_units(M_):
    F = _f(M_)
    value = F["class_optimal_value"].subs(sigma_k, F["sigma_from_root"])
    target = n_k / (2 * N) * F["scaled_class_objective"].subs(beta, F["beta"])
    return _simplify_zero(value - target), "class value = (n_k/2N) G_beta(x)"


def _root_equation_is_stationarity(M_):
    F = _f(M_)
    value = F["class_optimal_value"].subs(sigma_k, F["sigma_from_root"])
    stationarity = sp.diff(value, x) - n_k / (2 * N) * F["root_equation"].subs(beta, F["beta"])
    return _simplify_zero(stationarity), "d/dx value = (n_k/2N) (beta - psi(x))"


def _peak(M_):
    F = _f(M_)
    psi = beta - F["root_equation"]
    return sp.simplify(sp.diff(psi, x).subs(x, F["peak_location"])) == 0, "psi'(x_p) = 0"


def _threshold_tie(M_):
    F = _f(M_)
    at = {beta: F["zero_threshold_beta"], x: sp.Integer(M_ - 1) ** sp.Rational(1, M_)}
    same_value = sp.simplify(F["scaled_class_objective"].subs(at) - 1) == 0  # G(0) = 1
    stationary = sp.simplify(F["root_equation"].subs(at)) == 0
    return same_value and stationary, "at the threshold the right root x = (M-1)^(1/M) has G = G(0) = 1"


def _value_of_the_diagonal_point(M_):
    F = _f(M_)
    p = sp.sqrt(sigma_k)  # P = diag(sqrt(sigma)): M balanced layers of squared singular value sigma^(1/M)
    h = sp.sqrt(sigma_k) / (sigma_k + N * lambda_H)
    objective = (n_k / (2 * N) * (1 - p * h) ** 2 + lambda_H / 2 * n_k * h**2
                 + lambda_W / 2 * M_ * sigma_k ** sp.Rational(1, M_))
    ok = (sp.simplify(objective - F["class_optimal_value"]) == 0 and sp.simplify(p * h - F["gram_PH_diag"]) == 0
          and sp.simplify(h**2 - F["gram_HH_diag"]) == 0)
    return ok, "loss + penalties of the diagonal point = the claimed class value; its Grams are the claimed ones"


def _etf_point_objective(M_):
    # layers alpha U U^T (U: basis of 1-perp), Hbar = (eta/sqrt n) U U^T, alpha^M eta = sqrt(n) a,
    # lambda_W alpha^2 = lambda_H eta^2: the penalties, with (K-1) singular directions
    alpha_sq = (n * a**2 * lambda_H / lambda_W) ** sp.Rational(1, M_ + 1)
    eta_sq = alpha_sq * lambda_W / lambda_H
    penalty = (K - 1) / 2 * (lambda_W * M_ * alpha_sq + lambda_H * eta_sq)
    ce = sp.log(sp.exp(a * (1 - 1 / K)) + (K - 1) * sp.exp(-a / K)) - a * (1 - 1 / K)  # logits a(e_k - 1/K)
    form = ce_deep_forms()["etf_objective"].subs(M, M_)
    ce_ok = sp.simplify(sp.expand_log(ce - sp.log(1 + (K - 1) * sp.exp(-a)), force=True)) == 0
    return ce_ok and _simplify_zero(penalty + sp.log(1 + (K - 1) * sp.exp(-a)) - form), "E_M(a) = f(ETF point)"


def _etf_objective_is_zhu_at_depth_one():
    z = zhu_forms()
    s = sp.sqrt(n * lambda_W * lambda_H)
    zhu_reduced = sp.log(1 + (K - 1) * sp.exp(-a)) + s * (K - 1) * a
    margin_ok = sp.simplify(sp.diff(zhu_reduced, a).subs(a, z["margin"])) == 0
    form = ce_deep_forms()["etf_objective"].subs(M, 1)
    return _simplify_zero(form - zhu_reduced) and margin_ok, "E_1(a) = Zhu's reduced objective, stationary at his margin"


CHECKS = [
    *[(f"class value in root units (M={m})", (lambda m=m: _value_in_root_units(m))) for m in DEPTHS],
    *[(f"root equation is the stationarity of the class value (M={m})", (lambda m=m: _root_equation_is_stationarity(m)))
      for m in DEPTHS],
    *[(f"psi peaks at ((M-1)/(M+1))^(1/M) (M={m})", (lambda m=m: _peak(m))) for m in DEPTHS],
    *[(f"zero class is global iff beta >= (M-1)^((M-1)/M)/M (M={m})", (lambda m=m: _threshold_tie(m))) for m in DEPTHS],
    *[(f"the claimed value is the objective of the diagonal point (M={m})", (lambda m=m: _value_of_the_diagonal_point(m)))
      for m in (1,) + DEPTHS],
    *[(f"best-ETF objective E_M(a) is the objective of the ETF point (M={m})", (lambda m=m: _etf_point_objective(m)))
      for m in (1, 2, 3)],
    ("E_1(a) is Zhu et al.'s reduced objective", _etf_objective_is_zhu_at_depth_one),
]
