"""Gate your own CI on theory with pytest: the claims you rely on, checked on your instances.

Run:  pytest docs/examples/04_pytest_assert_claim.py

`assert_claim` solves the instance independently, compares every predicted quantity under the
claim's tolerance and fails with the offending numbers.  A claim registered to be refuted
(expected = "false") passes when the solve refutes it.
"""

from hypothesis import given, settings

from nctheory import Problem
from nctheory.claims import get_claim
from nctheory.testing import assert_claim, problems, two_cluster

THRESHOLD = get_claim("hong-ling/threshold")
ANGLES = get_claim("hong-ling/angles")


def test_minority_collapse_threshold_on_my_instance():
    # λN = 0.02 * 470 = 9.4 ≥ √50 ≈ 7.07: the three minority classes must have collapsed
    assert_claim(THRESHOLD, Problem(sizes=(200, 200, 50, 50, 50), lambda_w=0.02, lambda_h=0.02))


# derandomize: the same instances on every CI run (hypothesis still shrinks a failure to a minimal one)
@settings(max_examples=5, deadline=None, derandomize=True)
@given(problems(ANGLES, sizes=two_cluster(max_per_cluster=3, max_size=200), loss="ce", bias="none",
                lambda_range=(1e-3, 1e-2)))
def test_angles_on_random_two_cluster_instances(problem):
    assert_claim(ANGLES, problem)


def test_a_refuted_claim_stays_refuted():
    # "the simplex ETF is a global minimizer of deep-linear CE" fails at this instance (depth 3)
    deep = Problem(sizes=(5, 5, 5, 5), lambda_w=1e-2, lambda_h=1e-2, loss="ce", depth=3)
    assert_claim(get_claim("dang2023/ce-etf-deep"), deep)
