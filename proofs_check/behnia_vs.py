r"""Behnia et al. (catalogue §9): the VS-loss CS-SVM, LDT's effective sizes, the symmetric γ and the authors' CDT form.

Imports the claims' own forms (:mod:`nctheory.claims.sources.behnia2023.symbolic`) and the code's dual matrix, and
checks:

* the reparametrisation behind LDT/CDT: :math:`\omega_y(\Delta\circ(Wh) + \iota) = (\Delta W)(\omega_yh) + \omega_y\iota`;
* the dual bound's identity :math:`\sum_{c\ne k}\beta_{ck}(\Delta_k\bar z_{kk} - \Delta_c\bar z_{ck}) = \langle M_\Delta(\beta),
  \bar Z\rangle` (the code's :func:`~nctheory.solvers.bounds.cs_svm.dual_matrix` at rational points);
* the LDT solution :math:`\bar Z = S\Omega^{-1}` meets every margin :math:`1/\omega_k` with equality and
  :math:`\bar ZD^{1/2} = SD'^{1/2}` with :math:`D' = D\Omega^{-2}`;
* the effective ratio of the authors' factors is :math:`R^{1-2\gamma}`, equal to 1 only at γ = ½, and the claim's LDT
  cosine differs from SELI's at the true R (k = 10, R = 10, γ = ½: −1/9 vs 0.033369);
* the authors' CDT entries at a = b are the SELI (R, ½)-step entries; and no temperatures make both CDT classifier
  cosines −1/(k−1) unless R = 1: the conditions reduce to :math:`(1+x)^3 = 4(1+x^3)`, :math:`x = R^{1/3}`, i.e.
  :math:`3(x-1)^2(x+1) = 0`.
"""

import numpy as np
import sympy as sp

from nctheory.claims.sources.behnia2023.symbolic import (K_A, K_B, R, a, b, cdt_forms, gamma, ldt_forms,
                                                         symmetric_forms)
from nctheory.claims.sources.seli.symbolic import k as k_seli, rho as rho_seli, step_forms


def _reparametrisation():
    K, d = 3, 2
    W = sp.Matrix(K, d, lambda i, j: sp.Symbol(f"w{i}{j}"))
    h = sp.Matrix(d, 1, lambda i, j: sp.Symbol(f"h{i}"))
    Dl = sp.diag(*sp.symbols("D0:3", positive=True))
    io = sp.Matrix(sp.symbols("i0:3"))
    om = sp.Symbol("omega_y", positive=True)
    lhs = om * (Dl * (W * h) + io)
    rhs = (Dl * W) * (om * h) + om * io
    return sp.simplify(lhs - rhs) == sp.zeros(K, 1), "ω_y(Δ∘(Wh) + ι) = (ΔW)(ω_y h) + ω_y ι"


def _dual_identity():
    from nctheory.solvers.bounds.cs_svm import dual_matrix

    K = 3
    Z = sp.Matrix(K, K, lambda i, j: sp.Symbol(f"z{i}{j}"))
    B = sp.Matrix(K, K, lambda i, j: 0 if i == j else sp.Symbol(f"b{i}{j}", nonnegative=True))
    Dl = sp.symbols("D0:3", positive=True)
    lhs = sum(B[c, k] * (Dl[k] * Z[k, k] - Dl[c] * Z[c, k]) for k in range(K) for c in range(K) if c != k)
    M = sp.Matrix(K, K, lambda c, k: Dl[k] * sum(B[j, k] for j in range(K)) if c == k else -Dl[c] * B[c, k])
    ok = sp.expand(lhs - sum(M[i, j] * Z[i, j] for i in range(K) for j in range(K))) == 0
    # the code's dual matrix is this M
    vals = {s: sp.Rational(i + 2, 3) for i, s in enumerate(sorted(B.free_symbols | set(Dl), key=str))}
    Mn = np.array(M.subs(vals), dtype=float)
    Bn = np.array(B.subs(vals), dtype=float)
    Dn = np.array([float(vals[x]) for x in Dl])
    ok = ok and np.allclose(dual_matrix(Bn, Dn), Mn, rtol=0, atol=1e-15)
    return ok, "Σ β_ck(Δ_k z_kk − Δ_c z_ck) = <M_Δ(β), Z̄>, and dual_matrix builds M_Δ"


def _ldt_solution():
    K = 3
    n = sp.symbols("n0:3", positive=True)
    om = sp.symbols("o0:3", positive=True)
    S = sp.eye(K) - sp.ones(K, K) / K
    Z = S * sp.diag(*[1 / o for o in om])
    margins = all(sp.simplify(Z[k, k] - Z[c, k] - 1 / om[k]) == 0 for k in range(K) for c in range(K) if c != k)
    X = Z * sp.diag(*[sp.sqrt(x) for x in n])
    Deff = sp.diag(*[sp.sqrt(n[i]) / om[i] for i in range(K)])
    return margins and sp.simplify(X - S * Deff) == sp.zeros(K, K), "SΩ⁻¹ meets margins 1/ω_k exactly; Z̄D^½ = SD'^½"


def _effective_ratio():
    e = ldt_forms()["effective_ratio"]
    # the authors' factors: (R^γ, 1) normalised to sum K -- the normalisation cancels in the ratio of n/ω²
    c = sp.Symbol("c", positive=True)
    wA, wB = c * R ** gamma, c
    ok = sp.simplify((R / wA ** 2) / (1 / wB ** 2) - e) == 0
    sol = sp.solve(sp.Eq(sp.log(e), 0), gamma)
    ok = ok and sol == [sp.Rational(1, 2)] and symmetric_forms()["symmetric_gamma"] == sp.Rational(1, 2)
    return ok, f"n'_A/n'_B = R^(1−2γ) = 1 iff γ = {sol}"


def _ldt_differs_from_seli():
    F = ldt_forms()
    at = {K_A: 5, K_B: 5, R: 10}
    derived = float(F["cos_w_min"].subs({**at, gamma: sp.Rational(1, 2)}))
    seli = float(F["cos_w_min"].subs({**at, gamma: 0}))
    ok = abs(derived + 1 / 9) < 1e-12 and abs(seli - 0.033369) < 5e-7
    return ok, f"cos(w_min, w_min') derived {derived:.6f} (γ = 1/2) vs SELI at the true R {seli:.6f}"


def _cdt_reduces_to_seli():
    F = cdt_forms()
    S = step_forms()
    ok = True
    for KA in (2, 3, 5):
        sub = {K_A: KA, a: 1, b: 1}
        seli = {n: e.subs({k_seli: 2 * KA, rho_seli: sp.Rational(1, 2)}) for n, e in S.items()}
        pairs = (("w_sq_A", "w_sq_maj"), ("w_in_A", "w_in_maj"), ("w_sq_B", "w_sq_min"), ("w_in_B", "w_in_min"),
                 ("w_in_AB", "w_in_cross"), ("h_sq_A", "mu_sq_maj"), ("h_in_A", "mu_in_maj"), ("h_sq_B", "mu_sq_min"),
                 ("h_in_B", "mu_in_min"), ("h_in_AB", "mu_in_cross"))
        for mine, theirs in pairs:
            ok = ok and sp.simplify(F[mine].subs(sub) - seli[theirs]) == 0
    return ok, "the CDT entries at a = b = 1 are the SELI (R, 1/2)-step entries"


def _cdt_not_symmetric():
    F = cdt_forms()
    k = 2 * K_A
    cosA = F["w_in_A"] / F["w_sq_A"]
    cosB = F["w_in_B"] / F["w_sq_B"]
    # cos = −1/(k−1) <=> q = √R (majority), q = 1 (minority): check by substitution of the solved q's
    qA, qB = sp.symbols("q_A q_B", positive=True)
    condA = sp.solve(sp.Eq((qA - 2 * sp.sqrt(R)) / (sp.sqrt(R) * (k - 2) + qA), -1 / (k - 1)), qA)
    condB = sp.solve(sp.Eq((qB - 2) / (k - 2 + qB), -1 / (k - 1)), qB)
    # the forms' q's: q_A/q_B = (a/b)^3, and with b = a/√t, q_B = 2√(R+1)(1+t)^(−3/2)
    qA_form = sp.simplify(F["w_in_A"] * k * a + 2 * sp.sqrt(R))
    qB_form = sp.simplify(F["w_in_B"] * k * b + 2)
    t = sp.Symbol("t", positive=True)
    ok0 = sp.simplify(qA_form / qB_form - (a / b) ** 3) == 0
    ok0 = ok0 and sp.simplify(qB_form.subs(b, a / sp.sqrt(t)) - 2 * sp.sqrt(R + 1) * (1 + t) ** sp.Rational(-3, 2)) == 0
    # q_A = √R and q_B = 1 give (a/b)^3 = √R, i.e. t = R^(1/3) =: x, and 4(R + 1) = (1 + x)^3 with R = x^3
    x = sp.Symbol("x", positive=True)
    poly = sp.factor(sp.expand((1 + x) ** 3 - 4 * (1 + x ** 3)))
    ok = ok0 and condA == [sp.sqrt(R)] and condB == [1] and sp.simplify(poly + 3 * (x - 1) ** 2 * (x + 1)) == 0
    # and the forms' cosines do equal −1/(k−1) at R = 1, a = b (SELI balanced)
    ok = ok and sp.simplify(cosA.subs({R: 1, b: a}) + 1 / (k - 1)) == 0 and sp.simplify(cosB.subs({R: 1, b: a}) + 1 / (k - 1)) == 0
    return ok, f"q_A = {condA}, q_B = {condB}; (1+x)^3 − 4(1+x^3) = {poly}"


CHECKS = [
    ("the VS reparametrisation behind LDT and CDT", _reparametrisation),
    ("the CS-SVM dual bound's identity and the code's dual matrix", _dual_identity),
    ("the LDT CS-SVM solution meets its margins exactly (effective sizes n/ω²)", _ldt_solution),
    ("effective ratio R^(1-2γ); symmetric only at γ = 1/2", _effective_ratio),
    ("the derived LDT geometry differs from SELI at the true R (the authors' formula)", _ldt_differs_from_seli),
    ("the authors' CDT form reduces to SELI at equal temperatures", _cdt_reduces_to_seli),
    ("no CDT temperatures give a symmetric classifier geometry unless R = 1", _cdt_not_symmetric),
]
