"""Shared by the claim test modules: compare a claim's prediction with a solution, quantity by quantity,
under the claim's tolerances with the certificate allowance that ``nctheory.verify`` also applies."""

from nctheory.verify import compare


def quantity_checks(claim, problem, solution):
    """(checks, prediction): one ``Check`` per predicted quantity the solution exposes."""
    pred = claim.predict(problem)
    obs = claim.observe(problem, solution)
    checks = [compare(k, solution.method, v, obs[k], claim.tolerance(k).effective(problem, solution))
              for k, v in pred.quantities.items() if k in obs]
    return checks, pred


def assert_quantities_match(claim, problem, solution, min_compared=0):
    """Every exposed quantity within tolerance, and at least ``min_compared`` of them compared."""
    checks, _ = quantity_checks(claim, problem, solution)
    assert len(checks) >= min_compared, f"{claim.id}: only {len(checks)} quantities compared"
    bad = [f"{c.quantity}: predicted {c.predicted!r}, observed {c.observed!r} (abs err {c.abs_err:.3g})"
           for c in checks if not c.ok]
    assert not bad, f"{claim.id} on {problem}:\n" + "\n".join(bad)
