r"""SELI (Thrampoulidis et al. 2022, catalogue §6): the claim's own (R, ρ)-step forms, proved.

Imports :func:`nctheory.claims.sources.seli.symbolic.step_forms` -- the Gram entries ``seli/step-formulas``
states and the code evaluates -- for K_A majority classes of size R and K_B minority classes of size 1
(:math:`k = K_A + K_B`, :math:`\rho = K_B/k`, :math:`\mu = R\rho + 1 - \rho`), assembles the Gram matrices
G_W, G_H from them, and checks what SELI says, :math:`WW^\top = (SDS)^{1/2}` and
:math:`\bar H^\top\bar H = D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}`, without a matrix square root: exactly
(symbolic R) :math:`G_W^2 = SDS` and :math:`(D^{1/2}G_HD^{1/2})^2 = D^{1/2}SD^{1/2}` (both PSD), for several
(K_A, K_B).  The worked example k = 10, R = 10, ρ = ½ is evaluated from the same forms.
"""

import sympy as sp

from nctheory.claims.sources.seli.symbolic import R, k, rho, step_forms

F = step_forms()


def _step_matrices(KA: int, KB: int):
    kk = KA + KB
    e = {name: expr.subs({k: kk, rho: sp.Rational(KB, kk)}) for name, expr in F.items()}
    GW = sp.zeros(kk, kk)
    GH = sp.zeros(kk, kk)
    for i in range(kk):
        for j in range(kk):
            ai, aj = i < KA, j < KA
            if ai and aj:
                GW[i, j] = e["w_sq_maj"] if i == j else e["w_in_maj"]
                GH[i, j] = e["mu_sq_maj"] if i == j else e["mu_in_maj"]
            elif not ai and not aj:
                GW[i, j] = e["w_sq_min"] if i == j else e["w_in_min"]
                GH[i, j] = e["mu_sq_min"] if i == j else e["mu_in_min"]
            else:
                GW[i, j] = e["w_in_cross"]
                GH[i, j] = e["mu_in_cross"]
    D = sp.diag(*([R] * KA + [1] * KB))
    S = sp.eye(kk) - sp.ones(kk, kk) / kk
    return GW, GH, D, S


def _is_psd(G):
    """G ⪰ 0 at a few R (the square identity fixes G only up to the signs of its eigenvalues); float64
    eigenvalues of an O(√R) matrix: -1e-9 is rounding, a wrong sign would be O(1)."""
    import numpy as np

    return all(np.linalg.eigvalsh(np.array(G.subs(R, r), dtype=float)).min() > -1e-9 for r in (2, 10, 100))


def _w_gram(KA, KB):
    GW, _, D, S = _step_matrices(KA, KB)
    ok = sp.simplify(sp.expand(GW * GW) - S * D * S) == sp.zeros(KA + KB, KA + KB)
    return ok and _is_psd(GW), "G_W² = SDS, G_W ⪰ 0"


def _h_gram(KA, KB):
    _, GH, D, S = _step_matrices(KA, KB)
    Dh = sp.sqrt(D)
    A = Dh * GH * Dh
    ok = sp.simplify(sp.expand(A * A) - Dh * S * Dh) == sp.zeros(KA + KB, KA + KB)
    return ok and _is_psd(A), "(D^½ G_H D^½)² = D^½ S D^½, ⪰ 0"


def _ratios_are_the_forms():
    ok = sp.simplify(F["w_sq_ratio"] - F["w_sq_maj"] / F["w_sq_min"]) == 0 \
        and sp.simplify(F["mu_sq_ratio"] - F["mu_sq_maj"] / F["mu_sq_min"]) == 0
    return ok, ""


def _worked_example():
    import numpy as np

    at = {k: 10, R: 10, rho: sp.Rational(1, 2)}
    got = np.array([float(F["w_sq_ratio"].subs(at)), float((F["w_in_min"] / F["w_sq_min"]).subs(at)),
                    float(F["mu_sq_ratio"].subs(at))])
    ok = np.allclose(got, [2.6721, 0.0334, 0.3508], atol=5e-5)  # catalogue quotes 4 decimals
    return bool(ok), f"got {got}"


CHECKS = [
    *[(f"W Gram: G_W^2 = SDS (K_A={a}, K_B={b})", (lambda a=a, b=b: _w_gram(a, b))) for a, b in ((2, 2), (3, 1), (1, 3))],
    *[(f"H Gram: (D^1/2 G_H D^1/2)^2 = D^1/2 S D^1/2 (K_A={a}, K_B={b})", (lambda a=a, b=b: _h_gram(a, b)))
      for a, b in ((2, 2), (3, 1))],
    ("the ratios are the ratios of the forms", _ratios_are_the_forms),
    ("worked example k=10, R=10, rho=1/2", _worked_example),
]
