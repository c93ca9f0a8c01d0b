"""Benchmark: the certified solver against cvxpy + Clarabel and cvxpy + SCS on the same instances.

Instances: K in {10, 30, 60, 100, 300, 1000}; two size profiles — two-cluster (half the classes
of 500 samples, half of 50) and long-tail (500 decaying exponentially to 5); CE loss without bias;
λ_W = λ_H = λ with λN = 0.5·√(min n_k), so every class is separated (a non-trivial optimum; the
all-zero regime would make every solver instant).

For each instance: the certified solver's objective, relative duality gap and time; each cvxpy
solver's objective and time (only for K <= --cvxpy-max-k: Clarabel's cost grows like K^6 for the
nuclear-norm SDP); the objective agreement |f_cert - f_cvx| / max(1, |f_cvx|) and the time ratio.
Writes benchmarks/results/certified.md and .csv and a plot time_vs_K.png.

Usage: python benchmarks/bench_certified.py [--ks 10,30,60] [--cvxpy-max-k 60] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import sys
import time

import numpy as np

from nctheory.model import Problem
from nctheory.solvers import certified, convex

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "results")


def sizes_for(profile: str, K: int) -> tuple[int, ...]:
    if profile == "two-cluster":
        return (500,) * (K // 2) + (50,) * (K - K // 2)
    if profile == "long-tail":
        return tuple(max(1, int(round(500 * 100 ** (-k / (K - 1))))) for k in range(K))
    raise ValueError(f"profile: unknown {profile!r}")


def instance(profile: str, K: int) -> Problem:
    s = sizes_for(profile, K)
    lam = 0.5 * math.sqrt(min(s)) / sum(s)
    return Problem(sizes=s, lambda_w=lam, lambda_h=lam, loss="ce")


def run_cvxpy(p: Problem, solver: str):
    """One cvxpy solve with the solver's DEFAULT options (solver_opts={}): the fair baseline a user gets.

    (The toolkit's own reference chain tightens Clarabel to gap 1e-11 first, which is slower still.)"""
    t0 = time.perf_counter()
    try:
        sol = convex.solve_reduced(p, solver=solver, solver_opts={})
    except Exception as exc:  # recorded as a failure
        return None, time.perf_counter() - t0, f"raised {type(exc).__name__}: {exc}"
    return sol, time.perf_counter() - t0, sol.status if sol.status == "optimal" else f"{sol.status}: {sol.message}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ks", default="10,30,60,100,300,1000")
    ap.add_argument("--profiles", default="two-cluster,long-tail")
    ap.add_argument("--cvxpy-max-k", type=int, default=60)
    ap.add_argument("--tol", type=float, default=1e-10, help="certified solver's target relative gap")
    ap.add_argument("--repeat", type=int, default=3, help="certified timing: best of this many runs")
    ap.add_argument("--out", default=OUT, help="directory for the table and plot (default benchmarks/results)")
    args = ap.parse_args(argv)
    ks = [int(k) for k in args.ks.split(",")]
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for profile in args.profiles.split(","):
        for K in ks:
            p = instance(profile, K)
            times = []
            for _ in range(args.repeat if K <= 300 else 1):
                t0 = time.perf_counter()
                sol = certified.solve(p, tol=args.tol)
                times.append(time.perf_counter() - t0)
            row = {"profile": profile, "K": K, "N": p.N, "lambda": p.lambda_w,
                   "cert_objective": sol.objective, "cert_status": sol.status,
                   "cert_rel_gap": sol.rel_gap, "cert_time_s": min(times), "cert_iterations": sol.iterations}
            for solver in ("CLARABEL", "SCS"):
                key = solver.lower()
                if K <= args.cvxpy_max_k:
                    csol, t, status = run_cvxpy(p, solver)
                    row[f"{key}_status"] = status
                    row[f"{key}_time_s"] = t
                    if csol is not None and csol.status == "optimal":
                        row[f"{key}_objective"] = csol.objective
                        row[f"{key}_agreement"] = abs(sol.objective - csol.objective) / max(1.0, abs(csol.objective))
                        row[f"{key}_speedup"] = t / row["cert_time_s"]
                        row[f"{key}_cert_lb_below"] = bool(sol.lower_bound <= csol.objective + 1e-9)
                else:
                    row[f"{key}_status"] = "skipped"
            rows.append(row)
            print(" ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                  flush=True)
    write_outputs(rows, args.out)
    return 0


def write_outputs(rows, out: str = OUT):
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k not in ("profile", "K", "N"), k))
    with open(os.path.join(out, "certified.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)

    def f(x, fmt):
        return "—" if x is None else format(x, fmt)

    lines = [
        "# Certified solver vs cvxpy (CE, no bias, λN = 0.5·√min n)",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}.",
        "",
        "| profile | K | N | certified time (s) | rel gap | iters | Clarabel time (s) | agreement | speed-up"
        " | SCS time (s) | agreement | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['profile']} | {r['K']} | {r['N']} | {r['cert_time_s']:.3f} | {f(r['cert_rel_gap'], '.1e')} "
            f"| {r['cert_iterations']} | {f(r.get('clarabel_time_s'), '.2f')} | {f(r.get('clarabel_agreement'), '.1e')} "
            f"| {f(r.get('clarabel_speedup'), '.0f')} | {f(r.get('scs_time_s'), '.2f')} "
            f"| {f(r.get('scs_agreement'), '.1e')} | {f(r.get('scs_speedup'), '.0f')} |")
    lines += ["", "agreement = |f_certified − f_cvxpy| / max(1, |f_cvxpy|); speed-up = cvxpy time / certified time.",
              "A '—' means the cvxpy solve was skipped (K above --cvxpy-max-k) or did not report optimal."]
    with open(os.path.join(out, "certified.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for profile in sorted({r["profile"] for r in rows}):
            rr = [r for r in rows if r["profile"] == profile]
            ax.loglog([r["K"] for r in rr], [r["cert_time_s"] for r in rr], "o-", label=f"certified ({profile})")
            for key, m in (("clarabel", "s--"), ("scs", "^:")):
                pts = [(r["K"], r[f"{key}_time_s"]) for r in rr if r.get(f"{key}_time_s") is not None]
                if pts:
                    ax.loglog(*zip(*pts), m, label=f"cvxpy+{key} ({profile})")
        ax.set_xlabel("K (classes)")
        ax.set_ylabel("time (s)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "time_vs_K.png"), dpi=110)
    except Exception as exc:  # the table is the deliverable; say why the plot is missing
        print(f"plot not written: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
