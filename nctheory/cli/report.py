"""``nctheory report``: a Markdown and an HTML report with figures (:mod:`nctheory.present.report`).

The report builds its own instances (a two-cluster family from ``--majority``, ``--minority-classes``
and ``--ratios``; its own λ grid for the phase diagram), so ``--sizes`` is not an option here.
"""

from __future__ import annotations

from nctheory.cli.args import add_problem_args, integer, problem_from_args
from nctheory.cli.paths import check_output_dir
from nctheory.cli.sweep import floats, majority


#: One line for ``nctheory --help``.
HELP = "Markdown + HTML report with Gram heatmaps, curves vs ratio, phase diagram"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("report", help=HELP)
    add_problem_args(p, sizes="none")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--majority", default="500x2", help="majority clusters 'NxK' (default 500x2)")
    p.add_argument("--minority-classes", type=integer, default=3)
    p.add_argument("--ratios", default="1.5,2,3,5,10,20,50")
    p.add_argument("--claim", default="hong-ling/angles", help="claim drawn as predicted curves")
    p.add_argument("--jobs", type=integer, default=1)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from nctheory.cli.args import CliError

    n_major, k_major = majority(args.majority)
    if args.minority_classes < 1:
        raise CliError(f"minority_classes: must be >= 1, got {args.minority_classes}")
    if args.jobs < 1:
        raise CliError(f"jobs: must be >= 1, got {args.jobs}")
    ratios = floats("ratios", args.ratios)
    base = problem_from_args(args, sizes=(n_major,) * k_major + (1,) * args.minority_classes)
    check_output_dir("out", args.out)
    from nctheory.claims import get_claim

    get_claim(args.claim)  # an unknown claim is bad input before anything is drawn
    from nctheory.present.report import build_report

    out = build_report(args.out, base=base, n_major=n_major, k_major=k_major, k_minor=args.minority_classes,
                       ratios=ratios, curve_claim=args.claim, n_jobs=args.jobs,
                       progress=None if not args.no_progress else False)
    print(f"wrote {out['markdown']} and {out['html']}")
    return 0
