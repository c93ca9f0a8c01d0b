"""Zhu et al.'s closed form as sympy expressions (``proofs_check/zhu_balanced.py`` proves these)."""

from __future__ import annotations

import sympy as sp

K, n, lambda_W, lambda_H = sp.symbols("K n lambda_W lambda_H", positive=True)
SYMBOLS = (K, n, lambda_W, lambda_H)


def forms() -> dict:
    s = sp.sqrt(n * lambda_W * lambda_H)
    c = sp.log((1 - (K - 1) * s) / s)
    rho = (K - 1) / K * c
    return {
        "s": s,
        "margin": c,
        "rho_star": rho,
        "w_sq_norm": sp.sqrt(n * lambda_H / lambda_W) * rho,
        "h_sq_norm": sp.sqrt(lambda_W / (n * lambda_H)) * rho,
        "self_duality_factor": sp.sqrt(lambda_W / (lambda_H * n)),
        "objective": sp.log(1 + (K - 1) * sp.exp(-c)) + s * (K - 1) * c,
        "zero_threshold": K * s - 1,  # >= 0 <=> the unique minimiser is 0
        "critical_lambda": 1 / (K * sp.sqrt(n)),  # λ = √(λ_Wλ_H) at Ks = 1
    }


def numeric() -> dict:
    """name -> (function of (K, n, λ_W, λ_H), symbols): what the code evaluates, for the contract test."""
    from nctheory.claims.sources.zhu.formulas import zhu_closed_form

    def f(key):
        return lambda K_, n_, lw, lh: zhu_closed_form(int(K_), n_, lw, lh)[key]

    return {"s": (f("s"), SYMBOLS), "margin": (f("c"), SYMBOLS), "rho_star": (f("rho"), SYMBOLS),
            "w_sq_norm": (f("w_sq"), SYMBOLS), "h_sq_norm": (f("h_sq"), SYMBOLS),
            "self_duality_factor": (f("alpha"), SYMBOLS), "objective": (f("objective"), SYMBOLS)}
