"""The verdicts of ``nctheory check`` on every default instance, against a stored snapshot.

``python benchmarks/default_verdicts.py``           compare today's verdicts with benchmarks/results/default_verdicts.json
``python benchmarks/default_verdicts.py --write``   store today's verdicts as the snapshot

One record per (claim, instance): the verdict, whether it was certified and which solver answered.  A changed
verdict, a lost instance or a changed certification is printed and counted (new instances are listed); the exit code
is 1 when anything changed
(0 otherwise), so a refactor can show it left every verdict alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "results" / "default_verdicts.json"


def current() -> dict[str, dict]:
    """``{key: record}`` from ``nctheory check --json`` (key = claim id + the instance's JSON)."""
    proc = subprocess.run([sys.executable, "-m", "nctheory", "check", "--json"], capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"nctheory check failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    out = {}
    for r in json.loads(proc.stdout)["results"]:
        key = r["claim"] + " " + json.dumps(r["problem"], sort_keys=True)
        out[key] = {"verdict": r["verdict"], "certified": r["certified"], "expected": r["expected"],
                    "solvers": [s["method"] for s in r["solutions"]]}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="store today's verdicts as the snapshot")
    args = ap.parse_args(argv)
    now = current()
    if args.write:
        SNAPSHOT.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(now)} verdicts written to {SNAPSHOT}")
        return 0
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changed = 0
    for key in sorted(set(before) | set(now)):
        a, b = before.get(key), now.get(key)
        if a is None:
            print("new     " + key)  # a default instance added since the snapshot (a new claim): reported only
        elif b is None:
            changed += 1
            print("lost    " + key)
        elif (a["verdict"], a["certified"]) != (b["verdict"], b["certified"]):
            changed += 1
            print(f"changed {key}: {a['verdict']}/{a['certified']} -> {b['verdict']}/{b['certified']}")
        elif a["solvers"] != b["solvers"]:
            print(f"solver  {key}: {a['solvers']} -> {b['solvers']} (verdict unchanged)")
    print(f"{len(now)} instances, {changed} verdicts changed against {SNAPSHOT.name}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
