r"""Deep linear MSE at depth M = 1 (Dang et al. 2023, catalogue §3): the claim's own forms, proved.

Imports :func:`nctheory.claims.sources.dang2023.symbolic.mse_forms` -- what ``dang2023/mse-*`` evaluate -- and
checks that at M = 1 the root path (:math:`x = \beta^{-1/2} - 1`, :math:`\sigma = N\lambda_Hx`) gives the
catalogue's closed forms, that those solve the model's scalar problem, and the worked example.  Model fact used:
with orthogonal classes, class k's own mean logit z solves :math:`\min_z \frac{n_k}{2N}(z-1)^2 + \lambda\sqrt{n_k}z`
(R1 on the class's block, :math:`\lambda = \sqrt{\lambda_W\lambda_H}`).
"""

import sympy as sp

from nctheory.claims.sources.dang2023.symbolic import M, N, beta, lambda_H, lambda_W, mse_forms, n_k, sigma_k, x

F = {name: expr.subs(M, 1) for name, expr in mse_forms().items()}
X1 = beta ** sp.Rational(-1, 2) - 1  # the M = 1 root claimed by the code (root.right_root)


def _root():
    return sp.simplify(F["root_equation"].subs(x, X1)) == 0, "x = beta^(-1/2) - 1 solves beta = 1/(1+x)^2"


def _sigma_closed_form():
    sigma = F["sigma_from_root"].subs(x, X1).subs(beta, F["beta"])
    return sp.simplify(sigma - F["sigma_m1"]) == 0, "N lambda_H x at the root = sqrt(n_k lambda_H/lambda_W) - N lambda_H"


def _grams_closed_form():
    at = {sigma_k: F["sigma_m1"]}
    hh = sp.simplify(F["gram_HH_diag"].subs(at) - F["h_norm_sq_m1"].subs(at)) == 0
    ph = sp.simplify(F["gram_PH_diag"].subs(at) - F["margin_m1"]) == 0
    return hh and ph, "sigma/(sigma+N lH)^2 = sigma lW/(n lH) and sigma/(sigma+N lH) = 1 - N sqrt(lW lH/n) there"


def _stationary_in_the_model():
    z = sp.Symbol("z", positive=True)
    f = n_k / (2 * N) * (z - 1) ** 2 + sp.sqrt(lambda_W * lambda_H) * sp.sqrt(n_k) * z
    return sp.simplify(sp.diff(f, z).subs(z, F["margin_m1"])) == 0, "the claim's margin minimises the scalar problem"


def _zero_threshold():
    at = {n_k: F["zero_threshold_n_m1"]}
    sig = sp.simplify(F["sigma_m1"].subs(at)) == 0
    thr = sp.simplify(F["beta"].subs(at) - F["zero_threshold_beta"]) == 0  # beta = 1 = the M = 1 threshold
    return sig and thr, "sigma_k = 0 and beta_k = 1 at n_k = N^2 lambda_W lambda_H"


def _value_in_root_units():
    sig = F["sigma_from_root"]
    lhs = F["class_optimal_value"].subs(sigma_k, sig)
    rhs = n_k / (2 * N) * F["scaled_class_objective"].subs(beta, F["beta"])
    return sp.simplify(lhs - rhs) == 0, "class value = (n_k/2N) G_beta(x)"


def _worked_example():
    vals = {lambda_W: sp.Rational(5, 10000), lambda_H: sp.Rational(5, 10000), N: 400}
    target = [13.94214, 9.8, 6.87107, 6.87107]
    got = [float(F["sigma_m1"].subs(vals).subs(n_k, k)) for k in (200, 100, 50, 50)]
    ok = all(abs(a - b) < 5e-6 for a, b in zip(got, target))  # the catalogue quotes 5 decimals
    return ok, f"got {got}"


CHECKS = [
    ("the M = 1 root x = beta^(-1/2) - 1 solves the claim's root equation", _root),
    ("the root path gives sigma_k = sqrt(n_k lH/lW) - N lH", _sigma_closed_form),
    ("the claim's Gram diagonals reduce to the catalogue's M = 1 closed forms", _grams_closed_form),
    ("z = 1 - N lambda/sqrt(n_k) is stationary for the class's scalar problem", _stationary_in_the_model),
    ("class k vanishes at n_k = N^2 lW lH, where beta_k = 1", _zero_threshold),
    ("class value in root units (M = 1)", _value_in_root_units),
    ("worked example n=[200,100,50,50], lambda=5e-4", _worked_example),
]
