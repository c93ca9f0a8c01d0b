"""The documentation builds offline and shows the live registry and CLI.

One Sphinx build (module-scoped fixture, ~10 s) into a temporary directory, then
checks on the produced HTML; plus fast unit tests of the generators in ``docs/``.
"""

from __future__ import annotations

import html
import importlib
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

sphinx = pytest.importorskip("sphinx", minversion="7.4")  # nested_parse_to_nodes needs 7.4

from nctheory import cli  # noqa: E402
from nctheory.claims import PROVENANCE, all_claims  # noqa: E402
from nctheory.cli.args import problem_from_args  # noqa: E402
from nctheory.model import Problem, parse_sizes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))
gen_rst = importlib.import_module("gen_rst")
gen_claims = importlib.import_module("gen_claims")
gen_cli = importlib.import_module("gen_cli")
gen_api = importlib.import_module("gen_api")

#: Locations of text this project's docs/ writes itself (pages and generated blocks
#: other than autodoc output, whose docstrings belong to the modules' authors).
OWN_LOCATIONS = (str(DOCS) + "/", "<nctheory-claims", "<nctheory-cli", "<nctheory-provenance",
                 "<nctheory-refuted")


# ------------------------------------------------------------------------- the build
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "--keep-going",
         "-d", str(doctrees), str(DOCS), str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    return out, proc


def _page_text(out: Path, name: str) -> str:
    """Visible text of a built page (tags stripped, entities decoded)."""
    raw = (out / name).read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def _headings(out: Path, name: str) -> list[str]:
    raw = (out / name).read_text(encoding="utf-8")
    return [html.unescape(h) for h in re.findall(r"<h\d>([^<]*)<a class=\"headerlink\"", raw)]


def test_build_succeeds_without_errors(built):
    out, proc = built
    assert proc.returncode == 0, proc.stderr[-3000:]
    errors = [ln for ln in proc.stderr.splitlines() if re.search(r"\b(ERROR|SEVERE|CRITICAL)\b", ln)]
    assert not errors, "\n".join(errors)
    for page in ("index.html", "getting-started.html", "concepts.html", "claims.html", "cli.html",
                 "findings.html", "api/index.html"):
        assert (out / page).is_file(), page


def test_own_pages_build_without_warnings(built):
    _, proc = built
    own = [ln for ln in proc.stderr.splitlines()
           if "WARNING" in ln and any(loc in ln for loc in OWN_LOCATIONS)]
    assert not own, "\n".join(own)


def test_catalogue_has_every_claim_as_a_section(built):
    out, _ = built
    claims = all_claims()
    assert claims, "the registry is empty: nothing to document"
    heads = _headings(out, "claims.html")
    text = _page_text(out, "claims.html")
    for claim in claims:
        assert claim.id in heads, claim.id
        assert " ".join(claim.statement.split()) in " ".join(text.split()), claim.id
        for problem in claim.default_instances():
            assert gen_claims.verify_command(claim.id, problem) in text, claim.id
    for tag, meaning in PROVENANCE.items():
        assert tag in text and meaning in text


def test_catalogue_renders_every_sympy_form(built):
    out, _ = built
    raw = (out / "claims.html").read_text(encoding="utf-8")
    n_forms = sum(len(c.sympy_forms()) for c in all_claims() if c.sympy_forms is not None)
    # each form is one displayed equation block (MathJax "math notranslate" div)
    assert raw.count('<div class="math notranslate nohighlight">') == n_forms


def test_cli_reference_has_every_subcommand_and_option(built):
    out, _ = built
    parser = cli.build_parser()
    subs = gen_cli.subcommands(parser)
    assert subs, "no subcommands found in the parser"
    heads = _headings(out, "cli.html")
    text = _page_text(out, "cli.html")
    for name, (sub, _) in subs.items():
        assert f"nctheory {name}" in heads, name
        assert f"usage: nctheory {name}" in text, name
        for action in sub._actions:
            for opt in action.option_strings:
                assert opt in text, (name, opt)
    exit_section = text[text.index("Exit codes"):]
    for name, value, meaning in gen_cli.exit_codes(cli):
        assert name in exit_section and meaning in exit_section, name


def test_api_pages_document_importable_modules(built):
    out, _ = built
    for key, modules in gen_api.API_GROUPS.items():
        raw = (out / "api" / f"{key}.html").read_text(encoding="utf-8")
        ok, missing = gen_api.split_importable(modules)
        for name in ok:
            assert f'id="module-{name}"' in raw, name
        for name in missing:
            assert name in html.unescape(raw), name


def test_refuted_claims_listed_on_findings_page(built):
    out, _ = built
    text = _page_text(out, "findings.html")
    for claim in all_claims():
        if claim.expected == "false":
            assert claim.id in text


# ----------------------------------------------------------------- generator units
def _parse_rst(source: str):
    from docutils.core import publish_doctree

    return publish_doctree(source, settings_overrides={"report_level": 5, "halt_level": 5})


# Hand-picked inputs that would otherwise become markup: list, enumeration, comment,
# literal-block marker, emphasis, substitution, footnote, reference, transition.
@example("- a")
@example("(a) b")
@example(".. x")
@example("a::")
@example("**x**")
@example("|x|")
@example("[#]_")
@example("`x`_")
@example("\\\\")
@example("----")
@example("λ_W > 0 : h_{k,i} = h̄_k")
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)
       .filter(lambda s: s.split()))
def test_escape_renders_text_verbatim(text):
    from docutils import nodes

    tree = _parse_rst(gen_rst.escape(text) + "\n")
    assert not list(tree.findall(nodes.system_message))
    assert [type(n) for n in tree.children] == [nodes.paragraph]
    assert tree.astext() == " ".join(text.split())


def test_escape_rejects_blank_and_non_string():
    with pytest.raises(ValueError, match="^text:"):
        gen_rst.escape("  \n ")
    with pytest.raises(ValueError, match="^text:"):
        gen_rst.escape(3)


@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=40))
def test_compress_sizes_inverts_parse_sizes(sizes):
    assert parse_sizes(gen_claims.compress_sizes(sizes)) == tuple(sizes)


def test_compress_sizes_examples():
    assert gen_claims.compress_sizes((500, 500, 50, 50, 50)) == "500x2,50x3"
    assert gen_claims.compress_sizes((200, 100, 50, 50)) == "200,100,50x2"


def _from_command(command: str) -> Problem:
    argv = command.split()[1:]  # drop the program name
    return problem_from_args(cli.build_parser().parse_args(argv))


EXTRA_PROBLEMS = [
    Problem(sizes=(7, 3, 3), lambda_w=1e-3, lambda_h=2.5e-2, bias="regularized", lambda_b=0.125),
    Problem(sizes=(4, 4, 1), loss="mse", bias="free", depth=3, d=5),
    Problem(sizes=(9, 2, 2, 2), features="relu", lambda_w=1 / 3, lambda_h=1e-7),
    Problem(sizes=(6, 2, 1), classifier="fixed-etf", constraint="per-sample", e_w=2.0, e_h=0.3, d=2),
    Problem(sizes=(5, 5, 1), constraint="average", e_w=1.5, e_h=0.7, lambda_w=0.0, lambda_h=0.0),
]


@pytest.mark.parametrize("problem", EXTRA_PROBLEMS, ids=lambda p: f"{p.bias}-{p.features}-{p.constraint}")
def test_verify_command_rebuilds_the_problem(problem):
    assert _from_command(gen_claims.verify_command("x/y", problem)) == problem


def test_default_instance_commands_rebuild_the_instances():
    for claim in all_claims():
        for problem in claim.default_instances():
            assert _from_command(gen_claims.verify_command(claim.id, problem)) == problem, claim.id


def test_claim_render_reports_broken_sympy_forms_instead_of_raising():
    claim = replace(all_claims()[0], sympy_forms=lambda: 1 / 0)
    text, problems = gen_claims.render_claim(claim, PROVENANCE)
    assert claim.id in text
    assert len(problems) == 1 and "ZeroDivisionError" in problems[0]


def test_api_lists_unimportable_module_instead_of_failing():
    text, _ = gen_api.render_modules(["nctheory.model.problem", "nctheory.no_such_module_xyz"])
    assert ".. automodule:: nctheory.model.problem" in text
    assert "automodule:: nctheory.no_such_module_xyz" not in text
    assert "nctheory.no_such_module_xyz" in text and "ModuleNotFoundError" in text


def test_exit_codes_documented_match_the_cli():
    codes = {name: value for name, value, meaning in gen_cli.exit_codes(cli) if meaning}
    assert codes == {"EXIT_OK": cli.EXIT_OK, "EXIT_FAIL": cli.EXIT_FAIL,
                     "EXIT_BAD_INPUT": cli.EXIT_BAD_INPUT, "EXIT_INCONCLUSIVE": cli.EXIT_INCONCLUSIVE}
    # The hand-written table in getting-started must agree with the constants.
    page = (DOCS / "getting-started.rst").read_text(encoding="utf-8")
    table = dict(re.findall(r"\* - ``(\d)``\n\s+- (\w+)", page))
    words = {"EXIT_OK": "ok", "EXIT_FAIL": "fail", "EXIT_BAD_INPUT": "bad", "EXIT_INCONCLUSIVE": "inconclusive"}
    assert {str(v): words[k] for k, v in codes.items()} == table
