r"""Compare a claim's prediction with independent solves and return a verdict.

For one claim and one problem:

1. unmet assumptions -> verdict ``"inconclusive"`` (the claim says nothing here);
2. ``claim.predict(problem)``;
3. for each reference method (``claim.methods`` unless given): solve; a solution whose
   status is not ``"optimal"`` (or ``"local"`` for the factored method, whose
   best-of-restarts answer carries no certificate) makes the verdict inconclusive;
   a certified solution must also reach relative gap ``<= max_rel_gap``;
4. ``claim.observe(problem, solution)`` and a per-quantity check
   ``|pred - obs| <= tol.abs + tol.rel * |pred|`` with the claim's stated tolerance.

Verdict: ``"pass"`` if every check holds on every reference, ``"fail"`` if any
check fails on a reference that qualified, else ``"inconclusive"``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from nctheory.claims.base import Claim
from nctheory.errors import is_input_error
from nctheory.problem import Problem
from nctheory.solvers.dispatch import auto_method, solve

#: A certified solve counts as a reference only below this relative gap.  The
#: claims' tolerances (1e-6 and up) assume objective accuracy at least this good.
MAX_REL_GAP = 1e-8

VERDICTS = ("pass", "fail", "inconclusive")

#: A certificate-derived tolerance allowance (e.g. the bias bound sqrt(2 gap/λ_b)) larger than this makes
#: the check meaningless at the quantities' O(1) scale; such a check is skipped and the verdict, if no
#: other check fails, is inconclusive rather than pass.
MAX_CERTIFICATE_ALLOWANCE = 1e-3


@dataclass(frozen=True)
class Check:
    """One predicted quantity against one observed one.

    ``rel_err`` is the largest ``|p - o| / |p|`` over entries with ``p != 0``; None when
    every predicted entry is 0 (a relative error is undefined there; ``abs_err`` applies).
    """

    quantity: str
    method: str
    predicted: Any
    observed: Any
    abs_err: float
    rel_err: float | None
    tol: dict
    ok: bool

    def to_json(self) -> dict:
        return {
            "quantity": self.quantity,
            "method": self.method,
            "predicted": _jsonable(self.predicted),
            "observed": _jsonable(self.observed),
            "abs_err": self.abs_err,
            "rel_err": self.rel_err,
            "tol": self.tol,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify_claim` on one problem."""

    claim_id: str
    expected: str
    problem: Problem
    verdict: str
    checks: list[Check]
    solutions: list[dict]
    unmet: list[str]
    notes: list[str] = field(default_factory=list)
    time_s: float = 0.0

    @property
    def as_expected(self) -> bool:
        """True when a true claim passes or a claim registered to be refuted fails."""
        return (self.expected == "true" and self.verdict == "pass") or (
            self.expected == "false" and self.verdict == "fail"
        )

    def to_json(self) -> dict:
        return {
            "claim": self.claim_id,
            "expected": self.expected,
            "verdict": self.verdict,
            "as_expected": self.as_expected,
            "problem": self.problem.to_dict(),
            "unmet": list(self.unmet),
            "checks": [c.to_json() for c in self.checks],
            "solutions": list(self.solutions),
            "notes": list(self.notes),
            "time_s": self.time_s,
        }


def _jsonable(x):
    if isinstance(x, (np.ndarray, list, tuple)):
        return np.asarray(x, dtype=float).tolist()
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.floating, np.integer)):
        return float(x)
    return x


def compare(quantity: str, method: str, predicted, observed, tol) -> Check:
    """Elementwise comparison under ``tol`` (a :class:`~nctheory.claims.base.Tolerance`).

    Booleans must match exactly; arrays must have the same shape.
    """
    p = np.asarray(predicted)
    o = np.asarray(observed)
    tol_json = {"abs": tol.abs, "rel": tol.rel, "why": tol.why}
    if p.dtype == bool or o.dtype == bool:
        ok = p.shape == o.shape and bool(np.all(p.astype(bool) == o.astype(bool)))
        err = 0.0 if ok else 1.0
        return Check(quantity, method, predicted, observed, err, err, tol_json, ok)
    if p.shape != o.shape:
        return Check(quantity, method, predicted, observed, float("inf"), float("inf"), tol_json, False)
    p = p.astype(float)
    o = o.astype(float)
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(o))):
        return Check(quantity, method, predicted, observed, float("nan"), float("nan"), tol_json, False)
    diff = np.abs(p - o)
    abs_err = float(diff.max()) if diff.size else 0.0
    nz = np.abs(p) > 0
    # relative error is undefined where the prediction is exactly 0 (reported as None if it is 0 everywhere)
    rel_err = float((diff[nz] / np.abs(p[nz])).max()) if nz.any() else None
    ok = bool(np.all(diff <= tol.abs + tol.rel * np.abs(p)))
    return Check(quantity, method, predicted, observed, abs_err, rel_err, tol_json, ok)


def _usable(sol, max_rel_gap: float) -> tuple[bool, str]:
    if sol.status == "optimal":
        if sol.gap is not None and sol.rel_gap is not None and sol.rel_gap > max_rel_gap:
            return False, f"relative gap {sol.rel_gap:.2e} above {max_rel_gap:.0e}"
        return True, ""
    if sol.status == "local" and sol.method.startswith("factored"):
        return True, "factored: best of restarts, no certificate"
    return False, f"status {sol.status!r}: {sol.message}"


def verify_claim(
    claim: Claim,
    problem: Problem,
    *,
    methods: Sequence[str] | None = None,
    max_rel_gap: float = MAX_REL_GAP,
    solver_options: dict | None = None,
    check_assumptions: bool = True,
) -> Verification:
    """Verify ``claim`` on ``problem`` against each reference method.

    Parameters
    ----------
    claim : Claim
    problem : Problem
    methods : sequence of str, optional
        Reference methods; default: the claim's first method.
    max_rel_gap : float
        A certified solve qualifies only at or below this relative gap.
    solver_options : dict, optional
        ``{method: {option: value}}`` passed to the solvers.
    check_assumptions : bool
        ``False`` evaluates the claim even where its assumptions are unmet (used by
        ``search --outside`` to probe a claim beyond its stated domain); the unmet
        assumptions are still reported.
    """
    t0 = time.perf_counter()
    unmet = list(claim.assumptions(problem))
    if unmet and check_assumptions:
        return Verification(claim.id, claim.expected, problem, "inconclusive", [], [], unmet,
                            ["assumptions unmet: the claim says nothing about this instance"],
                            time.perf_counter() - t0)
    prediction = claim.predict(problem)
    methods = list(methods) if methods else list(claim.methods[:1])
    checks: list[Check] = []
    sols: list[dict] = []
    notes: list[str] = [prediction.notes] if prediction.notes else []
    qualified = 0
    loose = False
    for method in methods:
        resolved = auto_method(problem) if method == "auto" else method  # options are keyed by the real method
        opts = {**claim.solver_options.get(resolved, {}), **(solver_options or {}).get(resolved, {})}
        try:
            sol = solve(problem, method=resolved, **opts)
        except ValueError as exc:
            if not is_input_error(exc):  # a bug inside a solver must not silently drop a reference
                raise
            notes.append(f"{method}: not applicable ({exc})")
            continue
        usable, why = _usable(sol, max_rel_gap)
        sols.append({"method": sol.method, "status": sol.status, "objective": float(sol.objective),
                     "lower_bound": sol.lower_bound, "gap": sol.gap, "certified": sol.certified,
                     "time_s": sol.time_s})
        if why:
            notes.append(f"{sol.method}: {why}")
        if not usable:
            continue
        qualified += 1
        observed = claim.observe(problem, sol)
        missing = [name for name in prediction.quantities if name not in observed]
        if missing:
            notes.append(f"{sol.method}: predicted but not observable on this solution: {', '.join(missing)}")
        for name, pred in prediction.quantities.items():
            if name not in observed:
                continue
            base_tol = claim.tolerance(name)
            tol = base_tol.effective(problem, sol)
            if tol.abs - base_tol.abs > MAX_CERTIFICATE_ALLOWANCE:
                notes.append(f"{name}: certificate allowance {tol.abs - base_tol.abs:.1e} above "
                             f"{MAX_CERTIFICATE_ALLOWANCE:.0e}: too loose to check (solve tighter)")
                loose = True
                continue
            checks.append(compare(name, sol.method, pred, observed[name], tol))
    seq_inconclusive = False
    for fn in claim.sequence_checks:
        name = f"sequence:{getattr(fn, '__name__', 'check')}"
        res = fn(problem)
        notes.append(f"{name}: {res.message}")
        sols.append({"method": name, "status": "optimal" if res.certified else "uncertified",
                     "objective": None, "lower_bound": None, "gap": None, "certified": bool(res.certified),
                     "time_s": None})
        if not res.certified:
            seq_inconclusive = True
            continue
        qualified += 1
        checks.append(Check(name, "sequence", True, bool(res.ok), 0.0 if res.ok else 1.0, None,
                            {"abs": 0.0, "rel": 0.0, "why": "a boolean: the sequence behaves as claimed or not"},
                            bool(res.ok)))
    if qualified == 0 or not checks:
        verdict = "inconclusive"
        if qualified and not checks:
            notes.append("no predicted quantity could be observed on the solution")
    elif all(c.ok for c in checks):
        verdict = "inconclusive" if (seq_inconclusive or loose) else "pass"
    else:
        verdict = "fail"
    return Verification(claim.id, claim.expected, problem, verdict, checks, sols, unmet, notes,
                        time.perf_counter() - t0)
