r"""Where the Behnia et al. claims apply: the CS-SVM of a VS loss (LDT, CDT, the symmetric γ) and the λ path.

Each condition is a function ``problem -> list[str]`` whose messages start with the field name
(:class:`~nctheory.claims.base.Requires` ``conditions=``).
"""

from __future__ import annotations

import numpy as np

from nctheory.claims.base import Requires
from nctheory.claims.conditions import dim_shortfall
from nctheory.claims.sources.behnia2023.formulas import half_step, normalised_factors, vs_parts
from nctheory.model import Bias, Classifier, Features


def _vs_or_ce(problem) -> list[str]:
    if problem.loss.name not in ("vs", "ce"):
        return [f"loss: the claim is about the VS family (or CE), got {problem.loss.name!r}"]
    return []


def _dim(problem) -> list[str]:
    return dim_shortfall(problem, problem.K,
                         "d: the CS-SVM solution may have rank K = {need}; needs d >= K, got d = {dim}")


def _uniform_delta(problem) -> list[str]:
    """LDT: the class temperatures Δ are absent or all equal."""
    if problem.loss.name != "vs":
        return []
    d = problem.loss.delta
    if d is not None and np.ptp(d) > 1e-12 * max(d):
        return ["loss: the claim is about LDT (label-dependent temperatures ω); the class temperatures Δ must be "
                f"unset or all equal, got {list(d)}"]
    return []


def _sqrt_omega(problem) -> list[str]:
    """ω ∝ √n (γ = ½), to 1e-9 relative."""
    if problem.loss.name != "vs":
        return []
    _, _, w = vs_parts(problem)
    want = normalised_factors(problem.sizes, 0.5) * w.sum() / problem.K
    if not np.allclose(w, want, rtol=1e-9, atol=0.0):
        return ["loss: the claim is about LDT factors ω_k ∝ n_k^(1/2) (γ = 1/2, e.g. normalised_factors(sizes, 0.5)), "
                f"got ω = {w.tolist()}"]
    return []


def _half_step(problem) -> list[str]:
    try:
        half_step(problem)
    except ValueError as exc:
        return [str(exc)]
    return []


def _cluster_constant(name: str):
    def check(problem) -> list[str]:
        if problem.loss.name != "vs":
            return []
        v = getattr(problem.loss, name)
        if v is None:
            return []
        n = np.asarray(problem.sizes)
        for size in set(problem.sizes):
            vals = np.asarray(v)[n == size]
            if np.ptp(vals) > 1e-12 * vals.max():
                return [f"loss: {name} must be constant within each class-size cluster, got {list(v)}"]
        return []

    check.__name__ = f"constant_{name}"
    return check


def _no_ldt(problem) -> list[str]:
    if problem.loss.name == "vs" and problem.loss.omega is not None and np.ptp(problem.loss.omega) > 0:
        return ["loss: the claim is about CDT (class temperatures Δ); the label temperatures ω must be unset or equal"]
    return []


_SVM_FIELDS = dict(classifier=(Classifier.LEARNED,), features=(Features.FREE,), depth=(1, 1))
#: The CS-SVM claims: learned classifier, free features, one layer, VS/CE loss, d >= K.
CS_SVM_REQUIRES = Requires(**_SVM_FIELDS, conditions=(_vs_or_ce, _dim))
LDT_REQUIRES = Requires(**_SVM_FIELDS, conditions=(_vs_or_ce, _dim, _uniform_delta))
SYMMETRIC_REQUIRES = Requires(**_SVM_FIELDS, conditions=(_vs_or_ce, _dim, _uniform_delta, _sqrt_omega))
AUTHORS_LDT_REQUIRES = Requires(**_SVM_FIELDS, conditions=(_vs_or_ce, _dim, _half_step, _uniform_delta,
                                                           _cluster_constant("omega")))
CDT_REQUIRES = Requires(**_SVM_FIELDS, conditions=(_vs_or_ce, _dim, _half_step, _no_ldt, _cluster_constant("delta")))
#: The λ path: the ridge VS-UFM without bias (the CS-SVM is the limit of the bias-free model).
PATH_REQUIRES = Requires.ufm(("vs", "ce"), bias=(Bias.NONE,), conditions=(_dim,))
