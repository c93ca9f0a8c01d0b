r"""``nctheory check``: verify every registered claim at its default instances (the main job).

One line per (claim, instance)::

    PASS         certified   zhu/balanced-ce     sizes=20x4 λW=0.005 λH=0.005 bias=none loss=ce  checks=4  worst rel err 1.2e-09  rel gap 3.1e-13  0.21s

an inconclusive line is followed by its reason; a number that does not exist prints ``n/a`` (explained
once under the table).  Then a summary with the count of each verdict.

``--json``: ``{"results": [Verification.to_json(), ...], "summary": {...}}`` (no progress output).
``--junit FILE``: one ``<testcase>`` per (claim, instance), named with the instance so names are unique,
with ``<properties>`` (verdict, certified, worst errors, gap, reason); a ``<failure>`` only for a claim
that behaved unexpectedly (exit code 1), ``<skipped>`` for undecided verdicts (inconclusive; consistent
under ``--require-certified``; a claim registered to be refuted that was not refuted uncertified).

Exit code: 1 if any claim behaved unexpectedly, else 3 if any is undecided or the time limit stopped the
check, else 0.  :func:`run_check` is the same as a Python function.
"""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter

from nctheory.cli.args import add_claims_option, add_json, add_require_certified, add_time_limit
from nctheory.cli.budget import Budget
from nctheory.cli.output import emit_json
from nctheory.cli.paths import check_output_file
from nctheory.cli.verdicts import (NA_EXPLANATION, certified_tag, combined_exit, describe_instance, detail_lines,
                                   fmt, label, worst_abs_err, worst_rel_err, worst_rel_gap)
from nctheory.errors import TimeLimitReached
from nctheory.progress import Progress

VERDICT_NAMES = ("pass", "consistent", "fail", "inconclusive")


#: One line for ``nctheory --help``.
HELP = "verify every claim at its default instances (the main job)"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("check", help=HELP)
    add_json(p)
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML for CI")
    p.add_argument("--quiet", action="store_true", help="one line per instance, no details")
    p.add_argument("--only", metavar="PREFIX", help="only claims whose id starts with PREFIX")
    add_claims_option(p)
    add_require_certified(p)
    add_time_limit(p)
    p.set_defaults(func=run)


def run(args) -> int:
    return run_check(json_out=args.json, junit=args.junit, quiet=args.quiet, only=args.only,
                     require_certified=args.require_certified, budget=args.time_budget)


# ------------------------------------------------------------------------------------ names
def case_names(results) -> list[str]:
    """Unique JUnit test names ``claim[instance]`` (``#2``, ``#3`` appended to exact repeats)."""
    seen: Counter = Counter()
    names = []
    for v in results:
        base = f"{v.claim_id}[{describe_instance(v.problem)}]"
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return names


def _line(v, require_certified: bool) -> str:
    checks = len(v.checks)
    return (f"{label(v):<12} {certified_tag(v):<11} {v.claim_id:<30} {describe_instance(v.problem)}  "
            f"checks={checks}  worst rel err {fmt(worst_rel_err(v), '.1e')}  rel gap {fmt(worst_rel_gap(v), '.1e')}"
            f"  {v.time_s:.2f}s")


# ------------------------------------------------------------------------------------ JUnit
def write_junit(results, path: str, elapsed: float, *, require_certified: bool = False,
                stopped: str | None = None) -> None:
    """JUnit XML (module doc)."""
    codes = [v.exit_code(require_certified=require_certified) for v in results]
    suite = ET.Element("testsuite", name="nctheory.check", tests=str(len(results)),
                       failures=str(codes.count(1)), errors="0", skipped=str(codes.count(3)), time=f"{elapsed:.3f}")
    if stopped:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="stopped", value=stopped)
    for v, name, code in zip(results, case_names(results), codes):
        case = ET.SubElement(suite, "testcase", classname=v.claim_id.split("/")[0], name=name, time=f"{v.time_s:.3f}")
        props = ET.SubElement(case, "properties")
        for key, value in (("verdict", v.verdict.value), ("label", label(v)), ("certified", str(v.certified).lower()),
                           ("expected", v.expected.value), ("worst_rel_err", fmt(worst_rel_err(v), ".3e")),
                           ("worst_abs_err", fmt(worst_abs_err(v), ".3e")), ("rel_gap", fmt(worst_rel_gap(v), ".3e")),
                           ("reason", v.reason or "")):
            ET.SubElement(props, "property", name=key, value=value)
        if code == 1:
            bad = "\n".join(c.explain() for c in v.failing_checks())
            why = v.reason or ""
            ET.SubElement(case, "failure", message=f"{label(v)}: verdict {v.verdict.value} for a claim registered "
                                                   f"{v.expected.value}; {why}"[:2000]).text = bad
        elif code == 3:
            ET.SubElement(case, "skipped", message=f"{label(v)} ({certified_tag(v)}): "
                                                   f"{v.reason or 'undecided'}"[:2000])
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


# ------------------------------------------------------------------------------------ the check
def summary(results, codes, elapsed: float, total: int, stopped: str | None) -> dict:
    counts = Counter(v.verdict.value for v in results)
    return {"verdicts": {k: counts.get(k, 0) for k in VERDICT_NAMES},
            "as_expected": codes.count(0), "unexpected": codes.count(1), "undecided": codes.count(3),
            # kept from the previous schema: verdicts 'inconclusive' only
            "inconclusive": counts.get("inconclusive", 0),
            "certified": sum(bool(v.certified) for v in results),
            "instances": total, "completed": len(results), "stopped": stopped, "time_s": elapsed}


def run_check(*, json_out: bool = False, junit: str | None = None, quiet: bool = False, only: str | None = None,
              require_certified: bool = False, budget: Budget | None = None, stream=None,
              progress: bool | None = None) -> int:
    """Run the check and return the exit code (module doc).

    Parameters
    ----------
    json_out, junit, quiet, only, require_certified
        As the command's options.
    budget : Budget, optional
        Wall-clock budget (``--time-limit``); unlimited by default.
    stream : file, optional
        Where the text or JSON goes (default stdout).
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal, never with ``json_out``).
    """
    stream = stream or sys.stdout
    budget = budget or Budget(None)
    if junit:
        check_output_file("junit", junit)
    from nctheory.claims import all_claims

    t0 = time.perf_counter()
    claims = [c for c in all_claims() if not only or c.id.startswith(only)]
    if only is not None and not claims:
        raise ValueError(f"only: no claim id starts with {only!r}")
    jobs = [(c, p) for c in claims for p in c.default_instances()]
    from nctheory.verify import verify_claim

    results, codes = [], []
    stopped = None
    show = (not json_out and not quiet) if progress is None else (bool(progress) and not json_out)
    with Progress(len(jobs), "check", enabled=None if show else False) as bar:
        def emit(line: str) -> None:
            bar.write(line, file=stream)

        for i, (claim, problem) in enumerate(jobs):
            try:
                budget.check()
                v = verify_claim(claim, problem, solver_options=budget.solver_options())
            except TimeLimitReached:
                stopped = (f"time limit of {budget.seconds:g} s reached after {i}/{len(jobs)} instances "
                           f"(next: {claim.id})")
                break
            results.append(v)
            codes.append(v.exit_code(require_certified=require_certified))
            bar.update(note=claim.id)
            if not json_out:
                emit(_line(v, require_certified))
                if v.verdict.value == "inconclusive" and quiet:
                    emit(f"    reason: {v.reason}")
                elif not quiet and (codes[-1] != 0 or v.verdict.value == "inconclusive"):
                    for line in detail_lines(v):
                        emit(line)
    elapsed = time.perf_counter() - t0
    summ = summary(results, codes, elapsed, len(jobs), stopped)
    if json_out:
        emit_json({"only": only, "results": [v.to_json() for v in results], "summary": summ}, stream, command="check")
    else:
        notes = []
        if any(worst_rel_err(v) is None for v in results):
            notes.append(NA_EXPLANATION)
        if any(worst_rel_gap(v) is None for v in results):
            notes.append("rel gap n/a: no reference solve carried a certificate")
        if notes:
            print("\n" + "; ".join(notes), file=stream)
        per = ", ".join(f"{summ['verdicts'][k]} {k}" for k in VERDICT_NAMES)
        print(f"\n{len(claims)} claims, {len(results)}/{len(jobs)} instances: {per}; {summ['as_expected']} as "
              f"expected, {summ['unexpected']} unexpected, {summ['undecided']} undecided  ({elapsed:.1f} s)",
              file=stream)
        if stopped:
            print(f"stopped: {stopped}", file=stream)
    if junit:
        write_junit(results, junit, elapsed, require_certified=require_certified, stopped=stopped)
    code = combined_exit(codes)
    if stopped and code == 0:
        return 3
    return code
