"""``nctheory predict CLAIM``: what a claim predicts for one instance (keys ``claim, applies, unmet,
quantities, notes``).  Exit 0 when the claim applies, 3 when its assumptions are unmet."""

from __future__ import annotations

import numpy as np

from nctheory.cli.args import add_claims_option, add_json, add_problem_args, problem_from_args
from nctheory.cli.output import emit_json


#: One line for ``nctheory --help``.
HELP = "what a claim predicts for one instance"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("predict", help=HELP)
    p.add_argument("claim")
    add_problem_args(p)
    add_claims_option(p)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    problem = problem_from_args(args)
    from nctheory.claims import get_claim

    claim = get_claim(args.claim)
    unmet = claim.assumptions(problem)
    out = {"claim": claim.id, "problem": problem.to_dict(), "applies": not unmet, "unmet": unmet, "quantities": None, "notes": "",
           "objective": None}
    if not unmet:
        pred = claim.predict(problem)
        out["quantities"] = pred.quantities
        out["notes"] = pred.notes
        out["objective"] = pred.objective
    if args.json:
        emit_json(out, command="predict")
    else:
        print(f"{claim.id}: {' '.join(claim.statement.split())}")
        if unmet:
            print("does not apply: " + "; ".join(unmet))
        else:
            for k, v in out["quantities"].items():
                shown = np.array2string(np.asarray(v), precision=8) if np.ndim(v) else v
                print(f"  {k:<24} {shown}")
            if out["objective"] is not None:
                print(f"  {'objective (predicted)':<24} {out['objective']:.12g}")
            if out["notes"]:
                print(f"  notes: {out['notes']}")
    return 0 if not unmet else 3
