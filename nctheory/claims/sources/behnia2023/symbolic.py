r"""The Behnia et al. forms as sympy expressions (``proofs_check/behnia_vs.py`` proves them) and the numeric function
the code evaluates for each (checked by ``tests/claims/test_claim_contract.py``).

Symbols: a two-size profile of ``K_A`` classes of size R and ``K_B`` of size 1; LDT/CDT factors of exponent γ
(the authors' normalisation), or explicit CDT temperatures a (majority), b (minority).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

R, gamma, a, b = sp.symbols("R gamma a b", positive=True)
K_A, K_B = sp.symbols("K_A K_B", positive=True, integer=True)
K = sp.Symbol("K", positive=True, integer=True)
LDT_SYMBOLS = (K_A, K_B, R, gamma)
CDT_SYMBOLS = (K_A, R, a, b)


def _seli_step(k, Rv, rho):
    """SELI (R, ρ)-step entries (catalogue §6, minority size 1), as sympy."""
    from nctheory.claims.sources.seli.symbolic import R as R_, k as k_, rho as rho_, step_forms

    return {name: e.subs({R_: Rv, k_: k, rho_: rho}, simultaneous=True) for name, e in step_forms().items()}


def ldt_forms() -> dict:
    """Scale-free LDT limit quantities: SELI step forms at the effective ratio R^(1−2γ)."""
    k = K_A + K_B
    eff = R ** (1 - 2 * gamma)
    e = _seli_step(k, eff, K_B / k)
    return {
        "effective_ratio": eff,
        "cos_w_min": e["w_in_min"] / e["w_sq_min"],
        "cos_w_maj": e["w_in_maj"] / e["w_sq_maj"],
        "w_sq_ratio": e["w_sq_ratio"],
    }


def _step_solution(KA, KB, R_, g):
    from nctheory.claims.sources.behnia2023.formulas import ldt_solution, normalised_factors

    KA, KB = int(KA), int(KB)
    sizes = np.array([float(R_)] * KA + [1.0] * KB)
    return sizes, ldt_solution(sizes, normalised_factors(sizes, float(g)))


def ldt_numeric() -> dict:
    """What the code evaluates: the LDT CS-SVM Grams of :func:`~.formulas.ldt_solution` on the step profile."""

    def cos(which):
        def f(KA, KB, R_, g):
            sizes, L = _step_solution(KA, KB, R_, g)
            if int(KB) < 2 and which == "min" or int(KA) < 2 and which == "maj":
                raise ValueError("a cluster of one class has no within-cluster cosine")
            G = L["WW"]
            i, j = (int(KA), int(KA) + 1) if which == "min" else (0, 1)
            return G[i, j] / G[i, i]

        return f

    def ratio(KA, KB, R_, g):
        _, L = _step_solution(KA, KB, R_, g)
        return L["WW"][0, 0] / L["WW"][-1, -1]

    def eff(KA, KB, R_, g):
        _, L = _step_solution(KA, KB, R_, g)
        return L["effective_sizes"][0] / L["effective_sizes"][-1]

    return {"effective_ratio": (eff, LDT_SYMBOLS), "cos_w_min": (cos("min"), LDT_SYMBOLS),
            "cos_w_maj": (cos("maj"), LDT_SYMBOLS), "w_sq_ratio": (ratio, LDT_SYMBOLS)}


def symmetric_forms() -> dict:
    """γ = ½ equalises the effective sizes; the limit classifier cosine is the ETF's."""
    return {"effective_ratio": R ** (1 - 2 * gamma), "symmetric_gamma": sp.Rational(1, 2),
            "classifier_cosine": -1 / (K - 1)}


def symmetric_numeric() -> dict:
    def cosine(K_):
        from nctheory.claims.sources.behnia2023.formulas import ldt_solution, normalised_factors

        sizes = np.arange(1, int(K_) + 1, dtype=float) ** 2  # any sizes
        G = ldt_solution(sizes, normalised_factors(sizes, 0.5))["WW"]
        return G[0, 1] / np.sqrt(G[0, 0] * G[1, 1])

    def eff(R_, g):
        from nctheory.claims.sources.behnia2023.formulas import normalised_factors

        sizes = np.array([float(R_), 1.0])
        w = normalised_factors(sizes, float(g))
        return (sizes[0] / w[0] ** 2) / (sizes[1] / w[1] ** 2)

    return {"classifier_cosine": (cosine, (K,)), "effective_ratio": (eff, (R, gamma))}


def cdt_forms() -> dict:
    """The authors' CDT Gram entries (k = 2K_A classes, minority size 1; module doc of :mod:`.formulas`)."""
    k = 2 * K_A
    u = a ** -2 + b ** -2
    qA = 2 * sp.sqrt(R + 1) * u ** sp.Rational(-3, 2) * b ** -3
    qB = 2 * sp.sqrt(R + 1) * u ** sp.Rational(-3, 2) * a ** -3
    tau = sp.sqrt(u * (R + 1))
    return {
        "w_sq_A": (sp.sqrt(R) * (k - 2) + qA) / (k * a), "w_in_A": (qA - 2 * sp.sqrt(R)) / (k * a),
        "w_sq_B": (k - 2 + qB) / (k * b), "w_in_B": (qB - 2) / (k * b),
        "w_in_AB": -2 * sp.sqrt(R + 1) / (k * a ** 2 * b ** 2 * u ** sp.Rational(3, 2)),
        "h_sq_A": ((k - 2) / sp.sqrt(R) + 2 / (b * tau)) / (k * a), "h_in_A": (2 / (b * tau) - 2 / sp.sqrt(R)) / (k * a),
        "h_sq_B": (k - 2 + 2 / (a * tau)) / (k * b), "h_in_B": (2 / (a * tau) - 2) / (k * b),
        "h_in_AB": -2 / (k * a * b * tau),
    }


def cdt_numeric() -> dict:
    from nctheory.claims.sources.behnia2023.formulas import step_gram_entries

    def entry(name):
        return lambda KA, R_, a_, b_: step_gram_entries(2 * int(KA), float(R_), float(a_), float(b_))[name]

    return {name: (entry(name), CDT_SYMBOLS) for name in cdt_forms()}
