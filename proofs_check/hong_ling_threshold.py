r"""Hong & Ling threshold algebra (catalogue §2).

At :math:`s_B = 0` the KKT equation (i) for the minority cluster reads
:math:`(\sqrt{n_B}/N)(1 - (1-e^{-s_B})/E_B) = \lambda`, i.e. :math:`\lambda N = \sqrt{n_B}`.
With :math:`N = K_A n_A + K_B n_B` and :math:`x = \sqrt{n_B}` the threshold is the quadratic
:math:`\lambda K_B x^2 - x + \lambda K_A n_A = 0`, whose smaller root gives the critical :math:`n_B` at fixed
:math:`n_A`; no real root (discriminant :math:`1 - 4\lambda^2K_AK_Bn_A < 0`) means collapse for every :math:`n_B`.
"""

import sympy as sp

lam, nA, KA, KB, E = sp.symbols("lambda n_A K_A K_B E_B", positive=True)
x = sp.symbols("x", positive=True)


def _kkt_at_zero():
    s = sp.symbols("s_B", nonnegative=True)
    nB = x**2
    N = KA * nA + KB * nB
    lhs = sp.sqrt(nB) / N * (1 - (1 - sp.exp(-s)) / E)
    return sp.simplify(lhs.subs(s, 0) - x / N) == 0, ""


def _quadratic_root():
    root = (1 - sp.sqrt(1 - 4 * lam**2 * KA * KB * nA)) / (2 * lam * KB)
    N = KA * nA + KB * root**2
    return sp.simplify(sp.expand(lam * N - root)) == 0, ""


def _root_is_the_smaller():
    # the two roots multiply to K_A n_A / K_B and the smaller one is below sqrt(K_A n_A / K_B)
    r1 = (1 - sp.sqrt(1 - 4 * lam**2 * KA * KB * nA)) / (2 * lam * KB)
    r2 = (1 + sp.sqrt(1 - 4 * lam**2 * KA * KB * nA)) / (2 * lam * KB)
    return sp.simplify(r1 * r2 - KA * nA / KB) == 0, ""


CHECKS = [
    ("KKT (i) at s_B = 0 gives lambda N = sqrt(n_B)", _kkt_at_zero),
    ("critical sqrt(n_B) solves lambda (K_A n_A + K_B n_B) = sqrt(n_B)", _quadratic_root),
    ("product of the two roots is K_A n_A / K_B (Vieta)", _root_is_the_smaller),
]
