r"""``nctheory threshold [CLAIM] [--vary VAR]``: a claim's onset located by certified bisection in one variable,
beside the onset the claim predicts.

The problem options fix every parameter but the varied one (its value in the problem plays no role); the family,
the predicted onset and the predicate are the claim's onset spec (:mod:`nctheory.explore.onsets`).  CLAIM defaults
to ``hong-ling/threshold``, VAR to the claim's first variable.

Exit 0 when every onset in the final certified bracket is within ``--agree`` (relative) of the predicted one, 1
when the prediction lies more than ``--agree`` outside that bracket, 3 otherwise (an end undecided, the bracket
too wide for ``--agree`` because a solve was undecided or the time limit stopped the search), 2 on bad input
(an unknown claim or a variable the claim has no onset in: the message names the valid ones).
"""

from __future__ import annotations

import math
import sys

from nctheory.cli.args import CliError, add_json, add_problem_args, add_time_limit, number
from nctheory.cli.output import emit_json

#: One line for ``nctheory --help``.
HELP = "a claim's onset (λ*, n_B*, R₀, τ, ...) located by certified bisection, beside the prediction"
#: The claim located when none is given (the command's original subject).
DEFAULT_CLAIM = "hong-ling/threshold"
#: The claims with onsets and their variables, for --help (kept in step with the registry by a test).
CATALOGUE = {
    "hong-ling/threshold": ("lambda", "n_B", "n_A"),
    "dang2023/mse-imbalanced": ("lambda", "n_B"),
    "dang2024/relu-collapse": ("tau", "lambda"),
    "fang/minority-collapse": ("R", "E"),
    "zhu/balanced-ce": ("lambda", "n"),
}


def _vary_help() -> str:
    from nctheory.explore.onsets.spec import VARIABLES

    names = "; ".join(f"{k}: {v}" for k, v in VARIABLES.items())
    claims = "; ".join(f"{c}: {', '.join(v)}" for c, v in CATALOGUE.items())
    return f"the variable to locate the onset in (default: the claim's first). Variables -- {names}. By claim -- {claims}"


def add_parser(sub, *, lazy: bool = False) -> None:
    p = sub.add_parser("threshold", help=HELP, description=__doc__.split("\n\n")[0].replace("``", "'"))
    p.add_argument("claim", nargs="?", default=DEFAULT_CLAIM,
                   help=f"a claim stating an onset (default {DEFAULT_CLAIM}): {', '.join(CATALOGUE)}")
    p.add_argument("--vary", metavar="VAR", default=None, help=_vary_help())
    add_problem_args(p)
    p.add_argument("--method", default=None, help="the predicate's solver (default: the spec's first; "
                   "hong-ling, zhu: certified; dang2023: auto | certified | factored; dang2024: factored; "
                   "fang: lpm-ball | convex:lpm)")
    p.add_argument("--lo", type=number, default=None, help="lower end of the bracket (default predicted/3.1, "
                   "clipped to the variable's domain)")
    p.add_argument("--hi", type=number, default=None, help="upper end of the bracket (default 4.7·predicted)")
    p.add_argument("--rtol", type=number, default=1e-7, help="relative width of the final bracket (default 1e-7)")
    p.add_argument("--agree", type=number, default=1e-6,
                   help="agree when |located - predicted| <= AGREE * predicted (default 1e-6)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_time_limit(p)
    add_json(p)
    p.set_defaults(func=run)


def _positive(field: str, value: float, upper: float | None = None) -> float:
    if not (math.isfinite(value) and value > 0):
        raise CliError(f"{field}: must be a finite number > 0, got {value!r}")
    if upper is not None and value >= upper:
        raise CliError(f"{field}: must be < {upper:g}, got {value!r}")
    return value


def _spec(claim: str, variable: str | None):
    """The onset spec, or CliError naming the valid claims / the claim's valid variables."""
    from nctheory.explore.onsets import claims_with_onsets, get_onset, variables_of

    known = claims_with_onsets()
    if claim not in known:
        raise CliError(f"claim: {claim!r} states no onset that can be located; claims with onsets: {', '.join(known)}")
    valid = variables_of(claim)
    if variable is not None and variable not in valid:
        raise CliError(f"vary: the {claim} onset is located in {', '.join(valid)}; got {variable!r}")
    return get_onset(claim, variable)


def bracket_evidence(result) -> dict:
    """:meth:`OnsetResult.bracket_evidence <nctheory.explore.onsets.result.OnsetResult.bracket_evidence>`."""
    return result.bracket_evidence()


def outcome(result, agree: float) -> str:
    """:meth:`OnsetResult.outcome <nctheory.explore.onsets.result.OnsetResult.outcome>`."""
    return result.outcome(agree)


def to_json(result, spec, agree: float, valid_variables) -> dict:
    """The command's JSON object (schema ``threshold``)."""
    out = result.to_json()
    out.update(bracket_evidence(result))
    out.update(outcome=outcome(result, agree), agree=agree, variables=list(valid_variables),
               variable_meaning=spec.describe()["variable_meaning"], resolution=spec.resolution,
               certified_evaluations=sum(1 for e in result.evaluations if e.certified and e.state is not None))
    return out


def run(args) -> int:
    from nctheory.cli.args import problem_from_args
    from nctheory.cli.preflight import preflight
    from nctheory.explore.onsets import locate_onset, variables_of
    from nctheory.explore.onsets.locate import default_bracket, expected_evaluations
    from nctheory.progress import Progress

    _positive("agree", args.agree)
    _positive("rtol", args.rtol, upper=1.0)
    spec = _spec(args.claim, args.vary)
    problem = problem_from_args(args)
    unmet = spec.unmet(problem)
    if unmet:
        raise CliError("; ".join(unmet))
    method = spec.methods[0] if args.method is None else args.method
    if method not in spec.methods:
        raise CliError(f"method: the {spec.claim_id} onset in {spec.variable} is decided with "
                       f"{', '.join(spec.methods)}, got {method!r}")
    if method in ("certified", "factored"):
        preflight(problem, method)
    predicted = float(spec.predict(problem))
    lo, hi = default_bracket(spec, problem, predicted)
    lo = lo if args.lo is None else args.lo
    hi = hi if args.hi is None else args.hi
    show = not (args.json or args.no_progress)
    with Progress(expected_evaluations(lo, hi, args.rtol) if lo > 0 and hi > lo else 1,
                  f"{spec.claim_id} in {spec.variable}", enabled=None if show else False) as bar:
        def step(ev):
            bar.update(note=f"{spec.variable}={ev.x:.9g} {'?' if ev.state is None else ev.state}")

        result = locate_onset(spec, problem, rtol=args.rtol, lo=args.lo, hi=args.hi, method=method,
                              budget=args.time_budget, memo=False, on_evaluation=step)
    out = to_json(result, spec, args.agree, variables_of(spec.claim_id))
    if args.json:
        emit_json(out, command="threshold")
    else:
        print(render_text(result, spec, args.agree))
    if out["outcome"] == "inconclusive":
        if args.time_budget.expired():
            print(f"nctheory: {result.message}", file=sys.stderr)
        return 3
    return 0 if out["outcome"] == "agree" else 1


def render_text(result, spec, agree: float) -> str:
    """The readable report: the family, predicted vs located, the bracket, the evidence, the outcome."""
    v = spec.variable
    lines = [f"{spec.claim_id}: onset in {v} ({spec.describe()['variable_meaning']})",
             f"  state: {spec.state}, for {v} {'>=' if spec.onset_above else '<='} the onset",
             f"  predicted  {v}* = {result.predicted:.12g}    [{spec.formula}]"]
    a, b = result.bracket
    ncert = sum(1 for e in result.evaluations if e.certified and e.state is not None)
    width = (b - a) / abs(result.predicted)
    if result.located is not None:
        lines.append(f"  located    {v}  = {result.located:.12g}    bracket [{a:.12g}, {b:.12g}] "
                     f"(relative width {width:.1e})")
        lines.append(f"  relative error {result.rel_error:.2e}; {ncert} of {len(result.evaluations)} evaluations "
                     f"decided on certified solves ({result.method}); {result.time_s:.1f} s")
    else:
        inside = "contains" if result.predicted_in_bracket else "does not contain"
        lines.append(f"  located    none: {result.message}")
        lines.append(f"  last bracket [{a:.12g}, {b:.12g}] (relative width {width:.1e}) {inside} the prediction; "
                     f"{ncert} of {len(result.evaluations)} evaluations decided; {result.time_s:.1f} s")
    word = outcome(result, agree)
    ev = bracket_evidence(result)
    tail = {"agree": f"every onset in the certified bracket is within {agree:g} · predicted "
                     f"(at most {ev['max_rel_error']:.1e})",
            "disagree": f"the prediction lies {ev['prediction_distance']:.2e} (relative) outside the certified "
                        f"bracket, more than {agree:g}",
            "inconclusive": ("the bracket ends were not both decided on certified solves"
                             if not ev["bracket_certified"] else
                             f"the bracket is too wide to tell at {agree:g} (prediction inside, largest possible "
                             f"error {ev['max_rel_error']:.1e})")}[word]
    lines.append(f"{word.upper()}: {tail}")
    return "\n".join(lines)
