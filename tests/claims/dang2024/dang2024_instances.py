"""Instances of the Dang et al. 2024 ReLU model shared by its tests (hypothesis strategies and a builder)."""

from __future__ import annotations

import math

from hypothesis import assume
from hypothesis import strategies as st

from nctheory import Problem
from nctheory.claims.sources import dang2024 as D


def relu_problem(sizes, lam_w, lam_h, d=None):
    return Problem(sizes=tuple(sizes), lambda_w=lam_w, lambda_h=lam_h, loss="ce", features="relu", d=d)


@st.composite
def relu_instances(draw, widths=(2, 3)):
    """K in 2..5, arbitrary imbalance, lambda in [1e-4, 1e-1], d = K * (a draw from ``widths``);
    no class within 15% of tau.

    Factored solves use d in {2K, 3K}: at d = K random non-negative starts often end at spurious
    stationary points (catalogue §4 pitfall; e.g. sizes (2,2,2,2,17), lambda = 1e-2, d = 5: best of
    8 restarts 0.45630 vs the predicted, attained 0.40429).  The d-independent checks (explicit
    structured point, DNN bound) also draw d = K."""
    K = draw(st.integers(2, 5))
    sizes = draw(st.lists(st.integers(2, 150), min_size=K, max_size=K))
    lam_w = 10 ** draw(st.floats(-4.0, -1.0))
    lam_h = 10 ** draw(st.floats(-4.0, -1.0))
    d = K * draw(st.sampled_from(widths))
    p = relu_problem(sizes, lam_w, lam_h, d)
    _, tau = D.constants(p)
    # A class with n_k within 15% of tau has a margin near 0 and a mean of norm near 0:
    # "collapsed or not" is then decided by the zero test, not by the claim.
    assume(all(abs(n - tau) > 0.15 * tau for n in sizes))
    return p


@st.composite
def minority_collapse_instances(draw):
    """Majority classes of sizes in [n_A, 2 n_A] and minority classes in [2, n_B]; lambda_W lambda_H chosen
    so that tau = r * max(minority), r in [1.2, 0.8 n_A/max(minority)]: the minority collapses, the
    majority stays alive (>= 15% above tau)."""
    ka = draw(st.integers(1, 3))
    kb = draw(st.integers(1, 3))
    n_a = draw(st.integers(40, 150))
    nb_max = draw(st.integers(2, 20))
    maj = draw(st.lists(st.integers(n_a, 2 * n_a), min_size=ka, max_size=ka))
    mino = draw(st.lists(st.integers(2, nb_max), min_size=kb, max_size=kb))
    sizes = tuple(maj + mino)
    K, N = len(sizes), sum(sizes)
    r = draw(st.floats(1.2, 0.8 * n_a / max(mino)))
    tau = r * max(mino)
    lam_prod = (K - 1) * tau / (K * N**2)
    skew = 10 ** draw(st.floats(-1.0, 1.0))  # lambda_W / lambda_H
    p = relu_problem(sizes, math.sqrt(lam_prod * skew), math.sqrt(lam_prod / skew), d=2 * K)
    assume(K >= 2 and all(abs(n - D.constants(p)[1]) > 0.15 * D.constants(p)[1] for n in sizes))
    return p
