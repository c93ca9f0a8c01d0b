"""The candidate objectives of the Garrod & Keating claims as sympy expressions (``proofs_check/garrod_keating_family.py``
proves their spectra and losses) and the numeric function the code evaluates for each (checked by
``tests/claims/test_claim_contract.py``)."""

from __future__ import annotations

import sympy as sp

a, n, lambda_W, lambda_H = sp.symbols("a n lambda_W lambda_H", positive=True)
K, M = sp.symbols("K M", positive=True, integer=True)
SYMBOLS = (a, K, M, n, lambda_W, lambda_H)


def _cost(count, sigma):
    p = 2 / (M + 1)
    kappa = (M + 1) / 2 * (lambda_H * lambda_W ** M) ** (1 / (M + 1))
    return kappa * count * (a * sp.sqrt(n) * sigma) ** p


def family_forms() -> dict:
    """E_G(a) for the ETF (Z̄ = aK/(K−1)·S) and the cross-polytope (K even); the K-gon as a finite sum."""
    j = sp.Symbol("j", integer=True, nonnegative=True)
    return {
        "etf_objective": sp.log(1 + (K - 1) * sp.exp(-a * K / (K - 1))) + _cost(K - 1, K / (K - 1)),
        "cross_polytope_objective": sp.log(1 + (K - 2) * sp.exp(-a) + sp.exp(-2 * a)) + _cost(K / 2, 2),
        "polygon_objective": sp.log(sp.Sum(sp.exp(-a * (1 - sp.cos(2 * sp.pi * j / K))), (j, 0, K - 1))) + _cost(2, K / 2),
    }


def family_numeric() -> dict:
    from nctheory.claims.sources.garrod_keating.formulas import (candidate_objective, cross_polytope_gram, etf_gram)

    def etf(a_, K_, M_, n_, lw, lh):
        return float(candidate_objective(a_, etf_gram(int(K_)), int(M_), n_, lw, lh))

    def cross(a_, K_, M_, n_, lw, lh):
        if int(K_) % 2 or int(K_) < 4:
            raise ValueError("K: the cross-polytope needs an even K >= 4")
        return float(candidate_objective(a_, cross_polytope_gram(int(K_)), int(M_), n_, lw, lh))

    return {"etf_objective": (etf, SYMBOLS), "cross_polytope_objective": (cross, SYMBOLS)}
