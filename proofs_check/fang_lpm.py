r"""Layer-peeled model (Fang et al. 2021, catalogue §6): the claims' own forms, proved.

Imports :mod:`nctheory.claims.sources.fang.symbolic` -- what ``fang/*`` evaluate -- and checks them against the
model: the balanced ETF meets both budgets and the nuclear-norm budget with equality and has the claimed logits and
objective (a feasible point); the claimed minority loss is the CE of a minority column of the symmetric
:math:`Z = s_AP_A + s_BP_B + ug^\top` (built here in sympy for K_A = K_B = 2); its slope at :math:`s_B = 0` is
:math:`-(K_B-1)/K_B` whatever t (the collapse criterion μ >= π_B); π_B is a minority class's weight.
"""

import sympy as sp

from nctheory.claims.sources.fang.symbolic import (E_H, E_W, K, K_A, K_B, R, balanced_forms, collapse_forms, s_B, t)

B, C = balanced_forms(), collapse_forms()


def _balanced_point():
    S = sp.eye(4) - sp.ones(4, 4) / 4  # K = 4 instance of the ETF Grams E_W K/(K-1) S, E_H K/(K-1) S
    f = sp.Rational(4, 3)
    GW, Z = E_W * f * S, sp.sqrt(E_W * E_H) * f * S
    sub = {K: 4}
    ok = sp.simplify(GW[0, 0] - B["norm_w_sq"]) == 0 and sp.simplify(GW[0, 1] / GW[0, 0] - B["cos_ww"].subs(sub)) == 0
    ok &= sp.simplify(Z[0, 0] - B["own_logit"]) == 0 and sp.simplify(Z[1, 0] - B["other_logit"].subs(sub)) == 0
    budget_w = sp.simplify(GW.trace() / 4 - E_W) == 0
    nuclear = sp.simplify(sum(sp.Abs(ev) * m for ev, m in Z.eigenvals().items()) - 4 * sp.sqrt(E_W * E_H)) == 0
    return bool(ok and budget_w and nuclear), "ETF Grams: the claimed norms, cosine and logits; budgets active"


def _balanced_objective():
    # CE = log(sum_j e^{z_j}) - z_k; compared through exp (log is injective)
    exp_ce = (sp.exp(B["own_logit"]) + (K - 1) * sp.exp(B["other_logit"])) * sp.exp(-B["own_logit"])
    return sp.simplify(exp_ce - sp.exp(B["objective"])) == 0, "objective = CE of the ETF logits"


def _minority_loss_is_the_ce():
    sA, alpha = sp.symbols("s_A alpha", nonnegative=True)
    a = sp.Matrix([1, 1, 0, 0])
    b = sp.Matrix([0, 0, 1, 1])
    P_A = sp.diag(*a) - a * a.T / 2
    P_B = sp.diag(*b) - b * b.T / 2
    u = a / 2 - b / 2
    g = alpha * a - t * b
    Z = sA * P_A + s_B * P_B + u * g.T
    k = 2  # a minority class
    exp_ce = sum(sp.exp(Z[j, k]) for j in range(4)) * sp.exp(-Z[k, k])  # e^{CE}; log is injective
    form = C["minority_loss"].subs({K_A: 2, K_B: 2})
    return sp.simplify(sp.expand(exp_ce) - sp.expand(sp.exp(form))) == 0, "CE of a minority column of Z (K_A = K_B = 2)"


def _slope_at_collapse():
    return sp.simplify(C["minority_loss_slope_at_collapse"] + (K_B - 1) / K_B) == 0, "-(K_B-1)/K_B for every t"


def _minority_weight():
    pi_A = R * C["pi_B"]
    return sp.simplify(K_A * pi_A + K_B * C["pi_B"] - 1) == 0, "K_A R pi_B + K_B pi_B = 1"


CHECKS = [
    ("the balanced ETF has the claimed Grams and logits and uses the budgets", _balanced_point),
    ("the balanced objective is the CE of the ETF logits", _balanced_objective),
    ("the claimed minority loss is the CE of the symmetric Z", _minority_loss_is_the_ce),
    ("the minority loss slope at s_B = 0 is -(K_B-1)/K_B whatever t", _slope_at_collapse),
    ("pi_B is a minority class's weight", _minority_weight),
]
