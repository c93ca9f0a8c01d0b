r"""Hong & Ling two-cluster KKT system (catalogue §2, HL-angles): the claim's equations are the stationarity
conditions of its restricted objective.

Imports :func:`nctheory.claims.sources.hong_ling.symbolic.angles_forms` -- the restricted objective L and the
equations (i)-(iii) the claim states and the KKT solver evaluates -- and checks, by differentiating L:

* :math:`\partial_{s_A}L = -(K_A-1)\sqrt{n_A}\cdot(\mathrm i)`, so (i) is stationarity in :math:`s_A`;
* :math:`\partial_{r_A}L = (n_AK/N)m_A + \lambda KK_Bn_Ar_A/\sigma_3` (and likewise for B): with
  :math:`r = -\kappa m/K_\cdot` both vanish iff :math:`\sigma_3 = \kappa\lambda N`, which is (ii) after
  eliminating κ;
* :math:`\partial_\Delta L = (\lambda_bK_AK_B/K)\cdot(\mathrm{iii})_{\text{regularized}}`, and with
  :math:`\lambda_b = 0`, :math:`\partial_\Delta L = -(\mathrm{iii})_{\text{free}}/N`;
* the identity :math:`1 - (1-e^{-s})/E = Ke^{-s}/E + m` the solver uses for (i).

Exponentials are replaced by positive symbols where that keeps sympy's simplification exact and fast.
"""

import sympy as sp

from nctheory.claims.sources.hong_ling.symbolic import (Delta, K_A, K_B, N_AB, angles_forms, lam, lambda_b, margins,
                                                        n_A, n_B, r_A, r_B, s_A)

F = angles_forms()
L = F["restricted_objective"]
KT = K_A + K_B
m_A, m_B, kappa = sp.symbols("m_A m_B kappa", positive=True)


_, EA, EB, MA, MB = margins()


def _zero(expr) -> bool:
    """``expr`` is identically 0 (one rational expression in the exponentials, then simplified)."""
    return sp.simplify(sp.together(sp.powsimp(expr))) == 0


def _within_is_stationarity():
    d = sp.diff(L, s_A) + (K_A - 1) * sp.sqrt(n_A) * F["stationarity_s_A"]
    return _zero(d), "∂L/∂s_A = −(K_A−1)√n_A · (i)"


def _within_identity():
    # the solver evaluates (i) as (√n_A/N)(K_A e^{-s_A}/E_A + m_A) − λ
    solver_form = sp.sqrt(n_A) / N_AB * (K_A * sp.exp(-s_A) / EA + MA) - lam
    return _zero(solver_form - F["stationarity_s_A"]), "1 − (1−e^{−s})/E = K e^{−s}/E + m"


def _between_gradient():
    sig3 = F["sigma3"]
    dA = sp.diff(L, r_A) - (n_A * KT / N_AB * MA + lam * KT * K_B * n_A * r_A / sig3)
    dB = sp.diff(L, r_B) - (n_B * KT / N_AB * MB + lam * KT * K_A * n_B * r_B / sig3)
    return _zero(dA) and _zero(dB), "∂L/∂r_A = n_A K m_A/N + λ K K_B n_A r_A/σ₃ (and B)"


def _between_elimination():
    # (ii-c) is K(n_A m_A²/K_B + n_B m_B²/K_A) − (λN)² with the claim's margins; then, with m_A, m_B as symbols
    # and r = −κ m/K_·: σ₃ = κ √(K(n_A m_A²/K_B + n_B m_B²/K_A)), and the r-gradient
    # n_A K m_A/N + λ K K_B n_A r_A/σ₃ vanishes at σ₃ = κλN -- so stationarity in r ⇔ (ii-c) = 0 (κ > 0)
    S = KT * (n_A * m_A ** 2 / K_B + n_B * m_B ** 2 / K_A)
    form = _zero(F["stationarity_norm"] - S.subs({m_A: MA, m_B: MB}) + (lam * N_AB) ** 2)
    rA, rB = -kappa * m_A / K_B, -kappa * m_B / K_A
    ok_sig = sp.simplify(F["sigma3"].subs({r_A: rA, r_B: rB}) - kappa * sp.sqrt(S)) == 0
    grad_A = n_A * KT / N_AB * m_A + lam * KT * K_B * n_A * rA / (kappa * lam * N_AB)
    grad_B = n_B * KT / N_AB * m_B + lam * KT * K_A * n_B * rB / (kappa * lam * N_AB)
    return form and ok_sig and sp.simplify(grad_A) == 0 and sp.simplify(grad_B) == 0, \
        "r = −κm/K: σ₃ = κ√(K(n_A m_A²/K_B + n_B m_B²/K_A)); r-gradient 0 at σ₃ = κλN ⇔ (ii-c) = 0"


def _bias_regularized():
    d = sp.diff(L, Delta) - lambda_b * K_A * K_B / KT * F["bias_regularized"]
    return _zero(d), "∂L/∂Δ = (λ_b K_A K_B/K) · (iii)"


def _bias_free():
    d = sp.diff(L.subs(lambda_b, 0), Delta) + F["bias_free"] / N_AB
    return _zero(d), "λ_b = 0: ∂L/∂Δ = −(n_A K_A m_A − n_B K_B m_B)/N"


def _r_ratio():
    # the form is r_A/r_B − (m_A/K_B)/(m_B/K_A) with the claim's margins, and it vanishes at r = −κ m/K_·
    form = _zero(F["r_A_over_r_B"] - (r_A / r_B - (MA / K_B) / (MB / K_A)))
    at = sp.simplify((-kappa * m_A / K_B) / (-kappa * m_B / K_A) - (m_A / K_B) / (m_B / K_A)) == 0
    return form and at, "r_A/r_B = (m_A/K_B)/(m_B/K_A)"


CHECKS = [
    ("(i) is stationarity of L in s_A", _within_is_stationarity),
    ("(i): the catalogue's form equals the solver's form", _within_identity),
    ("the r-gradient of L", _between_gradient),
    ("(ii): r = -kappa m / K and sigma_3 = kappa lambda N give the norm equation", _between_elimination),
    ("(ii): the ratio r_A / r_B", _r_ratio),
    ("(iii) regularized bias is stationarity of L in Delta", _bias_regularized),
    ("(iii) free bias is stationarity of L in Delta at lambda_b = 0", _bias_free),
]
