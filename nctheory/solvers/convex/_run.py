r"""Solver driver shared by every cvxpy formulation.

Policy (honest status, catalogue §1 and DESIGN.md):

1. CLARABEL with tightened tolerances (:data:`CLARABEL_TIGHT`: gap :math:`10^{-11}`,
   feasibility :math:`10^{-10}`).  The defaults (:math:`10^{-8}` on the objective)
   leave the *variables* of these flat-bottomed problems accurate to only
   :math:`\sim\sqrt{10^{-8}} = 10^{-4}`, too coarse to check closed forms.
2. If that status is not ``OPTIMAL`` (or the solver raises): CLARABEL at
   :math:`10^{-10}` (:data:`CLARABEL_MEDIUM`), then at its defaults.
3. If still not ``OPTIMAL``: SCS with ``eps_abs = eps_rel = 1e-9`` and many
   iterations (:data:`SCS_TIGHT`).

The options of the accepted attempt are in ``extra["attempts"]``, so a user can see
which accuracy an answer has.

The first attempt whose cvxpy status is exactly ``OPTIMAL`` is the answer; an exact
``INFEASIBLE`` / ``UNBOUNDED`` (a solver certificate) also ends the chain.  Any
other status (``OPTIMAL_INACCURATE`` included) is a failure and is mapped to a
non-optimal :data:`~nctheory.solvers.result.STATUSES` entry; its values are never
used as an answer.  Passing ``solver=`` runs that one solver only (no fallback),
with ``solver_opts`` replacing its default options (e.g. ``solver="SCS",
solver_opts={"max_iters": 1}`` forces a failed run).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import cvxpy as cp

#: CLARABEL options of the first, precise attempt (objective gap 1e-11, feasibility 1e-10;
#: a feasibility target of 1e-12 stalls at ~1e-10 residuals on many of these SDPs).
CLARABEL_TIGHT = {"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-10, "tol_ktratio": 1e-9,
                  "max_iter": 500}
#: CLARABEL options of the second attempt.
CLARABEL_MEDIUM = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "tol_ktratio": 1e-8,
                   "max_iter": 500}
#: CLARABEL options of the third attempt (the solver's defaults, 1e-8).
CLARABEL_DEFAULT: dict = {}
#: SCS options of the fallback attempt.
SCS_TIGHT = {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200_000}

#: Solvers a caller may name with ``solver=``.
SOLVERS = ("CLARABEL", "SCS")

_STATUS_MAP = {
    cp.OPTIMAL: "optimal",
    cp.OPTIMAL_INACCURATE: "inaccurate",
    cp.INFEASIBLE: "infeasible",
    cp.INFEASIBLE_INACCURATE: "infeasible",
    cp.UNBOUNDED: "failed",
    cp.UNBOUNDED_INACCURATE: "failed",
    cp.USER_LIMIT: "max_iter",
    cp.SOLVER_ERROR: "failed",
    cp.settings.INFEASIBLE_OR_UNBOUNDED: "failed",
}


@dataclass(frozen=True)
class RunOutcome:
    """What one call of :func:`run` produced.

    Attributes
    ----------
    status : str
        ``"optimal"`` iff the accepted attempt's cvxpy status is exactly ``OPTIMAL``;
        otherwise the status of the last attempt mapped to a non-optimal entry of
        :data:`~nctheory.solvers.result.STATUSES`.
    solver : str
        Name of the solver of the accepted (or last) attempt.
    cvxpy_status : str
        cvxpy's status string of that attempt (``"error: ..."`` if it raised).
    value : float or None
        cvxpy's optimal value (only meaningful when ``status == "optimal"``).
    iterations : int
        Solver iterations of that attempt (0 if unknown).
    time_s : float
        Wall-clock time of all attempts.
    attempts : list of dict
        One record per attempt: solver, options, cvxpy status, value, iterations, solve time.
    """

    status: str
    solver: str
    cvxpy_status: str
    value: float | None
    iterations: int
    time_s: float
    attempts: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the result may be used as an answer."""
        return self.status == "optimal"

    @property
    def message(self) -> str:
        if self.ok:
            return f"{self.solver}: cvxpy status {self.cvxpy_status}"
        tried = "; ".join(f"{a['solver']}: {a['cvxpy_status']}" for a in self.attempts)
        return f"not solved to optimality ({tried})"

    def as_extra(self) -> dict:
        """Solver record for ``Solution.extra``."""
        return {"solver": self.solver, "cvxpy_status": self.cvxpy_status, "solver_iterations": self.iterations,
                "solver_time_s": self.time_s, "attempts": [dict(a) for a in self.attempts]}


def _plan(solver: str | None, solver_opts: dict | None) -> list[tuple[str, dict]]:
    if solver is None:
        if solver_opts:
            raise ValueError("solver_opts: give solver= too; options apply to one named solver")
        return [("CLARABEL", CLARABEL_TIGHT), ("CLARABEL", CLARABEL_MEDIUM), ("CLARABEL", CLARABEL_DEFAULT),
                ("SCS", SCS_TIGHT)]
    if solver not in SOLVERS:
        raise ValueError(f"solver: unknown {solver!r}; allowed: {', '.join(SOLVERS)} (or None for the fallback chain)")
    if solver_opts is not None and not isinstance(solver_opts, dict):
        raise ValueError(f"solver_opts: expected a dict of solver options, got {type(solver_opts).__name__}")
    default = CLARABEL_TIGHT if solver == "CLARABEL" else SCS_TIGHT
    return [(solver, dict(default if solver_opts is None else solver_opts))]


def run(problem: cp.Problem, solver: str | None = None, solver_opts: dict | None = None) -> RunOutcome:
    """Solve a cvxpy problem under the policy of the module doc.

    Parameters
    ----------
    problem : cvxpy.Problem
        A DCP problem.
    solver : {"CLARABEL", "SCS"} or None
        ``None``: the fallback chain.  A name: that solver only.
    solver_opts : dict or None
        Options for the named solver (replace its defaults).

    Returns
    -------
    RunOutcome
    """
    if not problem.is_dcp():
        raise ValueError("problem: the formulation is not DCP (internal error in the formulation)")
    attempts: list[dict] = []
    t0 = time.perf_counter()
    last = None
    for name, opts in _plan(solver, solver_opts):
        record = {"solver": name, "options": dict(opts)}
        ta = time.perf_counter()
        # A fresh Problem per attempt: cvxpy caches the solver object on a Problem and
        # would silently reuse the previous attempt's settings.
        attempt = cp.Problem(problem.objective, problem.constraints)
        try:
            with warnings.catch_warnings():  # the status is recorded and reported instead
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                attempt.solve(solver=name, **opts)
            cv_status = str(attempt.status)
        except Exception as exc:  # noqa: BLE001 -- any solver crash is a failed attempt, reported below
            cv_status = f"error: {type(exc).__name__}: {exc}".strip()
        raised = cv_status.startswith("error")
        record["cvxpy_status"] = cv_status
        record["wall_time_s"] = time.perf_counter() - ta
        iters = None if raised or attempt.solver_stats is None else attempt.solver_stats.num_iters
        record["iterations"] = int(iters) if iters is not None else 0
        record["value"] = None if raised or attempt.value is None else float(attempt.value)
        attempts.append(record)
        last = record
        if cv_status in (cp.OPTIMAL, cp.INFEASIBLE, cp.UNBOUNDED):
            break  # an answer, or a certificate that no attempt can overturn
    assert last is not None
    cv_status = last["cvxpy_status"]
    status = "failed" if cv_status.startswith("error") else _STATUS_MAP.get(cv_status, "failed")
    return RunOutcome(status=status, solver=last["solver"], cvxpy_status=cv_status, value=last["value"],
                      iterations=last["iterations"], time_s=time.perf_counter() - t0, attempts=attempts)
