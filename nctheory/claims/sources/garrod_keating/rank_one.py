r"""The best rank-1 mean logits of the balanced deep linear CE UFM: the competitor that bounds the scope of
``garrod-keating/polytope-minimizer``.

At rank 1, :math:`\bar Z = x y^\top` (x: the classifier's one coordinate per class, y: the class means'), and by R3
(catalogue §1) the cheapest factorisation of :math:`Y = \sqrt n\bar Z` costs
:math:`\kappa_M\sigma(Y)^{p} = c\,(\|x\|\|y\|)^{p}` with :math:`p = 2/(M+1)` and :math:`c = \kappa_M n^{1/(M+1)}`, so

.. math::

    E_1(x, y) = \frac1K\sum_k\Big(\log\sum_j e^{x_j y_k} - x_k y_k\Big) + c\,(\|x\|\|y\|)^{p} .

Only two classes can be the arg-max of a rank-1 logit (the extreme x's), so this "line" of classes loses to the
family at small c; just below the family's zero threshold it wins (K = 4, M = 3, c = 0.28407: 1.380904 against the
cross-polytope's 1.383170, :math:`x \propto (1, -0.449, 0.449, -1)`, :math:`y \propto (1, -0.380, 0.380, -1)`).  Minimised by BFGS with the
analytic gradient from a fixed set of seeded starts; a value, not a certificate (nonconvex), used to scope the claim.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax

from nctheory.claims.sources.garrod_keating.formulas import kappa

#: Seeded starts of the rank-1 minimisation.  At the instance of the module doc 12 starts give 1.3809037503337103,
#: the factored solver's value to the last digit (an independent 12-start BFGS with a numerical gradient: 4e-16
#: away); near the family's zero threshold (K in {4, 6}, M in {2, 3, 4, 8}) the points they exclude are all refuted
#: by factored solves too (docs/findings.rst).
STARTS = 12


def rank_one_coefficient(M: int, n: float, lambda_w: float, lambda_h: float) -> float:
    r""":math:`c = \kappa_M n^{1/(M+1)}` (module doc)."""
    return kappa(M, lambda_w, lambda_h) * float(n) ** (1.0 / (M + 1))


def _value_grad(v: np.ndarray, K: int, p: float, c: float):
    x, y = v[:K], v[K:]
    Z = np.outer(x, y)
    loss = float(np.mean(logsumexp(Z, axis=0) - np.diag(Z)))
    G = (softmax(Z, axis=0) - np.eye(K)) / K
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    s = nx * ny
    cost = c * s ** p
    gx, gy = G @ y, G.T @ x
    if s > 0:
        k = c * p * s ** (p - 1.0)
        gx = gx + k * ny * x / nx
        gy = gy + k * nx * y / ny
    return loss + cost, np.concatenate([gx, gy])


@lru_cache(maxsize=4096)
def rank_one_best(K: int, M: int, c: float) -> float:
    """min of :math:`E_1` over x, y (module doc) from :data:`STARTS` seeded starts, or log K (the zero point) if
    lower."""
    p = 2.0 / (M + 1)
    rng = np.random.default_rng(20241023)
    best = math.log(K)
    for _ in range(STARTS):
        v0 = rng.standard_normal(2 * K) * rng.uniform(0.3, 3.0)
        r = minimize(_value_grad, v0, args=(K, p, c), jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 5000})
        best = min(best, float(_value_grad(r.x, K, p, c)[0]))
    return best


__all__ = ["STARTS", "rank_one_best", "rank_one_coefficient"]
