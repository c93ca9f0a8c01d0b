"""Shared pieces of the reference-solver tests: instances, strategies, independent dense formulas.

Nothing here uses the code under test (``nctheory.solvers.references``): the bounds and objectives are written
from the formulas of the module docs with plain numpy, so that the tests compare two implementations.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from nctheory.model import Problem

EPS = np.finfo(np.float64).eps


def lpm(sizes, e_w=1.0, e_h=1.0, loss="ce", bias="none", lambda_b=0.0, d=None) -> Problem:
    """A layer-peeled Problem (``constraint="average"``, no penalties)."""
    return Problem(sizes=tuple(sizes), constraint="average", e_w=e_w, e_h=e_h, lambda_w=0.0, lambda_h=0.0,
                   loss=loss, bias=bias, lambda_b=lambda_b, d=d)


def grouped_sizes_from(values, counts, order=None) -> tuple[int, ...]:
    sizes = [int(n) for n, m in zip(values, counts) for _ in range(int(m))]
    if order is not None:
        sizes = [sizes[i] for i in order]
    return tuple(sizes)


# ------------------------------------------------------------------------------ strategies
@st.composite
def small_sizes(draw, min_k=2, max_k=6, max_n=60):
    K = draw(st.integers(min_k, max_k))
    return tuple(draw(st.lists(st.integers(1, max_n), min_size=K, max_size=K)))


@st.composite
def grouped_sizes(draw, max_groups=3, max_count=5):
    """2..max_groups groups of 1..max_count classes with distinct sizes, in shuffled class order (C <= K/2)."""
    C = draw(st.integers(2, max_groups))
    counts = draw(st.lists(st.integers(1, max_count), min_size=C, max_size=C))
    assume(2 * C <= sum(counts))
    values = draw(st.lists(st.integers(1, 90), min_size=C, max_size=C, unique=True))
    order = draw(st.permutations(range(sum(counts))))
    return grouped_sizes_from(values, counts, order)


@st.composite
def lpm_problems(draw, sizes_strategy=None, loss=None, bias=None, e_range=(-1.0, 0.7)):
    """Layer-peeled instances; budgets log-uniform with E_W E_H in 10^(2 e_range) (moderate margins, so that the
    interior-point reference is accurate relative to the objective), optional loss/bias override."""
    sizes = draw(sizes_strategy if sizes_strategy is not None else small_sizes())
    loss = loss if loss is not None else draw(st.sampled_from(["ce", "mse"]))
    bias = bias if bias is not None else draw(st.sampled_from(["none", "free", "regularized"]))
    e_h = 10 ** draw(st.floats(*e_range))
    e_w = e_h * 10 ** draw(st.floats(-0.5, 0.5))
    lambda_b = 10 ** draw(st.floats(-3.0, 0.0)) if bias == "regularized" else 0.0
    return lpm(sizes, e_w, e_h, loss, bias, lambda_b)


# ------------------------------------------------------------------------------ independent formulas
def lpm_sample_objective(problem: Problem, W, H, b) -> float:
    r"""The layer-peeled objective at per-sample features (d × N, class order), written from the model."""
    logits = W @ H + np.asarray(b)[:, None]
    values, _ = problem.loss.value_grad(logits, problem.labels)
    out = float(values.mean())
    if problem.bias == "regularized":
        out += 0.5 * problem.lambda_b * float(np.dot(b, b))
    return out


def lpm_budgets(problem: Problem, W, H) -> tuple[float, float]:
    r""":math:`\frac1K\sum\|w_k\|^2` and :math:`\frac1K\sum_k\frac1{n_k}\sum_i\|h_{k,i}\|^2` (per-sample H)."""
    K = problem.K
    bounds = np.cumsum((0,) + problem.sizes)
    h = sum(float(np.sum(H[:, bounds[k]:bounds[k + 1]] ** 2)) / problem.sizes[k] for k in range(K)) / K
    return float(np.sum(W * W)) / K, h


def random_lpm_point(problem: Problem, rng, d: int, spread: float = 1.0):
    """A random feasible per-sample point (W, H, b) of the layer-peeled model with feature dimension d: every class
    has its own scatter of features around a random mean, then W and H are scaled onto their budgets."""
    K, N = problem.K, problem.N
    W = rng.standard_normal((K, d))
    means = rng.standard_normal((d, K))
    H = np.repeat(means, problem.sizes, axis=1) + spread * rng.uniform(0, 1) * rng.standard_normal((d, N))
    w_use, h_use = lpm_budgets(problem, W, H)
    W *= math.sqrt(problem.e_w / w_use) * (1 - 1e-12)
    H *= math.sqrt(problem.e_h / h_use) * (1 - 1e-12)
    b = rng.standard_normal(K) if problem.bias != "none" else np.zeros(K)
    return W, H, b


def lpm_dense_bound(problem: Problem, U: np.ndarray) -> float:
    r""":math:`-\sum_k\pi_k\ell^*(u_k) - K\sqrt{E_WE_H}\|U\operatorname{diag}\pi\|_2 - \|U\pi\|^2/(2\lambda_b)`
    in plain numpy (no allowance; -inf outside the domain or, for a free bias, when :math:`U\pi` is not at
    rounding level)."""
    pi = problem.weights
    K = problem.K
    neg = problem.loss.neg_conjugate(U, np.arange(K))
    if not np.all(np.isfinite(neg)):
        return -math.inf
    value = float(neg @ pi) - K * math.sqrt(problem.e_w * problem.e_h) * float(np.linalg.norm(U * pi, 2))
    r = U @ pi
    if problem.bias == "regularized":
        value -= float(r @ r) / (2 * problem.lambda_b)
    if problem.bias == "free" and float(np.linalg.norm(r)) > 1e3 * K * EPS * float(np.abs(U).sum(axis=0) @ pi):
        return -math.inf
    return value


def mse_water_filling(weights, radius: float) -> float:
    r"""Exact layer-peeled MSE optimum without bias: :math:`\min\frac12\sum_k\pi_k(t_k - 1)^2` s.t.
    :math:`\sum_kt_k \le R` (the optimum is diagonal: the off-diagonal entries only add loss and
    :math:`\sum_k|Z_{kk}| \le \|Z\|_*`), :math:`t_k = (1 - \mu/\pi_k)_+` with :math:`\sum t_k = R` (bisection on μ).

    ``weights`` may be ``(pi, multiplicity)`` pairs for grouped sizes."""
    pairs = [(float(w), 1.0) for w in weights] if not isinstance(weights[0], tuple) else weights
    pi = np.array([p for p, _ in pairs])
    mult = np.array([m for _, m in pairs])
    if mult.sum() <= radius:
        return 0.0
    lo, hi = 0.0, float(pi.max())
    for _ in range(200):
        mu = 0.5 * (lo + hi)
        if float(mult @ np.maximum(1.0 - mu / pi, 0.0)) > radius:
            lo = mu
        else:
            hi = mu
    mu = 0.5 * (lo + hi)
    return 0.5 * float(mult @ (pi * np.minimum(1.0, mu / pi) ** 2))


def balanced_ce_lpm(K: int, e_w: float, e_h: float) -> float:
    r"""Balanced layer-peeled CE optimum (simplex ETF, catalogue §6):
    :math:`\log(1 + (K-1)e^{-\sqrt{E_WE_H}K/(K-1)})`."""
    return math.log1p((K - 1) * math.exp(-math.sqrt(e_w * e_h) * K / (K - 1)))


def sel_value(sizes) -> float:
    r""":math:`\|SD^{1/2}\|_*` (the catalogue's UF-SVM value, SEL matrix), by a dense SVD."""
    n = np.asarray(sizes, dtype=np.float64)
    K = n.size
    S = np.eye(K) - 1.0 / K
    return float(np.linalg.svd(S * np.sqrt(n)[None, :], compute_uv=False).sum())


def svm_sample_objective(W, H) -> float:
    return 0.5 * float(np.sum(W * W)) + 0.5 * float(np.sum(H * H))


def svm_sample_margin(problem: Problem, W, H) -> float:
    Z = W @ H
    y = problem.labels
    cols = np.arange(y.size)
    gaps = Z[y, cols][None, :] - Z
    gaps[y, cols] = np.inf
    return float(gaps.min())


def random_svm_point(problem: Problem, rng, d: int):
    """A random feasible per-sample UF-SVM point: random classifier, features pushed along w_y - mean(w) with noise,
    scaled so that the smallest margin is 1 (None when the draw has no positive margin)."""
    K, N = problem.K, problem.N
    W = rng.standard_normal((K, d))
    centre = W - W.mean(axis=0)
    H = centre[problem.labels].T * rng.uniform(1, 3) + 0.3 * rng.standard_normal((d, N))
    m = svm_sample_margin(problem, W, H)
    if not m > 0:
        return None
    c = 1.0 / math.sqrt(m) * (1 + 1e-12)
    return c * W, c * H
