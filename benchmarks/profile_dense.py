"""Where the dense certified solver's time goes (issue 15 item 2): one cProfile'd solve, written to profile.md.

Instance: long-tail sizes (500 decaying to 5), CE, no bias, λN = 0.5·√(min n), K = 1000 by default.  Reported:
the solve time against one K × K SVD measured in the same process; the time per phase (from the solver's progress
lines); the number of K × K SVDs (``numpy.linalg.svd`` calls on K × K matrices, counted by a wrapper) and of
spectral norms; iterations, evaluations, certificates; the top functions by own time and by cumulative time.

Usage: python benchmarks/profile_dense.py [--K 1000] [--profile long-tail] [--out benchmarks/results/profile.md]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # this tree's nctheory, not an installed one

import bench_all  # noqa: E402
import bench_certified  # noqa: E402


class _CountingSVD:
    """Wraps ``numpy.linalg.svd``: counts the calls on square K × K inputs and their time."""

    def __init__(self, K: int):
        self.K, self.calls, self.seconds, self.other = K, 0, 0.0, 0
        self.inner = np.linalg.svd

    def __call__(self, a, *args, **kwargs):
        t0 = time.perf_counter()
        out = self.inner(a, *args, **kwargs)
        if np.shape(a) == (self.K, self.K):
            self.calls += 1
            self.seconds += time.perf_counter() - t0
        else:
            self.other += 1
        return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", type=int, default=1000)
    ap.add_argument("--profile", default="long-tail")
    ap.add_argument("--out", default=os.path.join(bench_all.OUT, "profile.md"))
    args = ap.parse_args(argv)
    from nctheory.solvers.certified.dense import solve

    K = args.K
    solve(bench_certified.instance("two-cluster", 8))  # warm-up
    p = bench_certified.instance(args.profile, K)
    counter = _CountingSVD(K)
    log = io.StringIO()
    prof = cProfile.Profile()
    np.linalg.svd = counter
    try:
        with contextlib.redirect_stderr(log):
            prof.enable()
            sol = solve(p, progress=True)
            prof.disable()
    finally:
        np.linalg.svd = counter.inner
    t_svd = bench_all._svd_seconds(K, 3)
    stats = pstats.Stats(prof)
    spectral = sum(v[0] for k, v in stats.stats.items() if k[2] == "_multi_svd_norm")

    # phases from the progress lines "[certified   t s] message"
    events = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"\[certified\s+([0-9.]+)s\] (.*)", log.getvalue())]
    phases, last = [], 0.0
    for t, msg in events:
        label = ("zero test" if msg.startswith("zero test") else "grouped start" if msg.startswith("grouped start")
                 else "factored phase (L-BFGS + certificates)" if msg.startswith("factored phase") else
                 "certificate (within the factored phase)" if msg.startswith("factored: certificate") else
                 "finish (rank-identification prox step, check, recovery)" if msg.startswith(("optimal", "inaccurate",
                                                                                              "max_iter")) else msg[:40])
        phases.append((label, t - last, t))
        last = t

    def top(sort: str, n: int = 15) -> str:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(sort).print_stats(n)
        lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
        start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
        return "\n".join(ln.replace(os.path.dirname(HERE) + "/", "").replace(sys.prefix, "<venv>")
                         for ln in lines[start:])

    info = bench_all.machine()
    L = [f"# Profile of the dense certified solver: {args.profile}, K = {K}", "",
         f"Machine: {info['cpu']}, nproc {info['nproc']}, BLAS {info['blas']} (one thread during the solve), "
         f"load average {info['load_1min_at_start']:.2f} at start.  Written by `benchmarks/profile_dense.py` "
         "(part of `make bench`).", "",
         f"- status {sol.status}, certified relative gap {sol.extra['rel_gap']:.2e}, objective {sol.objective:.15g}",
         f"- solve time {sol.time_s:.2f} s (under cProfile); one K × K SVD in the same process: {t_svd:.3f} s; "
         f"ratio **{sol.time_s / t_svd:.1f}** SVDs",
         f"- K × K SVDs (`numpy.linalg.svd`): {counter.calls}, {counter.seconds:.2f} s together; spectral norms "
         f"(`numpy.linalg.norm(., 2)`, an SVD without vectors): {spectral}; smaller SVDs (grouped start): "
         f"{counter.other}",
         f"- L-BFGS iterations {sol.extra['iterations_factored']}, APG iterations {sol.extra['iterations_apg']}, "
         f"certificates {sol.extra['certificates']} (dual candidate: {sol.extra['dual_candidate']})", "",
         "## Time per phase (from the progress lines)", "", "| phase | seconds | ends at (s) |", "|---|---|---|"]
    L += [f"| {label} | {dt:.2f} | {t:.2f} |" for label, dt, t in phases]
    L += ["", "## Top functions by own time", "", "```", top("tottime"), "```", "",
          "## Top functions by cumulative time", "", "```", top("cumulative", 25), "```", "",
          "## Progress log", "", "```", log.getvalue().strip(), "```", ""]
    with open(args.out, "w") as fh:
        fh.write("\n".join(L))
    print(f"wrote {args.out}: {sol.time_s:.2f} s = {sol.time_s / t_svd:.1f} SVDs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
