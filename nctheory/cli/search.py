"""``nctheory search CLAIM``: hunt for a counterexample, shrunk to a minimal instance (``nctheory.explore.search``).

Exit code: a counterexample to a true claim -> 1; a claim registered to be refuted that was refuted -> 0;
no counterexample -> 0 for a true claim, 3 if nothing was checked conclusively or the claim was
registered to be refuted.  Under ``--require-certified`` "no counterexample" is 0 only when every solve the
instances were compared with was certified (otherwise some verdicts were only ``consistent``): else 3.
``--time-limit`` is checked before each instance is verified (and enforced by the hard stop within one).
"""

from __future__ import annotations

import dataclasses
import sys

from nctheory.cli.args import add_claims_option, add_json, add_require_certified, add_time_limit, integer
from nctheory.cli.output import emit_json
from nctheory.cli.verdicts import print_verification
from nctheory.errors import TimeLimitReached


#: One line for ``nctheory --help``.
HELP = "hunt for a counterexample to a claim, shrunk to a minimal instance"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("search", help=HELP)
    p.add_argument("claim")
    p.add_argument("--budget", type=integer, default=30, help="instances to try (default 30)")
    p.add_argument("--seed", type=integer, default=0)
    p.add_argument("--outside", action="store_true", help="search outside the claim's assumptions")
    p.add_argument("--max-classes", type=integer, default=6)
    add_claims_option(p)
    add_require_certified(p)
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


class _Watch:
    """Wraps a claim so the search stops at the time limit and records the level of every compared solve."""

    def __init__(self, claim, budget):
        from nctheory.verify import MAX_REL_GAP

        self.claim, self.budget, self.max_rel_gap = claim, budget, MAX_REL_GAP
        self.verified = 0
        self.levels: list[str] = []

    def predict(self, problem):
        self.budget.check(f"after {self.verified} instances")
        self.verified += 1
        return self.claim.predict(problem)

    def observe(self, problem, solution):
        self.levels.append(solution.reference_level(self.max_rel_gap)[0])
        return self.claim.observed(problem, solution)

    def wrapped(self):
        return dataclasses.replace(self.claim, predict=self.predict, observe=self.observe)


def run(args) -> int:
    if args.budget < 1:
        raise ValueError(f"budget: must be >= 1, got {args.budget}")
    if args.max_classes < 2:
        raise ValueError(f"max_classes: must be >= 2 (a problem has at least two classes), got {args.max_classes}")
    from nctheory.claims import get_claim
    from nctheory.explore.search import search

    claim = get_claim(args.claim)
    watch = _Watch(claim, args.time_budget)
    # the instance whose model options the search keeps (it varies the sizes and penalties around it)
    base_problem = claim.default_instances()[0].to_dict()
    try:
        res = search(watch.wrapped(), budget=args.budget, seed=args.seed, outside=args.outside,
                     max_classes=args.max_classes)
    except TimeLimitReached:
        msg = (f"time limit of {args.time_budget.seconds:g} s reached after {max(watch.verified - 1, 0)} verified "
               f"instances: no counterexample among them")
        if args.json:
            emit_json({"claim": claim.id, "base_problem": base_problem, "counterexample": None,
                       "first_counterexample": None, "evaluations": max(watch.verified - 1, 0), "conclusive": None,
                       "seed": args.seed, "budget": args.budget, "outside": args.outside,
                       "all_compared_solves_certified": bool(watch.levels) and all(
                           level == "certified" for level in watch.levels), "stopped": msg}, command="search")
        else:
            print(f"{claim.id}: {msg}")
        return 3
    all_certified = bool(watch.levels) and all(level == "certified" for level in watch.levels)
    if args.json:
        out = res.to_json()
        out = {"claim": claim.id, "base_problem": base_problem, **{k: v for k, v in out.items() if k != "claim"},
               "all_compared_solves_certified": all_certified, "stopped": None}
        emit_json(out, command="search")
    elif res.counterexample is None:
        where = "outside" if args.outside else "inside"
        print(f"{claim.id}: no counterexample {where} its assumptions in {res.evaluations} instances "
              f"(seed {args.seed}); compared solves {'all certified' if all_certified else 'not all certified'}")
    else:
        print(f"{claim.id}: counterexample after {res.evaluations} instances (seed {args.seed}), shrunk to:")
        print(f"  {res.counterexample}")
        print_verification(res.verification, sys.stdout)
    if res.counterexample is None:
        if res.conclusive == 0:
            print(f"{claim.id}: no instance gave a conclusive verdict: nothing was checked", file=sys.stderr)
            return 3
        if claim.expected != "true":  # registered to be refuted, and the budget did not refute it: undecided
            return 3
        if args.require_certified and not all_certified:
            print(f"{claim.id}: --require-certified: some instances were compared with uncertified solves only",
                  file=sys.stderr)
            return 3
        return 0
    return 0 if claim.expected == "false" else 1
