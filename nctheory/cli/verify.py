"""``nctheory verify CLAIM|--all``: the prediction against independent solves.

Verdict per instance: ``pass | consistent | fail | inconclusive`` (JSON: ``Verification.to_json()``;
one object for one verification, a list for several).  Instances: ``--sizes`` and the model options, or
else each claim's default instances (then model options are refused: they would be ignored).

Exit code: 1 if any claim behaved unexpectedly, else 3 if any verdict is undecided (inconclusive;
``consistent`` too under ``--require-certified``; a claim registered to be refuted that was not
refuted), else 0.
"""

from __future__ import annotations

import sys

from nctheory.cli.args import (add_method, CliError, add_claims_option, add_json, add_problem_args, add_require_certified,
                               add_time_limit, given_model_options, problem_from_args)
from nctheory.cli.output import emit_json
from nctheory.cli.preflight import preflight
from nctheory.cli.verdicts import NA_EXPLANATION, combined_exit, describe_instance, print_verification
from nctheory.errors import TimeLimitReached


#: One line for ``nctheory --help``.
HELP = "prediction vs independent solves: pass | consistent | fail | inconclusive"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("verify", help=HELP)
    p.add_argument("claim", nargs="?")
    p.add_argument("--all", action="store_true", help="every claim")
    add_problem_args(p, sizes="optional")
    add_method(p, lazy=lazy, repeatable=True, help="reference method (repeatable; default: the claim's own)")
    add_claims_option(p)
    add_require_certified(p)
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


def jobs_from_args(args, claims):
    """``[(claim, problem)]``: the ``--sizes`` instance for each claim, or each claim's default instances."""
    if args.sizes is None:
        return [(c, p) for c in claims for p in c.default_instances()]
    problem = problem_from_args(args)  # validated before any claim is imported
    jobs = [(c, problem) for c in claims]
    for claim, p in jobs:  # an instance no solver can take is bad input, before anything is solved
        if claim.applies(p):
            for method in (args.method or [claim.reference_for(p)]):
                preflight(p, method)
    return jobs


def timed_out_json(claim, problem, budget) -> dict:
    """The JSON of a verification the time limit stopped before it finished."""
    return {"claim": claim.id, "expected": claim.expected.value, "verdict": "inconclusive", "certified": False,
            "as_expected": False, "reason": f"time limit of {budget.seconds:g} s reached before the verification "
                                            "finished", "problem": problem.to_dict(), "unmet": [], "checks": [],
            "solutions": [], "refutation": None, "notes": [], "time_s": budget.elapsed()}


def run(args) -> int:
    if args.all == (args.claim is not None):
        raise CliError("claim: give one CLAIM id or --all")
    if args.sizes is None and given_model_options(args):
        raise CliError(f"sizes: {', '.join(given_model_options(args))} set the model only with --sizes (without "
                       "it the claims' default instances are verified)")
    from nctheory.claims import all_claims, get_claim
    from nctheory.verify import verify_claim

    claims = all_claims() if args.all else [get_claim(args.claim)]
    jobs = jobs_from_args(args, claims)
    budget = args.time_budget
    results, codes = [], []
    stopped = None
    for i, (claim, problem) in enumerate(jobs):
        try:
            budget.check(f"after {i}/{len(jobs)} verifications")
            v = verify_claim(claim, problem, methods=args.method or None,
                             solver_options=budget.solver_options())
        except TimeLimitReached:
            stopped = (claim, problem, i)
            break
        results.append(v)
        codes.append(v.exit_code(require_certified=args.require_certified))
        if not args.json:
            print_verification(v, sys.stdout)
    if args.json:
        out = [v.to_json() for v in results]
        if stopped is not None:
            out.append(timed_out_json(stopped[0], stopped[1], budget))
        # one verification: its record; several: {"results": [...]} (a list has no place for the version)
        emit_json(out[0] if len(jobs) == 1 else {"results": out}, command="verify")
    if not args.json:
        if stopped is not None:
            claim, problem, _ = stopped
            print(f"{'INCONCLUSIVE':<12} {'uncertified':<11} {claim.id}  {describe_instance(problem)}")
            print(f"    reason: {timed_out_json(claim, problem, budget)['reason']}")
        if any(c.rel_err is None for v in results for c in v.checks):
            print(NA_EXPLANATION)
    if stopped is not None:
        print(f"nctheory: time limit of {budget.seconds:g} s reached: {stopped[2]}/{len(jobs)} verifications "
              f"finished, stopped at {stopped[0].id}", file=sys.stderr)
        return 1 if 1 in codes else 3
    return combined_exit(codes)
