r"""Fixed simplex-ETF classifier (Yang et al. 2022, catalogue §5): the claims' own forms, proved.

Imports :mod:`nctheory.claims.sources.yang.symbolic` -- what ``yang/etf-*`` evaluate -- and checks them against
the model: the ETF Gram :math:`W^*W^{*\top} = E_W\frac K{K-1}S` gives the claimed logits of :math:`h = cw^*_k`, whose
CE is the claimed objective; the per-sample scale meets the budget with equality (a feasible point); the solved
root equations are the stationarity conditions of the weight-decay and average-budget problems; the
dot-regression gradient is pull only.
"""

import sympy as sp

from nctheory.claims.sources.yang.symbolic import (E_H, E_W, K, KAPPA, c, ce_forms, dr_forms, lambda_H, pi_k, t,
                                                   variants_forms)

CE, DR, VAR = ce_forms(), dr_forms(), variants_forms()


def _logits_from_the_etf_gram():
    own = E_W * K / (K - 1) * (1 - 1 / K) * CE["scale_c"]  # (W* W*^T)_{kk} c
    other = E_W * K / (K - 1) * (-1 / K) * CE["scale_c"]  # (W* W*^T)_{jk} c, j != k
    ok = sp.simplify(own - CE["own_logit"]) == 0 and sp.simplify(other - CE["other_logit"]) == 0
    return ok, "E_W K/(K-1) S c gives c E_W (own) and -c E_W/(K-1) (others)"


def _objective_is_the_ce():
    # CE = log(sum_j e^{z_j}) - z_k; compared through exp (log is injective)
    exp_ce = (sp.exp(CE["own_logit"]) + (K - 1) * sp.exp(CE["other_logit"])) * sp.exp(-CE["own_logit"])
    ok = sp.simplify(exp_ce - sp.exp(CE["objective"])) == 0
    same = sp.simplify(VAR["ce_at_scale"].subs(c, CE["scale_c"]) - CE["objective"]) == 0
    return ok and same, "logsumexp(logits) - own = log(1 + (K-1) e^{-kappa c}) = g(c) at the per-sample scale"


def _budget_active():
    return sp.simplify(CE["scale_c"] ** 2 * E_W - E_H) == 0, "||c w*_k||^2 = c^2 E_W = E_H: feasible, active"


def _penalty_root_is_stationarity():
    factor = E_W * lambda_H / (sp.exp(KAPPA * c) + K - 1)
    diff = VAR["penalty_stationarity"] - factor * VAR["penalty_root_equation"]
    return sp.simplify(diff) == 0, "stationarity = E_W lambda_H/(e^{kappa c}+K-1) x (the solved root equation)"


def _average_root_is_stationarity():
    mu = sp.Symbol("mu", positive=True)  # multiplier of (1/K) sum c_k^2 E_W <= E_H
    lagrangian_grad = pi_k * sp.diff(VAR["ce_at_scale"], c) + 2 * mu / K * c * E_W
    factor = 2 * mu * E_W / K / (sp.exp(KAPPA * c) + K - 1)
    diff = lagrangian_grad - factor * VAR["average_root_equation"].subs(t, K**2 / (2 * mu))
    return sp.simplify(diff) == 0, "pi_k g'(c_k) + (2 mu/K) c_k E_W = 0 <=> c_k (e^{kappa c_k} + K - 1) = pi_k t"


def _dr_pull_only():
    ok = sp.simplify(DR["dr_gradient_coefficient"] - DR["dr_gradient_coefficient_claimed"]) == 0
    at_target = sp.simplify(DR["dr_loss_at_angle"].subs(sp.Symbol("theta", positive=True), 0)) == 0
    return ok and at_target, "gradient coefficient -(1 - cos theta); loss 0 at h parallel to w*_c"


CHECKS = [
    ("the claimed logits follow from the ETF Gram", _logits_from_the_etf_gram),
    ("the claimed objective is the CE of those logits", _objective_is_the_ce),
    ("the per-sample scale meets the budget with equality", _budget_active),
    ("weight decay: the solved root equation is the stationarity", _penalty_root_is_stationarity),
    ("average budget: the root equation is the Lagrangian stationarity", _average_root_is_stationarity),
    ("dot regression: pull-only gradient, zero loss at the target", _dr_pull_only),
]
