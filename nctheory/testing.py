r"""Public test helpers: hypothesis strategies for class-size profiles and problems, and :func:`assert_claim`
for users' own pytest suites (the same path ``nctheory check`` takes).

Example (in a user's test file)::

    from hypothesis import given, settings
    from nctheory.claims import get_claim
    from nctheory.testing import assert_claim, problems

    claim = get_claim("hong-ling/threshold")

    @settings(max_examples=10, deadline=None)
    @given(problems(claim, max_classes=6))
    def test_threshold_holds(problem):
        assert_claim(claim, problem)

:func:`problems` builds instances *inside* a claim's requirements (its :class:`~nctheory.claims.base.Requires`:
loss, bias, features, classifier, constraint, depth, balance, dimension), so every model family -- fixed ETF
with norm budgets, ReLU features, deep classifiers, layer-peeled constraints -- is drawn directly rather than
filtered out; only a claim's extra ``conditions`` are filtered.

Size profiles (each yields a tuple of class sizes):

* ``balanced``:  K classes of n;
* ``two_cluster``: K_A classes of n_A and K_B of n_B with n_A > n_B (ratio R = n_A/n_B);
* ``step``: the (R, ρ) step of Thrampoulidis et al.: (1−ρ)k majority classes of size R·m, ρk of size m;
* ``long_tail``: n_k = round(n_max · r^{-k/(K−1)}) (exponential decay to n_max/r);
* ``random``: independent sizes.
"""

from __future__ import annotations

import math

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised by the packaging smoke test
    from nctheory.errors import MissingExtra

    raise MissingExtra("nctheory.testing", "search", "hypothesis") from exc

from nctheory.model import Problem
from nctheory.model.options import Bias, Classifier, Constraint, Features


# ------------------------------------------------------------------------------ sizes
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
    """(R, ρ)-step profile: (1−ρ)k classes of R·m samples, ρk of m."""

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


def size_profiles(max_classes: int = 8, min_classes: int = 2, max_size: int = 500):
    """Any of the profiles above (hypothesis shrinks towards the first, balanced); no class above ``max_size``."""
    lo = max(2, min_classes)
    hi = max(lo, max_classes)
    cap = max(2, int(max_size))
    return st.one_of(balanced(min_classes=lo, max_classes=hi, max_size=min(200, cap)),
                     two_cluster(max_per_cluster=max(1, hi // 2), max_size=cap,
                                 max_ratio=min(50.0, float(cap))).filter(lambda s: len(s) >= lo),
                     step(max_k=hi, max_ratio=min(20.0, float(cap)),
                          max_minority_size=max(1, min(20, cap // 2))).filter(lambda s: len(s) >= lo and max(s) <= cap),
                     long_tail(min_classes=max(3, lo), max_classes=max(3, hi), max_size=max(10, cap)),
                     random_sizes(min_classes=lo, max_classes=hi, max_size=min(300, cap)))


def log_uniform(lo: float, hi: float):
    """Floats spread evenly in log scale on [lo, hi]."""
    if not (0 < lo < hi):
        raise ValueError(f"lo: need 0 < lo < hi, got {lo}, {hi}")
    return st.floats(math.log(lo), math.log(hi)).map(lambda t: min(hi, max(lo, math.exp(t))))


# --------------------------------------------------------------------------- problems
def _choices(allowed, default):
    return tuple(allowed) if allowed is not None else tuple(default)


def problems(claim=None, *, sizes=None, loss: str | None = None, lambda_range=(1e-5, 1e-1),
             budget_range=(0.2, 10.0), max_classes: int = 8, min_classes: int = 2, bias: str | None = None,
             depth_range=(1, 3)):
    """Problems drawn from size profiles and log-uniform penalties or budgets.

    With ``claim``, every field its :class:`~nctheory.claims.base.Requires` fixes is drawn from the allowed
    values (a loss name, bias, features, classifier, constraint, depth range, balance), with the
    parameters that model needs (penalties λ_W, λ_H; budgets E_W, E_H; ``d`` large enough); the claim's extra
    ``conditions`` are then checked with ``assume``.  Without a claim: CE or MSE UFMs with any bias.

    Parameters
    ----------
    claim : Claim, optional
    sizes : strategy of tuples, optional (default: :func:`size_profiles`)
    loss, bias : str, optional
        Fixed values (they must be allowed by the claim); drawn when None.
    lambda_range, budget_range : (float, float)
        Log-uniform ranges of the penalties and of the norm budgets.
    depth_range : (int, int)
        Depths drawn when the claim allows deep classifiers.
    """
    req = getattr(claim, "requires", None)
    want_balanced = getattr(req, "balanced", None)
    lo_classes = max(min_classes, getattr(req, "min_classes", 2))
    if sizes is None:
        sizes = balanced(min_classes=lo_classes, max_classes=max_classes) if want_balanced is True \
            else size_profiles(max_classes, lo_classes)
    default_losses = ("ce", "mse") if req is None else ("ce",)
    losses = (loss,) if loss else _choices(getattr(req, "loss", None), default_losses)
    biases = (bias,) if bias else _choices(getattr(req, "bias", None), tuple(Bias))
    features = _choices(getattr(req, "features", None), (Features.FREE,))
    classifiers = _choices(getattr(req, "classifier", None), (Classifier.LEARNED,))
    constraints = _choices(getattr(req, "constraint", None), (Constraint.PENALTY,))
    dmin, dmax = getattr(req, "depth", None) or (1, 1)
    dmin, dmax = max(dmin, depth_range[0]), min(dmax, depth_range[1])
    if dmin > dmax:
        dmin = dmax = (getattr(req, "depth", None) or (1, 1))[0]

    @st.composite
    def build(draw):
        s = draw(sizes)
        if want_balanced is False and len(set(s)) == 1:
            s = (s[0] + 1,) + tuple(s[1:])
        kw: dict = {"sizes": s, "loss": draw(st.sampled_from(losses))}
        classifier = draw(st.sampled_from(classifiers))
        constraint = draw(st.sampled_from(constraints))
        feat = draw(st.sampled_from(features))
        kw.update(classifier=classifier, constraint=constraint, features=feat)
        depth = draw(st.integers(dmin, dmax)) if classifier == Classifier.LEARNED and constraint == Constraint.PENALTY \
            else 1
        kw["depth"] = depth
        if constraint == Constraint.PENALTY:
            kw["lambda_h"] = draw(log_uniform(*lambda_range))
            kw["lambda_w"] = draw(log_uniform(*lambda_range)) if classifier == Classifier.LEARNED else 0.0
            if classifier == Classifier.FIXED_ETF:
                kw["e_w"] = draw(log_uniform(*budget_range))
        else:
            kw["lambda_w"] = kw["lambda_h"] = 0.0
            kw["e_h"] = draw(log_uniform(*budget_range))
            kw["e_w"] = draw(log_uniform(*budget_range))
        if kw["loss"] == "dr" and "e_h" not in kw:
            kw["e_h"] = draw(log_uniform(*budget_range))
        allowed_bias = [b for b in biases if not (kw["loss"] == "dr" and b != Bias.NONE)]
        assume(allowed_bias)
        b = draw(st.sampled_from(allowed_bias))
        kw["bias"] = b
        kw["lambda_b"] = draw(log_uniform(1e-4, 1e-1)) if b == Bias.REGULARIZED else 0.0
        K = len(s)
        if feat == Features.RELU:
            kw["d"] = 2 * K
        p = Problem(**kw)
        if claim is not None:
            assume(not claim.assumptions(p))
        return p

    return build()


def draw_instance_like(draw, base: Problem, sizes, *, decades: float = 1.5) -> Problem:
    """``base`` with new class ``sizes`` and penalties drawn near its own, for use inside ``st.composite``.

    Parameters
    ----------
    draw : callable
        The ``draw`` of a :func:`hypothesis.strategies.composite` function.
    base : Problem
        The instance to vary; its other fields are kept.
    sizes : tuple of int
        The new class sizes.
    decades : float
        Each positive penalty (``lambda_w``, ``lambda_h``) is drawn log-uniformly within this many decades
        of ``base``'s.  A given ``d`` keeps its relation to K: at least 2K when ``base.d >= base.K``, else at
        least K-1.

    Returns
    -------
    Problem
        The varied instance; one the model refuses is rejected with ``assume(False)``.
    """
    changes = {"sizes": sizes}
    for name in ("lambda_w", "lambda_h"):
        v = getattr(base, name)
        if v > 0:
            changes[name] = draw(log_uniform(v * 10 ** -decades, v * 10 ** decades))
    if base.d is not None:
        changes["d"] = max(base.d, 2 * len(sizes)) if base.d >= base.K else max(base.d, len(sizes) - 1)
    try:
        return base.with_(**changes)
    except ValueError:
        assume(False)


def claim_instances(claim, *, max_classes: int = 6, decades: float = 1.5, min_classes: int = 2, max_size: int = 500):
    """Problems like ``claim``'s first default instance (same loss, bias, features, classifier, depth,
    constraint, budgets), with new class sizes from :func:`size_profiles` and penalties log-uniform within
    ``decades`` decades of the default's; only instances inside the claim's requirements are kept."""
    base = claim.default_instances()[0]
    want_balanced = claim.requires.balanced

    @st.composite
    def build(draw):
        lo = max(min_classes, claim.requires.min_classes)
        profile = balanced(min_classes=lo, max_classes=max_classes, max_size=min(200, max_size)) \
            if want_balanced is True else size_profiles(max_classes, lo, max_size)
        p = draw_instance_like(draw, base, draw(profile), decades=decades)
        assume(not claim.assumptions(p))
        return p

    return build()


# --------------------------------------------------------------------------- assertion
def assert_claim(claim, problem: Problem, *, methods=None, solver_options=None, allow_inconclusive: bool = False,
                 require_certified: bool = False, refine: bool = True, max_rel_gap: float | None = None):
    """Assert that ``claim`` behaves as registered on ``problem``, through :func:`nctheory.verify.verify_claim`.

    A true claim must ``pass`` (or be ``consistent``, unless ``require_certified``); a claim registered to be
    refuted must ``fail``.  ``inconclusive`` raises unless ``allow_inconclusive``.  The AssertionError names each
    failing quantity's deciding entry, its error, allowance and precision.  Returns the Verification.

    Parameters
    ----------
    claim : Claim
        A built-in or a user's claim.
    methods, solver_options, refine, max_rel_gap
        Passed to :func:`~nctheory.verify.verify_claim` (reference methods, ``{method: {option: value}}``,
        whether to estimate precision by a second solve, the largest relative gap a certified solve may have).
    """
    from nctheory.verify import verify_claim
    from nctheory.verify.engine import MAX_REL_GAP
    from nctheory.verify.verdict import Verdict

    v = verify_claim(claim, problem, methods=methods, solver_options=solver_options, refine=refine,
                     max_rel_gap=MAX_REL_GAP if max_rel_gap is None else max_rel_gap)
    if v.verdict == Verdict.INCONCLUSIVE and allow_inconclusive:
        return v
    ok = v.as_expected and not (require_certified and v.verdict == Verdict.CONSISTENT)
    if not ok:
        bad = "\n".join("  " + c.explain() for c in v.failing_checks())
        raise AssertionError(f"{claim.id} on sizes {list(problem.sizes)}: verdict {v.verdict.value} "
                             f"(certified: {v.certified}; expected claim {v.expected.value}): {v.reason}\n{bad}\n"
                             + "\n".join(v.unmet + v.notes))
    return v
