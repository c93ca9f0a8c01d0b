"""``nctheory sweep``: a grid over imbalance ratio × λ, parallel and resumable (:mod:`nctheory.explore.sweep`).

The sizes come from ``--majority NxK``, ``--minority-classes`` and ``--ratios`` (so ``--sizes`` is not an
option here).  λ = √(λ_W λ_H) takes the values of ``--lambdas`` at λ_W = λ_H, or -- with ``--lambda-w``
/ ``--lambda-h`` instead -- the one value those set (their ratio kept); both together are refused.

Exit code: without ``--claim``, 0 when every point was solved to optimality, else 3; with ``--claim``, 1 if
any point behaved unexpectedly, else 3 if any is undecided (``consistent`` too under
``--require-certified``), missing or unsolved, else 0.  A ``--time-limit`` stop exits 3 (1 if a point
already failed) after saving every finished point.

``--backend dask`` runs the points on a ``dask.distributed`` cluster (:mod:`nctheory.explore.sweep_dask`):
the scheduler at ``--scheduler ADDRESS``, or a local cluster of ``--jobs`` workers (default 2, one thread
each) started for the sweep and closed after it.  The records are those the default ``loky`` backend
writes.  Without the optional ``distributed`` package, or when no scheduler answers at the address, the
command exits 2 with one line.
"""

from __future__ import annotations

import math
import sys

from nctheory.cli.args import (add_method, CliError, add_claims_option, add_json, add_problem_args, add_require_certified,
                               add_time_limit, integer, problem_from_args)
from nctheory.cli.output import emit_json
from nctheory.cli.paths import check_output_file
from nctheory.cli.preflight import preflight
from nctheory.errors import TimeLimitReached

DEFAULT_LAMBDAS = "1e-4,3e-4,1e-3,3e-3"


#: One line for ``nctheory --help``.
HELP = "grid over imbalance ratio x λ, parallel, resumable (JSON lines)"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("sweep", help=HELP)
    add_problem_args(p, sizes="none")
    g = p.add_argument_group("grid")
    g.add_argument("--majority", default="500x2", help="majority clusters 'NxK' (K classes of N; default 500x2)")
    g.add_argument("--minority-classes", type=integer, default=3, help="number of minority classes (default 3)")
    g.add_argument("--ratios", default="1,2,5,10,20,50", help="imbalance ratios n_A/n_B (>= 1)")
    g.add_argument("--lambdas", default=None,
                   help=f"values of λ = sqrt(λW λH) at λW = λH (default {DEFAULT_LAMBDAS}); not with --lambda-w/-h")
    p.add_argument("--claim", help="verify this claim at every point (on the point's one solve)")
    add_method(p, lazy=lazy, help="solver (default auto: the claim's reference, else the exact one)")
    p.add_argument("--jobs", type=integer, default=None,
                   help="parallel workers: loky processes (default 1, in-process), or the workers of the local "
                        "dask cluster (default 2, one thread each)")
    p.add_argument("--backend", choices=("loky", "dask"), default="loky",
                   help="loky: processes on this machine (joblib); dask: tasks on a dask.distributed cluster, "
                        "a local one or --scheduler's (needs pip install 'nctheory[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="with --backend dask: run on the dask scheduler at ADDRESS (e.g. tcp://host:8786) instead "
                        "of a local cluster; the wait for it is dask's distributed.comm.timeouts.connect")
    p.add_argument("--out", required=True, help="sweep file, JSON lines (created, or resumed if it is one)")
    p.add_argument("--limit", type=integer, default=None, help="run at most this many new points")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_claims_option(p)
    add_require_certified(p)
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


def floats(field: str, text: str) -> tuple[float, ...]:
    """Comma-separated finite numbers; ValueError ``<field>: ...``."""
    try:
        vals = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise CliError(f"{field}: expected comma-separated numbers, got {text!r}") from None
    bad = [x for x in vals if not math.isfinite(x)]
    if bad:
        raise CliError(f"{field}: values must be finite, got {bad[0]!r}")
    return vals


def majority(text: str) -> tuple[int, int]:
    """``'NxK'`` -> ``(N, K)`` with both >= 1; ValueError ``majority: ...``."""
    parts = text.split("x")
    try:
        n, k = (int(x) for x in parts)
    except ValueError:
        raise CliError(f"majority: expected 'NxK' (K classes of N samples), got {text!r}") from None
    if n < 1 or k < 1:
        raise CliError(f"majority: N and K must be >= 1, got {text!r}")
    return n, k


def grid_from_args(args):
    """The :class:`~nctheory.explore.sweep.Grid` of the options (module doc for λ)."""
    explicit = [flag for flag, v in (("--lambda-w", args.lambda_w), ("--lambda-h", args.lambda_h)) if v is not None]
    if args.lambdas is not None and explicit:
        raise CliError(f"lambdas: --lambdas sweeps λ at λW = λH and conflicts with {' and '.join(explicit)}; "
                       "give one or the other")
    n_major, k_major = majority(args.majority)
    if args.minority_classes < 1:
        raise CliError(f"minority_classes: must be >= 1, got {args.minority_classes}")
    base = problem_from_args(args, sizes=(n_major,) * k_major + (1,) * args.minority_classes)
    lambdas = (base.lam,) if explicit else floats("lambdas", args.lambdas or DEFAULT_LAMBDAS)
    ratios = floats("ratios", args.ratios)
    from nctheory.explore.sweep import Grid

    return Grid(base=base, n_major=n_major, k_major=k_major, k_minor=args.minority_classes,
                ratios=ratios, lambdas=lambdas)


def record_exit(rec: dict, claim, require_certified: bool) -> int:
    """The verify exit code of one record (3 for a point without a verdict)."""
    from nctheory.verify import Verdict, exit_code

    if rec.get("status") in (None, "error") or rec.get("verdict") is None:
        return 3
    expected = rec.get("expected") or claim.expected.value
    return exit_code(Verdict(rec["verdict"]), expected == "true", require_certified=require_certified)


def run(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise CliError(f"jobs: must be >= 1, got {args.jobs}")
    if args.scheduler is not None and args.backend != "dask":
        raise CliError("scheduler: --scheduler is the address of a dask scheduler; it needs --backend dask")
    if args.scheduler is not None and args.jobs is not None:
        raise CliError("jobs: --jobs sets the workers of a local dask cluster; the cluster behind --scheduler "
                       "has its own")
    if args.backend == "dask":
        from nctheory.explore.sweep_dask import require_distributed

        require_distributed()  # one line naming the extra, before anything else is loaded
    if args.limit is not None and args.limit < 1:
        raise CliError(f"limit: must be >= 1, got {args.limit}")
    if args.require_certified and not args.claim:
        raise CliError("require_certified: applies to the verdicts of --claim; give a claim")
    check_output_file("out", args.out)
    from nctheory.explore.sweep_file import read_done, scan

    scan(args.out)  # not a sweep file (or a damaged one): refused before any claim or solver is loaded
    grid = grid_from_args(args)
    points = grid.problems()
    claim = None
    method = args.method
    if args.claim:
        from nctheory.claims import get_claim

        claim = get_claim(args.claim)
        if method == "auto":
            method = claim.reference_for(points[0][1])
    preflight(points[0][1], method)
    from nctheory.explore.sweep import run_sweep

    budget = args.time_budget
    stopped = None
    try:
        recs = run_sweep(grid, args.out, claim_id=args.claim, method=args.method, n_jobs=args.jobs,
                         backend=args.backend, scheduler=args.scheduler,
                         progress=False if (args.no_progress or args.json) else None,
                         limit=args.limit, claim_files=tuple(args.claims), deadline=budget.deadline)
    except TimeLimitReached as exc:
        stopped = f"time limit of {budget.seconds:g} s reached {exc.where}".strip()
        from nctheory.explore.sweep import point_key

        done = read_done(args.out)
        keys = [point_key(p, args.claim, args.method) for _, p in points]
        recs = [done[k] for k in keys if k in done]
    total = len(points)
    bad = [r for r in recs if r.get("status") not in ("optimal", "local")]
    summary = {"grid": {"base": grid.base.to_dict(), "n_major": grid.n_major, "k_major": grid.k_major,
                        "k_minor": grid.k_minor, "ratios": list(grid.ratios), "lambdas": list(grid.lambdas)},
               "method": args.method, "out": args.out, "points": len(recs), "total": total, "not_optimal": len(bad),
               "stopped": stopped, "claim": args.claim}
    codes = []
    if claim is not None:
        codes = [record_exit(r, claim, args.require_certified) for r in recs]
        summary.update(failing=codes.count(1), undecided=codes.count(3),
                       verdicts={v: sum(r.get("verdict") == v for r in recs)
                                 for v in ("pass", "consistent", "fail", "inconclusive")})
    if args.json:
        emit_json(summary, command="sweep")
    else:
        print(f"{len(recs)}/{total} points in {args.out}; {len(bad)} not solved to optimality")
        if claim is not None:
            per = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items())
            print(f"claim {args.claim}: {per}; {summary['failing']} failing, {summary['undecided']} undecided points")
        if stopped:
            print(f"stopped: {stopped}; rerun the same command to resume", file=sys.stderr)
    if claim is not None:
        if 1 in codes:
            return 1
        return 3 if (3 in codes or len(recs) < total or stopped) else 0
    return 0 if (len(recs) == total and not bad and not stopped) else 3
