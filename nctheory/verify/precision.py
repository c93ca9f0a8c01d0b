r"""How precisely a solution's *positions* (Grams, norms, cosines, bias) are known.

A certificate bounds the objective, not the minimiser: in flat directions (large CE margins at small
λ, a free bias, within-cluster directions near a threshold) the positions are only
:math:`\sim\sqrt{\mathrm{gap}/\text{curvature}}` accurate, and the curvature is not known.  So the
precision is measured, not derived:

1. the reference solver solves again through :meth:`~nctheory.solvers.base.Solver.refine` -- at a
   tighter tolerance (the certified solver: 100× tighter, down to its rounding floor) **from a
   different start** (the first answer perturbed by 5 % with another seed), so that a flat valley shows
   up as two different answers rather than the same path retraced;
2. every observed quantity q is read on both answers, and its precision is

   .. math::  \pi_q = |q_a - q_b| + 4\varepsilon\max(|q_a|, |q_b|)

   for scalars; for vectors the largest entry difference (plus :math:`4\varepsilon\max|q|`) for every entry, and for
   matrices the largest entry difference plus :math:`8\,\dim\,\varepsilon\max|q|`, for every entry (a matrix or a
   vector is known only as well as the whole of it: a flat direction mixes entries, the same reason 2-D tolerances
   scale with :math:`\max|p|`); the comparison uses the tighter answer b.  Under the usual :math:`\sqrt{\mathrm{gap}}`
   behaviour the looser answer a is ~10× further from the optimum than b, so :math:`\pi_q`
   over-estimates b's error about 9-fold; it is exact (zero up to rounding) when both solves return
   the same point, e.g. exact zeros from the zero test.

The estimate is validated in ``tests/verify/test_precision.py`` against closed forms known exactly and
against solves at the rounding floor (1e-14): the observed error of b never exceeded :math:`\pi_q`.
Booleans get precision 0 when equal in both answers, 1 otherwise (then a mismatch is undecided).
"""

from __future__ import annotations

import numpy as np

_EPS = np.finfo(np.float64).eps


def quantity_precision(a, b):
    """Entrywise precision of one quantity from two observations (module doc); None if incomparable."""
    if a is None or b is None:
        return None
    from nctheory.verify.compare import comparable

    try:
        a, b = comparable(a, b)
    except ValueError:
        return None
    A, B = np.asarray(a), np.asarray(b)
    if A.shape != B.shape:
        return None
    if A.dtype == bool or B.dtype == bool:
        return np.where(A.astype(bool) == B.astype(bool), 0.0, 1.0)
    try:
        A, B = A.astype(float), B.astype(float)
    except (TypeError, ValueError):
        return None
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        return None
    if A.ndim >= 2:
        # a matrix is known only as well as the matrix: its small entries carry the rounding and the flat-direction
        # error of the large ones (the same reason 2-D tolerances scale with max |p|)
        size = max(float(np.abs(A).max()), float(np.abs(B).max())) if A.size else 0.0
        return np.full(A.shape, float(np.abs(A - B).max(initial=0.0)) + 8.0 * max(A.shape) * _EPS * size)
    if A.ndim == 1 and A.size > 1:
        # a vector likewise (bias, per-class norms): a flat direction mixes its entries, and two solves can agree on
        # one entry by accident while both miss it -- measured: a bias entry 1.4e-8 off a floor solve with an
        # entrywise difference of 7.5e-9 between the two solves, the vector's largest difference 6.4e-8
        return np.full(A.shape, float(np.abs(A - B).max()) + 4.0 * _EPS * max(float(np.abs(A).max()),
                                                                             float(np.abs(B).max())))
    return np.abs(A - B) + 4.0 * _EPS * np.maximum(np.abs(A), np.abs(B))


def estimate(observed_a: dict, observed_b: dict) -> dict:
    """Precision of every quantity observed on both answers (``name -> array or None``)."""
    return {name: quantity_precision(observed_a.get(name), observed_b[name]) for name in observed_b}


def better_of(first, second):
    """``(answer, other)``: the answer with the smaller relative gap; a certified answer over an uncertified one;
    the second on ties or when neither has a gap (a refinement is at least as tight for local solvers; for
    solvers whose refinement is a looser second opinion, the first keeps its smaller gap)."""
    g1, g2 = first.rel_gap, second.rel_gap
    if g1 is not None and g2 is None:  # a certified answer is never traded for an uncertified one
        return first, second
    if g1 is not None and g2 is not None and g1 < g2:
        return first, second
    return second, first
