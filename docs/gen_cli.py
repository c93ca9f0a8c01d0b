"""Render the command-line reference from the argparse parser itself.

``nctheory.cli.build_parser()`` is the single source of truth: every subcommand's
``format_help()`` is rendered verbatim, so the page cannot drift from the code.
Run directly to print the generated reStructuredText::

    python docs/gen_cli.py
"""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager

import gen_rst as rst

#: Width of the rendered help text (argparse reads it from ``COLUMNS``).
HELP_WIDTH = 100

#: Meaning of each exit-code constant of ``nctheory.cli`` (looked up by name).
EXIT_MEANINGS = {
    "EXIT_OK": "success; for verify, check and search: every claim behaved as registered "
               "(a true claim passed, a claim registered to be refuted was refuted)",
    "EXIT_FAIL": "a claim failed: a certified or qualified reference disagrees with the prediction "
                 "beyond the stated tolerance (or a claim registered to be refuted was not refuted)",
    "EXIT_BAD_INPUT": "bad input: unknown option or claim, invalid model field; the message names the field",
    "EXIT_INCONCLUSIVE": "inconclusive: nothing failed, but a solve did not reach an accepted status "
                         "or a claim's assumptions are unmet for the instance",
}


@contextmanager
def _columns(width: int):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """``{name: (sub-parser, one-line help)}`` for every subcommand, in definition order."""
    out: dict[str, tuple[argparse.ArgumentParser, str]] = {}
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: (a.help or "") for a in action._choices_actions}
            for name, sub in action.choices.items():
                out[name] = (sub, helps.get(name, ""))
    return out


def exit_codes(cli_module) -> list[tuple[str, int, str]]:
    """``(constant name, value, meaning)`` for every ``EXIT_*`` constant of the CLI module, by value."""
    codes = [(name, getattr(cli_module, name)) for name in dir(cli_module) if name.startswith("EXIT_")]
    return [(name, value, EXIT_MEANINGS.get(name, "")) for name, value in sorted(codes, key=lambda c: c[1])]


def render_cli(parser: argparse.ArgumentParser, cli_module=None) -> tuple[str, list[str]]:
    """The CLI reference: synopsis, exit codes, then one section per subcommand."""
    problems: list[str] = []
    with _columns(HELP_WIDTH):
        top = parser.format_help()
        subs = {name: (sub.format_help(), help_) for name, (sub, help_) in subcommands(parser).items()}
    if not subs:
        problems.append("the parser has no subcommands")
    blocks = [rst.section(f"{parser.prog}: synopsis", 0), rst.literal_block(top)]
    blocks.append(rst.bullet_list(f"`{parser.prog} {name}`_: {rst.escape(h) if h.strip() else ''}"
                                  for name, (_, h) in subs.items()))
    if cli_module is not None:
        rows = []
        for name, value, meaning in exit_codes(cli_module):
            if not meaning:
                problems.append(f"exit code constant {name} has no description in docs/gen_cli.py")
            rows.append([rst.literal(str(value)), rst.literal(name), rst.escape(meaning or name)])
        blocks += [rst.section("Exit codes", 0), rst.table(["Code", "Constant", "Meaning"], rows)]
    for name, (text, help_) in subs.items():
        blocks.append(rst.section(f"{parser.prog} {name}", 0))
        if help_.strip():
            blocks.append(rst.escape(help_))
        blocks.append(rst.literal_block(text))
    return rst.join(*blocks), problems


if __name__ == "__main__":  # pragma: no cover - manual inspection
    from nctheory import cli

    text, issues = render_cli(cli.build_parser(), cli)
    print(text)
    for issue in issues:
        print("PROBLEM:", issue)
