"""Argument parsing shared by the CLI commands: the model options that build a Problem."""

from __future__ import annotations

import argparse

from nctheory.errors import is_input_error  # noqa: F401 (re-exported for the CLI)
from nctheory.model import Problem, parse_sizes
from nctheory.model.losses import loss_names
from nctheory.model.options import Constraint


class CliError(ValueError):
    """Bad command-line input: printed as one line, exit code 2."""


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def add_problem_args(p: argparse.ArgumentParser, *, sizes_required: bool = True) -> None:
    """Add the model options (catalogue §0 canonical convention) to a sub-parser."""
    g = p.add_argument_group("model (canonical convention: (λ/2) penalties, feature penalty summed over samples)")
    g.add_argument("--sizes", required=sizes_required, metavar="SIZES",
                   help="class sizes: '200,100,50,50' or '500x5,100x5' (5 classes of 500, then 5 of 100)")
    g.add_argument("--loss", choices=loss_names(), default="ce")
    g.add_argument("--lambda-w", type=_float, default=5e-4, metavar="λW", help="classifier penalty (default 5e-4)")
    g.add_argument("--lambda-h", type=_float, default=5e-4, metavar="λH", help="feature penalty (default 5e-4)")
    b = g.add_mutually_exclusive_group()
    b.add_argument("--lambda-b", type=_float, default=None, metavar="λb", help="regularized bias with this penalty")
    b.add_argument("--free-bias", action="store_true", help="unpenalised bias")
    g.add_argument("--relu", action="store_true", help="non-negative (ReLU) features")
    g.add_argument("--fixed-etf", action="store_true", help="fixed simplex-ETF classifier (only H is learned)")
    g.add_argument("--depth", type=_int, default=1, metavar="M", help="number of linear classifier layers")
    g.add_argument("--dim", type=_int, default=None, metavar="d", help="feature dimension (default: large enough)")
    g.add_argument("--constraint", choices=[c.value for c in Constraint], default="penalty",
                   help="penalty (default) | average (Fang's layer-peeled) | per-sample (Yang, fixed ETF)")
    g.add_argument("--e-w", type=_float, default=None, metavar="EW", help="classifier norm budget")
    g.add_argument("--e-h", type=_float, default=None, metavar="EH", help="feature norm budget")


def problem_from_args(args: argparse.Namespace) -> Problem:
    """Build a validated Problem; ValueError naming the field on bad input."""
    if args.lambda_b is not None:
        bias, lambda_b = "regularized", args.lambda_b
    elif args.free_bias:
        bias, lambda_b = "free", 0.0
    else:
        bias, lambda_b = "none", 0.0
    return Problem(
        sizes=parse_sizes(args.sizes),
        lambda_w=args.lambda_w,
        lambda_h=args.lambda_h,
        loss=args.loss,
        bias=bias,
        lambda_b=lambda_b,
        features="relu" if args.relu else "free",
        classifier="fixed-etf" if args.fixed_etf else "learned",
        depth=args.depth,
        d=args.dim,
        constraint=args.constraint,
        e_w=args.e_w,
        e_h=args.e_h,
    )

