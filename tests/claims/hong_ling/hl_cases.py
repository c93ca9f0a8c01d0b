"""Instance builders shared by the Hong & Ling tests (importable by name: tests/ is on sys.path)."""

from hypothesis import strategies as st

from nctheory.model import Problem

BIASES = st.sampled_from(["none", "regularized", "free"])
LOG_LAM = st.floats(-5.0, -1.0)
LOG_RATIO = st.floats(-1.0, 1.0)  # log10(λ_H/λ_W)


def hl_problem(sizes, log_lam, log_ratio=0.0, bias="none", lambda_b=1e-2):
    lam = 10.0 ** log_lam
    r = 10.0 ** (log_ratio / 2)
    return Problem(sizes=tuple(sizes), lambda_w=lam / r, lambda_h=lam * r, bias=bias,
                   lambda_b=lambda_b if bias == "regularized" else 0.0)


def two_cluster(KA, KB, nB, R, log_lam, log_ratio, bias):
    nA = max(nB + 1, int(round(R * nB)))
    return hl_problem((nA,) * KA + (nB,) * KB, log_lam, log_ratio, bias)


def failures(claim, problem, solution):
    """(failing (quantity, predicted, observed), number compared, prediction) under the claim's tolerances."""
    from claim_helpers import quantity_checks

    checks, pred = quantity_checks(claim, problem, solution)
    return [(c.quantity, c.predicted, c.observed) for c in checks if not c.ok], len(checks), pred
