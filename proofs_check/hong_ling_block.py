r"""Hong & Ling block structure (catalogue §2, HL-block): why equal-size clusters give symmetric optima, and the
singular values of the claim's block form.

For a permutation P that only permutes classes of equal size, (i) the weighted CE loss
:math:`\sum_k n_k\,\ell(\bar z_k, k)` is invariant under :math:`\bar Z \mapsto P\bar ZP^\top`, and (ii)
:math:`PD^{1/2} = D^{1/2}P`, so :math:`\|P\bar ZP^\top D^{1/2}\|_* = \|P\bar ZD^{1/2}P^\top\|_* = \|\bar ZD^{1/2}\|_*`.
The reduced problem R2 is convex, so averaging an optimum over the group of such permutations is again optimal;
with a unique optimum, the optimum is itself invariant: :math:`\bar Z_{cc} = s_cI + q_cJ` inside a cluster and
constant off-cluster blocks.  Checked exactly for sizes (a, b, b) with a generic 3×3 :math:`\bar Z`.

Then the claim's own block form (:func:`nctheory.claims.sources.hong_ling.symbolic.block_zbar`, built from
``block_forms``) is checked: permutation invariant, columns summing to 0 (rank <= K−1), and
:math:`Y = \bar ZD^{1/2}` has the singular values the claims use -- :math:`x_A` (×(K_A−1)), :math:`x_B` (×(K_B−1)),
:math:`\sigma_3`, 0 -- via the power sums :math:`\operatorname{tr}((Y^\top Y)^j)`, j = 1..K (they fix the spectrum).
"""

import itertools

import sympy as sp

from nctheory.claims.sources.hong_ling.symbolic import K_A, K_B, block_forms, block_zbar, n_A, n_B

SHAPES = ((2, 1), (2, 2), (3, 1), (1, 3))


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


def _claim_block_is_invariant_and_centred():
    for ka, kb in SHAPES:
        Z = block_zbar(ka, kb)
        K = ka + kb
        if any(sp.simplify(sum(Z[:, j])) != 0 for j in range(K)):
            return False, f"columns do not sum to 0 (K_A={ka}, K_B={kb})"
        for perm in itertools.permutations(range(K)):
            if all((p < ka) == (i < ka) for i, p in enumerate(perm)):  # permutes inside clusters only
                P = sp.Matrix(K, K, lambda i, j: 1 if perm[i] == j else 0)
                if sp.simplify(P * Z * P.T - Z) != sp.zeros(K, K):
                    return False, f"not invariant under {perm}"
    return True, f"shapes {SHAPES}"


def _claim_singular_values():
    for ka, kb in SHAPES:
        F = {k: v.subs({K_A: ka, K_B: kb}) for k, v in block_forms().items()}
        K = ka + kb
        Dh = sp.diag(*([sp.sqrt(n_A)] * ka + [sp.sqrt(n_B)] * kb))
        Y = block_zbar(ka, kb) * Dh
        G = Y.T * Y
        spectrum = [F["x_A"] ** 2] * (ka - 1) + [F["x_B"] ** 2] * (kb - 1) + [F["sigma3"] ** 2, 0]
        Gj = sp.eye(K)
        for j in range(1, K + 1):
            Gj = Gj * G
            if sp.expand(Gj.trace() - sum(mu ** j for mu in spectrum)) != 0:
                return False, f"power sum {j} differs (K_A={ka}, K_B={kb})"
    return True, f"shapes {SHAPES}"


CHECKS = [
    ("weighted CE loss invariant under an equal-size class swap", _loss_invariant),
    ("the swap commutes with D^1/2 (nuclear-norm term invariant)", _commutes_with_D),
    ("swap-invariant Z has the block form s I + q J / constant off-blocks", _fixed_points_have_block_form),
    ("the claim's block Z is within-cluster invariant with centred columns", _claim_block_is_invariant_and_centred),
    ("Y = Z D^1/2 of the claim's block has singular values x_A, x_B, sigma_3, 0", _claim_singular_values),
]
