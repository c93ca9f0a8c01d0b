"""The label-smoothing forms as sympy expressions (``proofs_check/zhou_label_smoothing.py`` proves them) and the numeric
function the code evaluates for each (checked by ``tests/claims/test_claim_contract.py``).

The numeric forms of the balanced margin raise ValueError outside their branch (the zero regime, ε outside [0, 1)),
where the code returns the zero solution instead of the closed form.
"""

from __future__ import annotations

import sympy as sp

K, n, lambda_W, lambda_H, epsilon = sp.symbols("K n lambda_W lambda_H epsilon", positive=True)
n_c, N = sp.symbols("n_c N", positive=True)
SYMBOLS = (K, n, lambda_W, lambda_H, epsilon)


def balanced_forms() -> dict:
    s = sp.sqrt(n * lambda_W * lambda_H)
    p = s + epsilon / K
    c = sp.log((1 - (K - 1) * p) / p)
    rho = (K - 1) / K * c
    return {
        "margin": c,
        "rho_star": rho,
        "w_sq_norm": sp.sqrt(n * lambda_H / lambda_W) * rho,
        "h_sq_norm": sp.sqrt(lambda_W / (n * lambda_H)) * rho,
        "objective": sp.log(1 + (K - 1) * sp.exp(-c)) + c * epsilon * (K - 1) / K + s * (K - 1) * c,
        "zero_threshold": K * s + epsilon - 1,  # >= 0 <=> the unique minimiser is 0
    }


def balanced_numeric() -> dict:
    from nctheory.claims.sources.zhou2022.formulas import balanced_closed_form

    def f(key):
        def g(K_, n_, lw, lh, e):
            if not 0.0 <= e < 1.0:
                raise ValueError("epsilon: outside [0, 1)")
            out = balanced_closed_form(int(K_), n_, lw, lh, e)
            if out["zero"]:
                raise ValueError("zero regime: the closed form's branch does not apply")
            return out[key]

        return g

    return {"margin": (f("c"), SYMBOLS), "rho_star": (f("rho"), SYMBOLS), "w_sq_norm": (f("w_sq"), SYMBOLS),
            "h_sq_norm": (f("h_sq"), SYMBOLS), "objective": (f("objective"), SYMBOLS)}


def gap_forms() -> dict:
    lam = sp.sqrt(lambda_W * lambda_H)
    return {"separated_gap": 1 - epsilon - lam * N / sp.sqrt(n_c),
            "collapse_threshold": (1 - epsilon) * sp.sqrt(n_c) / N}


def gap_numeric() -> dict:
    from nctheory.claims.sources.zhou2022.formulas import cluster_gap, cluster_threshold

    def gap(nc, N_, lw, lh, e):
        if not 0.0 <= e < 1.0:
            raise ValueError("epsilon: outside [0, 1)")
        g = cluster_gap(nc, N_, (lw * lh) ** 0.5, e)
        if g <= 0.0:
            raise ValueError("collapsed branch: the gap is 0, not the separated form")
        return g

    def thr(nc, N_, e):
        if not 0.0 <= e < 1.0:
            raise ValueError("epsilon: outside [0, 1)")
        return cluster_threshold(nc, N_, e)

    return {"separated_gap": (gap, (n_c, N, lambda_W, lambda_H, epsilon)),
            "collapse_threshold": (thr, (n_c, N, epsilon))}


def limit_forms() -> dict:
    return {"limit_margin": sp.log(1 + K * (1 - epsilon) / epsilon)}


def limit_numeric() -> dict:
    from nctheory.claims.sources.zhou2022.formulas import limit_margin

    return {"limit_margin": (lambda K_, e: limit_margin(int(K_), e), (K, epsilon))}
