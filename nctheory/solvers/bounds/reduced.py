r"""The R2 Fenchel dual bound at a cvxpy answer of the class-mean problem (``convex:reduced``).

No new mathematics: this is the certified solver's certificate (:mod:`nctheory.solvers.certified.dual`,
derived in :mod:`nctheory.solvers.certified.dense`) evaluated at the answer of the cvxpy formulation.
With :math:`X = \bar Z D^{1/2}` the answer's bias-free mean logits in R2 coordinates and b its bias,
:class:`~nctheory.solvers.certified.smooth.ReducedSmooth` gives the logit-space gradient Γ at (X, b), and
:meth:`DualBound.from_gradient <nctheory.solvers.certified.dual.DualBound.from_gradient>` turns it into a
feasible dual point (:math:`\|\frac1N UD^{1/2}\|_2 \le \lambda`, :math:`U\pi = 0` for a free bias) and its
value :math:`-\sum_k\pi_k\ell^*(u_k, k) - \|U\pi\|^2/(2\lambda_b)`, a lower bound on the UFM optimum
because R2 is exact for the UFM (NC1 by Jensen, R1 for d ≥ rank; a lower bound in any case: R2's value
is below the UFM's for every d).

The same gradient also goes through :mod:`~nctheory.solvers.bounds.spectral` (which adds candidates
that equalise the singular values on the answer's range: the gradient bound is only first-order
accurate at a conic solver's point); the larger of the two bounds is reported.
"""

from __future__ import annotations

import numpy as np

from nctheory.model.options import Constraint
from nctheory.solvers.bounds import register_bound
from nctheory.solvers.bounds.inputs import learned_mean_answer
from nctheory.solvers.bounds.rounding import sum_allowance
from nctheory.solvers.bounds.spectral import spectral_dual
from nctheory.solvers.result import Certificate

CERTIFICATE = Certificate(
    kind="fenchel-dual:R2",
    description="Fenchel dual bound of the class-mean nuclear-norm problem R2 at the cvxpy answer (the certified "
                "solver's certificate), pulled into the spectral ball",
    assumes="reductions R1/R2 (theorems: NC1 by Jensen for a loss convex in the logits; the variational identity, a "
            "lower bound for every d); nothing about the claim under test",
)


def reduced_bound(problem, solution):
    """``(lower_bound, Certificate)`` for an R2 answer (module doc), or None when it does not apply."""
    from nctheory.solvers.certified.dual import DualBound
    from nctheory.solvers.certified.smooth import ReducedSmooth

    answer = learned_mean_answer(problem, solution, Constraint.PENALTY)
    if answer is None:
        return None
    Z, b = answer
    K = problem.K
    smooth = ReducedSmooth(problem)
    X = (Z - b[:, None]) * smooth.sqrt_n
    _, _, _, Gamma = smooth.joint(X, b)
    first = DualBound.from_gradient(smooth, Gamma)
    best = first.value - sum_allowance(first.magnitude, 2 * K)
    labels, pi = np.arange(K), problem.weights
    cand = spectral_dual(problem, Gamma, labels, pi, smooth.sqrt_n / smooth.N, problem.lam)
    if cand.value.finite and cand.norm <= problem.lam:
        best = max(best, cand.value.value - sum_allowance(cand.value.magnitude, cand.value.count))
    if not np.isfinite(best):
        return None
    return float(best), CERTIFICATE


register_bound("convex:reduced", reduced_bound)

__all__ = ["reduced_bound", "CERTIFICATE"]
