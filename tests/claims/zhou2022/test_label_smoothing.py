"""Label-smoothing claims (catalogue §9) against certified solves: balanced closed form, cluster gaps and thresholds,
the global zero and the finite λ → 0 limit."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nctheory.claims.sources import zhou2022 as Z
from nctheory.claims.sources.zhou2022.formulas import observed_gaps
from nctheory.claims.sources.zhu.formulas import zhu_closed_form
from nctheory.model import Problem
from nctheory.model.losses import LabelSmoothing
from nctheory.solvers import certified
from nctheory.verify import Verdict, verify_claim
from claim_helpers import assert_quantities_match, quantity_checks

TOL = 1e-12


def _solve(p):
    sol = certified.solve(p, tol=TOL)
    assert sol.status == "optimal"
    return sol


# ε >= 0.01: below it the objective can fall to ~1e-3 and the LS certificate loses its relative precision (the
# certified solver then reports "inconsistent certificate" rather than a wrong bound): a defect of the loss's dual,
# recorded by test_finding_ls_certificate_inconsistent_at_small_objectives below; ε = 0 is covered against Zhu's
# closed form by test_eps_zero_is_zhu_and_smoothing_lowers_the_zero_threshold.
@settings(max_examples=15)
@given(K=st.integers(2, 6), n=st.integers(1, 40), log_lam=st.floats(-4.0, -1.0), log_ratio=st.floats(-1.0, 1.0),
       eps=st.floats(0.01, 0.6), bias=st.sampled_from(["none", "regularized", "free"]), log_lb=st.floats(-3.0, 0.0))
def test_balanced_closed_form_matches_certified(K, n, log_lam, log_ratio, eps, bias, log_lb):
    lam, r = 10.0 ** log_lam, 10.0 ** (log_ratio / 2)
    p = Problem(sizes=(n,) * K, lambda_w=lam / r, lambda_h=lam * r, loss=LabelSmoothing(eps), bias=bias,
                lambda_b=10.0 ** log_lb if bias == "regularized" else 0.0)
    assert_quantities_match(Z.LS_BALANCED, p, _solve(p), min_compared=8)


def test_eps_zero_is_zhu_and_smoothing_lowers_the_zero_threshold():
    f = Z.balanced_closed_form(4, 5, 1e-2, 1e-2, 0.0)
    g = zhu_closed_form(4, 5, 1e-2, 1e-2)
    assert f["c"] == pytest.approx(g["c"], rel=1e-14) and f["objective"] == pytest.approx(g["objective"], rel=1e-14)
    # Ks = 0.8: CE keeps an ETF, smoothing 0.3 makes the minimiser 0 (the second default instance)
    lam = 0.8 / (4 * np.sqrt(5))
    assert not zhu_closed_form(4, 5, lam, lam)["c"] == 0.0
    assert Z.balanced_closed_form(4, 5, lam, lam, 0.3)["zero"]
    v = verify_claim(Z.LS_BALANCED, Z.LS_BALANCED.default_instances()[1])
    assert v.verdict == Verdict.PASS


def test_bounded_margin_as_lambda_vanishes():
    # LS: c* tends to log(1 + K(1−ε)/ε); CE's grows like log(1/λ)
    c = [Z.balanced_closed_form(5, 10, l, l, 0.1)["c"] for l in (1e-4, 1e-6, 1e-8)]
    assert c[-1] == pytest.approx(np.log1p(5 * 0.9 / 0.1), rel=1e-6) and c[0] < c[1] < c[2]


def test_balanced_observation_can_fail():
    p = Z.LS_BALANCED.default_instances()[0]
    sol = _solve(p)
    bad = [c.quantity for c in quantity_checks(Z.LS_BALANCED, p, replace(sol, W=sol.W * 1.01))[0] if not c.ok]
    assert {"gram_W", "w_sq_norm"} <= set(bad)


def _gap_instance(rng):
    sizes = []
    for _ in range(int(rng.integers(2, 4))):
        sizes += [int(rng.integers(1, 60))] * int(rng.integers(1, 4))
    return tuple(sizes)


def test_cluster_gap_on_random_instances():
    rng = np.random.default_rng(21)
    done = 0
    while done < 12:
        sizes = _gap_instance(rng)
        if not any(sizes.count(x) >= 2 for x in set(sizes)):
            continue
        lam, r, eps = 10 ** rng.uniform(-4, np.log10(0.05)), 10 ** rng.uniform(-0.5, 0.5), float(rng.uniform(0, 0.5))
        bias = str(rng.choice(["none", "regularized", "free"]))
        p = Problem(sizes=sizes, lambda_w=lam / r, lambda_h=lam * r, loss=LabelSmoothing(eps), bias=bias,
                    lambda_b=1e-2 if bias == "regularized" else 0.0)
        assert_quantities_match(Z.LS_CLUSTER_GAP, p, _solve(p), min_compared=1)
        done += 1


@pytest.mark.parametrize("bias", ["none", "free", "regularized"])
def test_collapse_threshold_is_sharp_and_lowered_by_smoothing(bias):
    sizes, eps = (50, 50, 10, 10, 10), 0.2
    N = sum(sizes)
    lam_c = Z.cluster_threshold(10, N, eps)
    assert lam_c == pytest.approx(0.8 * np.sqrt(10) / N)
    out = []
    for f in (0.98, 1.02):
        p = Problem(sizes=sizes, lambda_w=lam_c * f, lambda_h=lam_c * f, loss=LabelSmoothing(eps), bias=bias,
                    lambda_b=1e-2 if bias == "regularized" else 0.0)
        sol = _solve(p)
        assert_quantities_match(Z.LS_CLUSTER_GAP, p, sol, min_compared=2)
        out.append(observed_gaps(sol.logits_mean, [np.arange(2), np.arange(2, 5)]))
    assert out[0][1] > 1e-3 and out[1][1] <= 1e-9  # the minority separated just below, collapsed just above
    assert out[1][0] > 0.1  # the majority stays separated
    # CE's threshold √10/N is above: at 1.02·λ_c the plain-CE minority is still separated (smoothing moved it)
    ce = Problem(sizes=sizes, lambda_w=1.02 * lam_c, lambda_h=1.02 * lam_c, loss="ce", bias=bias,
                 lambda_b=1e-2 if bias == "regularized" else 0.0)
    assert observed_gaps(_solve(ce).logits_mean, [np.arange(2), np.arange(2, 5)])[1] > 1e-3


@pytest.mark.parametrize("bias", ["none", "free"])
def test_global_zero_threshold(bias):
    # distinct sizes plus one small cluster: the global threshold (1−ε)‖G‖₂/N lies above the cluster's
    sizes, eps = (40, 17, 6, 3, 3), 0.15
    lz = Z.zero_threshold(sizes, eps, bias)
    assert lz > Z.cluster_threshold(3, sum(sizes), eps) * 1.5
    for f, zero in ((0.99, False), (1.01, True)):
        p = Problem(sizes=sizes, lambda_w=lz * f, lambda_h=lz * f, loss=LabelSmoothing(eps), bias=bias)
        sol = _solve(p)
        assert (np.abs(sol.W @ sol.H_mean).max() <= 1e-7) == zero
        assert_quantities_match(Z.LS_CLUSTER_GAP, p, sol, min_compared=3)


def test_gap_observation_can_fail():
    p = Z.LS_CLUSTER_GAP.default_instances()[0]
    sol = _solve(p)
    Zm = np.array(sol.logits_mean)
    Zm[0, 0] += 0.05  # a larger own logit for one majority class: its softmax gap moves
    bad = [c.quantity for c in quantity_checks(Z.LS_CLUSTER_GAP, p, replace(sol, logits_mean=Zm))[0] if not c.ok]
    assert "cluster_gap" in bad


def test_small_lambda_limit_path_and_requirements():
    p = Z.LS_SMALL_LAMBDA.default_instances()[0]
    res = Z.small_lambda_path(p)
    assert res.ok and res.certified and np.all(res.shrink > 5)
    assert res.distances[-1].max() < 1e-3
    assert any(m.startswith("loss: ") for m in Z.LS_SMALL_LAMBDA.assumptions(p.with_(loss=LabelSmoothing(0.0))))
    assert any(m.startswith("bias: ") for m in Z.LS_SMALL_LAMBDA.assumptions(p.with_(bias="free")))
    # CE has no finite limit: the same check along CE's path fails (its margins grow like log(1/λ))
    with pytest.raises(ValueError, match=r"^epsilon: "):
        Z.limit_margin(5, 0.0)


@pytest.mark.parametrize("claim", Z.CLAIMS, ids=lambda c: c.id)
def test_default_instances_pass(claim):
    # what `nctheory check` runs: every default instance of the three claims must be verified and pass
    for p in claim.default_instances():
        v = verify_claim(claim, p)
        assert v.verdict == Verdict.PASS, (claim.id, p, v.verdict)


@pytest.mark.xfail(strict=True, reason="finding: LabelSmoothing's dual bound loses ~1e-13 relative precision when the "
                                       "objective is ~1e-3 (ε <= 1e-3, λ = 1e-4): the certified solver reports an "
                                       "inconsistent certificate (bound above the objective by ~3e-16 absolute); "
                                       "which instances fail depends on the BLAS, some always does")
def test_finding_ls_certificate_inconsistent_at_small_objectives():
    cases = [(1e-4, 2, 1), (1e-4, 2, 10), (1e-4, 2, 40), (1e-3, 2, 40), (0.0, 3, 1)]
    status = [certified.solve(Problem((n,) * K, lambda_w=1e-4, lambda_h=1e-4, loss=LabelSmoothing(e)), tol=TOL).status
              for e, K, n in cases]
    assert all(s == "optimal" for s in status), status
