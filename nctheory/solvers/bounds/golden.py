"""Golden-section search for the largest value of a unimodal scalar function (the dual level searches of the
layer-peeled bounds)."""

from __future__ import annotations

import math

#: :math:`(\sqrt5 - 1)/2`: each step keeps this fraction of the interval.
PHI = (math.sqrt(5.0) - 1.0) / 2.0


def golden_max(f, a: float, b: float, steps: int):
    r"""Maximise ``f`` on [a, b] by ``steps`` golden-section steps; returns the best ``(value, argument)`` *seen*.

    The interval shrinks by :data:`PHI` per step (64 steps: :math:`4\times10^{-14}` of its length).  Returning the
    best point evaluated, not the last bracket's, keeps the answer a value ``f`` actually took: for a lower bound
    that is what makes it valid whatever the function's shape.
    """
    best = max((f(a), a), (f(b), b))
    if not b > a:
        return best
    x1, x2 = b - PHI * (b - a), a + PHI * (b - a)
    f1, f2 = f(x1), f(x2)
    for _ in range(steps):
        best = max(best, (f1, x1), (f2, x2))
        if f1 >= f2:
            b, x2, f2 = x2, x1, f1
            x1 = b - PHI * (b - a)
            f1 = f(x1)
        else:
            a, x1, f1 = x1, x2, f2
            x2 = a + PHI * (b - a)
            f2 = f(x2)
    return max(best, (f1, x1), (f2, x2))
