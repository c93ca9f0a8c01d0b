"""Benchmark: the symmetry-reduced certified solver from K = 10^2 to 10^6 classes (issue 15 "Scale", item 1).

Profiles: two-cluster (half the classes of 500 samples, half of 50) and a 3-tier step (thirds of 500, 50 and 5);
λ_W = λ_H = λ with λN = 0.5·√(min n_k), so every class is separated (a non-trivial, full-rank optimum); CE and
MSE, without bias and with a free bias.  For each instance: the time to build the Problem (validating K sizes),
the solve time (grouping the sizes included; best of --repeat runs), the certified relative gap
(F - LB)/|F|, the status, iterations and the number of groups C.  For K <= --dense-max-k the dense certified
solver runs on the same instance: its time and the objective agreement |F_sym - F_dense|/|F_dense|.

Target (DESIGN.md): K = 10^6 in two groups certified (gap <= 1e-10) in under 1 s.

Usage: python benchmarks/bench_symmetric.py [--ks 100,1000,...] [--profiles two-cluster,step3] [--losses ce,mse]
                                            [--biases none,free] [--repeat 3] [--dense-max-k 100]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time

import numpy as np

from nctheory.model import Problem
from nctheory.solvers.certified.dense import solve as dense_solve
from nctheory.solvers.certified.symmetric import solve as symmetric_solve


def sizes_for(profile: str, K: int) -> tuple[int, ...]:
    if profile == "two-cluster":
        return (500,) * (K // 2) + (50,) * (K - K // 2)
    if profile == "step3":
        a, b = K // 3, K // 3
        return (500,) * a + (50,) * b + (5,) * (K - a - b)
    raise ValueError(f"profile: unknown {profile!r} (allowed: two-cluster, step3)")


def instance(profile: str, K: int, loss: str, bias: str) -> tuple[Problem, float]:
    """The Problem and the seconds it took to build (validation of K sizes is part of the user's cost)."""
    s = sizes_for(profile, K)
    t0 = time.perf_counter()
    N = sum(s)
    lam = 0.5 * math.sqrt(min(s)) / N
    p = Problem(sizes=s, lambda_w=lam, lambda_h=lam, loss=loss, bias=bias)
    return p, time.perf_counter() - t0


def run(profile, K, loss, bias, tol, repeat, dense_max_k):
    p, t_build = instance(profile, K, loss, bias)
    best, sol = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        sol = symmetric_solve(p, tol=tol)
        best = min(best, time.perf_counter() - t0)
    row = {"profile": profile, "K": K, "loss": loss, "bias": bias, "C": sol.structure.C, "build_s": t_build,
           "solve_s": best, "rel_gap": sol.rel_gap, "status": sol.status.value, "iterations": sol.iterations,
           "objective": sol.objective, "dense_s": None, "agreement": None}
    if K <= dense_max_k:
        t0 = time.perf_counter()
        d = dense_solve(p, tol=tol)
        row["dense_s"] = time.perf_counter() - t0
        row["agreement"] = abs(sol.objective - d.objective) / abs(d.objective)
        row["dense_status"] = d.status.value
    return row


def table(rows) -> str:
    def f(x, fmt):
        return "-" if x is None else format(x, fmt)

    head = ("| profile | K | loss | bias | C | build (s) | solve (s) | rel gap | status | iterations | dense (s) | "
            "|F - F_dense|/|F| |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(f"| {r['profile']} | {r['K']} | {r['loss']} | {r['bias']} | {r['C']} | {f(r['build_s'], '.3f')} | "
                     f"{f(r['solve_s'], '.4f')} | {f(r['rel_gap'], '.1e')} | {r['status']} | {r['iterations']} | "
                     f"{f(r['dense_s'], '.3f')} | {f(r['agreement'], '.1e')} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ks", default="100,1000,10000,100000,1000000")
    ap.add_argument("--profiles", default="two-cluster,step3")
    ap.add_argument("--losses", default="ce,mse")
    ap.add_argument("--biases", default="none,free")
    ap.add_argument("--tol", type=float, default=1e-10)
    ap.add_argument("--repeat", type=int, default=3, help="solve timing: best of this many runs")
    ap.add_argument("--dense-max-k", type=int, default=100, help="also run the dense certified solver up to this K")
    args = ap.parse_args(argv)
    ks = [int(k) for k in args.ks.split(",")]
    rows = []
    for profile in args.profiles.split(","):
        for K in ks:
            for loss in args.losses.split(","):
                for bias in args.biases.split(","):
                    rows.append(run(profile, K, loss, bias, args.tol, args.repeat, args.dense_max_k))
                    r = rows[-1]
                    print(f"{profile} K={K} {loss} {bias}: {r['status']} rel_gap={r['rel_gap']:.1e} "
                          f"solve {r['solve_s']:.4f}s (build {r['build_s']:.3f}s)", file=sys.stderr, flush=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}; tol {args.tol:g}, best of {args.repeat}")
    print(table(rows))
    ok = all(r["status"] == "optimal" for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
