"""Benchmark: the certified references (layer-peeled model, UF-SVM) against cvxpy + Clarabel and cvxpy + SCS.

Instances (issue 15, item 3):

* dense, K in --ks (default 10, 30, 60, 100, 300); profiles two-cluster (half the classes of 500 samples, half of
  50) and long-tail (500 decaying exponentially to 5);
* grouped, K in --grouped-ks (default 100 ... 10^6); two-cluster only (a long tail has no equal sizes).

Models: the layer-peeled model with CE, no bias, E_W = E_H = 3 (``certified:lpm``, ``certified:lpm-symmetric``;
reference: Fang's Gram SDP ``convex.lpm_sdp``), and the UF-SVM of the sizes (``certified:uf-svm``,
``certified:uf-svm-symmetric``; reference: ``convex.uf_svm``).  For each instance: our time, status and
certified relative gap (F - LB)/|F|; for each cvxpy solver with the project's default options (``solve_lpm_sdp``
/ ``solve_uf_svm`` with ``solver=`` fixed, i.e. Clarabel at gap 1e-11, SCS at 1e-9), run in a subprocess and
stopped after --cvxpy-timeout seconds (only for K <= --cvxpy-max-k): its time and status, the objective
agreement |F - F_cvx|/|F_cvx|, and whether our certified bound is below its objective (it must be: that
objective is made the value of a feasible point -- the layer-peeled answer is scaled onto the budgets by
``solve_lpm_sdp``, a UF-SVM answer is divided by its smallest margin when that is below 1, as SCS's are by
~1e-9).  Grouped rows with K <= --dense-max-k also solve the dense
problem and report the agreement of the two objectives.

Writes ``references.csv`` and ``references.md`` to --out (default benchmarks/results).

Usage: python benchmarks/bench_references.py [--ks 10,30] [--grouped-ks 100,1000000] [--models lpm,uf-svm]
                                              [--cvxpy-max-k 100] [--cvxpy-timeout 300] [--repeat 1]
"""

from __future__ import annotations

import argparse
import csv
import math
import multiprocessing as mp
import os
import platform
import sys
import time

import numpy as np

from nctheory.model import Problem

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results")
BUDGET = 3.0


def sizes_for(profile: str, K: int) -> tuple[int, ...]:
    if profile == "two-cluster":
        return (500,) * (K // 2) + (50,) * (K - K // 2)
    if profile == "long-tail":
        return tuple(max(1, int(round(500 * 100 ** (-k / (K - 1))))) for k in range(K))
    raise ValueError(f"profile: unknown {profile!r} (allowed: two-cluster, long-tail)")


def instance(model: str, profile: str, K: int) -> Problem:
    s = sizes_for(profile, K)
    if model == "lpm":
        return Problem(sizes=s, constraint="average", e_w=BUDGET, e_h=BUDGET, lambda_w=0.0, lambda_h=0.0, loss="ce")
    if model == "uf-svm":
        return Problem(sizes=s)
    raise ValueError(f"models: unknown {model!r} (allowed: lpm, uf-svm)")


def ours(model: str, grouped: bool):
    from nctheory.solvers.references import lpm_solve, uf_svm_solve

    if model == "lpm":
        return lpm_solve.solve_grouped if grouped else lpm_solve.solve
    return uf_svm_solve.solve_grouped if grouped else uf_svm_solve.solve


def _cvxpy_worker(model, sizes, solver, queue):
    from nctheory.solvers.convex.lpm_sdp import solve_lpm_sdp
    from nctheory.solvers.convex.uf_svm import solve_uf_svm

    t0 = time.perf_counter()
    try:
        if model == "lpm":
            p = Problem(sizes=sizes, constraint="average", e_w=BUDGET, e_h=BUDGET, lambda_w=0.0, lambda_h=0.0)
            sol = solve_lpm_sdp(p, solver=solver)  # already scaled onto the budgets: a feasible point's value
            value = sol.objective
        else:
            sol = solve_uf_svm(sizes, solver=solver)
            # a conic answer may violate the margins by ~1e-9 (SCS); X/μ restores them (μ = its smallest margin)
            margin = sol.extra.get("min_margin", 1.0) if sol.status.value == "optimal" else 1.0
            value = sol.objective / min(1.0, margin) if margin > 0 else math.nan
        queue.put((sol.status.value, value, time.perf_counter() - t0))
    except Exception as exc:  # recorded as a failure
        queue.put((f"raised {type(exc).__name__}", math.nan, time.perf_counter() - t0))


def run_cvxpy(model: str, sizes, solver: str, timeout: float):
    """One cvxpy solve in a subprocess: ``(status, objective, seconds)``; status ``"timeout"`` when killed."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_cvxpy_worker, args=(model, tuple(sizes), solver, queue))
    t0 = time.perf_counter()
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return "timeout", math.nan, time.perf_counter() - t0
    try:
        return queue.get(timeout=5)
    except Exception:  # the worker died without an answer
        return f"died (exit {proc.exitcode})", math.nan, time.perf_counter() - t0


def timed(fn, problem, repeat: int, **options):
    best, sol = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        sol = fn(problem, **options)
        best = min(best, time.perf_counter() - t0)
    return sol, best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ks", default="10,30,60,100,300")
    ap.add_argument("--grouped-ks", default="100,1000,10000,100000,1000000")
    ap.add_argument("--profiles", default="two-cluster,long-tail")
    ap.add_argument("--models", default="lpm,uf-svm")
    ap.add_argument("--cvxpy-max-k", type=int, default=100)
    ap.add_argument("--cvxpy-timeout", type=float, default=300.0)
    ap.add_argument("--dense-max-k", type=int, default=300, help="grouped rows: also solve densely up to this K")
    ap.add_argument("--tol", type=float, default=1e-10)
    ap.add_argument("--repeat", type=int, default=1, help="our timing: best of this many runs")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    ks = [int(k) for k in args.ks.split(",") if k]
    gks = [int(k) for k in args.grouped_ks.split(",") if k]
    rows = []
    for model in args.models.split(","):
        for profile in args.profiles.split(","):
            for K in ks:
                p = instance(model, profile, K)
                sol, t = timed(ours(model, False), p, args.repeat, tol=args.tol)
                row = {"model": model, "form": "dense", "profile": profile, "K": K, "time_s": t,
                       "status": sol.status.value, "rel_gap": sol.rel_gap, "iterations": sol.iterations,
                       "objective": sol.objective}
                for solver in ("CLARABEL", "SCS"):
                    key = solver.lower()
                    if K > args.cvxpy_max_k:
                        row[f"{key}_status"] = "skipped"
                        continue
                    status, value, tc = run_cvxpy(model, p.sizes, solver, args.cvxpy_timeout)
                    row[f"{key}_status"], row[f"{key}_time_s"] = status, tc
                    if status == "optimal":
                        row[f"{key}_agreement"] = abs(sol.objective - value) / abs(value)
                        row[f"{key}_lb_below"] = bool(sol.lower_bound <= value * (1 + 1e-13))
                        row[f"{key}_speedup"] = tc / t
                rows.append(row)
                print(_line(row), flush=True)
        for K in gks:
            p = instance(model, "two-cluster", K)
            sol, t = timed(ours(model, True), p, args.repeat, tol=args.tol)
            row = {"model": model, "form": "grouped", "profile": "two-cluster", "K": K, "time_s": t,
                   "status": sol.status.value, "rel_gap": sol.rel_gap, "iterations": sol.iterations,
                   "objective": sol.objective, "C": sol.structure.C}
            if K <= args.dense_max_k:
                dense, td = timed(ours(model, False), p, 1, tol=args.tol)
                row["dense_time_s"] = td
                row["dense_agreement"] = abs(dense.objective - sol.objective) / abs(dense.objective)
            rows.append(row)
            print(_line(row), flush=True)
    write_outputs(rows, args.out)
    return 0


def _line(row) -> str:
    return " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())


def write_outputs(rows, out: str = OUT) -> None:
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k not in ("model", "form", "profile", "K"), k))
    with open(os.path.join(out, "references.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)

    def f(x, fmt):
        return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)

    def cvx(r, key):
        status = r.get(f"{key}_status", "skipped")
        if status != "optimal":
            return f"{status} ({f(r.get(f'{key}_time_s'), '.1f')} s)" if status != "skipped" else "skipped"
        return (f"{r[f'{key}_time_s']:.2f} s, agree {r[f'{key}_agreement']:.1e}, "
                f"LB below: {r[f'{key}_lb_below']}, ×{r[f'{key}_speedup']:.3g}")

    lines = [
        "# Certified references vs cvxpy (layer-peeled CE with E_W = E_H = 3; UF-SVM of the sizes)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}.",
        "",
        "| model | form | profile | K | time (s) | status | rel gap | iters | Clarabel | SCS | dense (grouped rows) |",
        "|---|---|---|---:|---:|---|---:|---:|---|---|---|",
    ]
    for r in rows:
        dense = (f"{r['dense_time_s']:.2f} s, agree {r['dense_agreement']:.1e}" if "dense_agreement" in r else "—")
        lines.append(f"| {r['model']} | {r['form']} | {r['profile']} | {r['K']} | {r['time_s']:.3f} | {r['status']} | "
                     f"{f(r['rel_gap'], '.1e')} | {r['iterations']} | {cvx(r, 'clarabel')} | {cvx(r, 'scs')} | "
                     f"{dense} |")
    with open(os.path.join(out, "references.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
