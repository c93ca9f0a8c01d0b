r"""``nctheory threshold``: the collapse onset λ* located by bisection on certified solves, beside
Hong & Ling's formula :math:`\lambda^* = \sqrt{n_c}/N` for the smallest cluster of equal-size classes.

Exit 0 when :math:`|\lambda_{obs} - \lambda^*| \le` ``AGREE`` · λ*, 1 when a conclusive bisection lands
farther away, 3 when the bisection was inconclusive or the time limit stopped it.
"""

from __future__ import annotations

import importlib
import math
import sys

from nctheory.cli.args import CliError, add_json, add_problem_args, add_time_limit, number, problem_from_args
from nctheory.cli.output import emit_json
from nctheory.cli.preflight import preflight
from nctheory.errors import TimeLimitReached


def _hong_ling():
    """The Hong & Ling source module (its package under ``claims.sources``, or the module it moves from)."""
    for name in ("nctheory.claims.sources.hong_ling", "nctheory.claims.hong_ling"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rsplit(".", 1)[0]):
                raise
    raise ImportError("the Hong & Ling claims module is missing")


#: One line for ``nctheory --help``.
HELP = "collapse onset λ* by bisection on certified solves, beside the formula"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("threshold", help=HELP)
    add_problem_args(p)
    p.add_argument("--rtol", type=number, default=1e-7, help="relative width of the final bracket (default 1e-7)")
    p.add_argument("--agree", type=number, default=1e-6,
                   help="pass when |observed - predicted| <= AGREE * predicted (default 1e-6)")
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


def _positive(field: str, value: float, upper: float | None = None) -> float:
    if not (math.isfinite(value) and value > 0):
        raise CliError(f"{field}: must be a finite tolerance > 0, got {value!r}")
    if upper is not None and value >= upper:
        raise CliError(f"{field}: must be < {upper:g}, got {value!r}")
    return value


def run(args) -> int:
    _positive("agree", args.agree)
    _positive("rtol", args.rtol, upper=1.0)
    problem = problem_from_args(args)
    hl = _hong_ling()
    unmet = hl.THRESHOLD.assumptions(problem)  # each message starts with the field it is about
    if unmet:
        raise CliError("; ".join(unmet))
    clusters = hl.collapse_clusters(problem)
    if not clusters:
        raise CliError("sizes: need a cluster of at least two equal-size classes (e.g. 500x2,50x3)")
    preflight(problem, "certified")
    idx = clusters[-1]
    n_c = problem.sizes[int(idx[0])]
    predicted = hl.threshold_lambda(n_c, problem.N)
    out = {"kind": "hong-ling/lambda", "problem": problem.to_dict(), "cluster": [int(i) for i in idx], "cluster_size": n_c, "N": problem.N,
           "predicted": predicted, "observed": None, "bracket": None, "rel_diff": None, "agree": args.agree,
           "conclusive": False, "evaluations": None, "message": ""}
    try:
        # an asymmetric bracket: with [λ*/c, cλ*] the first log-midpoint is the formula's value itself,
        # where the collapse bool is ambiguous by definition (the bisection would stop inconclusive)
        onset = hl.locate_threshold_lambda(problem, rtol=args.rtol, lo=predicted / 3.1, hi=predicted * 4.7)
    except TimeLimitReached:
        out["message"] = (f"time limit of {args.time_budget.seconds:g} s reached during the bisection: no onset located "
                          "(the locator reports no partial bracket)")
    else:
        out.update(observed=onset.value, bracket=list(onset.bracket), conclusive=onset.conclusive,
                   evaluations=onset.evaluations, message=onset.message,
                   rel_diff=None if onset.value is None else abs(onset.value - predicted) / predicted)
    if args.json:
        emit_json(out, command="threshold")
    else:
        print(f"cluster {out['cluster']} (n_c = {n_c}), N = {problem.N}: collapse iff λ ≥ λ*")
        print(f"  predicted λ* = √n_c/N      = {predicted:.12g}")
        if out["observed"] is None:
            print(f"  observed: INCONCLUSIVE ({out['message']})")
        else:
            lo, hi = out["bracket"]
            verdict = "PASS" if out["rel_diff"] <= args.agree else "FAIL"
            print(f"  observed (bisection)       = {out['observed']:.12g}   bracket [{lo:.12g}, {hi:.12g}]   "
                  f"rel diff {out['rel_diff']:.2e}   ({out['evaluations']} certified solves)")
            print(f"{verdict} certified: |observed - predicted| {'<=' if verdict == 'PASS' else '>'} "
                  f"{args.agree:g} · predicted")
    if not out["conclusive"] or out["observed"] is None:
        if args.time_budget.expired():
            print(f"nctheory: {out['message']}", file=sys.stderr)
        return 3
    return 0 if out["rel_diff"] <= args.agree else 1
