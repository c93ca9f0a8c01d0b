r"""Label-smoothed CE (catalogue §9): the claims' own forms (:mod:`nctheory.claims.sources.zhou2022.symbolic`), proved.

* balanced: at :math:`\bar Z = cS` the per-class LS loss is :math:`\log(1+(K-1)e^{-c}) + c\varepsilon(K-1)/K` (exact, K = 2..6),
  the claim's margin is stationary for the reduced objective, its objective is the reduced objective there, and the
  zero threshold is :math:`E'(0) \ge 0 \iff Ks + \varepsilon \ge 1`;
* the gradient at X = 0: :math:`\operatorname{softmax}(0) - q_k = -(1-\varepsilon)Se_k`; with a free bias the optimal
  softmax is :math:`\sum\pi_kq_k` and :math:`\operatorname{softmax}(b) - q_k = (1-\varepsilon)(\pi - e_k)`;
* the within-cluster block: :math:`P_cq_k = (1-\varepsilon)P_ce_k`, and the KKT equation
  :math:`\frac{\sqrt{n_c}}N(1-\varepsilon-g) = \lambda` is solved by the claim's separated gap, which vanishes at the claim's
  collapse threshold;
* the small-λ limit: :math:`\operatorname{softmax}(c_\infty e_k) = q_k` at the claim's :math:`c_\infty` (K = 2..6).
"""

import sympy as sp

from nctheory.claims.sources.zhou2022.symbolic import (K, N, balanced_forms, epsilon, gap_forms, lambda_H, lambda_W,
                                                       limit_forms, n, n_c)

F = balanced_forms()
c = sp.Symbol("c", positive=True)
s = sp.sqrt(n * lambda_W * lambda_H)
REDUCED = sp.log(1 + (K - 1) * sp.exp(-c)) + c * epsilon * (K - 1) / K + s * (K - 1) * c


def _ls_loss(z, k, Kv):
    q = [epsilon / Kv + (1 - epsilon if j == k else 0) for j in range(Kv)]
    return sp.log(sum(sp.exp(zj) for zj in z)) - sum(qj * zj for qj, zj in zip(q, z))


def _per_class_loss():
    ok = True
    for Kv in range(2, 7):
        z = [c * ((1 if j == 0 else 0) - sp.Rational(1, Kv)) for j in range(Kv)]
        want = sp.log(1 + (Kv - 1) * sp.exp(-c)) + c * epsilon * (Kv - 1) / Kv
        # exp of the difference is a ratio of exponential sums: exactly 1
        ok = ok and sp.simplify(sp.powsimp(sp.expand(sp.exp(_ls_loss(z, 0, Kv) - want)))) == 1
    return ok, "LS loss at cS = log(1+(K−1)e^{−c}) + cε(K−1)/K for K = 2..6"


def _stationary():
    grad = sp.diff(REDUCED, c).subs(c, F["margin"])
    return sp.simplify(grad) == 0, "dE/dc = 0 at c* = log((1−(K−1)p)/p), p = s + ε/K"


def _objective():
    return sp.simplify(REDUCED.subs(c, F["margin"]) - F["objective"]) == 0, "objective = E(c*)"


def _zero_threshold():
    slope0 = sp.simplify(sp.diff(REDUCED, c).subs(c, 0))
    # E'(0) = (K−1)/K (Ks + ε − 1): its sign is the claim's threshold expression's
    ok = sp.simplify(slope0 - (K - 1) / K * F["zero_threshold"]) == 0
    at = sp.simplify(F["margin"].subs(epsilon, 1 - K * s))
    return ok and at == 0, f"E'(0) = (K−1)/K·(Ks + ε − 1); margin 0 at Ks + ε = 1"


def _gradient_at_zero():
    ok = True
    for Kv in (3, 4):
        for k in range(Kv):
            z = sp.symbols(f"z0:{Kv}")
            g = [sp.diff(_ls_loss(list(z), k, Kv), zj).subs({zz: 0 for zz in z}) for zj in z]
            want = [-(1 - epsilon) * ((1 if j == k else 0) - sp.Rational(1, Kv)) for j in range(Kv)]
            ok = ok and all(sp.simplify(a - b) == 0 for a, b in zip(g, want))
        pi = sp.symbols(f"pi0:{Kv}", positive=True)
        p = [sum(pi[k] * (epsilon / Kv + (1 - epsilon if j == k else 0)) for k in range(Kv)) for j in range(Kv)]
        total = sum(pi)
        for k in range(Kv):
            q = [epsilon / Kv + (1 - epsilon if j == k else 0) for j in range(Kv)]
            # p − q_k = (1 − ε)(π − e_k) when Σπ = 1
            ok = ok and all(sp.simplify((p[j] - q[j] - (1 - epsilon) * (pi[j] - (1 if j == k else 0))).subs(pi[-1], 1 - (total - pi[-1]))) == 0
                            for j in range(Kv))
    return ok, "softmax(0) − q_k = −(1−ε)Se_k; free bias: Σπ_k q_k − q_k = (1−ε)(π − e_k)"


def _cluster_block():
    G = gap_forms()
    ok = True
    for m in (2, 3, 4):
        Kv = m + 2  # the cluster is classes 0..m−1 of K = m + 2
        for k in range(m):
            q = sp.Matrix([epsilon / Kv + (1 - epsilon if j == k else 0) for j in range(Kv)])
            P = sp.zeros(Kv, Kv)
            P[:m, :m] = sp.eye(m) - sp.ones(m, m) / m
            e = sp.Matrix([1 if j == k else 0 for j in range(Kv)])
            ok = ok and sp.simplify(P * q - (1 - epsilon) * P * e) == sp.zeros(Kv, 1)
    g, lam = sp.symbols("g lambda", positive=True)
    sol = sp.solve(sp.Eq(sp.sqrt(n_c) / N * (1 - epsilon - g), sp.sqrt(lambda_W * lambda_H)), g)
    ok = ok and len(sol) == 1 and sp.simplify(sol[0] - G["separated_gap"]) == 0
    thr = G["collapse_threshold"]
    ok = ok and sp.simplify(G["separated_gap"].subs({lambda_W: thr, lambda_H: thr})) == 0
    return ok, "P_c q_k = (1−ε)P_c e_k; KKT on the block gives g = 1 − ε − λN/√n_c, zero at λ = (1−ε)√n_c/N"


def _limit_margin():
    cinf = limit_forms()["limit_margin"]
    ok = True
    for Kv in range(2, 7):
        e = [sp.exp(cinf.subs(K, Kv))] + [1] * (Kv - 1)
        p0 = e[0] / sum(e)
        ok = ok and sp.simplify(p0 - (1 - epsilon + epsilon / Kv)) == 0
    return ok, "softmax(c_∞ e_k)_k = 1 − ε + ε/K (= q_k's label entry) for K = 2..6"


CHECKS = [
    ("balanced: the LS loss at the ETF logits", _per_class_loss),
    ("balanced: the claim's margin is stationary", _stationary),
    ("balanced: the claim's objective at its margin", _objective),
    ("balanced: zero iff Ks + eps >= 1", _zero_threshold),
    ("imbalanced: the gradient at X = 0 (no bias, free bias)", _gradient_at_zero),
    ("imbalanced: the within-cluster KKT block, gap and collapse threshold", _cluster_block),
    ("small lambda: the limit margin reproduces the smoothed targets", _limit_margin),
]
