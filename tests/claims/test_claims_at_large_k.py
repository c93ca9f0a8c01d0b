"""Claims checked at K = 10^5 classes in seconds, through the symmetry-reduced certified solver.

The instances have one or two groups of equal-size classes; ``auto`` picks ``certified:symmetric``, whose answer is
certified for the full K-class problem and read through grouped Grams (no K × K matrix is formed: a dense K × K
float64 matrix would need 80 GB here).  The same claims pass on the same kind of instance at small K with the dense
solver (the default instances), so agreement here is a statement about the theorems at scale.
"""

import pytest

from nctheory.claims import get_claim
from nctheory.model import Problem
from nctheory.verify import Verdict, verify_claim

K = 100_000
TWO_CLUSTER = (500,) * (K // 2) + (50,) * (K // 2)

CASES = [
    ("zhu/balanced-ce", (50,) * K, 1e-6),  # ETF regime: K s = 0.71 < 1
    ("zhu/balanced-ce", (50,) * K, 2e-6),  # zero regime: K s = 1.41 >= 1
    ("hong-ling/angles", TWO_CLUSTER, 2e-7),
    ("hong-ling/threshold", TWO_CLUSTER, 2e-7),  # λN = 5.5 < √50: both clusters separated
    ("hong-ling/threshold", TWO_CLUSTER, 4e-7),  # λN = 11 >= √50: the minority collapses
    ("hong-ling/asymptotic", TWO_CLUSTER, 2e-7),  # with its two sequence experiments
    # SELI: the UF-SVM reference's grouped variant (certified:uf-svm-symmetric) and grouped SELI Grams
    ("seli/uf-svm", TWO_CLUSTER, 1e-4),
    ("seli/grams", TWO_CLUSTER, 1e-4),
    ("seli/step-formulas", TWO_CLUSTER, 1e-4),
    # the λ → 0 path 1e-5 ... 1e-8 on certified:symmetric, judged from the first nonzero solution on
    ("seli/regularization-path", TWO_CLUSTER, 1e-7),
]


def _lpm(sizes, e):
    return Problem(sizes=sizes, constraint="average", e_w=e, e_h=e, lambda_w=0.0, lambda_h=0.0)


#: Fang's layer-peeled claims through certified:lpm-symmetric (the grouped variant of their certified:lpm reference).
#: E_W E_H = 100 with R = 10 leaves the minority separated (onset R0 = 4854 at K = 10^5); E_W E_H = 25 with R = 3
#: collapses it (R0 = 1.22).
LPM_CASES = [
    ("fang/lpm-balanced", _lpm((5,) * K, 1.0)),
    ("fang/minority-collapse", _lpm(TWO_CLUSTER[: K // 2] + (50,) * (K // 2), 10.0)),
    ("fang/minority-collapse", _lpm((15,) * (K // 2) + (5,) * (K // 2), 5.0)),
    ("fang/oversampling", _lpm((500,) * K, 10.0)),
]


@pytest.mark.parametrize("claim_id, problem", LPM_CASES, ids=[f"{c}-{p.e_w:g}" for c, p in LPM_CASES])
def test_layer_peeled_claims_pass_certified_at_a_hundred_thousand_classes(claim_id, problem):
    v = verify_claim(get_claim(claim_id), problem)
    assert v.verdict == Verdict.PASS and v.certified, (v.reason, [c.explain() for c in v.failing_checks()])
    assert v.solutions[0].method == "certified:lpm-symmetric"
    if claim_id == "fang/minority-collapse":
        collapsed = {c.quantity: c.observed for c in v.checks}["minority_collapsed"]
        assert collapsed is (problem.e_w == 5.0)


@pytest.mark.parametrize("claim_id, sizes, lam", CASES, ids=[f"{c}-{l:g}" for c, _, l in CASES])
def test_claim_passes_certified_at_a_hundred_thousand_classes(claim_id, sizes, lam):
    p = Problem(sizes=sizes, lambda_w=lam, lambda_h=lam)
    v = verify_claim(get_claim(claim_id), p)
    assert v.verdict == Verdict.PASS and v.certified, (v.reason, [c.explain() for c in v.failing_checks()])
    assert v.solutions[0].method in ("certified:symmetric", "certified:uf-svm-symmetric")
    assert len(v.checks) >= 1


def test_threshold_collapse_is_read_from_the_grouped_solution():
    v = verify_claim(get_claim("hong-ling/threshold"), Problem(sizes=TWO_CLUSTER, lambda_w=4e-7, lambda_h=4e-7))
    observed = {c.quantity: c.observed for c in v.checks}
    assert list(observed["cluster_collapsed"]) == [False, True] and observed["minority_collapsed"] is True
