r"""ReLU features, CE (Dang et al. 2024, catalogue §4): the claims' own forms, proved.

Imports :mod:`nctheory.claims.sources.dang2024.symbolic` -- what ``dang2024/relu-*`` evaluate -- and checks:

* the claimed margin is the stationary point of the claimed per-class value, and vanishes exactly at
  :math:`n_k = \tau`;
* the explicit point of the claimed form (disjoint-support means of the claimed norms,
  :math:`W = C\,SD^{1/2}\bar H^\top`, built here in sympy for K = 3) has :math:`W\bar H = S\operatorname{diag}(t)`,
  the claimed ``w_norm_sq``, ``cos_ww``, ``cos_wh`` and norm ratio, and objective equal to the sum of the claimed
  per-class values -- so the predicted value is a feasible point's objective (value refutation is sound).
"""

import sympy as sp

from nctheory.claims.sources.dang2024.symbolic import (C, K, N, Q, angle_forms, lambda_H, lambda_W, n_i, n_j, n_k,
                                                       q_i, q_j, structure_forms, t_i, t_j, t_k)

S_ = structure_forms()
A_ = angle_forms()


def _stationary():
    grad = sp.diff(S_["class_objective"], t_k).subs(t_k, S_["margin"])
    return sp.simplify(grad) == 0, "d/dt_k of the per-class value vanishes at the claimed margin"


def _threshold():
    k = sp.Symbol("k", positive=True)  # K = k + 1 > 1, so sympy may combine sqrt(K-1) factors
    return sp.simplify(S_["margin"].subs(n_k, S_["tau"]).subs(K, k + 1)) == 0, "t_k = 0 exactly at n_k = tau"


def _norm_ratio():
    h = S_["h_norm_sq"]
    ratio = h.subs({t_k: t_i, n_k: n_i}) / h.subs({t_k: t_j, n_k: n_j})
    return sp.simplify(ratio - A_["h_norm_ratio"]) == 0, "(t_i/t_j) sqrt(n_j/n_i) from ||hbar_k||^2"


def _structured_point(Kn=3):
    ts = sp.symbols(f"t_1:{Kn + 1}", positive=True)
    ns = sp.symbols(f"n_1:{Kn + 1}", positive=True)
    sub = {K: Kn}
    Cv = S_["C"].subs(sub)
    h2 = [S_["h_norm_sq"].subs(sub).subs({t_k: t, n_k: nn}) for t, nn in zip(ts, ns)]
    Hbar = sp.diag(*[sp.sqrt(v) for v in h2])  # disjoint supports: column k on coordinate k, non-negative
    S = sp.eye(Kn) - sp.ones(Kn, Kn) / Kn
    W = Cv * S * sp.diag(*[sp.sqrt(nn) for nn in ns]) * Hbar.T
    return ts, ns, sub, Cv, h2, Hbar, S, W


def _point_grams_and_angles():
    ts, ns, sub, Cv, h2, Hbar, S, W = _structured_point()
    Kn = len(ts)
    qs = [sp.sqrt(nn) * t for nn, t in zip(ns, ts)]
    Qv = sum(qs)
    ok = sp.simplify(W * Hbar - S * sp.diag(*ts)) == sp.zeros(Kn, Kn)
    G = W * W.T
    for j in range(Kn):
        at_j = {**sub, C: Cv, q_i: qs[j], Q: Qv}
        ok &= sp.simplify(G[j, j] - A_["w_norm_sq"].subs(at_j)) == 0
        for i in range(Kn):
            if i != j:
                cos = G[i, j] / sp.sqrt(G[i, i] * G[j, j])
                ok &= sp.simplify(cos - A_["cos_ww"].subs({**sub, q_i: qs[i], q_j: qs[j], Q: Qv})) == 0
            cos_wh = (W[j, :] * Hbar[:, i])[0, 0] / sp.sqrt(G[j, j] * h2[i])
            want = A_["cos_wh_same"] if i == j else A_["cos_wh_other"]
            ok &= sp.simplify(cos_wh - want.subs({**sub, q_i: qs[i], q_j: qs[j], Q: Qv})) == 0
    return bool(ok), "W Hbar = S diag(t); norms and cosines of W and Hbar as claimed (K = 3)"


def _point_objective():
    ts, ns, sub, Cv, h2, Hbar, S, W = _structured_point()
    Kn = len(ts)
    Nn = sum(ns)
    Z = W * Hbar
    ce = [sp.log(sum(sp.exp(Z[j, k]) for j in range(Kn))) - Z[k, k] for k in range(Kn)]
    ce_ok = all(sp.simplify(sp.expand_log(ce[k] - sp.log(1 + (Kn - 1) * sp.exp(-ts[k])), force=True)) == 0
                for k in range(Kn))
    penalty = lambda_W / 2 * sum(W[j, c] ** 2 for j in range(Kn) for c in range(Kn)) \
        + lambda_H / 2 * sum(nn * v for nn, v in zip(ns, h2))
    value = sum(S_["class_objective"].subs(sub).subs({t_k: t, n_k: nn, N: Nn}) for t, nn in zip(ts, ns))
    total = sum(nn / Nn * sp.log(1 + (Kn - 1) * sp.exp(-t)) for t, nn in zip(ts, ns)) + penalty
    return ce_ok and sp.simplify(total - value) == 0, "objective of the claimed point = sum of claimed class values"


CHECKS = [
    ("t_k is the stationary margin of the per-class value", _stationary),
    ("t_k = 0 exactly at n_k = tau", _threshold),
    ("norm ratio (t_i/t_j) sqrt(n_j/n_i)", _norm_ratio),
    ("the claimed point has the claimed logits, norms and angles (K = 3)", _point_grams_and_angles),
    ("the claimed value is the objective of the claimed point (K = 3)", _point_objective),
]
