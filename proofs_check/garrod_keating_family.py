r"""Garrod & Keating (catalogue §9): the symmetric candidates' spectra and objectives, proved.

* the three Grams are tight frames with the stated ranks and equal nonzero eigenvalues (exact, K = 3..8): ETF
  K/(K−1) (K−1 times), cross-polytope 2 (K/2 times), regular K-gon K/2 (twice; K >= 3);
* the claims' ETF form is Dang et al.'s best-ETF objective (:mod:`nctheory.claims.sources.dang2023.etf_scale`) after
  the change of scale :math:`a_{\rm Dang} = aK/(K-1)` (both parametrise :math:`\bar Z \propto S`);
* the claims' K-gon and cross-polytope forms equal the code's candidate objective at rational points (K = 4, 6, 8);
* at M = 1 the ETF is the family's best (convex case, Zhu et al.) on a grid of (K, n, λ).
"""

import numpy as np
import sympy as sp

from nctheory.claims.sources.garrod_keating.symbolic import K, M, a, family_forms, lambda_H, lambda_W, n

F = family_forms()


def _rational_grams(Kv):
    S = sp.eye(Kv) - sp.ones(Kv, Kv) / Kv
    out = {"etf": (sp.Rational(Kv, Kv - 1) * S, sp.Rational(Kv, Kv - 1), Kv - 1)}
    if Kv % 2 == 0:
        m = Kv // 2
        U = sp.Matrix.vstack(sp.eye(m), -sp.eye(m))
        out["cross"] = (U * U.T, 2, m)
    return out


def polygon_square_identity():
    r"""General K >= 3: with :math:`f_j = \omega^j`, :math:`\omega = e^{2\pi i/K}`, :math:`C = rac12(ff^* + ar far f^*)`;
    :math:`f^*f = K` and :math:`f^	op f = \sum_j\omega^{2j} = (\omega^{2K} - 1)/(\omega^2 - 1) = 0` (ω² ≠ 1), so
    :math:`C^2 = rac14(K ff^* + Kar far f^*) = rac K2 C`.  Returns True when sympy confirms the geometric sum."""
    w, j, Kk = sp.Symbol("omega"), sp.Symbol("j", integer=True, nonnegative=True), sp.Symbol("K", integer=True, positive=True)
    total = sp.summation(w ** (2 * j), (j, 0, Kk - 1))
    # on the branch ω² ≠ 1 the sum is (ω^{2K} − 1)/(ω² − 1); ω^K = 1 makes the numerator 0
    branch = total.args[1][0] if isinstance(total, sp.Piecewise) else total
    return sp.simplify(sp.numer(sp.together(branch)).subs(w ** (2 * Kk), 1)) == 0


def _spectra():
    ok = True
    for Kv in range(3, 9):
        for name, (G, lam, r) in _rational_grams(Kv).items():
            # G is PSD of rank r with its nonzero eigenvalues all λ iff G² = λG and tr G = rλ
            ok = ok and sp.simplify(G * G - lam * G) == sp.zeros(Kv, Kv) and sp.simplify(G.trace() - lam * r) == 0
    ok = ok and polygon_square_identity()
    # the K-gon in float64 for K = 3..12: C² = (K/2)C to rounding, unit diagonal (tr C = K: rank 2)
    for Kv in range(3, 13):
        j = np.arange(Kv)
        C = np.cos(2 * np.pi * (j[:, None] - j[None, :]) / Kv)
        ok = ok and np.allclose(C @ C, Kv / 2 * C, atol=1e-12) and np.allclose(np.diag(C), 1.0)
    return ok, "G² = λG, tr G = rλ: ETF (K/(K−1), K−1), cross-polytope (2, K/2) exact for K = 3..8; K-gon (K/2, 2) for all K >= 3"


def _etf_matches_dang():
    from nctheory.claims.sources.dang2023.etf_scale import etf_kappa

    aD = sp.Symbol("a_D", positive=True)
    p = 2 / (M + 1)
    kappa = (M + 1) / 2 * (lambda_H * lambda_W ** M) ** (1 / (M + 1))
    dang = sp.log(1 + (K - 1) * sp.exp(-aD)) + kappa * (K - 1) * (sp.sqrt(n) * aD) ** p
    mine = F["etf_objective"].subs(a, aD * (K - 1) / K)
    ok = sp.simplify(sp.powsimp(sp.expand_power_base(mine - dang, force=True), force=True)) == 0
    # and the numeric kappa of dang2023 agrees at a point
    vals = {K: 5, M: 3, n: 7, lambda_W: sp.Rational(1, 100), lambda_H: sp.Rational(3, 100)}
    num = float((kappa * (K - 1) * sp.sqrt(n) ** p).subs(vals))
    ok = ok and abs(num - etf_kappa(5, 3, 7, 0.01, 0.03)) < 1e-12 * abs(num)
    return ok, "E_ETF(a) = Dang's E_M(aK/(K−1))"


def _forms_match_code():
    from nctheory.claims.sources.garrod_keating.formulas import candidate_objective, cross_polytope_gram, polygon_gram

    ok = True
    for Kv in (4, 6, 8):
        for Mv in (1, 2, 4):
            vals = {a: sp.Rational(7, 3), K: Kv, M: Mv, n: 5, lambda_W: sp.Rational(1, 100), lambda_H: sp.Rational(1, 50)}
            poly = float(F["polygon_objective"].subs(vals).doit())
            cross = float(F["cross_polytope_objective"].subs(vals))
            ok = ok and abs(poly - float(candidate_objective(7 / 3, polygon_gram(Kv), Mv, 5, 0.01, 0.02))) < 1e-12
            ok = ok and abs(cross - float(candidate_objective(7 / 3, cross_polytope_gram(Kv), Mv, 5, 0.01, 0.02))) < 1e-12
    return ok, "the K-gon and cross-polytope forms are the code's candidate objectives (K = 4, 6, 8; M = 1, 2, 4)"


def _etf_best_at_depth_one():
    from nctheory.claims.sources.garrod_keating.formulas import best_candidate

    worst = []
    for Kv in (3, 4, 5, 6, 8):
        for nv in (1, 5, 20):
            for lam in np.geomspace(1e-4, 0.1, 7):
                name, rec, allc = best_candidate(Kv, 1, nv, lam, lam)
                worst.append(allc["etf"]["value"] - rec["value"])
    return max(worst) <= 1e-12, f"max(E_ETF − best) = {max(worst):.1e} over 105 (K, n, λ) at M = 1"


CHECKS = [
    ("the candidates' Grams are tight frames of the stated ranks", _spectra),
    ("the ETF candidate is Dang et al.'s best-ETF objective", _etf_matches_dang),
    ("the K-gon and cross-polytope forms are what the code evaluates", _forms_match_code),
    ("at depth 1 the ETF is the family's best (convex case)", _etf_best_at_depth_one),
]
