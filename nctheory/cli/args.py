"""The options the commands share: the model options that build a :class:`~nctheory.model.Problem`,
``--claims``, ``--time-limit``, ``--require-certified`` and ``--json``.

Number options are parsed strictly: a value that is not a number, or a decimal that overflows float64
(``1e400``), is rejected by argparse with the option's name; range checks are the model's
(``lambda_w: must be finite``, ``d: must be between 1 and ...``), so the CLI and the Python API give the
same messages.
"""

from __future__ import annotations

import argparse
import math
import os

from nctheory.model import Problem, parse_sizes
from nctheory.model.losses import loss_names
from nctheory.model.options import Constraint

#: Penalties used when ``--lambda-w`` / ``--lambda-h`` are not given (the contract's defaults).
DEFAULT_LAMBDA = 5e-4


class CliError(ValueError):
    """Bad command-line input: printed as one line, exit code 2 (the message starts with the field)."""


def number(text: str) -> float:
    """A float64 from the command line (``nan``/``inf`` pass through to the model's range checks)."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if math.isinf(v) and "inf" not in text.lower():
        raise argparse.ArgumentTypeError(f"{text!r} overflows float64 (largest finite value ~1.8e308)")
    return v


def integer(text: str) -> int:
    """An int from the command line (``1e12`` is not an integer literal)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def add_problem_args(p: argparse.ArgumentParser, *, sizes: str = "required") -> None:
    """Add the model options (canonical convention) to a sub-parser.

    ``sizes``: ``"required"``, ``"optional"`` or ``"none"`` (the command builds its own sizes, so the
    option is not offered at all and argparse rejects it).
    """
    g = p.add_argument_group("model (canonical convention: (λ/2) penalties, feature penalty summed over samples)")
    if sizes != "none":
        g.add_argument("--sizes", required=sizes == "required", metavar="SIZES",
                       help="class sizes: '200,100,50,50' or '500x5,100x5' (5 classes of 500, then 5 of 100)")
    g.add_argument("--loss", choices=loss_names(), default="ce")
    g.add_argument("--loss-param", action="append", default=None, metavar="NAME=VALUES", dest="loss_param",
                   help="a parameter of the loss, repeatable: 'epsilon=0.1' (ce-ls), 'omega=1,0.5,2' (vs: one "
                        "value per class)")
    g.add_argument("--lambda-w", type=number, default=None, metavar="λW",
                   help=f"classifier penalty (default {DEFAULT_LAMBDA:g})")
    g.add_argument("--lambda-h", type=number, default=None, metavar="λH",
                   help=f"feature penalty (default {DEFAULT_LAMBDA:g})")
    b = g.add_mutually_exclusive_group()
    b.add_argument("--lambda-b", type=number, default=None, metavar="λb", help="regularized bias with this penalty")
    b.add_argument("--free-bias", action="store_true", help="unpenalised bias")
    g.add_argument("--relu", action="store_true", help="non-negative (ReLU) features")
    g.add_argument("--fixed-etf", action="store_true", help="fixed simplex-ETF classifier (only H is learned)")
    g.add_argument("--depth", type=integer, default=1, metavar="M", help="number of linear classifier layers")
    g.add_argument("--dim", type=integer, default=None, metavar="d", help="feature dimension (default: large enough)")
    g.add_argument("--constraint", choices=[c.value for c in Constraint], default="penalty",
                   help="penalty (default) | average (Fang's layer-peeled) | per-sample (Yang, fixed ETF)")
    g.add_argument("--e-w", type=number, default=None, metavar="EW", help="classifier norm budget")
    g.add_argument("--e-h", type=number, default=None, metavar="EH", help="feature norm budget")


#: Model options (argparse dest -> (flag, default)): used to refuse model options a command would ignore.
MODEL_OPTIONS = {
    "loss": ("--loss", "ce"), "loss_param": ("--loss-param", None), "lambda_w": ("--lambda-w", None), "lambda_h": ("--lambda-h", None),
    "lambda_b": ("--lambda-b", None), "free_bias": ("--free-bias", False), "relu": ("--relu", False),
    "fixed_etf": ("--fixed-etf", False), "depth": ("--depth", 1), "dim": ("--dim", None),
    "constraint": ("--constraint", "penalty"), "e_w": ("--e-w", None), "e_h": ("--e-h", None),
}


def given_model_options(args: argparse.Namespace) -> list[str]:
    """The model options (flags) set to something other than their defaults."""
    return [flag for dest, (flag, default) in MODEL_OPTIONS.items()
            if hasattr(args, dest) and getattr(args, dest) != default]


def loss_from_args(args: argparse.Namespace):
    """``--loss`` alone, or with ``--loss-param NAME=VALUES`` the dict ``{"name": ..., NAME: value, ...}`` (one
    number: a scalar; several, comma-separated: a per-class tuple); the loss checks names and values."""
    given = getattr(args, "loss_param", None)
    if not given:
        return args.loss
    spec = {"name": args.loss}
    for item in given:
        key, sep, text = item.partition("=")
        if not sep or not key or not text:
            raise CliError(f"loss_param: expected NAME=VALUES (e.g. epsilon=0.1), got {item!r}")
        try:
            values = [number(v) for v in text.split(",")]
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"loss_param: {key}: {exc}") from None
        spec[key] = values[0] if len(values) == 1 and "," not in text else tuple(values)
    return spec


def bias_from_args(args: argparse.Namespace) -> tuple[str, float]:
    r"""The bias option and :math:`\lambda_b` from ``--lambda-b`` / ``--free-bias``: regularized when a
    :math:`\lambda_b` is given, else free with ``--free-bias``, else none (:math:`\lambda_b = 0` for both)."""
    if args.lambda_b is not None:
        return "regularized", args.lambda_b
    if args.free_bias:
        return "free", 0.0
    return "none", 0.0


def problem_from_args(args: argparse.Namespace, *, sizes=None) -> Problem:
    """Build a validated Problem from the model options; ValueError naming the field on bad input.

    ``sizes`` (a tuple) replaces ``--sizes`` for commands that build their own.
    """
    bias, lambda_b = bias_from_args(args)
    if sizes is None:
        text = getattr(args, "sizes", None)
        if text is None:
            raise CliError("sizes: class sizes are required here (--sizes '200,100,50,50' or '500x5,100x5')")
        sizes = parse_sizes(text)
    return Problem(
        sizes=sizes,
        lambda_w=DEFAULT_LAMBDA if args.lambda_w is None else args.lambda_w,
        lambda_h=DEFAULT_LAMBDA if args.lambda_h is None else args.lambda_h,
        loss=loss_from_args(args),
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


# ------------------------------------------------------------------------------- shared flags
def method_name(with_auto: bool = True):
    """argparse ``type`` checking a solver name against the registry (imported only when --method is given)."""

    def parse(text: str) -> str:
        if with_auto and text == "auto":  # argparse also converts the default: no registry import for it
            return text
        from nctheory.solvers.registry import METHODS

        allowed = METHODS if with_auto else METHODS[1:]
        if text not in allowed:
            raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {', '.join(allowed)})")
        return text

    return parse


def add_method(p: argparse.ArgumentParser, *, lazy: bool, repeatable: bool = False, help: str = "solver") -> None:
    """``--method``.  ``lazy``: do not import the solver registry (cvxpy, ~1 s) to build the parser; the
    names are checked when the option is used and listed by ``--help`` (which builds the full parser)."""
    with_auto = not repeatable
    choices = None
    if not lazy:
        from nctheory.solvers.registry import METHODS

        choices = METHODS if with_auto else METHODS[1:]
    kw = dict(type=method_name(with_auto), choices=choices, metavar=None if choices else "METHOD",
              help=help + ("" if choices else " (see --help for the names)"))
    if repeatable:
        p.add_argument("--method", action="append", **kw)
    else:
        p.add_argument("--method", default="auto", **kw)



def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON on stdout (no progress output)")


def add_claims_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claims", action="append", default=[], metavar="PATH",
                   help="load claims from a .py file or an importable module (defining CLAIMS) first; repeatable")


def add_time_limit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=number, default=None, metavar="SECONDS",
                   help="wall-clock budget: stop when it runs out, report what was done, exit 3")


def add_require_certified(p: argparse.ArgumentParser) -> None:
    p.add_argument("--require-certified", action="store_true",
                   help="a verdict resting on uncertified solves only ('consistent') exits 3, not 0")


#: Claims files (absolute paths) or module names loaded in this process -> the ids they registered:
#: ``main`` may run several times in one process (tests, notebooks), and the registry refuses an id
#: registered twice; a file is loaded again only when its claims are no longer registered.
_LOADED: dict[str, tuple[str, ...]] = {}


def load_user_claims(paths) -> None:
    """``nctheory.claims.load_claims`` for each ``--claims`` value; a file that fails to import is bad input."""
    from nctheory.claims import load_claims
    from nctheory.claims.registry import extra_claims
    from nctheory.errors import is_input_error

    for path in paths or ():
        ident = os.path.abspath(path) if (path.endswith(".py") or os.sep in path or os.path.exists(path)) else path
        if ident in _LOADED and set(_LOADED[ident]) <= {c.id for c in extra_claims()}:
            continue
        try:
            loaded = load_claims(path)
        except ValueError as exc:
            if is_input_error(exc):
                raise
            raise CliError(f"claims: loading {path!r} failed: {exc}") from None
        except Exception as exc:  # the user's file raised while importing: their input, not our bug
            raise CliError(f"claims: importing {path!r} raised {type(exc).__name__}: {exc}") from None
        _LOADED[ident] = tuple(c.id for c in loaded)
