"""``nctheory diagnose FILE``: Neural Collapse diagnostics of a network's own arrays (keys in
:mod:`nctheory.present.diagnose`: ``source, N, d, K, counts, dtypes, ignored_keys, options, nc1, nc2, nc3,
nc4, grams, per_class, clusters, claim, notes``).

FILE is an ``.npz`` archive, a folder of ``.npy`` files, or several ``.npy`` files, holding ``features``
(N × d, one row per sample), ``labels`` (N,) and optionally ``classifier`` (K × d) and ``bias`` (K,).
``--claim CLAIM`` with the model options of ``predict`` (but not ``--sizes``: the class sizes are the data's)
shows the claim's prediction beside the arrays.

Exit 0; 3 when ``--claim`` was given and its assumptions are unmet at the data's class sizes; 2 on bad input
(an unreadable file, a missing key, shapes that do not match, NaN, labels out of range, pickled arrays).
"""

from __future__ import annotations

import os

from nctheory.cli.args import CliError, add_claims_option, add_json, add_problem_args, given_model_options

#: One line for ``nctheory --help``.
HELP = "NC diagnostics of a network's own arrays (features, labels, classifier), optionally beside a claim"

#: Figure formats ``--plot`` writes (matplotlib picks the format from the suffix).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("diagnose", help=HELP, description=__doc__.split("\n\n")[1].replace("\n", " "))
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="an .npz archive, a folder of .npy files, or .npy files named features, labels, classifier, "
                        "bias")
    p.add_argument("--key", action="append", default=[], metavar="NAME=KEY",
                   help="read array NAME (features, labels, classifier, bias) from key KEY of the archive; repeatable")
    p.add_argument("--num-classes", type=int, default=None, metavar="K",
                   help="number of classes, checked against labels and classifier (default: the classifier's rows "
                        "or max label + 1)")
    p.add_argument("--clusters", default=None, metavar="SPEC",
                   help="groups of classes for minority collapse, ';' between groups, e.g. '0-4;5-9' or '0,2;1,3' "
                        "(default: classes with equal sample counts)")
    p.add_argument("--center", choices=("global", "class", "none"), default="global",
                   help="centre the class means by the global sample mean (default, Papyan et al.), by the mean of "
                        "the class means, or not at all")
    p.add_argument("--weighting", choices=("sample", "class"), default="sample",
                   help="NC1 covariance weighting (default sample: Papyan et al.)")
    p.add_argument("--radians", action="store_true", help="angles in radians (default degrees)")
    p.add_argument("--no-bias", action="store_true", help="leave the bias out of the classifier's decisions (NC4)")
    g = p.add_argument_group("claim (optional): its prediction at the data's class sizes beside the arrays")
    g.add_argument("--claim", default=None, metavar="CLAIM", help="a claim id (see nctheory claims)")
    add_problem_args(p, sizes="none")
    add_claims_option(p)
    add_json(p)
    p.add_argument("--plot", default=None, metavar="FILE.png", help="write the figure to this file (.png, .pdf, .svg)")
    p.set_defaults(func=run)


def _keys(items) -> dict:
    out = {}
    for item in items:
        name, sep, key = item.partition("=")
        if not sep or not name or not key:
            raise CliError(f"key: expected NAME=KEY (e.g. features=feats), got {item!r}")
        if name in out:
            raise CliError(f"key: {name!r} given twice")
        out[name] = key
    return out


def _model(args) -> dict:
    """The claim's model options as Problem fields (as ``predict`` reads them, without sizes)."""
    from nctheory.cli.args import DEFAULT_LAMBDA, bias_from_args

    bias, lambda_b = bias_from_args(args)
    out = dict(lambda_w=DEFAULT_LAMBDA if args.lambda_w is None else args.lambda_w,
               lambda_h=DEFAULT_LAMBDA if args.lambda_h is None else args.lambda_h, loss=args.loss, bias=bias,
               lambda_b=lambda_b, features="relu" if args.relu else "free",
               classifier="fixed-etf" if args.fixed_etf else "learned", depth=args.depth, constraint=args.constraint,
               e_w=args.e_w, e_h=args.e_h)
    if args.dim is not None:
        out["d"] = args.dim
    return out


def run(args) -> int:
    if args.claim is None:
        given = given_model_options(args)
        if given:
            raise CliError(f"claim: {', '.join(given)} set the model of a claim; give --claim CLAIM (or drop them)")
    plot = args.plot
    if plot is not None:
        from nctheory.cli.paths import check_output_file

        if os.path.splitext(plot)[1].lower() not in PLOT_SUFFIXES:
            raise CliError(f"plot: {plot!r} must end in {', '.join(PLOT_SUFFIXES)}")
        check_output_file("plot", plot)
    from nctheory.present.diagnose import diagnose, parse_cluster_spec

    source = args.files[0] if len(args.files) == 1 else list(args.files)
    clusters = None if args.clusters is None else parse_cluster_spec(args.clusters)
    diag = diagnose(source, keys=_keys(args.key) or None, num_classes=args.num_classes, clusters=clusters,
                    center=args.center, weighting=args.weighting, angle_unit="rad" if args.radians else "deg",
                    use_bias=not args.no_bias, claim=args.claim,
                    model=_model(args) if args.claim is not None else None)
    if plot is not None:
        diag.plot(plot)
    if args.json:
        from nctheory.cli.output import emit_json

        emit_json(diag.to_json(), command="diagnose")
    else:
        print(diag.text())
        if plot is not None:
            print(f"\nfigure: {plot}")
    claim = diag["claim"]
    return 3 if claim is not None and not claim["applies"] else 0
