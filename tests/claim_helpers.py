"""Shared by the claim test modules: compare a claim's prediction with a solution, quantity by quantity,
under the claim's tolerances with the certificate allowance, through the engine's own comparison."""

from nctheory.verify import compare
from nctheory.verify.verdict import Decision


def quantity_checks(claim, problem, solution, precision=None):
    """(checks, prediction): one ``Check`` per predicted quantity the solution exposes.

    ``precision``: optional ``{quantity: precision}`` (see nctheory.verify.precision); None compares the
    observation as exact.
    """
    pred = claim.predict(problem)
    obs = claim.observed(problem, solution)
    checks = []
    for k, v in pred.quantities.items():
        if k not in obs:
            continue
        tol = claim.tolerance(k)
        prec = None if precision is None else precision.get(k)
        checks.append(compare(k, solution.method, v, obs[k], tol, precision=prec,
                              extra_allowance=tol.certificate_allowance(problem, solution)))
    return checks, pred


def assert_quantities_match(claim, problem, solution, min_compared=0, precision=None):
    """Every exposed quantity agrees, and at least ``min_compared`` of them were compared."""
    checks, _ = quantity_checks(claim, problem, solution, precision)
    assert len(checks) >= min_compared, f"{claim.id}: only {len(checks)} quantities compared"
    bad = [c.explain() for c in checks if c.decision != Decision.AGREE]
    assert not bad, f"{claim.id} on {problem}:\n" + "\n".join(bad)


#: cvxpy's reduced R2 solve is accurate to ~1e-7 relative (Clarabel, tests/claims/*/test_*known_optima.py).
CVXPY_OBJECTIVE_SLACK = 1e-7


def assert_certificate_brackets_cvxpy(problem):
    """Solve ``problem`` with the certified solver (tol 1e-12) and with cvxpy's reduced R2 formulation (the independent
    value where no closed form exists); the certified interval [lower_bound, objective] must contain cvxpy's value up
    to cvxpy's own accuracy.  Returns ``(certified, cvxpy)`` for further checks."""
    from nctheory.solvers.registry import SOLVERS
    from nctheory.solvers.result import Status

    cert = SOLVERS["certified"].solve(problem, tol=1e-12)
    ref = SOLVERS["convex:reduced"].solve(problem)
    assert cert.status == Status.OPTIMAL and cert.lower_bound is not None, cert.message
    slack = CVXPY_OBJECTIVE_SLACK * abs(ref.objective)
    assert cert.lower_bound - slack <= ref.objective <= cert.objective + slack
    return cert, ref
