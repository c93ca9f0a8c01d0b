"""Render the claim catalogue (and the provenance table) from the live registry.

Used at build time by the ``nctheory-claims``, ``nctheory-provenance`` and
``nctheory-refuted`` directives (see :mod:`nctheory_sphinx`), so the published
catalogue is always the registry of the code being documented.  Run directly to
print the generated reStructuredText::

    python docs/gen_claims.py

Every renderer returns ``(rst, problems)``: ``problems`` lists what could not be
rendered (e.g. a claim whose ``symbolic()`` raises).  The extension turns each
into a Sphinx warning, so a strict build (``-W``) fails on it.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Iterable

import gen_rst as rst

#: CLI flag for each Problem field (``nctheory.cli.args.add_problem_args``); bias and the
#: two choice flags are handled separately in :func:`problem_flags`.
_VALUE_FLAGS = {
    "loss": "--loss",
    "lambda_w": "--lambda-w",
    "lambda_h": "--lambda-h",
    "depth": "--depth",
    "d": "--dim",
    "constraint": "--constraint",
    "e_w": "--e-w",
    "e_h": "--e-h",
}


def compress_sizes(sizes: Iterable[int]) -> str:
    """Class sizes in the CLI form: runs of equal sizes as ``nxc`` (c classes of n).

    ``(500, 500, 50, 50, 50)`` -> ``"500x2,50x3"``; ``(200, 100, 50, 50)`` ->
    ``"200,100,50x2"``.  :func:`nctheory.model.problem.parse_sizes` inverts it.
    """
    parts = []
    for n, run in itertools.groupby(sizes):
        c = len(list(run))
        parts.append(f"{n}" if c == 1 else f"{n}x{c}")
    if not parts:
        raise ValueError("sizes: empty")
    return ",".join(parts)


def problem_flags(problem) -> list[str]:
    """CLI arguments that rebuild ``problem`` exactly (fields at their default are omitted)."""
    defaults = {f.name: f.default for f in dataclasses.fields(problem)
                if f.init and f.default is not dataclasses.MISSING}
    args = ["--sizes", compress_sizes(problem.sizes)]
    for field, flag in _VALUE_FLAGS.items():
        value = getattr(problem, field)
        if value != defaults[field]:
            if field == "loss":
                value = value.to_json()  # a name, or {"name": ..., **params}: params as --loss-param NAME=VALUES
                if not isinstance(value, str):
                    args += [flag, value["name"]]
                    for key, v in value.items():
                        if key != "name" and v is not None:
                            text = ",".join(repr(float(x)) for x in v) if isinstance(v, list) else repr(float(v))
                            args += ["--loss-param", f"{key}={text}"]
                    continue
            args += [flag, repr(value) if isinstance(value, float) else str(value)]
    if problem.bias == "regularized":
        args += ["--lambda-b", repr(problem.lambda_b)]
    elif problem.bias == "free":
        args.append("--free-bias")
    if problem.features == "relu":
        args.append("--relu")
    if problem.classifier == "fixed-etf":
        args.append("--fixed-etf")
    return args


def verify_command(claim_id: str, problem) -> str:
    """The shell command that verifies ``claim_id`` on ``problem``."""
    return " ".join(["nctheory", "verify", claim_id] + problem_flags(problem))


def render_provenance(provenance: dict[str, str]) -> tuple[str, list[str]]:
    """Table of provenance tags and their meanings."""
    rows = [[rst.literal(tag), rst.escape(meaning)] for tag, meaning in provenance.items()]
    return rst.table(["Tag", "Meaning"], rows), []


def _sympy_block(claim) -> tuple[str, list[str]]:
    if claim.symbolic is None:
        return "", []
    import sympy

    try:
        forms = claim.symbolic()
    except Exception as exc:  # shown as a build warning, never hidden
        return "", [f"{claim.id}: symbolic() raised {type(exc).__name__}: {exc}"]
    if not forms:
        return "", []
    blocks, problems = [], []
    for name, expr in forms.items():
        exprs = expr if isinstance(expr, (list, tuple)) else [expr]
        if not all(isinstance(e, sympy.Basic) for e in exprs):
            problems.append(f"{claim.id}: sympy form {name!r} is not a sympy expression ({type(expr).__name__})")
            continue
        latex = r" \\ ".join(sympy.latex(e) for e in exprs)
        blocks.append(rst.literal(name) + "\n\n" + rst.math_block(latex))
    return rst.join("**Symbolic forms** (``sympy.latex`` of ``symbolic()``):", *blocks), problems


def _tolerance_block(claim) -> str:
    if not claim.tolerances:
        default = claim.tolerance("*")
        return ("**Tolerance** (default for every quantity): "
                f"abs {default.abs:g}, rel {default.rel:g}: " + rst.escape(default.why))
    rows = [[rst.literal(q), f"{t.abs:g}", f"{t.rel:g}", rst.escape(t.why)] for q, t in claim.tolerances.items()]
    return rst.join(
        "**Tolerances** (a check passes when \\|pred - obs\\| <= abs + rel \\* \\|pred\\|; "
        "``*`` is the default for unlisted quantities):",
        rst.table(["Quantity", "abs", "rel", "Why this size"], rows),
    )


def render_claim(claim, provenance: dict[str, str], depth: int = 1) -> tuple[str, list[str]]:
    """One claim: fields, statement, default instances, tolerances, symbolic forms."""
    problems: list[str] = []
    tags = "; ".join(f"{rst.literal(t)} ({rst.escape(provenance.get(t, 'unknown tag'))})" for t in claim.provenance)
    expected = ("true" if claim.expected == "true"
                else "false: registered in order to be refuted (it passes ``nctheory check`` when refuted)")
    fields = (f":Source: {rst.escape(claim.source)}\n"
              f":Provenance: {tags}\n"
              f":Expected: {expected}\n"
              f":Reference methods: {', '.join(rst.literal(m) for m in claim.methods)}\n")
    try:
        instances = claim.default_instances()
    except Exception as exc:
        instances = []
        problems.append(f"{claim.id}: default_instances() raised {type(exc).__name__}: {exc}")
    if instances:
        commands = "\n".join(verify_command(claim.id, p) for p in instances)
        inst = rst.join("**Default instances** (what ``nctheory check`` runs; each command reproduces one):",
                        rst.directive("code-block", "sh", commands))
    else:
        inst = "**Default instances:** none."
    forms, form_problems = _sympy_block(claim)
    problems += form_problems
    body = rst.join(rst.section(claim.id, depth), fields, rst.escape(claim.statement), inst,
                    _tolerance_block(claim), forms)
    return body, problems


def render_catalogue(claims, provenance: dict[str, str]) -> tuple[str, list[str]]:
    """Every claim, grouped by the source part of its id (``"<source>/<name>"``), registry order."""
    if not claims:
        return "No claims are registered in this build.\n", []
    groups = [(key, list(g)) for key, g in itertools.groupby(claims, key=lambda c: c.id.split("/")[0])]
    blocks = [f"{len(claims)} claims in {len(groups)} groups: "
              + ", ".join(f"`{key}`_ ({len(g)})" for key, g in groups) + "."]
    problems: list[str] = []
    for key, group in groups:
        blocks.append(rst.section(key, 0))
        sources = list(dict.fromkeys(c.source for c in group))
        blocks.append(rst.bullet_list(rst.escape(s) for s in sources))
        blocks.append("Claims: " + ", ".join(f"`{c.id}`_" for c in group) + ".")
        for claim in group:
            text, more = render_claim(claim, provenance, depth=1)
            blocks.append(text)
            problems += more
    return rst.join(*blocks), problems


def render_refuted(claims) -> tuple[str, list[str]]:
    """Bullet list of the claims registered to be refuted (``expected == "false"``)."""
    refuted = [c for c in claims if c.expected == "false"]
    if not refuted:
        return "No claim is currently registered to be refuted.\n", []
    items = [f"{rst.literal(c.id)} ({rst.escape(c.source)}): {rst.escape(c.statement)}" for c in refuted]
    return rst.bullet_list(items), []


if __name__ == "__main__":  # pragma: no cover - manual inspection
    from nctheory.claims import PROVENANCE, all_claims

    text, issues = render_catalogue(all_claims(), PROVENANCE)
    print(text)
    for issue in issues:
        print("PROBLEM:", issue)
