r"""SELI (Thrampoulidis et al. 2022, catalogue §6): the (R, ρ)-step formulas.

The catalogue gives :math:`WW^\top` and :math:`\bar H^\top\bar H` entries for K_A majority classes of size R and
K_B minority classes of size 1 (:math:`k = K_A + K_B`, :math:`\mu = R\rho + 1 - \rho`).  SELI says
:math:`WW^\top \propto (SDS)^{1/2}` and :math:`\bar H^\top\bar H \propto D^{-1/2}(D^{1/2}SD^{1/2})^{1/2}D^{-1/2}`.
Squaring avoids the matrix square root: checked exactly (symbolic R) that the formula matrices G_W, G_H satisfy
:math:`G_W^2 = c\,SDS` and :math:`(D^{1/2}G_HD^{1/2})^2 = c'\,D^{1/2}SD^{1/2}`, for several (K_A, K_B).
"""

import sympy as sp

R = sp.symbols("R", positive=True)


def _step_matrices(KA: int, KB: int):
    k = KA + KB
    rho = sp.Rational(KB, k)
    mu = R * rho + 1 - rho
    sR, sm = sp.sqrt(R), sp.sqrt(mu)
    GW = sp.zeros(k, k)
    GH = sp.zeros(k, k)
    for i in range(k):
        for j in range(k):
            ai, aj = i < KA, j < KA
            if ai and aj:
                GW[i, j] = (sR * (1 - sp.Rational(1, KA)) if i == j else -sR / KA) + sm * KB / (KA * k)
                GH[i, j] = ((1 - sp.Rational(1, KA)) / sR if i == j else -1 / (KA * sR)) + KB / (KA * k * sm)
            elif not ai and not aj:
                GW[i, j] = ((1 - sp.Rational(1, KB)) if i == j else -sp.Rational(1, KB)) + sm * KA / (KB * k)
                GH[i, j] = ((1 - sp.Rational(1, KB)) if i == j else -sp.Rational(1, KB)) + KA / (KB * k * sm)
            else:
                GW[i, j] = -sm / k
                GH[i, j] = -1 / (k * sm)
    D = sp.diag(*([R] * KA + [1] * KB))
    S = sp.eye(k) - sp.ones(k, k) / k
    return GW, GH, D, S


def _proportional(A, B):
    """A = c B for a scalar c (exactly)."""
    idx = next((i, j) for i in range(B.rows) for j in range(B.cols) if sp.simplify(B[i, j]) != 0)
    c = sp.simplify(A[idx] / B[idx])
    return sp.simplify(A - c * B) == sp.zeros(A.rows, A.cols), c


def _w_gram(KA, KB):
    GW, _, D, S = _step_matrices(KA, KB)
    ok, c = _proportional(sp.expand(GW * GW), S * D * S)
    return ok, f"c = {c}"


def _h_gram(KA, KB):
    _, GH, D, S = _step_matrices(KA, KB)
    Dh = sp.sqrt(D)
    A = Dh * GH * Dh
    ok, c = _proportional(sp.expand(A * A), Dh * S * Dh)
    return ok, f"c = {c}"


def _worked_example():
    import numpy as np

    GW, GH, _, _ = _step_matrices(5, 5)
    f = lambda e: float(e.subs(R, 10))  # noqa: E731
    w_ratio = f(GW[0, 0]) / f(GW[9, 9])
    cos_min = f(GW[8, 9]) / f(GW[9, 9])
    h_ratio = f(GH[0, 0]) / f(GH[9, 9])
    got = np.array([w_ratio, cos_min, h_ratio])
    ok = np.allclose(got, [2.6721, 0.0334, 0.3508], atol=5e-5)  # catalogue quotes 4 decimals
    return bool(ok), f"got {got}"


CHECKS = [
    *[(f"W Gram squared ∝ SDS (K_A={a}, K_B={b})", (lambda a=a, b=b: _w_gram(a, b))) for a, b in ((2, 2), (3, 1), (1, 3))],
    *[(f"H Gram (D-scaled) squared ∝ D^1/2 S D^1/2 (K_A={a}, K_B={b})", (lambda a=a, b=b: _h_gram(a, b)))
      for a, b in ((2, 2), (3, 1))],
    ("worked example k=10, R=10, rho=1/2", _worked_example),
]
