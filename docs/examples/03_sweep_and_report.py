"""Sweep a grid of imbalance ratios and λ, verify a claim at every point, and write a report.

Run:  python docs/examples/03_sweep_and_report.py [OUTPUT_DIR]     (default: ./nctheory-sweep-example)

The sweep is resumable: run it again with the same output directory and finished points are skipped.
The report (Markdown + HTML) has Gram heatmaps, predicted curves vs solved points and a phase diagram.
"""

import os
import sys

from nctheory import Problem
from nctheory.present.report import build_report
from nctheory.explore.sweep import Grid, run_sweep

out = sys.argv[1] if len(sys.argv) > 1 else "nctheory-sweep-example"
os.makedirs(out, exist_ok=True)

# 2 majority classes of 200 and 3 minority classes of 200/R, for every (R, λ) of the grid.
grid = Grid(base=Problem(sizes=(1, 1), lambda_w=1e-3, lambda_h=1e-3), n_major=200, k_major=2, k_minor=3,
            ratios=(2.0, 5.0, 10.0, 20.0), lambdas=(1e-3, 3e-3, 1e-2))
records = run_sweep(grid, os.path.join(out, "sweep.jsonl"), claim_id="hong-ling/threshold", n_jobs=1,
                    progress=False)
print(f"{'R':>5} {'λ':>8} {'verdict':>13}")
for rec in records:
    print(f"{rec['ratio']:5g} {rec['lambda']:8.0e} {rec.get('verdict', rec['status']):>13}")
assert all(rec.get("verdict") in ("pass", "inconclusive") for rec in records)

paths = build_report(out, n_major=200, k_major=2, k_minor=3, ratios=(2, 5, 10, 20), progress=False)
print(f"report: {paths['html']}")
