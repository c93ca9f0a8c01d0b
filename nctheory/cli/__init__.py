"""The ``nctheory`` command line (contract in DESIGN.md): the parser, and exit codes from outcomes.

One module per command (``nctheory.cli.<command>``), each with ``add_parser(subparsers)`` and
``run(args) -> exit code``.  :func:`main` maps what happened to the exit code:

=============================================================  ====  ==================================
what happened                                                  exit  printed on stderr
=============================================================  ====  ==================================
the command's own outcome (see each command)                   0-3
a ValueError whose message starts with ``"<field>: "``         2     one line ``nctheory: error: ...``
(bad input: options, model fields, paths, claims files)
output could not be written (disk full, closed pipe to a       2     one line (0 for a closed pipe)
file)
an optional dependency is missing                              2     one line naming the extra to install
(:class:`~nctheory.errors.MissingExtra`)
``--time-limit`` ran out, not handled by the command           3     one line; the command reports
(:class:`~nctheory.errors.TimeLimitReached`)                         what was done
anything else: a bug of ours                                   3     the traceback and one line
Ctrl-C                                                         130   one line
=============================================================  ====  ==================================
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback

from nctheory import __version__
from nctheory.cli.args import CliError, load_user_claims
from nctheory.cli.budget import Budget, parse_time_limit
from nctheory.errors import MissingExtra, TimeLimitReached, is_input_error

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
#: Exit code after Ctrl-C (128 + SIGINT, the shell convention).
INTERRUPTED_EXIT = 130

#: The commands, in the order ``nctheory --help`` lists them (module names under nctheory.cli).
COMMANDS = ("claims", "solve", "predict", "verify", "threshold", "search", "sweep", "report", "gallery", "check", "diagnose")

#: Commands that load the claims registry (preloaded before a --time-limit clock starts).
CLAIM_COMMANDS = ("predict", "verify", "threshold", "search", "sweep", "check")

_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input in one line (no usage dump) as a :class:`CliError` (exit 2)."""

    def __init__(self, *a, **kw):
        kw.setdefault("allow_abbrev", False)  # scripts must spell options out: '--lambda' is not '--lambdas'
        super().__init__(*a, **kw)

    def error(self, message: str):  # noqa: D401 (argparse API)
        raise CliError(message)


def build_parser(*, lazy: bool = False, only: str | None = None) -> argparse.ArgumentParser:
    """The parser.  The full one (default) has every command's options and lists the solver names, which
    imports the solver registry; ``docs/gen_cli.py`` renders the reference from it.  :func:`main` builds a
    light one unless help is asked for: ``lazy=True`` does not import the registry (cvxpy, ~1 s) and
    ``only=COMMAND`` adds the options of that command alone, so bad input is refused in a fraction of a
    second."""
    import importlib

    parser = _Parser(prog="nctheory", description="Check Neural Collapse theorems against certified global solves.")
    parser.add_argument("--version", action="version", version=f"nctheory {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"nctheory.cli.{name}")
        if only is None or name == only:
            module.add_parser(sub, lazy=lazy)
        else:
            sub.add_parser(name, help=module.HELP)
    return parser


def _say(msg: str) -> None:
    print(f"nctheory: {' '.join(str(msg).split())}", file=sys.stderr)


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def _run(args) -> int:
    load_user_claims(getattr(args, "claims", None))
    seconds = parse_time_limit(getattr(args, "time_limit", None))
    if seconds is not None:
        # the clock covers the command's work, not loading the solver stack (cvxpy alone takes ~1 s) and
        # the built-in claims (sympy forms, ~1 s)
        import nctheory.solvers.registry  # noqa: F401

        if args.command in CLAIM_COMMANDS:
            from nctheory.claims import all_claims

            all_claims()
    budget = Budget(seconds)
    args.time_budget = budget
    with budget.enforce():
        code = args.func(args)
    sys.stdout.flush()
    return code


def main(argv=None) -> int:
    """Run one command; returns the exit code (module doc)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    wants_help = any(a in ("-h", "--help") for a in argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    # an unknown or missing command needs only the command names (argparse refuses it / main prints help)
    parser = build_parser() if wants_help else build_parser(lazy=True, only=command if command in COMMANDS else "")
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            build_parser(lazy=True).print_help(sys.stderr)
            return EXIT_BAD_INPUT
        return _run(args)
    except TimeLimitReached as exc:
        _say(f"{exc}: stopped before the command finished")
        return EXIT_INCONCLUSIVE
    except MissingExtra as exc:  # e.g. `search` without hypothesis: the user's installation, not our bug
        _say(f"error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say("interrupted")
        return INTERRUPTED_EXIT
    except BrokenPipeError:  # e.g. `nctheory ... --json | head`: the reader went away; not an error of ours
        _discard_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.errno in _OUTPUT_ERRNOS and exc.filename is None:
            _discard_stdout()
            _say(f"error: output: cannot write ({exc.strerror})")
            return EXIT_BAD_INPUT
        traceback.print_exc()
        _say(f"internal error (please report): {type(exc).__name__}: {exc}")
        return EXIT_INCONCLUSIVE
    except Exception as exc:  # noqa: BLE001 (the one place that classifies every failure)
        if isinstance(exc, CliError) or is_input_error(exc):
            _say(f"error: {exc}")
            return EXIT_BAD_INPUT
        # a ValueError that names no field, or any other exception, is a bug of ours, not bad input
        traceback.print_exc()
        _say(f"internal error (please report): {type(exc).__name__}: {exc}")
        return EXIT_INCONCLUSIVE


__all__ = ["main", "build_parser", "CliError", "EXIT_OK", "EXIT_FAIL", "EXIT_BAD_INPUT", "EXIT_INCONCLUSIVE",
           "INTERRUPTED_EXIT", "COMMANDS"]
