"""``nctheory claims``: every registered claim -- id, provenance, source, and its statement (wrapped)."""

from __future__ import annotations

import shutil
import textwrap

from nctheory.cli.args import add_claims_option, add_json
from nctheory.cli.output import emit_json

#: Text width when stdout is not a terminal (and the cap on a wide one, for readability).
WIDTH = 100


#: One line for ``nctheory --help``.
HELP = "list every registered claim with its statement"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("claims", help=HELP)
    add_claims_option(p)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from nctheory.claims import PROVENANCE, all_claims

    claims = all_claims()
    if args.json:
        emit_json({"claims": [c.describe() for c in claims]}, command="claims")
        return 0
    if not claims:
        print("no claims registered")
        return 0
    width = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
    # formulas are not split at their hyphens (D^{-1/2}) and long tokens stay whole
    wrap = dict(width=width, break_on_hyphens=False, break_long_words=False)
    for c in claims:
        refute = "  (registered to be refuted)" if c.expected == "false" else ""
        print(f"{c.id}  [{','.join(c.provenance)}]{refute}")
        print(textwrap.fill(f"source: {c.source}", initial_indent="    ", subsequent_indent="      ", **wrap))
        print(textwrap.fill(" ".join(c.statement.split()), initial_indent="    ", subsequent_indent="    ", **wrap))
        print()
    print(f"{len(claims)} claims. Provenance tags:")
    for k, v in PROVENANCE.items():
        print(textwrap.fill(f"{k}: {v}", initial_indent="  ", subsequent_indent="    ", **wrap))
    return 0
