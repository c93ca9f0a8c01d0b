r"""Dang et al. 2023's forms as sympy expressions, and the numeric function the code evaluates for each.

``proofs_check/dln_mse_m1.py`` and ``proofs_check/dln_mse_deep.py`` prove these forms; the claim contract test
(``tests/claims/test_claim_contract.py``) checks each numeric function against its lambdified form.  The CE
forms at depth 1 are Zhu et al.'s (:mod:`nctheory.claims.sources.zhu.symbolic`), imported, not restated.
"""

from __future__ import annotations

import sympy as sp

from nctheory.claims.sources.zhu import symbolic as zhu_symbolic

x, beta, a = sp.symbols("x beta a", positive=True)
M = sp.Symbol("M", positive=True, integer=True)
n_k, N, lambda_W, lambda_H, sigma_k = sp.symbols("n_k N lambda_W lambda_H sigma_k", positive=True)
K, n = zhu_symbolic.K, zhu_symbolic.n


# ---------------------------------------------------------------------------------------- MSE
def mse_forms() -> dict:
    """The deep-linear MSE forms (catalogue §3): root equation, scaled objective, thresholds, Grams, values."""
    return {
        "root_equation": beta - M * x ** (M - 1) / (x**M + 1) ** 2,  # = 0 at a stationary point x > 0
        "scaled_class_objective": 1 / (1 + x**M) + beta * x,
        "beta": M * N * (N * lambda_H * lambda_W**M) ** (1 / M) / n_k,
        "sigma_from_root": N * lambda_H * x**M,
        "peak_location": ((M - 1) / (M + 1)) ** (1 / M),
        "zero_threshold_beta": (M - 1) ** ((M - 1) / M) / M,
        # catalogue value of class k with s_k^2 = sigma_k^(1/M) (c = 1: one lambda_W on every layer)
        "class_optimal_value": n_k * lambda_H / (2 * (sigma_k + N * lambda_H)) + M * lambda_W * sigma_k ** (1 / M) / 2,
        "gram_HH_diag": sigma_k / (sigma_k + N * lambda_H) ** 2,
        "gram_PH_diag": sigma_k / (sigma_k + N * lambda_H),
        # M = 1 closed forms of the catalogue (proved equal to the root path in proofs_check/dln_mse_m1.py)
        "sigma_m1": sp.sqrt(n_k * lambda_H / lambda_W) - N * lambda_H,
        "h_norm_sq_m1": sigma_k * lambda_W / (n_k * lambda_H),
        "margin_m1": 1 - N * sp.sqrt(lambda_W * lambda_H / n_k),
        "zero_threshold_n_m1": N**2 * lambda_W * lambda_H,
    }


def mse_numeric() -> dict:
    """name -> (function, symbols): what the MSE claims evaluate (contract test)."""
    from nctheory.claims.sources.dang2023 import formulas, root

    def sigma_m1_by_root(nk, N_, lw, lh):  # what runs at M = 1: the root x = beta^(-1/2) - 1
        return float(root.sigma_from_root(root.right_root(root.beta_of(1, N_, nk, lw, lh), 1), 1, N_, lh))

    return {
        "root_equation": (lambda x_, b, M_: b - float(root.root_rhs(x_, int(M_))), (x, beta, M)),
        "scaled_class_objective": (lambda x_, b, M_: float(root.scaled_class_objective(x_, b, int(M_))), (x, beta, M)),
        "beta": (lambda M_, N_, nk, lw, lh: root.beta_of(int(M_), N_, nk, lw, lh), (M, N, n_k, lambda_W, lambda_H)),
        "sigma_from_root": (lambda x_, M_, N_, lh: float(root.sigma_from_root(x_, int(M_), N_, lh)),
                            (x, M, N, lambda_H)),
        "peak_location": (lambda M_: root.peak_location(int(M_)), (M,)),
        "zero_threshold_beta": (lambda M_: root.zero_threshold(int(M_)), (M,)),
        "class_optimal_value": (lambda nk, N_, lw, lh, M_, s: float(formulas.class_value(nk, N_, lw, lh, int(M_), s)),
                                (n_k, N, lambda_W, lambda_H, M, sigma_k)),
        "gram_HH_diag": (lambda s, N_, lh: float(formulas.diagonal_grams(s, N_, lh)[0]), (sigma_k, N, lambda_H)),
        "gram_PH_diag": (lambda s, N_, lh: float(formulas.diagonal_grams(s, N_, lh)[1]), (sigma_k, N, lambda_H)),
        "sigma_m1": (sigma_m1_by_root, (n_k, N, lambda_W, lambda_H)),
    }


# ---------------------------------------------------------------------------------------- CE
def etf_objective_form():
    r""":math:`E_M(a)`: CE of logits :math:`aS` plus the R3 quasi-norm of :math:`Y = \sqrt n\,aS` (K−1 values √n a)."""
    return (sp.log(1 + (K - 1) * sp.exp(-a))
            + (M + 1) / 2 * (lambda_H * lambda_W**M) ** (1 / (M + 1)) * (K - 1) * (sp.sqrt(n) * a) ** (2 / (M + 1)))


def ce_m1_forms() -> dict:
    """Depth 1, balanced: Zhu et al.'s closed form (imported) and the ETF scale objective at M = 1."""
    z = zhu_symbolic.forms()
    return {
        "etf_scale": z["margin"],
        "w_norm_sq": z["w_sq_norm"],
        "h_norm_sq": z["h_sq_norm"],
        "objective": z["objective"],
        "zero_condition": z["zero_threshold"],  # >= 0 <=> the unique minimiser is 0
        "etf_objective": etf_objective_form().subs(M, 1),
    }


def ce_m1_numeric() -> dict:
    from nctheory.claims.sources.dang2023.etf_scale import etf_objective_value
    from nctheory.claims.sources.zhu.formulas import zhu_closed_form

    def f(key):
        return lambda K_, n_, lw, lh: zhu_closed_form(int(K_), n_, lw, lh)[key]

    syms = zhu_symbolic.SYMBOLS
    return {
        "etf_scale": (f("c"), syms), "w_norm_sq": (f("w_sq"), syms), "h_norm_sq": (f("h_sq"), syms),
        "objective": (f("objective"), syms),
        "etf_objective": (lambda a_, K_, n_, lw, lh: float(etf_objective_value(a_, int(K_), 1, n_, lw, lh)),
                          (a, K, n, lambda_W, lambda_H)),
    }


def ce_deep_forms() -> dict:
    return {"etf_objective": etf_objective_form()}


def ce_deep_numeric() -> dict:
    from nctheory.claims.sources.dang2023.etf_scale import etf_objective_value

    return {"etf_objective": (lambda a_, K_, M_, n_, lw, lh: float(etf_objective_value(a_, int(K_), int(M_), n_, lw, lh)),
                              (a, K, M, n, lambda_W, lambda_H))}
