"""The K-gon forms of ``lowdim/polygon-d2`` (``proofs_check/lowdim_polygon.py`` proves them)."""

from __future__ import annotations

import sympy as sp

K, n, lambda_W, lambda_H = sp.symbols("K n lambda_W lambda_H", positive=True)


def forms() -> dict:
    s = sp.sqrt(n * lambda_W * lambda_H)
    return {"zero_threshold": K * s - 1,  # >= 0 <=> the minimiser is 0
            "norm_ratio": sp.sqrt(n * lambda_H / lambda_W) / sp.sqrt(lambda_W / (n * lambda_H))}


def numeric() -> dict:
    from nctheory.claims.sources.lowdim.formulas import polygon_closed_form

    def ratio(K_, n_, lw, lh):
        f = polygon_closed_form(int(K_), n_, lw, lh)
        if f["zero"]:
            raise ValueError("zero regime: no norm ratio")
        return f["w_sq"] / f["h_sq"]

    return {"norm_ratio": (ratio, (K, n, lambda_W, lambda_H))}
