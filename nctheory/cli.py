"""The ``nctheory`` command line (contract in DESIGN.md).

Exit codes: 0 ok/pass, 1 a claim failed, 2 bad input, 3 inconclusive.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from nctheory import __version__
from nctheory.cli_args import CliError, add_problem_args, is_input_error, problem_from_args

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input in one line (no usage dump) with exit code 2."""

    def error(self, message: str):  # noqa: D401 (argparse API)
        raise CliError(message)


def _json_default(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.bool_):
        return bool(x)
    raise TypeError(f"not JSON serializable: {type(x).__name__}")


def _emit_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, default=_json_default)
    sys.stdout.write("\n")


# --------------------------------------------------------------------- commands
def cmd_claims(args) -> int:
    from nctheory.claims import PROVENANCE, all_claims

    claims = all_claims()
    if args.json:
        _emit_json([c.describe() for c in claims])
        return EXIT_OK
    if not claims:
        print("no claims registered")
        return EXIT_OK
    width = max(len(c.id) for c in claims)
    for c in claims:
        tag = ",".join(c.provenance)
        refute = "  (registered to be refuted)" if c.expected == "false" else ""
        print(f"{c.id:<{width}}  [{tag}]  {c.source}{refute}")
    print(f"\n{len(claims)} claims. Provenance tags: " + "; ".join(f"{k}: {v}" for k, v in PROVENANCE.items()))
    return EXIT_OK


def cmd_solve(args) -> int:
    from nctheory.solvers import solve

    problem = problem_from_args(args)
    sol = solve(problem, method=args.method)
    out = sol.to_json()
    if args.json:
        _emit_json(out)
    else:
        print(f"method     {sol.method}")
        print(f"status     {sol.status}   {sol.message}")
        print(f"objective  {sol.objective:.12g}")
        if sol.lower_bound is not None:
            print(f"lower bnd  {sol.lower_bound:.12g}   gap {sol.gap:.3e}   certified {sol.certified}")
        print(f"time       {sol.time_s:.3f} s   iterations {sol.iterations}")
        print("mean logits (column k = class k):")
        print(np.array2string(np.asarray(sol.logits_mean), precision=5, suppress_small=True))
    if sol.status in ("optimal", "local"):
        return EXIT_OK
    return EXIT_INCONCLUSIVE


def cmd_predict(args) -> int:
    from nctheory.claims import get_claim

    claim = get_claim(args.claim)
    problem = problem_from_args(args)
    unmet = claim.assumptions(problem)
    out = {"claim": claim.id, "applies": not unmet, "unmet": unmet, "quantities": None, "notes": ""}
    if not unmet:
        pred = claim.predict(problem)
        out["quantities"] = pred.quantities
        out["notes"] = pred.notes
    if args.json:
        _emit_json(out)
    else:
        print(f"{claim.id}: {claim.statement}")
        if unmet:
            print("does not apply: " + "; ".join(unmet))
        else:
            for k, v in out["quantities"].items():
                print(f"  {k:<24} {np.array2string(np.asarray(v), precision=8) if np.ndim(v) else v}")
            if out["notes"]:
                print(f"  notes: {out['notes']}")
    return EXIT_OK if not unmet else EXIT_INCONCLUSIVE


def _print_verification(v) -> None:
    mark = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE"}[v.verdict]
    exp = "" if v.expected == "true" else "  (registered to be refuted; " + (
        "refuted as expected)" if v.as_expected else "NOT refuted)")
    print(f"{mark:<12} {v.claim_id}  sizes={list(v.problem.sizes)}  {v.time_s:.2f}s{exp}")
    for c in v.checks:
        ok = "ok " if c.ok else "BAD"
        rel = "      n/a" if c.rel_err is None else f"{c.rel_err:9.2e}"
        print(f"    {ok} {c.quantity:<26} abs {c.abs_err:9.2e}  rel {rel}  "
              f"tol {c.tol['abs']:.0e}+{c.tol['rel']:.0e}·|p|  [{c.method}]")
    for u in v.unmet:
        print(f"    unmet: {u}")
    for n in v.notes:
        print(f"    note: {n}")


def _exit_for(verifications) -> int:
    if any(not v.as_expected and v.verdict != "inconclusive" for v in verifications):
        return EXIT_FAIL
    if any(v.verdict == "inconclusive" for v in verifications):
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def cmd_verify(args) -> int:
    from nctheory.claims import all_claims, get_claim
    from nctheory.verify import verify_claim

    if args.all == (args.claim is not None):
        raise CliError("claim: give one CLAIM id or --all")
    claims = all_claims() if args.all else [get_claim(args.claim)]
    methods = args.method or None
    results = []
    for claim in claims:
        if args.sizes:
            problems = [problem_from_args(args)]
        else:
            problems = claim.default_instances()
        for p in problems:
            v = verify_claim(claim, p, methods=methods)
            results.append(v)
            if not args.json:
                _print_verification(v)
    if args.json:
        out = [v.to_json() for v in results]
        _emit_json(out[0] if len(out) == 1 else out)
    return _exit_for(results)


def _floats(field: str, text: str) -> tuple[float, ...]:
    try:
        vals = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise CliError(f"{field}: expected comma-separated numbers, got {text!r}") from None
    return vals


def cmd_sweep(args) -> int:
    from nctheory.sweep import Grid, run_sweep

    if args.sizes is not None:
        raise CliError("sizes: a sweep builds the sizes from --majority, --minority-classes and --ratios")
    if args.limit is not None and args.limit < 1:
        raise CliError(f"limit: must be >= 1, got {args.limit}")
    args.sizes = "1,1"  # placeholder: every grid point replaces the sizes
    base = problem_from_args(args)
    try:
        n_major, k_major = (int(x) for x in args.majority.split("x"))
    except ValueError:
        raise CliError(f"majority: expected 'NxK' (K classes of N samples), got {args.majority!r}") from None
    grid = Grid(base=base, n_major=n_major, k_major=k_major, k_minor=args.minority_classes,
                ratios=_floats("ratios", args.ratios), lambdas=_floats("lambdas", args.lambdas))
    recs = run_sweep(grid, args.out, claim_id=args.claim, method=args.method, n_jobs=args.jobs,
                     backend=args.backend, progress=None if not args.no_progress else False, limit=args.limit)
    total = len(grid.problems())
    bad = [r for r in recs if r.get("status") not in ("optimal", "local")]
    print(f"{len(recs)}/{total} points in {args.out}; {len(bad)} not solved to optimality")
    if args.claim:
        fails = [r for r in recs if r.get("verdict") == "fail"]
        undecided = [r for r in recs if r.get("verdict") in (None, "inconclusive")]
        print(f"claim {args.claim}: {len(fails)} failing, {len(undecided)} inconclusive points")
        if fails:
            return EXIT_FAIL
        if undecided:
            return EXIT_INCONCLUSIVE
    return EXIT_OK if len(recs) == total and not bad else EXIT_INCONCLUSIVE


def cmd_search(args) -> int:
    from nctheory.claims import get_claim
    from nctheory.search import search

    claim = get_claim(args.claim)
    res = search(claim, budget=args.budget, seed=args.seed, outside=args.outside, max_classes=args.max_classes)
    if args.json:
        _emit_json(res.to_json())
    elif res.counterexample is None:
        where = "outside" if args.outside else "inside"
        print(f"{claim.id}: no counterexample {where} its assumptions in {res.evaluations} instances (seed {args.seed})")
    else:
        print(f"{claim.id}: counterexample after {res.evaluations} instances (seed {args.seed}), shrunk to:")
        print(f"  {res.counterexample}")
        _print_verification(res.verification)
    if res.counterexample is None:
        if res.conclusive == 0:
            print(f"{claim.id}: no instance gave a conclusive verdict: nothing was checked", file=sys.stderr)
            return EXIT_INCONCLUSIVE
        # a claim registered to be refuted that the budget did not refute: undecided, not a pass
        return EXIT_OK if claim.expected == "true" else EXIT_INCONCLUSIVE
    return EXIT_OK if claim.expected == "false" else EXIT_FAIL


def cmd_report(args) -> int:
    from nctheory.report import build_report

    args.sizes = "1,1"  # placeholder: the report builds its own two-cluster family
    base = problem_from_args(args)
    try:
        n_major, k_major = (int(x) for x in args.majority.split("x"))
    except ValueError:
        raise CliError(f"majority: expected 'NxK' (K classes of N samples), got {args.majority!r}") from None
    out = build_report(args.out, base=base, n_major=n_major, k_major=k_major, k_minor=args.minority_classes,
                       ratios=_floats("ratios", args.ratios), curve_claim=args.claim, n_jobs=args.jobs,
                       progress=None if not args.no_progress else False)
    print(f"wrote {out['markdown']} and {out['html']}")
    return EXIT_OK


def cmd_threshold(args) -> int:
    from nctheory.claims.sources import hong_ling

    problem = problem_from_args(args)
    clusters = hong_ling.collapse_clusters(problem)
    if not clusters:
        raise CliError("sizes: need a cluster of at least two equal-size classes (e.g. 500x2,50x3)")
    idx = clusters[-1]
    n_c = problem.sizes[int(idx[0])]
    predicted = hong_ling.threshold_lambda(n_c, problem.N)
    # an asymmetric bracket: with [λ*/c, cλ*] the first log-midpoint is the formula's value itself,
    # where the collapse bool is ambiguous by definition (the bisection would stop inconclusive)
    onset = hong_ling.locate_threshold_lambda(problem, rtol=args.rtol, lo=predicted / 3.1, hi=predicted * 4.7)
    rel = None if onset.value is None else abs(onset.value - predicted) / predicted
    out = {"kind": "hong-ling/lambda", "cluster": [int(i) for i in idx], "cluster_size": n_c,
           "predicted": predicted, "observed": onset.value, "bracket": list(onset.bracket),
           "rel_diff": rel, "conclusive": onset.conclusive, "evaluations": onset.evaluations,
           "message": onset.message}
    if args.json:
        _emit_json(out)
    else:
        print(f"cluster {out['cluster']} (n_c = {n_c}), N = {problem.N}: collapse iff λ ≥ λ*")
        print(f"  predicted λ* = √n_c/N      = {predicted:.12g}")
        if onset.value is None:
            print(f"  observed: inconclusive ({onset.message})")
        else:
            print(f"  observed (bisection)       = {onset.value:.12g}   bracket [{onset.bracket[0]:.12g}, "
                  f"{onset.bracket[1]:.12g}]   rel diff {rel:.2e}   ({onset.evaluations} certified solves)")
    if not onset.conclusive:
        return EXIT_INCONCLUSIVE
    return EXIT_OK if rel <= args.agree else EXIT_FAIL


def cmd_check(args) -> int:
    from nctheory.check import run_check

    return run_check(json_out=args.json, junit=args.junit, quiet=args.quiet, only=args.only)


# ----------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nctheory", description="Check Neural Collapse theorems against certified global solves.")
    parser.add_argument("--version", action="version", version=f"nctheory {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("claims", help="list every registered claim")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("solve", help="solve one model instance to global optimality")
    add_problem_args(p)
    from nctheory.solvers.registry import METHODS

    p.add_argument("--method", choices=METHODS, default="auto")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("predict", help="what a claim predicts for one instance")
    p.add_argument("claim")
    add_problem_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("verify", help="prediction vs independent solves: pass | fail | inconclusive")
    p.add_argument("claim", nargs="?")
    p.add_argument("--all", action="store_true", help="every claim")
    add_problem_args(p, sizes_required=False)
    p.add_argument("--method", action="append", choices=METHODS[1:], help="reference method (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("threshold", help="collapse onset λ* by bisection on certified solves, beside the formula")
    add_problem_args(p)
    p.add_argument("--rtol", type=float, default=1e-7, help="relative width of the final bracket (default 1e-7)")
    p.add_argument("--agree", type=float, default=1e-6,
                   help="pass when |observed - predicted| <= AGREE * predicted (default 1e-6)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_threshold)

    p = sub.add_parser("search", help="hunt for a counterexample to a claim, shrunk to a minimal instance")
    p.add_argument("claim")
    p.add_argument("--budget", type=int, default=30, help="instances to try (default 30)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--outside", action="store_true", help="search outside the claim's assumptions")
    p.add_argument("--max-classes", type=int, default=6)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("sweep", help="grid over imbalance ratio x λ, parallel, resumable (JSON lines)")
    add_problem_args(p, sizes_required=False)
    p.add_argument("--majority", default="500x2", help="majority clusters 'NxK' (default 500x2)")
    p.add_argument("--minority-classes", type=int, default=3, help="number of minority classes (default 3)")
    p.add_argument("--ratios", default="1,2,5,10,20,50", help="imbalance ratios n_A/n_B")
    p.add_argument("--lambdas", default="1e-4,3e-4,1e-3,3e-3", help="values of λ = sqrt(λW λH)")
    p.add_argument("--claim", help="verify this claim at every point")
    p.add_argument("--method", choices=METHODS, default="auto")
    p.add_argument("--jobs", type=int, default=1, help="parallel workers (joblib)")
    p.add_argument("--backend", choices=("loky", "dask"), default="loky")
    p.add_argument("--out", required=True, help="JSON-lines file (appended; resumed if it exists)")
    p.add_argument("--limit", type=int, default=None, help="run at most this many new points")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("report", help="Markdown + HTML report with Gram heatmaps, curves vs ratio, phase diagram")
    add_problem_args(p, sizes_required=False)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--majority", default="500x2", help="majority clusters 'NxK' (default 500x2)")
    p.add_argument("--minority-classes", type=int, default=3)
    p.add_argument("--ratios", default="1.5,2,3,5,10,20,50")
    p.add_argument("--claim", default="hong-ling/angles", help="claim drawn as predicted curves")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_report)

    from nctheory import gallery

    p = sub.add_parser("gallery", help="reproduce the sources' headline figures: predicted curves vs global solves")
    gallery.add_arguments(p)
    p.set_defaults(func=gallery.run_args)

    p = sub.add_parser("check", help="verify every claim at its default instances (the main job)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML for CI")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--only", metavar="PREFIX", help="only claims whose id starts with PREFIX")
    p.set_defaults(func=cmd_check)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.func(args)
    except (CliError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        if isinstance(exc, CliError) or is_input_error(exc):
            print(f"nctheory: error: {msg}", file=sys.stderr)
            return EXIT_BAD_INPUT
        # a ValueError that names no field is a bug of ours, not bad input: say so, don't call it exit 2
        import traceback

        traceback.print_exc()
        print(f"nctheory: internal error (please report): {msg}", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except KeyboardInterrupt:
        print("nctheory: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `nctheory ... --json | head`: the reader went away; not an error of ours
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
