r"""Hong & Ling threshold (catalogue §2, HL-threshold): the claim's own symbolic forms, proved.

Imports :func:`nctheory.claims.sources.hong_ling.symbolic.threshold_forms` (what ``hong-ling/threshold`` states)
and the KKT equation (i) of ``hong-ling/angles`` (:func:`~nctheory.claims.sources.hong_ling.symbolic.angles_forms`).
At :math:`s_c = 0` equation (i) reads :math:`\sqrt{n_c}/N = \lambda` whatever the other unknowns, so the cluster's
singular value leaves 0 exactly at :math:`\lambda N = \sqrt{n_c}`.  With :math:`N = K_An_A + K_Bn_B` and
:math:`x = \sqrt{n_B}` the threshold is the quadratic :math:`\lambda K_Bx^2 - x + \lambda K_An_A = 0`, whose smaller
root gives the critical :math:`n_B` at fixed :math:`n_A`.
"""

import sympy as sp

from nctheory.claims.sources.hong_ling.symbolic import (K_A, K_B, N_AB, angles_forms, lam, lambda_H, lambda_W, n_A,
                                                        n_B, s_A, threshold_forms)

F = threshold_forms()
DISC = 1 - 4 * lam ** 2 * K_A * K_B * n_A


def _kkt_at_zero():
    # (i) at s_A = 0: the left side is exactly √n_A/N, for every r, Δ: s_A leaves 0 iff λN < √n_A
    at0 = angles_forms()["stationarity_s_A"].subs(s_A, 0)
    return sp.simplify(at0 - (sp.sqrt(n_A) / N_AB - lam)) == 0, "(i)|_{s=0} = √n_c/N − λ"


def _critical_lambda():
    # the claim's λ* = √n_B/N zeroes its collapse condition N²λ_Wλ_H − n_B (λ_W = λ_H = λ*)
    crit = F["collapse_condition"].subs({lambda_W: F["critical_lambda"], lambda_H: F["critical_lambda"]})
    return sp.simplify(crit) == 0, "collapse_condition(λ*) = 0"


X_MINUS = (1 - sp.sqrt(DISC)) / (2 * lam * K_B)
X_PLUS = (1 + sp.sqrt(DISC)) / (2 * lam * K_B)


def _critical_nB_on_threshold():
    # the claim's critical_nB is x₋², x₋ = (1 − √disc)/(2λK_B) >= 0 (√disc < 1), and x₋ solves λ(K_An_A + K_Bx²) = x
    square = sp.simplify(F["critical_nB"] - X_MINUS ** 2) == 0
    on = sp.simplify(sp.expand(lam * (K_A * n_A + K_B * X_MINUS ** 2) - X_MINUS)) == 0
    return square and on, "critical_nB = x₋², λN(n_B = x₋²) = x₋"


def _critical_nB_is_the_smaller_root():
    # Vieta: the two roots x± multiply to K_An_A/K_B, so x₋ <= √(K_An_A/K_B) <= x₊ (the minority side)
    return sp.simplify(X_MINUS * X_PLUS - K_A * n_A / K_B) == 0, "x₋ x₊ = K_A n_A / K_B"


def _critical_nA_on_threshold():
    Nc = K_A * F["critical_nA"] + K_B * n_B
    return sp.simplify(lam * Nc - sp.sqrt(n_B)) == 0, "λN(n_A = critical_nA) = √n_B"


def _worked_example():
    # sizes 50×2, 5×3 (the claim's default instances): λ* = √5/115 between the defaults' 0.015 and 0.025
    v = float(F["critical_lambda"].subs({n_B: 5, K_A: 2, K_B: 3, n_A: 50}))
    return 0.015 < v < 0.025 and abs(v - 5 ** 0.5 / 115) < 1e-15, f"λ* = {v:.6g}"


CHECKS = [
    ("KKT (i) at s = 0 gives lambda N = sqrt(n_c)", _kkt_at_zero),
    ("the claim's critical lambda zeroes its collapse condition", _critical_lambda),
    ("the claim's critical n_B solves lambda (K_A n_A + K_B n_B) = sqrt(n_B)", _critical_nB_on_threshold),
    ("critical sqrt(n_B) is the smaller root (Vieta: product K_A n_A / K_B)", _critical_nB_is_the_smaller_root),
    ("the claim's critical n_A solves lambda N = sqrt(n_B)", _critical_nA_on_threshold),
    ("default instances sit on both sides of lambda*", _worked_example),
]
