r"""Grids over class-size ratios and regularization, run in parallel, saved as they finish.

A sweep point is ``(ratio R, λ)``: the sizes are ``K_A`` classes of ``n_A`` and ``K_B``
classes of ``max(1, round(n_A / R))``, and ``λ_W = λ_H = λ`` (or the base problem's
λ's scaled so that √(λ_Wλ_H) = λ).  Every point is solved by the reference solver
(``method``), and optionally a claim is verified there.

Results go to a JSON-lines file, one complete line per finished point, flushed at
once.  Re-running the same sweep with the same file skips the points already there
(keyed by a hash of the point's problem), so an interrupted sweep resumes without
loss; a truncated last line (the process died while writing) is dropped and redone.

Parallelism: ``joblib`` (its ``loky`` process backend by default; ``backend="dask"``
uses a Dask cluster through joblib, which needs the ``distributed`` package and a
running ``dask.distributed.Client``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from dataclasses import dataclass

import numpy as np

from nctheory.metrics import minority_collapse
from nctheory.model import Problem
from nctheory.progress import Progress


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
        if self.n_major < 1:
            raise ValueError(f"n_major: must be >= 1, got {self.n_major}")
        if self.k_major < 1 or self.k_minor < 1:
            raise ValueError("k_minor: need at least one majority and one minority class")
        if not self.ratios or any(not (math.isfinite(r) and r >= 1) for r in self.ratios):
            raise ValueError(f"ratios: need finite values >= 1, got {self.ratios}")
        if not self.lambdas or any(not (math.isfinite(x) and x > 0) for x in self.lambdas):
            raise ValueError(f"lambdas: need finite values > 0, got {self.lambdas}")

    def problems(self) -> list[tuple[dict, Problem]]:
        """Every grid point as (point description, Problem)."""
        out = []
        ratio_w = math.sqrt(self.base.lambda_w / self.base.lambda_h)
        for r, lam in itertools.product(self.ratios, self.lambdas):
            nb = max(1, int(round(self.n_major / r)))
            sizes = (self.n_major,) * self.k_major + (nb,) * self.k_minor
            p = self.base.with_(sizes=sizes, lambda_w=lam * ratio_w, lambda_h=lam / ratio_w)
            out.append(({"ratio": r, "lambda": lam, "n_minor": nb}, p))
        return out


def point_key(problem: Problem, claim_id: str | None, method: str) -> str:
    """Stable key of one sweep point (hash of the problem, claim and method)."""
    blob = json.dumps({"p": problem.to_dict(), "c": claim_id, "m": method}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_point(point: dict, problem: Problem, claim_id: str | None, method: str) -> dict:
    """Solve one point (and verify the claim there); a JSON-ready record."""
    from nctheory.solvers import solve

    rec = {"key": point_key(problem, claim_id, method), **point, "problem": problem.to_dict(), "method": method}
    try:
        sol = solve(problem, method=method)
    except Exception as exc:  # recorded, not hidden: the sweep goes on
        rec.update(status="error", error=f"{type(exc).__name__}: {exc}")
        return rec
    rec.update(status=sol.status, certified=sol.certified, objective=float(sol.objective), gap=sol.gap,
               time_s=sol.time_s)
    minor = [k for k, n in enumerate(problem.sizes) if n == min(problem.sizes)]
    if len(minor) >= 2 and len(minor) < problem.K:
        mc = minority_collapse(sol.W, sol.H_mean, minor)
        w_top = float(np.max(np.linalg.norm(np.asarray(sol.W), axis=1)))
        h_top = float(np.max(np.linalg.norm(np.asarray(sol.H_mean), axis=0)))
        # spread relative to the LARGEST vector of the whole solution: a minority cluster squeezed
        # towards 0 has a tiny own scale, so its own-scale relative spread is round-off noise
        collapse = max((mc.w_max_dist / w_top) ** 2 if w_top > 0 else 0.0,
                       (mc.h_max_dist / h_top) ** 2 if h_top > 0 else 0.0)
        rec.update(minority_w_spread=mc.w_max_dist, minority_w_spread_rel=mc.w_rel,
                   minority_h_spread=mc.h_max_dist, minority_h_spread_rel=mc.h_rel,
                   minority_collapse_measure=collapse)
    rec.update(w_norms=np.linalg.norm(np.asarray(sol.W), axis=1).tolist(),
               h_norms=np.linalg.norm(np.asarray(sol.H_mean), axis=0).tolist())
    if claim_id:
        from nctheory.claims import get_claim
        from nctheory.verify import verify_claim

        v = verify_claim(get_claim(claim_id), problem, methods=[method] if method != "auto" else None)
        rec.update(verdict=v.verdict, worst_rel_err=max((c.rel_err for c in v.checks if c.rel_err is not None), default=None))
    return rec


def read_done(path: str) -> dict[str, dict]:
    """Finished records in ``path`` keyed by point key.

    A truncated or unreadable LAST line (the process died while writing) is removed from the file.  An
    unreadable line elsewhere is left in place and skipped (never deletes the good records after it).
    Records with ``status == "error"`` are not counted as done, so a resumed sweep retries them.
    """
    done: dict[str, dict] = {}
    if not os.path.exists(path):
        return done
    with open(path, "rb") as fh:
        data = fh.read()
    lines = data.splitlines(keepends=True)
    good_end = 0
    pos = 0
    for i, line in enumerate(lines):
        pos += len(line)
        last = i == len(lines) - 1
        try:
            rec = json.loads(line) if line.endswith(b"\n") or not last else None
        except json.JSONDecodeError:
            rec = None
        if rec is None or not isinstance(rec, dict) or "key" not in rec:
            if last:
                break
            good_end = pos
            continue
        if rec.get("status") != "error":
            done[rec["key"]] = rec
        good_end = pos
    if good_end < len(data):
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
    return done


def run_sweep(grid: Grid, out: str, *, claim_id: str | None = None, method: str = "auto", n_jobs: int = 1,
              backend: str = "loky", progress: bool | None = None, limit: int | None = None) -> list[dict]:
    """Run (or resume) a sweep; returns every record (old and new), in grid order.

    Parameters
    ----------
    grid : Grid
    out : str
        JSON-lines file, appended to.
    claim_id : str, optional
        Verify this claim at each point.
    method : str
        Solver method (see ``nctheory.solvers.METHODS``).
    n_jobs : int
        Parallel workers (1 = in-process).
    backend : {"loky", "dask"}
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    limit : int, optional
        Run at most this many new points (then stop, as if interrupted).
    """
    if backend not in ("loky", "dask"):
        raise ValueError(f"backend: unknown {backend!r}; allowed: loky, dask")
    if n_jobs < 1:
        raise ValueError(f"n_jobs: must be >= 1, got {n_jobs}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit: must be >= 1, got {limit}")
    points = grid.problems()
    done = read_done(out)
    todo = [(pt, p) for pt, p in points if point_key(p, claim_id, method) not in done]
    if limit is not None:
        todo = todo[:limit]
    with open(out, "a", encoding="utf-8") as fh, Progress(len(todo), "sweep", enabled=progress) as bar:
        for rec in _execute(todo, claim_id, method, n_jobs, backend):
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            done[rec["key"]] = rec
            bar.update(note=f"R={rec['ratio']:g} λ={rec['lambda']:.1e}")
    return [done[point_key(p, claim_id, method)] for _, p in points if point_key(p, claim_id, method) in done]


def _execute(todo, claim_id, method, n_jobs, backend):
    if n_jobs == 1 and backend == "loky":
        for pt, p in todo:
            yield run_point(pt, p, claim_id, method)
        return
    import joblib

    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError("backend: 'dask' needs the 'distributed' package and a running "
                             "dask.distributed.Client; pip install distributed") from None
    with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
        yield from joblib.Parallel(return_as="generator_unordered")(
            joblib.delayed(run_point)(pt, p, claim_id, method) for pt, p in todo)
