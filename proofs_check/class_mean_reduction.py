r"""R2, the class-mean reduction: why NC1 holds at every global minimizer (catalogue §1).

Two facts, checked exactly:

1. :math:`\sum_i\|h_i\|^2 = n\|\bar h\|^2 + \sum_i\|h_i - \bar h\|^2` (so replacing every feature by its class
   mean lowers the penalty unless all features already equal the mean);
2. cross-entropy is convex in the logits: the Hessian of logsumexp is :math:`\mathrm{diag}(p) - pp^\top` and its
   quadratic form is the variance :math:`\sum_i p_i (x_i - p^\top x)^2 \ge 0`, so by Jensen the mean loss of a class
   is at least the loss at its mean logit.  (MSE: Hessian I.)
"""

import sympy as sp


def _penalty_split(n: int, d: int):
    H = sp.Matrix(d, n, lambda i, j: sp.Symbol(f"h{i}_{j}", real=True))
    hbar = H * sp.ones(n, 1) / n
    lhs = sum(x**2 for x in H)
    rhs = n * sum(x**2 for x in hbar) + sum(x**2 for x in (H - hbar * sp.ones(1, n)))
    return sp.expand(lhs - rhs) == 0, ""


def _ce_hessian_is_variance(K: int):
    z = sp.symbols(f"z0:{K}", real=True)
    x = sp.symbols(f"x0:{K}", real=True)
    lse = sp.log(sum(sp.exp(t) for t in z))
    Hm = sp.hessian(lse, z)
    p = [sp.exp(t) / sum(sp.exp(u) for u in z) for t in z]
    quad = (sp.Matrix([x]) * Hm * sp.Matrix(x))[0]
    mean = sum(pi * xi for pi, xi in zip(p, x))
    var = sum(pi * (xi - mean) ** 2 for pi, xi in zip(p, x))
    return sp.simplify(quad - var) == 0, ""


CHECKS = [
    ("penalty splits into mean + spread (n=3, d=2)", lambda: _penalty_split(3, 2)),
    ("penalty splits into mean + spread (n=4, d=1)", lambda: _penalty_split(4, 1)),
    ("CE Hessian quadratic form = softmax variance (K=3)", lambda: _ce_hessian_is_variance(3)),
]
