r"""The (R,ρ)-step SELI forms as sympy expressions (``proofs_check/seli_step.py`` proves them), and the numeric
function the code evaluates for each (checked by ``tests/claims/test_claim_contract.py``)."""

from __future__ import annotations

import sympy as sp

k, R, rho = sp.symbols("k R rho", positive=True)
SYMBOLS = (k, R, rho)


def step_forms() -> dict:
    KA, KB = (1 - rho) * k, rho * k
    mu = R * rho + 1 - rho
    w_maj = sp.sqrt(R) * (1 - 1 / KA) + sp.sqrt(mu) * KB / (KA * k)
    w_min = (1 - 1 / KB) + sp.sqrt(mu) * KA / (KB * k)
    m_maj = (1 - 1 / KA) / sp.sqrt(R) + KB / (KA * k * sp.sqrt(mu))
    m_min = (1 - 1 / KB) + KA / (KB * k * sp.sqrt(mu))
    return {
        "w_sq_maj": w_maj, "w_sq_min": w_min,
        "w_in_maj": -sp.sqrt(R) / KA + sp.sqrt(mu) * KB / (KA * k),
        "w_in_min": -1 / KB + sp.sqrt(mu) * KA / (KB * k),
        "w_in_cross": -sp.sqrt(mu) / k,
        "mu_sq_maj": m_maj, "mu_sq_min": m_min,
        "mu_in_maj": -1 / (KA * sp.sqrt(R)) + KB / (KA * k * sp.sqrt(mu)),
        "mu_in_min": -1 / KB + KA / (KB * k * sp.sqrt(mu)),
        "mu_in_cross": -1 / (k * sp.sqrt(mu)),
        "w_sq_ratio": w_maj / w_min,
        "mu_sq_ratio": m_maj / m_min,
    }


def step_numeric() -> dict:
    from nctheory.claims.sources.seli.formulas import step_formulas

    def entry(key):
        return lambda k_, R_, rho_: step_formulas(k_, R_, rho_)[key]

    return {name: (entry(name), SYMBOLS) for name in step_forms()}
