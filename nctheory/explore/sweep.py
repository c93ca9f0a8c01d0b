r"""Grids over class-size ratios and regularization, run in parallel, saved as they finish.

A sweep point is ``(ratio R, λ)``: the sizes are ``K_A`` classes of ``n_A`` and ``K_B`` classes of
``max(1, round(n_A / R))``, and the penalties are the base problem's scaled so that
:math:`\sqrt{\lambda_W\lambda_H} = \lambda` (their ratio :math:`\lambda_W/\lambda_H` is kept).

Each point is **solved once** by the reference solver (``method``; with a claim and ``method="auto"``,
the claim's own reference at the claim's solver options) and, with a claim, verified on that same
solution (``verify_claim(..., solutions={method: solution})``), so a record's status and its verdict
describe one solve.  Every record has the same keys (:data:`RECORD_KEYS`; ``null`` where a value does
not apply).

Results go to a JSON-lines file (:mod:`nctheory.explore.sweep_file`), one complete line per finished
point, flushed at once; re-running the same sweep on the same file skips the points already there (keyed
by a hash of the point's problem, claim and requested method), so an interrupted sweep resumes without
loss.

Parallelism: ``joblib``'s ``loky`` process backend by default; a loky worker watches the sweep's process
and exits within :data:`WATCHDOG_INTERVAL_S` once it is gone (e.g. after SIGKILL), so no worker outlives an
interrupted sweep.  ``backend="dask"`` runs the points as tasks of a ``dask.distributed`` cluster, a
scheduler's address or a local cluster the sweep starts and closes (:mod:`nctheory.explore.sweep_dask`;
needs the optional ``distributed``, ``pip install 'nctheory[dask]'``).  Both run the same
:func:`run_point` and write each record as it arrives, so the records, and the file, are the same up to
their order and ``time_s``.  A point listed twice in the grid (a repeated ratio or λ) is solved once.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import threading
import time
from dataclasses import dataclass

import numpy as np

from nctheory.errors import TimeLimitReached
from nctheory.explore.sweep_file import append, open_for_append, scan
from nctheory.metrics import minority_collapse
from nctheory.model import Problem
from nctheory.progress import Progress

#: Every sweep record has exactly these keys, in this order (``None`` where not applicable).
RECORD_KEYS = (
    "schema_version", "nctheory_version",  # the JSON contract (nctheory.present.serialize)
    "key", "ratio", "lambda", "n_minor", "problem", "method", "solver",
    "status", "certified", "objective", "lower_bound", "gap", "rel_gap", "time_s", "iterations", "message", "error",
    "w_norms", "h_norms",
    "minority_w_spread", "minority_w_spread_rel", "minority_h_spread", "minority_h_spread_rel",
    "minority_collapse_measure",
    "claim", "expected", "verdict", "verdict_certified", "reason", "worst_rel_err",
)
#: How often a worker checks that the sweep's process is still alive.
WATCHDOG_INTERVAL_S = 0.5
#: Workers of the local dask cluster when ``n_jobs`` is not given (one thread each).
DASK_LOCAL_WORKERS = 2


@dataclass(frozen=True)
class Grid:
    """The sweep's grid.

    Attributes
    ----------
    base : Problem
        Model options (loss, bias, features, ...); its sizes are replaced per point.
    n_major : int
        Majority class size ``n_A``.
    k_major, k_minor : int
        Number of majority / minority classes.
    ratios : tuple of float
        Imbalance ratios R = n_A / n_B (>= 1).
    lambdas : tuple of float
        Values of λ = √(λ_W λ_H) (> 0).
    """

    base: Problem
    n_major: int
    k_major: int
    k_minor: int
    ratios: tuple[float, ...]
    lambdas: tuple[float, ...]

    def __post_init__(self):
        if isinstance(self.n_major, bool) or not isinstance(self.n_major, int) or self.n_major < 1:
            raise ValueError(f"n_major: must be an integer >= 1, got {self.n_major!r}")
        if self.k_major < 1:
            raise ValueError(f"k_major: need at least one majority class, got {self.k_major}")
        if self.k_minor < 1:
            raise ValueError(f"k_minor: need at least one minority class, got {self.k_minor}")
        if not self.ratios or any(not (math.isfinite(r) and r >= 1) for r in self.ratios):
            raise ValueError(f"ratios: need finite values >= 1, got {self.ratios}")
        if not self.lambdas or any(not (math.isfinite(x) and x > 0) for x in self.lambdas):
            raise ValueError(f"lambdas: need finite values > 0, got {self.lambdas}")

    def problems(self) -> list[tuple[dict, Problem]]:
        """Every grid point as (point description, Problem); ValueError naming the field of a bad point."""
        out = []
        ratio_w = math.sqrt(self.base.lambda_w / self.base.lambda_h)
        for r, lam in itertools.product(self.ratios, self.lambdas):
            nb = max(1, int(round(self.n_major / r)))
            sizes = (self.n_major,) * self.k_major + (nb,) * self.k_minor
            p = self.base.with_(sizes=sizes, lambda_w=lam * ratio_w, lambda_h=lam / ratio_w)
            out.append(({"ratio": r, "lambda": lam, "n_minor": nb}, p))
        return out


def point_key(problem: Problem, claim_id: str | None, method: str) -> str:
    """Stable key of one sweep point (hash of the problem, claim and requested method)."""
    blob = json.dumps({"p": problem.to_dict(), "c": claim_id, "m": method}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def empty_record(**values) -> dict:
    """A record with every key of :data:`RECORD_KEYS` (``None`` unless given)."""
    unknown = set(values) - set(RECORD_KEYS)
    if unknown:
        raise KeyError(f"not sweep record keys: {sorted(unknown)}")
    from nctheory.present.serialize import stamp

    values = {**{k: v for k, v in stamp("sweep").items() if k in RECORD_KEYS}, **values}
    return {k: values.get(k) for k in RECORD_KEYS}


# --------------------------------------------------------------------------- worker side
_WATCHED: set[int] = set()


def _watch_parent(parent_pid: int) -> None:
    """In a worker process: exit as soon as ``parent_pid`` is gone (started once per process)."""
    if parent_pid is None or parent_pid == os.getpid() or parent_pid in _WATCHED:
        return
    _WATCHED.add(parent_pid)

    def watch():
        while True:
            if os.getppid() != parent_pid:  # re-parented: the sweep's process died
                os._exit(1)
            time.sleep(WATCHDOG_INTERVAL_S)

    threading.Thread(target=watch, name="nctheory-parent-watchdog", daemon=True).start()


def _claim(claim_id: str, claim_files: tuple[str, ...]):
    from nctheory.claims import get_claim, load_claims

    try:
        return get_claim(claim_id)
    except ValueError:
        if not claim_files:
            raise
    for path in claim_files:  # a fresh worker process: register the users' claims files first
        load_claims(path)
    return get_claim(claim_id)


def _collapse_fields(problem: Problem, sol) -> dict:
    """Norms per class and the minority spread; a grouped answer (``certified:symmetric``) gives its norms
    from the grouped blocks and the spread only where it forms W and H̄ (K <= DENSE_MAX_K)."""
    try:
        W, H = np.asarray(sol.W), np.asarray(sol.H_mean)
    except ValueError:  # a grouped answer above DENSE_MAX_K classes: no dense factors
        group = np.asarray(sol.structure.group_of)  # per class, from the per-group norms
        return {"w_norms": np.asarray(sol.w_norms())[group].tolist(), "h_norms": np.asarray(sol.h_norms())[group].tolist()}
    out = {"w_norms": np.linalg.norm(W, axis=1).tolist(), "h_norms": np.linalg.norm(H, axis=0).tolist()}
    minor = [k for k, n in enumerate(problem.sizes) if n == min(problem.sizes)]
    if 2 <= len(minor) < problem.K:
        mc = minority_collapse(W, H, minor)
        w_top = max(out["w_norms"])
        h_top = max(out["h_norms"])
        # spread relative to the LARGEST vector of the whole solution: a minority cluster squeezed
        # towards 0 has a tiny own scale, so its own-scale relative spread is round-off noise
        collapse = max((mc.w_max_dist / w_top) ** 2 if w_top > 0 else 0.0,
                       (mc.h_max_dist / h_top) ** 2 if h_top > 0 else 0.0)
        out.update(minority_w_spread=mc.w_max_dist, minority_w_spread_rel=mc.w_rel,
                   minority_h_spread=mc.h_max_dist, minority_h_spread_rel=mc.h_rel,
                   minority_collapse_measure=collapse)
    return out


def run_point(point: dict, problem: Problem, claim_id: str | None, method: str, *,
              claim_files: tuple[str, ...] = (), deadline: float | None = None,
              parent_pid: int | None = None) -> dict | None:
    """Solve one point once (and verify the claim on that solve); a record with :data:`RECORD_KEYS`.

    Returns None when ``deadline`` (a ``time.time()``) passed before the point started, or cut its solve
    or verification short (the point is then not recorded, and a resume does it again).  A solver
    exception is recorded (``status="error"``), not raised: the sweep goes on and a resume retries it.
    """
    _watch_parent(parent_pid)
    if deadline is not None and time.time() >= deadline:
        return None
    from nctheory.solvers import solve
    from nctheory.solvers.registry import auto_method

    rec = empty_record(key=point_key(problem, claim_id, method), **point, problem=problem.to_dict(), method=method,
                       claim=claim_id)
    try:
        claim = _claim(claim_id, claim_files) if claim_id else None
        wanted = claim.reference_for(problem) if (claim is not None and method == "auto") else method
        resolved = auto_method(problem) if wanted == "auto" else wanted
        rec["solver"] = resolved
        options = dict(claim.solver_options.get(resolved, {})) if claim is not None else {}
        timed = {}
        if deadline is not None and _takes_time_limit(resolved):
            timed = {resolved: {"time_limit": max(deadline - time.time(), 1e-3)}}
            options.update(timed[resolved])
        sol = solve(problem, method=resolved, **options)
    except Exception as exc:  # recorded, not hidden: the sweep goes on
        rec.update(status="error", error=f"{type(exc).__name__}: {exc}")
        return rec
    # a solve the time limit stopped is cut short even when the solver kept a reserve and returned just before the
    # deadline (the certified solver does): not recorded, so a resumed sweep solves it again
    stopped = bool(timed) and sol.extra.get("stop_reason") == "time_limit"
    if stopped or _cut_short(deadline, sol.status.value in ("optimal", "local")):
        return None
    rec.update(status=sol.status.value, certified=sol.certified, objective=float(sol.objective),
               lower_bound=sol.lower_bound, gap=sol.gap, rel_gap=sol.rel_gap, time_s=sol.time_s,
               iterations=int(sol.iterations), message=sol.message)
    rec.update(_collapse_fields(problem, sol))
    if claim is not None:
        from nctheory.verify import verify_claim

        try:
            v = verify_claim(claim, problem, methods=[resolved], solutions={resolved: sol}, solver_options=timed)
        except Exception as exc:
            rec.update(status="error", error=f"verify: {type(exc).__name__}: {exc}")
            return rec
        if _cut_short(deadline, v.verdict.value != "inconclusive"):
            return None
        rec.update(expected=v.expected.value, verdict=v.verdict.value, verdict_certified=v.certified,
                   reason=v.reason, worst_rel_err=_worst_rel_err(v))
    return rec


def _cut_short(deadline: float | None, finished: bool) -> bool:
    """True when the deadline passed and the answer is not a finished one: the point is not recorded (a
    resumed sweep does it again) rather than saved with the status of an interrupted solve."""
    return deadline is not None and not finished and time.time() >= deadline


def _takes_time_limit(method: str) -> bool:
    from nctheory.solvers.registry import SOLVERS

    s = SOLVERS.get(method)
    return method == "certified" or getattr(s, "options_like", None) == "certified"


def _worst_rel_err(v) -> float | None:
    vals = [c.rel_err for c in v.checks if c.rel_err is not None and math.isfinite(c.rel_err)]
    return max(vals) if vals else None


# --------------------------------------------------------------------------- the sweep
def run_sweep(grid: Grid, out: str, *, claim_id: str | None = None, method: str = "auto", n_jobs: int | None = None,
              backend: str = "loky", scheduler=None, progress: bool | None = None, limit: int | None = None,
              claim_files=(), deadline: float | None = None) -> list[dict]:
    """Run (or resume) a sweep; returns every record (old and new), in grid order.

    Parameters
    ----------
    grid : Grid
    out : str
        JSON-lines sweep file, appended to (validated first: a file that is not a sweep file is refused
        untouched).
    claim_id : str, optional
        Verify this claim at each point (on the point's one solve).
    method : str
        Solver method (``"auto"`` or a name of ``nctheory.solvers.METHODS``).
    n_jobs : int, optional
        Parallel workers: loky processes (default 1 = in-process), or the workers of the local dask cluster
        (default :data:`DASK_LOCAL_WORKERS`, one thread each).  Not with ``scheduler``.
    backend : {"loky", "dask"}
    scheduler : str or distributed.Client, optional
        ``backend="dask"`` only: the address of a running ``dask.distributed`` scheduler (or a client) to
        run on instead of a local cluster.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    limit : int, optional
        Run at most this many new points (then stop, as if interrupted).
    claim_files : sequence of str
        Users' claims files (``--claims``), loaded in worker processes that do not know ``claim_id``.
    deadline : float, optional
        ``time.time()`` after which no new point starts and certified solves stop; then the records
        finished so far are saved and :class:`~nctheory.errors.TimeLimitReached` is raised.

    Raises
    ------
    ValueError
        ``backend: / n_jobs: / scheduler: / limit: / out: ...`` for bad arguments, a file that is not a
        sweep file, ``distributed`` missing for ``backend="dask"``, or no scheduler at ``scheduler``.
    TimeLimitReached
        When ``deadline`` passed before every point was done.
    """
    if backend not in ("loky", "dask"):
        raise ValueError(f"backend: unknown {backend!r}; allowed: loky, dask")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1):
        raise ValueError(f"n_jobs: must be an integer >= 1, got {n_jobs!r}")
    if scheduler is not None and backend != "dask":
        raise ValueError(f"scheduler: a dask scheduler is for backend 'dask', not {backend!r}")
    if scheduler is not None and n_jobs is not None:
        raise ValueError("n_jobs: sets the workers of a local cluster; the cluster behind a scheduler has its own")
    if backend == "dask":
        from nctheory.explore.sweep_dask import require_distributed

        require_distributed()  # before the file is touched
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit: must be an integer >= 1, got {limit!r}")
    points = grid.problems()
    keys = [point_key(p, claim_id, method) for _, p in points]
    with contextlib.ExitStack() as stack:
        client = None
        if backend == "dask" and set(keys) - set(scan(out)[0]):
            # connected before the file is touched: a scheduler that does not answer leaves it as it was
            from nctheory.explore.sweep_dask import connected

            client = stack.enter_context(connected(scheduler, n_workers=n_jobs or DASK_LOCAL_WORKERS))
        done, fh = open_for_append(out)
        stack.enter_context(fh)
        todo, seen = [], set(done)
        for (pt, p), k in zip(points, keys):
            if k not in seen:  # done already, or listed twice in the grid
                seen.add(k)
                todo.append((k, pt, p))
        if limit is not None:
            todo = todo[:limit]
        stopped = False
        with Progress(len(todo), "sweep", enabled=progress) as bar:
            for rec in _execute(todo, claim_id, method, n_jobs, client, tuple(claim_files), deadline):
                if rec is None:  # the deadline passed before this point started
                    stopped = True
                    continue
                append(fh, rec)
                done[rec["key"]] = rec
                bar.update(note=f"R={rec['ratio']:g} λ={rec['lambda']:.1e}")
                if deadline is not None and time.time() >= deadline:
                    stopped = True
                    break
    finished = [done[k] for k in keys if k in done]
    if stopped and len(finished) < len(points):
        raise TimeLimitReached(None, f"after {len(finished)}/{len(points)} points")
    return finished


def _execute(todo, claim_id, method, n_jobs, client, claim_files, deadline):
    """Records (or None past the deadline) of the ``(key, point, problem)`` triples, as they finish: on the
    dask ``client`` when there is one, else in loky processes (in this one for ``n_jobs`` 1)."""
    kw = {"claim_files": claim_files, "deadline": deadline}
    if client is not None:
        from nctheory.explore.sweep_dask import run_points

        yield from run_points(client, todo, claim_id, method, **kw)
        return
    n_jobs = n_jobs or 1
    if n_jobs == 1:
        for _, pt, p in todo:
            yield run_point(pt, p, claim_id, method, **kw)
        return
    import joblib

    parent = os.getpid()  # the loky workers are this process's children: they exit once it is gone
    with joblib.parallel_config(backend="loky", n_jobs=n_jobs):
        yield from joblib.Parallel(return_as="generator_unordered")(
            joblib.delayed(run_point)(pt, p, claim_id, method, parent_pid=parent, **kw) for _, pt, p in todo)
