r"""Hong & Ling's forms as sympy expressions, and the numeric function the code evaluates for each.

``proofs_check/hong_ling_threshold.py``, ``hong_ling_block.py`` and ``hong_ling_angles.py`` prove these forms;
``tests/claims/test_claim_contract.py`` checks that each ``numeric()`` entry equals its lambdified form.
"""

from __future__ import annotations

import sympy as sp

lam, lambda_W, lambda_H, lambda_b = sp.symbols("lambda lambda_W lambda_H lambda_b", positive=True)
K, K_A, K_B, n_A, n_B, N = sp.symbols("K K_A K_B n_A n_B N", positive=True)
s_A, s_B, r_A, r_B, Delta = sp.symbols("s_A s_B r_A r_B Delta", real=True)

#: The two-cluster sample count.
N_AB = K_A * n_A + K_B * n_B


# ------------------------------------------------------------------------------ HL-threshold
def threshold_forms() -> dict:
    return {
        "critical_lambda": sp.sqrt(n_B) / N_AB,
        "collapse_condition": N_AB ** 2 * lambda_W * lambda_H - n_B,  # >= 0 <=> collapse
        "critical_nB": ((1 - sp.sqrt(1 - 4 * lam ** 2 * K_A * K_B * n_A)) / (2 * lam * K_B)) ** 2,
        "critical_nA": (sp.sqrt(n_B) / lam - K_B * n_B) / K_A,
    }


def threshold_numeric() -> dict:
    from nctheory.claims.sources.hong_ling import formulas as f

    return {
        "critical_lambda": (lambda nb, ka, kb, na: f.threshold_lambda(nb, ka * na + kb * nb), (n_B, K_A, K_B, n_A)),
        "critical_nB": (lambda l, ka, kb, na: f.critical_minority_size(na, int(ka), int(kb), l), (lam, K_A, K_B, n_A)),
        "critical_nA": (lambda nb, l, ka, kb: f.critical_majority_size(nb, int(ka), int(kb), l), (n_B, lam, K_A, K_B)),
    }


# ------------------------------------------------------------------------------ HL-block
def block_forms() -> dict:
    """The block parametrisation of the two-cluster optimum (columns of Z̄ sum to 0) and the singular values of Y."""
    return {
        "q_A": -(s_A + K_B * r_A) / K_A,
        "q_B": -(s_B + K_A * r_B) / K_B,
        "x_A": sp.sqrt(n_A) * s_A,
        "x_B": sp.sqrt(n_B) * s_B,
        "sigma3": sp.sqrt((K_A + K_B) * (K_B * n_A * r_A ** 2 + K_A * n_B * r_B ** 2)),
    }


def block_zbar(ka: int, kb: int) -> sp.Matrix:
    r"""The claim's block :math:`\bar Z` for ``ka`` classes in A (first) and ``kb`` in B, from :func:`block_forms`:
    own entry s + q, same-cluster entries q, other-cluster entries r (column k = class k)."""
    F = {k: v.subs({K_A: ka, K_B: kb}) for k, v in block_forms().items()}
    Kt = ka + kb

    def entry(i, j):
        ci, cj = i < ka, j < ka  # row class i, column class j: is it in A?
        if cj:
            return (s_A if i == j else 0) + F["q_A"] if ci else r_A
        return (s_B if i == j else 0) + F["q_B"] if not ci else r_B

    return sp.Matrix(Kt, Kt, entry)


def block_numeric() -> dict:
    from nctheory.claims.sources.hong_ling import formulas as f
    from nctheory.claims.sources.hong_ling.kkt import TwoClusterKKT

    def point(sa, sb, ra, rb, ka, kb, na, nb):
        return TwoClusterKKT(s_A=sa, s_B=sb, r_A=ra, r_B=rb, delta=0.0, kappa=0.0, branch="", residual=0.0,
                             objective=0.0, roots=1, K_A=int(ka), K_B=int(kb), n_A=na, n_B=nb, lam=1.0,
                             bias="none", lambda_b=0.0)

    args = (s_A, s_B, r_A, r_B, K_A, K_B, n_A, n_B)
    return {name: ((lambda *a, name=name: getattr(point(*a), name)), args) for name in ("q_A", "q_B", "x_A", "x_B")} | {
        "sigma3": (lambda ra, rb, ka, kb, na, nb: f.sigma3(int(ka), int(kb), na, nb, ra, rb),
                   (r_A, r_B, K_A, K_B, n_A, n_B))}


# ------------------------------------------------------------------------------ HL-angles
def margins():
    """(K, E_A, E_B, m_A, m_B) of the two-cluster block point (kkt_system module doc), as sympy expressions."""
    Kt = K_A + K_B
    tA = ((K_A - 1) * s_A - Kt * r_A) / K_A
    tB = ((K_B - 1) * s_B - Kt * r_B) / K_B
    EA = 1 + (K_A - 1) * sp.exp(-s_A) + K_B * sp.exp(-(tA + Delta))
    EB = 1 + (K_B - 1) * sp.exp(-s_B) + K_A * sp.exp(-(tB - Delta))
    mA = K_B * sp.exp(-(tA + Delta)) / EA
    mB = K_A * sp.exp(-(tB - Delta)) / EB
    return Kt, EA, EB, mA, mB


def angles_forms() -> dict:
    Kt, EA, EB, mA, mB = margins()
    xA, xB = sp.sqrt(n_A) * s_A, sp.sqrt(n_B) * s_B
    sig3 = sp.sqrt(Kt * (K_B * n_A * r_A ** 2 + K_A * n_B * r_B ** 2))
    L = (n_A * K_A / N_AB) * sp.log(EA) + (n_B * K_B / N_AB) * sp.log(EB) \
        + lam * ((K_A - 1) * xA + (K_B - 1) * xB + sig3) + lambda_b / 2 * K_A * K_B / Kt * Delta ** 2
    Q = n_A * K_B * r_A ** 2 + n_B * K_A * r_B ** 2
    a = sp.sqrt(Kt) * n_A * K_B * r_A ** 2 / sp.sqrt(Q)
    beta = sp.sqrt(Kt) * n_B * K_A * r_B ** 2 / sp.sqrt(Q)
    c = -sp.sqrt(Kt) * sp.sqrt(n_A * n_B * K_A * K_B) * r_A * r_B / sp.sqrt(Q)
    return {
        "restricted_objective": L,
        "stationarity_s_A": sp.sqrt(n_A) / N_AB * (1 - (1 - sp.exp(-s_A)) / EA) - lam,
        "stationarity_norm": Kt * (n_A * mA ** 2 / K_B + n_B * mB ** 2 / K_A) - (lam * N_AB) ** 2,
        "r_A_over_r_B": (r_A / r_B) - (mA / K_B) / (mB / K_A),
        "bias_regularized": Delta - Kt * (n_A * mA / K_B - n_B * mB / K_A) / (N_AB * lambda_b),
        "bias_free": n_A * K_A * mA - n_B * K_B * mB,
        "sigma3": sig3,
        "cos_w_AA": (sig3 * K_B / Kt - xA) / (sig3 * K_B / Kt + (K_A - 1) * xA),
        "cos_w_AB": -(sig3 / Kt) / sp.sqrt((xA * (K_A - 1) / K_A + sig3 * K_B / (K_A * Kt))
                                           * (xB * (K_B - 1) / K_B + sig3 * K_A / (K_B * Kt))),
        "cos_h_AA": (a - xA) / (a + (K_A - 1) * xA),
        "cos_h_AB": c / sp.sqrt((a + (K_A - 1) * xA) * (beta + (K_B - 1) * xB)),
        # ‖h̄_A‖² in natural units (ν = 1/√N)
        "h_sq_norm_A": (a + (K_A - 1) * xA) * sp.sqrt(N_AB) / (n_A * K_A),
    }


def angles_numeric() -> dict:
    from nctheory.claims.sources.hong_ling import formulas as f
    from nctheory.claims.sources.hong_ling import kkt_system as ks

    block = (s_A, s_B, r_A, r_B, K_A, K_B, n_A, n_B)
    point = (s_A, s_B, r_A, r_B, Delta, lam, K_A, K_B, n_A, n_B)

    def at(fn, bias="none"):
        def run(sa, sb, ra, rb, d, l, ka, kb, na, nb, lb=0.0):
            c = ks.Constants(int(ka), int(kb), na, nb, l, bias, lb)
            return fn(c, ks.terms(c, sa, sb, ra, rb, d), d)
        return run

    def geometry(key):
        return lambda sa, sb, ra, rb, ka, kb, na, nb: f.angle_scalars(int(ka), int(kb), na, nb, sa, sb, ra, rb)[key]

    def objective(sa, sb, ra, rb, d, l, lb, ka, kb, na, nb):
        return ks.restricted_objective(ks.Constants(int(ka), int(kb), na, nb, l, "regularized", lb), sa, sb, ra, rb, d)

    reg = at(lambda c, T, d: d - ks.regularized_bias_target(c, T), "regularized")
    return {
        "restricted_objective": (objective, (s_A, s_B, r_A, r_B, Delta, lam, lambda_b, K_A, K_B, n_A, n_B)),
        "stationarity_s_A": (at(lambda c, T, d: ks.within_residual(c, T, "A")), point),
        "stationarity_norm": (at(lambda c, T, d: ks.norm_residual(c, T)), point),
        "bias_regularized": (lambda sa, sb, ra, rb, d, l, lb, ka, kb, na, nb: reg(sa, sb, ra, rb, d, l, ka, kb, na, nb, lb),
                             (s_A, s_B, r_A, r_B, Delta, lam, lambda_b, K_A, K_B, n_A, n_B)),
        "bias_free": (at(lambda c, T, d: ks.free_bias_residual(c, T), "free"), point),
        "sigma3": (lambda ra, rb, ka, kb, na, nb: f.sigma3(int(ka), int(kb), na, nb, ra, rb), (r_A, r_B, K_A, K_B, n_A, n_B)),
        "cos_w_AA": (geometry("cos_w_AA"), block),
        "cos_w_AB": (geometry("cos_w_AB"), block),
        "cos_h_AA": (geometry("cos_h_AA"), block),
        "cos_h_AB": (geometry("cos_h_AB"), block),
        "h_sq_norm_A": (geometry("h_sq_norm_A"), block),
    }


# ------------------------------------------------------------------------------ HL-asymptotic
def asymptotic_forms() -> dict:
    c = sp.Symbol("c", positive=True)
    pi_A, pi_B = n_A / N_AB, n_B / N_AB
    return {
        "epsilon": lam * sp.sqrt(N),
        "epsilon_along_lambda_c_over_N": (c / N) * sp.sqrt(N),
        # balanced: p = π = 1/K, (p1ᵀ − I)diag(√π) = −S/√K has spectral norm 1/√K (Zhu's Ks = 1)
        "critical_epsilon_balanced": 1 / sp.sqrt(K),
        # free bias at Z̄ = 0: b = log π, the objective is the entropy of π (two clusters)
        "zero_objective_free_bias": -(K_A * pi_A * sp.log(pi_A) + K_B * pi_B * sp.log(pi_B)),
    }


def asymptotic_numeric() -> dict:
    from nctheory.claims.sources.hong_ling import formulas as f
    from nctheory.model import Problem

    def eps0_balanced(k):
        return f.critical_epsilon(Problem(sizes=(7,) * int(k), lambda_w=1e-2, lambda_h=1e-2))

    def zero_free(ka, kb, na, nb):
        return f.zero_objective(Problem(sizes=(int(na),) * int(ka) + (int(nb),) * int(kb), bias="free"))

    return {"critical_epsilon_balanced": (eps0_balanced, (K,)),
            "zero_objective_free_bias": (zero_free, (K_A, K_B, n_A, n_B))}
