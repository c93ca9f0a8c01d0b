"""How a verification reads in text: the verdict word, whether it is certified, the instance, the reason.

=====================  ===========================  ========================================
verdict                a claim registered as true   a claim registered to be refuted
=====================  ===========================  ========================================
``pass``               ``PASS``                     ``NOT-REFUTED`` (it held, certified)
``consistent``         ``CONSISTENT``               ``NOT-REFUTED`` (uncertified)
``fail``               ``FAIL``                     ``REFUTED``
``inconclusive``       ``INCONCLUSIVE``             ``INCONCLUSIVE``
=====================  ===========================  ========================================

Every line also says ``certified`` or ``uncertified`` (the verification's own flag: the verdict rests on a
certified optimum or a value refutation), and an inconclusive line gives the reason.  Numbers that do
not exist (no relative error when every predicted entry is 0) print as ``n/a``, never ``nan``.
"""

from __future__ import annotations

import math

from nctheory.model.sizes import format_sizes

#: Printed once under a table in which some "worst rel err" is n/a.
NA_EXPLANATION = ("n/a: no relative error exists (every predicted entry compared was 0, or nothing could be "
                  "compared); see the abs errors with --json")


def label(v) -> str:
    """The verdict word of a :class:`~nctheory.verify.Verification` (module doc)."""
    verdict = str(getattr(v.verdict, "value", v.verdict))
    if verdict == "inconclusive":
        return "INCONCLUSIVE"
    if str(getattr(v.expected, "value", v.expected)) == "false":
        return "REFUTED" if verdict == "fail" else "NOT-REFUTED"
    return verdict.upper()


def certified_tag(v) -> str:
    return "certified" if v.certified else "uncertified"


def _g(x: float) -> str:
    return f"{x:.3g}"


def describe_instance(problem) -> str:
    """``sizes=500x2,50x3 λW=0.0005 λH=0.0005 bias=none loss=ce`` plus every option that is not the default."""
    parts = [f"sizes={format_sizes(problem.sizes)}", f"λW={_g(problem.lambda_w)}", f"λH={_g(problem.lambda_h)}"]
    bias = problem.bias.value
    parts.append(f"bias={bias}" + (f"(λb={_g(problem.lambda_b)})" if bias == "regularized" else ""))
    parts.append(f"loss={problem.loss.name}")
    if problem.features.value != "free":
        parts.append(f"features={problem.features.value}")
    if problem.classifier.value != "learned":
        parts.append(f"classifier={problem.classifier.value}")
    if problem.depth != 1:
        parts.append(f"depth={problem.depth}")
    if problem.d is not None:
        parts.append(f"d={problem.d}")
    if problem.constraint.value != "penalty":
        parts.append(f"constraint={problem.constraint.value}")
    if problem.e_w is not None:
        parts.append(f"EW={_g(problem.e_w)}")
    if problem.e_h is not None:
        parts.append(f"EH={_g(problem.e_h)}")
    loss_json = problem.loss.to_json()
    params = {k: val for k, val in loss_json.items() if k != "name" and val is not None} \
        if isinstance(loss_json, dict) else {}
    if params:
        parts.append("loss_params=" + ",".join(f"{k}={params[k]}" for k in sorted(params)))
    return " ".join(parts)


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def worst_rel_err(v) -> float | None:
    """Largest finite relative error over the checks; None when there is none."""
    vals = [c.rel_err for c in v.checks if _finite(c.rel_err)]
    return max(vals) if vals else None


def worst_abs_err(v) -> float | None:
    vals = [c.abs_err for c in v.checks if _finite(c.abs_err)]
    return max(vals) if vals else None


def worst_rel_gap(v) -> float | None:
    """Largest relative duality gap of the reference solves; None when none has a certificate."""
    vals = [e.rel_gap for e in v.solutions if _finite(e.rel_gap)]
    return max(vals) if vals else None


def fmt(x, spec: str = ".2e") -> str:
    """A number, or ``n/a`` when it does not exist or is not finite."""
    return format(x, spec) if _finite(x) else "n/a"


def headline(v) -> str:
    """``PASS  certified  claim-id  instance  time`` (one line)."""
    return f"{label(v):<12} {certified_tag(v):<11} {v.claim_id}  {describe_instance(v.problem)}  {v.time_s:.2f}s"


def detail_lines(v) -> list[str]:
    """The reason, the checks, unmet assumptions and notes of one verification."""
    out = [f"    reason: {v.reason}"] if v.reason else []
    for c in v.checks:
        # undecided: neither agreement nor disagreement is shown (precision too coarse, nothing to compare)
        ok = "ok " if c.ok else ("?? " if getattr(c.decision, "value", c.decision) == "undecided" else "BAD")
        tol = c.tol or {}
        out.append(f"    {ok} {c.quantity:<26} abs {fmt(c.abs_err, '9.2e')}  rel {fmt(c.rel_err, '9.2e')}  "
                   f"tol {fmt(tol.get('abs'), '.0e')}+{fmt(tol.get('rel'), '.0e')}·|p|  [{c.method}]")
        if not c.ok:
            out.append(f"        {c.explain()}")
    out += [f"    unmet: {u}" for u in v.unmet]
    out += [f"    note: {n}" for n in v.notes]
    return out


def print_verification(v, stream) -> None:
    print(headline(v), file=stream)
    for line in detail_lines(v):
        print(line, file=stream)


def combined_exit(codes) -> int:
    """One exit code for several verifications: 1 if any behaved unexpectedly, else 3 if any is undecided."""
    codes = list(codes)
    if 1 in codes:
        return 1
    if 3 in codes:
        return 3
    return 0
