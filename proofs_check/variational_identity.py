r"""R1, the variational identity, on symbolic 2×2 and 3×3 diagonal cases.

For :math:`Z = \mathrm{diag}(\sigma)` and :math:`\lambda_W, \lambda_H > 0`, the factors
:math:`W = (\lambda_H/\lambda_W)^{1/4}\Sigma^{1/2}`, :math:`H = (\lambda_W/\lambda_H)^{1/4}\Sigma^{1/2}`
satisfy :math:`WH = Z` and :math:`\frac{\lambda_W}2\|W\|^2 + \frac{\lambda_H}2\|H\|^2 = \sqrt{\lambda_W\lambda_H}\,\|Z\|_*`;
and for ANY scalar factorization :math:`w h = \sigma` the penalty is at least :math:`\sqrt{\lambda_W\lambda_H}\,\sigma`
(AM–GM: the difference is a perfect square).  Rotations ``U, V`` do not change Frobenius norms, so the diagonal
case is the general one.
"""

import sympy as sp


def _attains(n: int):
    lw, lh = sp.symbols("lambda_W lambda_H", positive=True)
    sig = sp.symbols(f"s1:{n + 1}", positive=True)
    Z = sp.diag(*sig)
    W = (lh / lw) ** sp.Rational(1, 4) * sp.diag(*[sp.sqrt(s) for s in sig])
    H = (lw / lh) ** sp.Rational(1, 4) * sp.diag(*[sp.sqrt(s) for s in sig])
    prod_ok = sp.simplify(W * H - Z) == sp.zeros(n, n)
    pen = lw / 2 * sum(x**2 for x in W) + lh / 2 * sum(x**2 for x in H)
    val_ok = sp.simplify(pen - sp.sqrt(lw * lh) * sum(sig)) == 0
    return prod_ok and val_ok, ""


def _lower_bound():
    lw, lh, w, s = sp.symbols("lambda_W lambda_H w sigma", positive=True)
    h = s / w
    diff = lw / 2 * w**2 + lh / 2 * h**2 - sp.sqrt(lw * lh) * s
    square = (sp.sqrt(lw) * w - sp.sqrt(lh) * h) ** 2 / 2
    return sp.simplify(diff - square) == 0, ""


CHECKS = [
    ("2x2 factors attain sqrt(lW lH)||Z||_*", lambda: _attains(2)),
    ("3x3 factors attain sqrt(lW lH)||Z||_*", lambda: _attains(3)),
    ("any factorization pays at least that (AM-GM square)", _lower_bound),
]
