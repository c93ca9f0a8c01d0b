r"""Public test helpers: hypothesis strategies for class-size profiles and problems,
and :func:`assert_claim` for users' own pytest suites.

Example (in a user's test file)::

    from hypothesis import given
    from nctheory.claims import get_claim
    from nctheory.testing import assert_claim, problems

    claim = get_claim("hong-ling/threshold")

    @given(problems(claim, loss="ce", max_classes=6))
    def test_threshold_holds(problem):
        assert_claim(claim, problem)

Profiles (each yields a tuple of class sizes):

* ``balanced``:  K classes of n;
* ``two_cluster``: K_A classes of n_A and K_B of n_B with n_A > n_B (ratio R = n_A/n_B);
* ``step``: the (R, ρ) step of Thrampoulidis et al.: (1−ρ)k majority classes of size R·m, ρk of size m;
* ``long_tail``: n_k = round(n_max · r^{-k/(K−1)}) (exponential decay to n_max/r);
* ``random``: independent sizes.
"""

from __future__ import annotations

import math

from hypothesis import assume
from hypothesis import strategies as st

from nctheory.model import Problem


def balanced(min_classes: int = 2, max_classes: int = 8, max_size: int = 200):
    """K equal class sizes."""
    return st.builds(lambda K, n: (n,) * K, st.integers(min_classes, max_classes), st.integers(1, max_size))


def two_cluster(max_per_cluster: int = 4, min_minority_classes: int = 1, max_ratio: float = 50.0,
                max_size: int = 500):
    """Two clusters: K_A majority classes of n_A, K_B minority classes of n_B < n_A."""

    @st.composite
    def build(draw):
        ka = draw(st.integers(1, max_per_cluster))
        kb = draw(st.integers(min_minority_classes, max_per_cluster))
        nb = draw(st.integers(1, max(1, int(max_size / max_ratio))))
        ratio = draw(st.floats(1.0, max_ratio, exclude_min=True))
        na = min(max_size, max(nb + 1, int(round(ratio * nb))))
        return (na,) * ka + (nb,) * kb

    return build()


def step(max_k: int = 10, max_ratio: float = 20.0, max_minority_size: int = 20):
    """(R, ρ)-step profile: (1−ρ)k classes of R·m samples, ρk of m (k even, ρ ∈ {1/4,1/2,3/4} when possible)."""

    @st.composite
    def build(draw):
        k = draw(st.integers(2, max_k))
        kb = draw(st.integers(1, k - 1))
        m = draw(st.integers(1, max_minority_size))
        R = draw(st.integers(2, int(max_ratio)))
        return (R * m,) * (k - kb) + (m,) * kb

    return build()


def long_tail(min_classes: int = 3, max_classes: int = 10, max_size: int = 500, max_ratio: float = 100.0):
    """Exponentially decaying sizes from n_max to about n_max / r."""

    @st.composite
    def build(draw):
        K = draw(st.integers(min_classes, max_classes))
        nmax = draw(st.integers(10, max_size))
        r = draw(st.floats(1.5, max_ratio))
        return tuple(max(1, int(round(nmax * r ** (-k / (K - 1))))) for k in range(K))

    return build()


def random_sizes(min_classes: int = 2, max_classes: int = 8, max_size: int = 300):
    """Independent sizes in [1, max_size]."""
    return st.lists(st.integers(1, max_size), min_size=min_classes, max_size=max_classes).map(tuple)


def size_profiles(max_classes: int = 8):
    """Any of the profiles above (hypothesis shrinks towards the first, balanced)."""
    return st.one_of(balanced(max_classes=max_classes), two_cluster(max_per_cluster=max(1, max_classes // 2)),
                     step(max_k=max_classes), long_tail(max_classes=max(3, max_classes)),
                     random_sizes(max_classes=max_classes))


def log_uniform(lo: float, hi: float):
    """Floats spread evenly in log scale on [lo, hi]."""
    if not (0 < lo < hi):
        raise ValueError(f"lo: need 0 < lo < hi, got {lo}, {hi}")
    return st.floats(math.log(lo), math.log(hi)).map(lambda t: min(hi, max(lo, math.exp(t))))


def problems(claim=None, *, sizes=None, loss: str | None = None, lambda_range=(1e-5, 1e-1), max_classes: int = 8,
             bias: str | None = None):
    """Problems drawn from size profiles and log-uniform penalties; with ``claim``,
    only problems satisfying its assumptions (others are rejected with ``assume``).

    Parameters
    ----------
    claim : Claim, optional
    sizes : strategy of tuples, optional (default: :func:`size_profiles`)
    loss, bias : str, optional — fixed values; drawn when None
    lambda_range : (float, float) — range of λ_W and λ_H
    """
    sizes = sizes if sizes is not None else size_profiles(max_classes)

    @st.composite
    def build(draw):
        s = draw(sizes)
        lw = draw(log_uniform(*lambda_range))
        lh = draw(log_uniform(*lambda_range))
        ls = loss or draw(st.sampled_from(["ce", "mse"]))
        bs = bias or draw(st.sampled_from(["none", "regularized", "free"]))
        lb = draw(log_uniform(1e-4, 1e-1)) if bs == "regularized" else 0.0
        p = Problem(sizes=s, lambda_w=lw, lambda_h=lh, loss=ls, bias=bs, lambda_b=lb)
        if claim is not None:
            assume(not claim.assumptions(p))
        return p

    return build()


def claim_instances(claim, *, max_classes: int = 6, decades: float = 1.5, min_classes: int = 2):
    """Problems like ``claim``'s first default instance (same loss, bias, features, classifier,
    depth, constraint, budgets), with new class sizes from :func:`size_profiles` and penalties
    log-uniform within ``decades`` decades of the default's; only instances inside the claim's
    assumptions are kept (others are rejected with ``assume``)."""
    base = claim.default_instances()[0]

    @st.composite
    def build(draw):
        sizes = draw(size_profiles(max_classes).filter(lambda s: len(s) >= min_classes))
        changes = {"sizes": sizes}
        for name in ("lambda_w", "lambda_h"):
            v = getattr(base, name)
            if v > 0:
                changes[name] = draw(log_uniform(v * 10 ** -decades, v * 10 ** decades))
        if base.d is not None:
            changes["d"] = max(base.d, 2 * len(sizes)) if base.d >= base.K else max(base.d, len(sizes) - 1)
        try:
            p = base.with_(**changes)
        except ValueError:
            assume(False)
        assume(not claim.assumptions(p))
        return p

    return build()


def assert_claim(claim, problem: Problem, *, methods=None, allow_inconclusive: bool = False):
    """Assert that ``claim`` holds on ``problem`` (verdict ``pass``; ``fail`` for a claim
    registered to be refuted).  Raises AssertionError with the failing checks."""
    from nctheory.verify import verify_claim

    v = verify_claim(claim, problem, methods=methods)
    if v.verdict == "inconclusive" and allow_inconclusive:
        return v
    if not v.as_expected:
        bad = "\n".join(f"  {c.quantity}: predicted {c.predicted}, observed {c.observed}, "
                        f"abs_err {c.abs_err:.3e}, tol {c.tol}" for c in v.checks if not c.ok)
        raise AssertionError(f"{claim.id} on sizes {list(problem.sizes)}: verdict {v.verdict} "
                             f"(expected claim {v.expected})\n{bad}\n" + "\n".join(v.unmet + v.notes))
    return v
