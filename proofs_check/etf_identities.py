r"""Simplex-ETF identities, exactly in rational arithmetic.

With :math:`S = I - J/K` and :math:`M = \sqrt{K/(K-1)}\,S`: :math:`MM^\top = \frac{K}{K-1}S`,
unit row norms, pairwise inner products :math:`-1/(K-1)`, rows summing to zero,
and :math:`S^2 = S` (so the ETF Gram is idempotent up to scale).
"""

import sympy as sp


def _etf_gram(K: int) -> bool:
    S = sp.eye(K) - sp.ones(K, K) / K
    M = sp.sqrt(sp.Rational(K, K - 1)) * S
    G = sp.simplify(M * M.T)
    target = sp.Rational(K, K - 1) * S
    return sp.simplify(G - target) == sp.zeros(K, K)


def _unit_norms_and_angles(K: int) -> bool:
    S = sp.eye(K) - sp.ones(K, K) / K
    G = sp.Rational(K, K - 1) * S
    diag_ok = all(sp.simplify(G[i, i] - 1) == 0 for i in range(K))
    off_ok = all(sp.simplify(G[i, j] + sp.Rational(1, K - 1)) == 0 for i in range(K) for j in range(K) if i != j)
    return diag_ok and off_ok


def _centering_idempotent(K: int) -> bool:
    S = sp.eye(K) - sp.ones(K, K) / K
    return sp.simplify(S * S - S) == sp.zeros(K, K) and sp.simplify(S * sp.ones(K, 1)) == sp.zeros(K, 1)


CHECKS = [
    *[(f"ETF Gram = K/(K-1) S (K={K})", (lambda K=K: (_etf_gram(K), ""))) for K in (2, 3, 4, 7)],
    *[(f"ETF unit norms, cosines -1/(K-1) (K={K})", (lambda K=K: (_unit_norms_and_angles(K), ""))) for K in (2, 5)],
    ("centering S is idempotent and kills 1 (K=6)", lambda: (_centering_idempotent(6), "")),
]
