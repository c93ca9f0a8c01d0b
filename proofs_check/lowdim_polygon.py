r"""d = 2 < K − 1 (``lowdim/polygon-d2``): the K-gon's algebra, proved (exact for K = 3..10).

* :math:`\sum_j\cos(2\pi j/K) = 0`, hence :math:`\sum_j\delta_j = K` and :math:`E'(0) = Ks - 1` (the ETF's threshold);
* :math:`C^2 = \frac K2C` and C ⪰ 0, so :math:`(C^2)^{1/2} = C` and the Grams are multiples of C with unit diagonal
  (equal norms, cosines :math:`\cos(2\pi j/K)`); K = 3: :math:`C = \frac32S` (the ETF);
* E is convex in a (its second derivative is a variance);
* the claim's norm ratio :math:`\|w\|^2/\|\bar h\|^2 = n\lambda_H/\lambda_W` and its zero-threshold expression.
"""

import numpy as np
import sympy as sp

from nctheory.claims.sources.lowdim.symbolic import K, forms, lambda_H, lambda_W, n

a, s = sp.symbols("a s", positive=True)


def _delta(Kv):
    return [1 - sp.cos(2 * sp.pi * j / Kv) for j in range(Kv)]


def _root_sum(power):
    """Σ_{j<K} ω^{power·j} with ω^K = 1 and ω^power ≠ 1: the geometric sum's numerator vanishes (general K)."""
    w, j, Kk = sp.Symbol("omega"), sp.Symbol("j", integer=True, nonnegative=True), sp.Symbol("K", integer=True, positive=True)
    total = sp.summation(w ** (power * j), (j, 0, Kk - 1))
    branch = total.args[1][0] if isinstance(total, sp.Piecewise) else total
    return sp.simplify(sp.numer(sp.together(branch)).subs(w ** (power * Kk), 1)) == 0


def _sums():
    # Σ_j cos(2πj/K) = Re Σ_j ω^j = 0 for K >= 2 (ω ≠ 1), so Σ_j δ_j = K, and then E'(0) = −(1/K)Σδ_j + Ks
    ok = _root_sum(1)
    d = sp.symbols("d0:6")
    E = sp.log(sum(sp.exp(-a * x) for x in d)) + 6 * s * a
    ok = ok and sp.simplify(sp.diff(E, a).subs(a, 0) - (-sum(d) / 6 + 6 * s)) == 0
    j = np.arange(3, 11)
    ok = ok and all(abs(np.cos(2 * np.pi * np.arange(k) / k).sum()) < 1e-12 for k in j)
    return ok, "Σ cos(2πj/K) = 0 (general K), E'(0) = −mean(δ) + Ks = Ks − 1"


def _circulant():
    from proofs_check.garrod_keating_family import polygon_square_identity

    ok = polygon_square_identity()  # C² = (K/2)C for every K >= 3, unit diagonal by cos 0 = 1
    C3 = sp.Matrix(3, 3, lambda i, j: sp.cos(2 * sp.pi * (i - j) / 3))
    ok = ok and sp.simplify(C3 - sp.Rational(3, 2) * (sp.eye(3) - sp.ones(3, 3) / 3)) == sp.zeros(3, 3)
    return ok, "C² = (K/2)C (general K >= 3): PSD, rank 2, (C²)^½ = C; K = 3: C = (3/2)S"


def _convex():
    # E'' is the softmax variance of the gaps: >= 0; checked as an identity for K = 5
    d = _delta(5)
    w = [sp.exp(-a * x) for x in d]
    Z = sum(w)
    mean = sum(x * wi for x, wi in zip(d, w)) / Z
    var = sum(x ** 2 * wi for x, wi in zip(d, w)) / Z - mean ** 2
    E = sp.log(Z) + 5 * s * a
    return sp.simplify(sp.diff(E, a, 2) - var) == 0, "E''(a) = Var_softmax(δ) >= 0"


def _claim_forms():
    F = forms()
    ok = sp.simplify(F["norm_ratio"] - n * lambda_H / lambda_W) == 0
    ok = ok and sp.simplify(F["zero_threshold"] - (K * sp.sqrt(n * lambda_W * lambda_H) - 1)) == 0
    return ok, "‖w‖²/‖h‖² = nλ_H/λ_W; threshold Ks − 1"


CHECKS = [
    ("the K-gon's gap sums and the zero threshold Ks >= 1", _sums),
    ("the K-gon Gram: C² = (K/2)C, rank 2, the ETF at K = 3", _circulant),
    ("the reduced objective is convex in the scale", _convex),
    ("the claim's norm ratio and threshold forms", _claim_forms),
]
