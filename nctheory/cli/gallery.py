"""``nctheory gallery``: the sources' headline figures, predicted curves vs global solves
(:mod:`nctheory.gallery`; its options and exit codes)."""

from __future__ import annotations

from nctheory.cli.paths import check_output_dir


#: One line for ``nctheory --help``.
HELP = "reproduce the sources' headline figures: predicted curves vs global solves"


def add_parser(sub, *, lazy: bool = False) -> None:
    from nctheory import gallery

    p = sub.add_parser("gallery", help=HELP)
    gallery.add_arguments(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from nctheory import gallery

    if args.out and not args.list:
        check_output_dir("out", args.out)
    return gallery.run_args(args)
