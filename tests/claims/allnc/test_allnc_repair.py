"""allnc/fixed-etf-repair (AllNC 2024, abstract), registered to be refuted: in the UFM the features follow a
fixed ETF classifier exactly.  References: the certified solver (learned classifier), the convex fixed-ETF
solver and a full-sample factored solve."""

from __future__ import annotations

import pytest

from nctheory import Problem
from nctheory.claims.sources import allnc as A
from nctheory.solvers import solve
from nctheory.verify import verify_claim

SQUEEZE, REPAIR = A.CLAIMS


def _refutation_verdict_ok(v) -> bool:
    """The verdict a disagreement earns: ``fail`` (refuted, as expected) on a certified reference; the fixed-ETF
    cvxpy reference carries no certificate yet (the bounds work certifies cvxpy answers), and a disagreement with
    an uncertified answer is ``inconclusive`` -- never ``pass``/``consistent``."""
    certified = any(e.level == "certified" for e in v.solutions)
    return v.verdict == ("fail" if certified else "inconclusive")


def test_default_instances_behave_as_expected():
    assert REPAIR.expected == "false"
    for claim in A.CLAIMS:
        for p in claim.default_instances():
            v = verify_claim(claim, p)
            if claim is REPAIR:
                assert _refutation_verdict_ok(v), (v.verdict, v.reason, v.notes)
                assert v.checks and not any(c.ok for c in v.checks)
            else:
                assert v.as_expected and v.verdict == "pass", (claim.id, v.verdict, [c.to_json() for c in v.checks])


@pytest.mark.parametrize("sizes, lam", [((30, 30, 2, 2), 0.03), ((40, 40, 40, 3, 3, 3), 0.02), ((20, 1, 1), 0.06)])
def test_fixed_etf_repair_is_refuted_in_the_ufm(sizes, lam):
    learned = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam)
    repaired = Problem(sizes=sizes, classifier="fixed-etf", lambda_w=lam, lambda_h=lam, e_w=1.0)
    assert REPAIR.assumptions(repaired) == []
    assert A.learned_counterpart(repaired) == learned
    minority = A.two_clusters(learned)[0]
    # learned classifier: minority means AND classifiers squeezed (certified)
    s_l = solve(learned, method="certified")
    st_l = A.squeeze_state(s_l.W, s_l.H_mean, minority)
    assert st_l["minority_h_squeezed"] and st_l["minority_w_squeezed"]
    # fixed ETF: the means follow the ETF, h_k = c w*_k with one c, so the squared spread relative to the
    # mean squared norm is that of a simplex ETF, 2K/(K-1) -- not squeezed at all
    s_r = solve(repaired, method="convex:fixed-etf")
    obs = REPAIR.observed(repaired, s_r)
    K = len(sizes)
    assert obs["minority_h_spread_sq"] == pytest.approx(2 * K / (K - 1), rel=1e-6)  # solver accuracy ~1e-7
    assert not obs["minority_h_squeezed"] and not obs["self_duality_broken"]
    v = verify_claim(REPAIR, repaired)
    assert _refutation_verdict_ok(v), (v.verdict, v.reason)
    assert v.checks and not any(c.ok for c in v.checks)


def test_repair_nc1_on_full_samples():
    p = Problem(sizes=(12, 12, 2, 2), classifier="fixed-etf", lambda_w=0.06, lambda_h=0.06, e_w=1.0)
    assert REPAIR.assumptions(p) == []
    sol = solve(p, method="factored", on="samples")
    obs = REPAIR.observed(p, sol)
    # every sample sits on its class mean: NC1 at rounding level, not weakened
    assert obs["nc1"] < A.NC1_TOL and not obs["nc1_weakened"]
    assert not obs["minority_h_squeezed"] and not obs["self_duality_broken"]


def test_each_repair_effect_is_refuted():
    """Every effect the abstract claims for classifier-only repair is refuted, not just the overall verdict."""
    for p in REPAIR.default_instances():
        v = verify_claim(REPAIR, p)
        assert {"minority_h_squeezed", "self_duality_broken"} <= {c.quantity for c in v.checks}
        assert all(not c.ok for c in v.checks), [(c.quantity, c.ok) for c in v.checks]


def test_self_duality_observation_can_fail():
    # rotate one class mean away from its classifier: self-duality is then broken, and observed so
    from dataclasses import replace

    import numpy as np

    p = REPAIR.default_instances()[0]
    sol = solve(p, method="convex:fixed-etf")
    H = sol.H_mean.copy()
    H[:, 0] = H[:, 0] + 0.05 * np.linalg.norm(H[:, 0]) * np.eye(H.shape[0])[:, -1]
    assert REPAIR.observed(p, replace(sol, H_mean=H))["self_duality_broken"] is True


def test_repair_assumptions():
    base = dict(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_h=0.03, e_w=1.0)
    assert any(u.startswith("lambda_w:") for u in REPAIR.assumptions(Problem(lambda_w=0.0, **base)))
    # learned counterpart not collapsed (lambda N = 0.064 < sqrt 2): nothing to repair
    weak = Problem(sizes=(30, 30, 2, 2), classifier="fixed-etf", lambda_w=1e-3, lambda_h=1e-3, e_w=1.0)
    assert any(u.startswith("lambda_w:") for u in REPAIR.assumptions(weak))
    assert any(u.startswith("classifier:") for u in REPAIR.assumptions(Problem(sizes=(30, 30, 2, 2))))
    assert any(u.startswith("sizes:") for u in REPAIR.assumptions(Problem(sizes=(30, 30, 2), **{
        k: v for k, v in base.items() if k != "sizes"}, lambda_w=0.03)))
