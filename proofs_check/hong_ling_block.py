r"""Hong & Ling block structure (catalogue §2, HL-block): why equal-size clusters give symmetric optima.

For a permutation P that only permutes classes of equal size, (i) the weighted CE loss
:math:`\sum_k n_k\,\ell(\bar z_k, k)` is invariant under :math:`\bar Z \mapsto P\bar ZP^\top`, and (ii)
:math:`PD^{1/2} = D^{1/2}P`, so :math:`\|P\bar ZP^\top D^{1/2}\|_* = \|P\bar ZD^{1/2}P^\top\|_* = \|\bar ZD^{1/2}\|_*`.
The reduced problem R2 is convex, so averaging an optimum over the group of such permutations is again optimal;
with a unique optimum, the optimum is itself invariant: :math:`\bar Z_{cc} = s_cI + q_cJ` inside a cluster and
constant off-cluster blocks.  Checked exactly for sizes (a, b, b) with a generic 3×3 :math:`\bar Z`.
"""

import sympy as sp


def _setup():
    Z = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"z{i}{j}", real=True))
    a, b = sp.symbols("a b", positive=True)
    n = [a, b, b]
    P = sp.Matrix([[1, 0, 0], [0, 0, 1], [0, 1, 0]])  # swaps the two classes of size b
    return Z, n, P


def _loss(Z, n):
    total = 0
    for k in range(3):
        col = Z[:, k]
        total += n[k] * (sp.log(sum(sp.exp(col[j]) for j in range(3))) - col[k])
    return total


def _loss_invariant():
    Z, n, P = _setup()
    return sp.simplify(_loss(P * Z * P.T, n) - _loss(Z, n)) == 0, ""


def _commutes_with_D():
    _, n, P = _setup()
    Dh = sp.diag(*[sp.sqrt(x) for x in n])
    return sp.simplify(P * Dh - Dh * P) == sp.zeros(3, 3), ""


def _fixed_points_have_block_form():
    # the invariant matrices (P Z P^T = Z for the swap) are exactly [[x, y, y], [u, s+q, q], [u, q, s+q]]
    Z, _, P = _setup()
    sol = sp.solve(list(P * Z * P.T - Z), list(Z), dict=True)[0]
    Zi = Z.subs(sol)
    ok = sp.simplify(Zi[1, 2] - Zi[2, 1]) == 0 and sp.simplify(Zi[1, 1] - Zi[2, 2]) == 0 \
        and sp.simplify(Zi[0, 1] - Zi[0, 2]) == 0 and sp.simplify(Zi[1, 0] - Zi[2, 0]) == 0
    return bool(ok), ""


CHECKS = [
    ("weighted CE loss invariant under an equal-size class swap", _loss_invariant),
    ("the swap commutes with D^1/2 (nuclear-norm term invariant)", _commutes_with_D),
    ("swap-invariant Z has the block form s I + q J / constant off-blocks", _fixed_points_have_block_form),
]
