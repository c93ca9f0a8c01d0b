"""Helpers of the bound tests: solutions built from arrays, random feasible points, instance strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from nctheory.model import Problem
from nctheory.solvers.result import Solution


def solution_of(W, H_mean, b=None, *, objective=1.0, H=None, method="test", status="optimal", extra=None):
    """A Solution holding the given arrays (the bounds read only logits_mean, b, H_mean, H and extra)."""
    W = np.asarray(W, dtype=float)
    H_mean = np.asarray(H_mean, dtype=float)
    b = np.zeros(W.shape[0]) if b is None else np.asarray(b, dtype=float)
    return Solution(W=W, H_mean=H_mean, b=b, logits_mean=W @ H_mean + b[:, None], objective=float(objective),
                    lower_bound=None, gap=None, status=status, iterations=0, time_s=0.0, method=method,
                    H=None if H is None else np.asarray(H, dtype=float), extra=dict(extra or {}))


def logits_solution(Z, b=None, **kw):
    """A Solution whose mean logits are Z (identity factors)."""
    Z = np.asarray(Z, dtype=float)
    return solution_of(Z, np.eye(Z.shape[1]), b, **kw)


def ball_points(rng, d, m, radius):
    """m random points in the ball of the given radius in R^d (columns), some on the sphere."""
    X = rng.standard_normal((d, m))
    X /= np.linalg.norm(X, axis=0)
    r = radius * np.where(rng.random(m) < 0.3, 1.0, rng.random(m) ** (1.0 / d))
    return X * r


def rel(a, b):
    return abs(a - b) / abs(b)


#: Class-size profiles: 2..5 classes, imbalance ratios up to 20.
sizes_st = st.lists(st.integers(1, 20), min_size=2, max_size=5).map(tuple)
#: Penalties / budgets on a log scale.
lam_st = st.floats(-3.0, -1.0).map(lambda e: 10.0 ** e)
budget_st = st.floats(-0.5, 1.0).map(lambda e: 10.0 ** e)
seed_st = st.integers(0, 2 ** 16)


def problem(sizes, **kw) -> Problem:
    return Problem(sizes=tuple(sizes), **kw)
