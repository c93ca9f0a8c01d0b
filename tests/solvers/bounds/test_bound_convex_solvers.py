"""The convex solvers' repair, certification and refinement (nctheory.solvers.convex.solvers) and the registry."""

import numpy as np
import pytest
from bound_helpers import logits_solution

from nctheory.claims import all_claims
from nctheory.model import Problem
from nctheory.solvers import SOLVERS
from nctheory.solvers.bounds import CERTIFY_TOL, PROVIDERS, certify
from nctheory.solvers.convex.relu_dnn import relu_dnn_bound
from nctheory.verify import verify_claim


def test_every_bound_module_is_registered():
    names = {t: {f.__name__ for f in fs} for t, fs in PROVIDERS.items()}
    assert names["convex:fixed-etf"] == {"fixed_etf_bound"}
    assert names["convex:lpm"] == {"lpm_bound"}
    assert names["uf-svm"] == {"uf_svm_bound"}
    assert names["convex:full-sample"] == {"full_sample_bound"}
    assert names["convex:reduced"] == {"reduced_bound"}
    assert names["convex:relu-dnn"] == {"relu_bound"}
    assert {"relu_bound", "deep_linear_mse_bound", "fixed_etf_bound", "lpm_bound"} <= names["factored"]


def test_every_provider_declines_a_model_it_does_not_cover():
    """A deep CE model has no bound here: every provider returns None rather than a wrong bound."""
    p = Problem(sizes=(3, 2, 1), depth=2)
    sol = logits_solution(np.eye(3))
    for providers in PROVIDERS.values():
        for provider in providers:
            if provider.__name__ != "uf_svm_bound":  # the UF-SVM bound reads multipliers, not the model
                assert provider(p, sol) is None, provider.__name__


def test_refine_is_a_second_certified_solve_and_is_not_refined_again():
    p = Problem(sizes=(20, 20, 10, 10), constraint="average", e_w=1.0, e_h=1.0)
    solver = SOLVERS["convex:lpm"]
    first = solver.solve(p)
    second = solver.refine(p, first)
    assert second is not None and second.certified and second.rel_gap <= CERTIFY_TOL
    assert second.options["refinement"] == 1 and second.options["solver"] == "CLARABEL"
    assert second.objective == pytest.approx(first.objective, rel=1e-9)  # both within their certified gaps
    assert solver.refine(p, second) is None


def test_engine_estimates_precision_from_the_refinement():
    claim = next(c for c in all_claims() if c.id == "fang/minority-collapse")
    # the conic reference (the claim's second; its first is certified:lpm), and its evidence first (the located-onset
    # experiment adds its own)
    v = verify_claim(claim, claim.default_instances()[0], methods=["convex:lpm"])
    assert v.verdict == "pass" and v.certified
    ev = v.solutions[0]
    assert ev.method.startswith("convex:lpm") and ev.solves == 2 and ev.precision_from.startswith("difference of two solves")


def test_relu_relaxation_value_is_not_reported_as_our_bound():
    p = Problem(sizes=(50, 10, 1, 1, 1), lambda_w=1e-3, lambda_h=1e-3, features="relu")
    sol = SOLVERS["convex:relu-dnn"].solve(p)
    raw = relu_dnn_bound(p)
    assert sol.extra["relaxation_value"] == raw.lower_bound  # cvxpy's value, kept for information
    assert sol.certified and sol.certificate.kind == "copositive-dual:relu"
    assert sol.lower_bound != raw.lower_bound


def test_options_are_recorded_and_bad_options_are_field_errors():
    p = Problem(sizes=(3, 2, 1), classifier="fixed-etf", constraint="per-sample", e_h=1.0)
    sol = SOLVERS["convex:fixed-etf"].solve(p, solver="CLARABEL")
    assert sol.options == {"solver": "CLARABEL"}
    with pytest.raises(ValueError, match="^solver: "):
        SOLVERS["convex:fixed-etf"].solve(p, solver="MOSEK")


def test_a_bound_that_does_not_certify_is_recorded_not_attached():
    p = Problem(sizes=(3, 2, 1), classifier="fixed-etf", constraint="per-sample", e_h=1.0)
    sol = logits_solution(np.zeros((3, 3)), objective=5.0)  # far above the optimum: a weak (valid) certificate
    out = certify(p, sol, target="convex:fixed-etf")
    assert out.lower_bound is None and not out.certified
    rec = out.extra["uncertified_bound"]
    assert rec["lower_bound"] < 5.0 and rec["rel_gap"] > CERTIFY_TOL and "not attached" in out.message
