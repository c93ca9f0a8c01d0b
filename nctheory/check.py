r"""``nctheory check``: verify every registered claim at its default instances.

Prints one line per (claim, instance), a summary, and optionally writes JSON and
JUnit XML (one ``<testcase>`` per claim instance; a claim registered to be
refuted passes when it is refuted).  Exit code: 0 when every claim behaves as
expected, 1 if any does not, 3 if none failed but some were inconclusive.
"""

from __future__ import annotations

import json
import sys
import time
import xml.etree.ElementTree as ET

from nctheory.claims import all_claims
from nctheory.verify import Verification, verify_claim


def _status(v: Verification) -> str:
    if v.verdict == "inconclusive":
        return "INCONCLUSIVE"
    if v.expected == "false":
        return "REFUTED" if v.verdict == "fail" else "NOT-REFUTED"
    return v.verdict.upper()


def write_junit(results: list[Verification], path: str, elapsed: float) -> None:
    """Write a JUnit XML file: failures for claims not behaving as expected, skips for inconclusive."""
    suite = ET.Element("testsuite", name="nctheory.check", tests=str(len(results)),
                       failures=str(sum(1 for v in results if v.verdict != "inconclusive" and not v.as_expected)),
                       skipped=str(sum(1 for v in results if v.verdict == "inconclusive")),
                       time=f"{elapsed:.3f}")
    for v in results:
        case = ET.SubElement(suite, "testcase", classname=v.claim_id.split("/")[0],
                             name=f"{v.claim_id}[{','.join(map(str, v.problem.sizes))}]", time=f"{v.time_s:.3f}")
        bad = [c for c in v.checks if not c.ok]
        if v.verdict == "inconclusive":
            ET.SubElement(case, "skipped", message="; ".join(v.unmet + v.notes)[:2000] or "inconclusive")
        elif not v.as_expected:
            text = "\n".join(f"{c.quantity}: abs_err={c.abs_err:.3e} rel_err={c.rel_err} tol={c.tol}" for c in bad)
            ET.SubElement(case, "failure", message=f"verdict {v.verdict}, expected claim {v.expected}").text = text
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def run_check(*, json_out: bool = False, junit: str | None = None, quiet: bool = False,
              only: str | None = None, stream=None) -> int:
    """Run the check and return the exit code (see module doc)."""
    stream = stream or sys.stdout
    t0 = time.perf_counter()
    claims = [c for c in all_claims() if not only or c.id.startswith(only)]
    if only and not claims:
        raise ValueError(f"only: no claim id starts with {only!r}")
    jobs = [(c, p) for c in claims for p in c.default_instances()]
    results: list[Verification] = []
    show_progress = not quiet and not json_out and sys.stderr.isatty()
    for i, (claim, problem) in enumerate(jobs, 1):
        if show_progress:
            print(f"\r\033[K[{i}/{len(jobs)}] {claim.id} ...", file=sys.stderr, end="", flush=True)
        v = verify_claim(claim, problem)
        results.append(v)
        if show_progress:
            print("\r\033[K", file=sys.stderr, end="", flush=True)
        if not json_out:
            worst = max((c.rel_err for c in v.checks if c.rel_err is not None), default=float("nan"))
            print(f"{_status(v):<13} {claim.id:<34} K={problem.K:<3} checks={len(v.checks):<3} "
                  f"worst rel err={worst:9.2e}  {v.time_s:6.2f}s", file=stream)
            if not quiet and (v.verdict == "inconclusive" or not v.as_expected):
                for c in v.checks:
                    if not c.ok:
                        print(f"      BAD {c.quantity}: pred={c.predicted} obs={c.observed}", file=stream)
                for n in v.unmet + v.notes:
                    print(f"      note: {n}", file=stream)
    elapsed = time.perf_counter() - t0
    n_ok = sum(v.as_expected for v in results)
    n_inc = sum(v.verdict == "inconclusive" for v in results)
    n_bad = len(results) - n_ok - n_inc
    if json_out:
        json.dump({"results": [v.to_json() for v in results], "summary":
                   {"as_expected": n_ok, "unexpected": n_bad, "inconclusive": n_inc, "time_s": elapsed}},
                  stream, indent=2, default=str)
        stream.write("\n")
    else:
        print(f"\n{len(claims)} claims, {len(results)} instances: {n_ok} as expected, {n_bad} unexpected, "
              f"{n_inc} inconclusive  ({elapsed:.1f} s)", file=stream)
    if junit:
        write_junit(results, junit, elapsed)
    if n_bad:
        return 1
    if n_inc:
        return 3
    return 0
