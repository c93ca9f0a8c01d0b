"""The documentation builds offline, renders its math offline and shows the live registry and CLI.

One Sphinx build (module-scoped fixture, ~30 s) into a temporary directory, then
checks on the produced HTML; where Chromium is installed, the formulas are checked in
a headless browser without network (``docs/check_offline_math.py``, ~20 s); plus fast
unit tests of the generators and of the checker in ``docs/``.
"""

from __future__ import annotations

import html
import importlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
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
check_offline_math = importlib.import_module("check_offline_math")

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
    for page in ("index.html", "getting-started.html", "concepts.html", "verdicts.html", "conventions.html",
                 "claims.html", "cli.html", "findings.html", "api/index.html"):
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
    n_forms = sum(len(c.symbolic()) for c in all_claims() if c.symbolic is not None)
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


# ------------------------------------------------------------- hand-written pages
#: The pages this project writes by hand (the others are generated from the code).
OWN_PAGES = ("index", "getting-started", "concepts", "verdicts", "conventions")


def _python_blocks(page: str) -> list[str]:
    text = (DOCS / f"{page}.rst").read_text(encoding="utf-8")
    return [textwrap.dedent(b) for b in re.findall(r"\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)", text)]


@pytest.mark.parametrize("page", ["getting-started", "verdicts", "conventions"])
def test_python_examples_on_the_pages_run(page):
    blocks = _python_blocks(page)
    assert blocks, f"{page}.rst has no python example"
    for i, code in enumerate(blocks):
        exec(compile(code, f"{page}.rst[python block {i}]", "exec"), {"__name__": "__docs__"})


#: Characters of a code line that fit the page width of the theme (longer lines scroll sideways).
CODE_WIDTH = 64


@pytest.mark.parametrize("page", OWN_PAGES)
def test_code_examples_fit_the_page_width(page):
    text = (DOCS / f"{page}.rst").read_text(encoding="utf-8")
    blocks = re.findall(r"\.\. code-block:: (?:python|sh)\n\n((?:(?:   .*)?\n)+)", text)
    long = [ln for b in blocks for ln in textwrap.dedent(b).splitlines() if len(ln) > CODE_WIDTH]
    assert not long, long


def test_own_pages_link_every_python_reference(built):
    """A :func:/:class:/... role that names no documented object renders as plain code: use the documented
    name, or ``literal`` text for modules the API reference does not cover."""
    out, _ = built
    for page in OWN_PAGES:
        raw = (out / f"{page}.html").read_text(encoding="utf-8")
        refs = re.findall(r'<code class="xref py[^"]*"><span class="pre">([^<]*)</span>', raw)
        linked = re.findall(r'<a class="reference internal"[^>]*><code class="xref py', raw)
        assert len(linked) == len(refs), (page, refs)


def _verdict_examples() -> list[tuple[str, str]]:
    text = (DOCS / "verdicts.rst").read_text(encoding="utf-8")
    return re.findall(r"\* - ``(nctheory verify [^`]+)``\n\s+- ``(\w+)``", text)


def test_verdict_examples_on_the_page_give_those_verdicts():
    from nctheory.claims import get_claim
    from nctheory.verify import VERDICTS, verify_claim

    examples = _verdict_examples()
    assert sorted(v for _, v in examples) == sorted(VERDICTS), examples  # one example per verdict
    for command, verdict in examples:
        args = cli.build_parser().parse_args(command.split()[1:])
        v = verify_claim(get_claim(args.claim), problem_from_args(args))
        assert v.verdict == verdict, (command, v.verdict, v.reason)


def test_require_certified_note_matches_the_cli():
    """The verdicts page says whether ``--require-certified`` is a CLI option; the parser decides."""
    subs = gen_cli.subcommands(cli.build_parser())
    has_flag = any("--require-certified" in action.option_strings for action in subs["verify"][0]._actions)
    text = " ".join((DOCS / "verdicts.rst").read_text(encoding="utf-8").split())
    says_missing = "not yet an option of the command line" in text
    assert has_flag != says_missing, ("the CLI has --require-certified now: remove the note on the verdicts page"
                                      if has_flag else "the page must say the CLI lacks --require-certified")


def _keys(obj):
    """The shape of a JSON value: dict keys recursively, a list by its first element."""
    if isinstance(obj, dict):
        return {k: _keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_keys(obj[0])] if obj else []
    return type(obj).__name__ if obj is not None else None


def _same_shape(a, b, where="record"):
    """Same keys at every level; a value's type may differ only where one side is null."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), (where, sorted(set(a) ^ set(b)))
        for k in a:
            _same_shape(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if a and b:
            _same_shape(a[0], b[0], f"{where}[0]")


def test_json_record_on_the_verdicts_page_is_what_the_cli_prints(capsys):
    text = (DOCS / "verdicts.rst").read_text(encoding="utf-8")
    shell = re.search(r"\.\. code-block:: sh\n\n((?:   .*\n)+)", text[text.index("The JSON record"):]).group(1)
    command = " ".join(shell.replace("\\\n", " ").split())
    assert command.startswith("nctheory verify ") and command.endswith(" --json"), command
    shown = json.loads(textwrap.dedent(re.search(r"\.\. code-block:: json\n\n((?:(?:   .*)?\n)+)", text).group(1)))
    full = json.loads((DOCS / "_static" / "verify-zhu-balanced-ce.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    code = cli.main(command.split()[1:])
    printed = capsys.readouterr()
    assert code == 0, printed.err[-2000:]
    fresh = json.loads(printed.out)
    for record in (shown, full):
        _same_shape(_keys(fresh), _keys(record))
        assert (record["claim"], record["verdict"], record["certified"]) == \
               (fresh["claim"], fresh["verdict"], fresh["certified"])
    assert shown["checks"] == full["checks"][:1] and shown["solutions"] == full["solutions"]
    n_words = {8: "eight", 9: "nine", 10: "ten", 11: "eleven"}
    n = len(fresh["checks"])
    assert len(full["checks"]) == n
    assert f"first of its {n_words[n]} checks" in " ".join(text.split()), "the page miscounts the checks"


def test_conventions_page_sums_the_feature_penalty_for_zhu_and_dang(built):
    """Catalogue §9: Zhu et al. 2021 and Dang et al. 2023 sum the feature penalty, as the canonical
    convention does; no hand-written page may send them through from_averaged_feature_penalty."""
    out, _ = built
    text = " ".join(_page_text(out, "conventions.html").split())
    for source in ("Zhu et al. 2021", "Dang et al. 2023"):
        section = text[text.rindex(source):]  # the source's own section, after the summary table
        m = re.search(r"Writes:(.*?)Conversion:(.*?)How sure:", section)
        assert m and "summed" in m.group(1) and m.group(2).strip().startswith("none"), (source, section[:500])
    for page in OWN_PAGES:
        flat = " ".join(_page_text(out, f"{page}.html").split())
        for wrong in ("Zhu et al. and Dang et al. average", "Dang et al. average", "Zhu et al. average"):
            assert wrong not in flat, (page, wrong)


def test_claim_catalogue_agrees_that_dang2023_sums_the_feature_penalty(built):
    out, _ = built
    text = " ".join(_page_text(out, "claims.html").split())
    assert "averaged feature penalty" not in text


# ------------------------------------------------------------------- offline math
MATH_PAGES = ("concepts.html", "conventions.html", "verdicts.html", "claims.html")
#: Opened in Chromium (~5 s each): inline-heavy hand-written pages and the generated sympy display math.
BROWSER_PAGES = ("concepts.html", "conventions.html", "claims.html")


def test_mathjax_is_served_from_the_build(built):
    out, _ = built
    for page in MATH_PAGES:
        raw = (out / page).read_text(encoding="utf-8")
        srcs = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', raw, flags=re.I)
        assert srcs == ["_static/mathjax/tex-chtml.js"], (page, srcs)
        assert "jsdelivr" not in raw, page  # Sphinx's default MathJax CDN
    static = out / "_static" / "mathjax"
    assert (static / "tex-chtml.js").stat().st_size > 500_000
    assert "Apache License" in (static / "LICENSE").read_text(encoding="utf-8")
    assert list((static / "output/chtml/fonts/woff-v2").glob("*.woff")), "no CommonHTML fonts copied"
    assert (static / "input/tex/extensions/boldsymbol.js").is_file()  # autoloaded TeX extensions


def _dom(body: str, script: str = "_static/mathjax/tex-chtml.js") -> str:
    return f'<html><head><script defer src="{script}"></script></head><body>{body}</body></html>'


RENDERED = '<mjx-container class="MathJax" jax="CHTML"><mjx-math><mjx-mi><mjx-c></mjx-c></mjx-mi></mjx-math>' \
           '<mjx-assistive-mml><math><mi>x</mi></math></mjx-assistive-mml></mjx-container>'


def test_checker_counts_rendered_raw_and_errors(tmp_path):
    (tmp_path / "_static" / "mathjax").mkdir(parents=True)
    (tmp_path / "_static" / "mathjax" / "tex-chtml.js").write_text("//")
    ok = check_offline_math.analyse_dom(_dom(
        f'<p>a <span class="math notranslate nohighlight">{RENDERED}</span> b</p>'
        f'<div class="math notranslate nohighlight"><span class="eqno">(1)</span>{RENDERED}</div>'
        '<pre>literal \\( stays \\)</pre>'), "p.html", tmp_path)
    assert (ok.math, ok.rendered, ok.raw, ok.errors, ok.script_local, ok.ok) == (2, 2, 0, 0, True, True)
    raw = check_offline_math.analyse_dom(_dom(
        '<span class="math notranslate nohighlight">\\(x^2\\)</span>'
        '<div class="math notranslate nohighlight">\\[\\sum_k\\]</div>'), "p.html", tmp_path)
    assert (raw.math, raw.rendered, raw.raw, raw.ok) == (2, 0, 2, False)
    err = check_offline_math.analyse_dom(_dom(
        '<span class="math">' + RENDERED.replace("<mjx-math>", "<mjx-merror><mjx-mtext></mjx-mtext></mjx-merror>"
                                                 "<mjx-math>") + '</span>'), "p.html", tmp_path)
    assert (err.rendered, err.errors, err.ok) == (1, 1, False)
    cdn = check_offline_math.analyse_dom(_dom(f'<span class="math">{RENDERED}</span>',
                                              script="https://cdn.example.org/mathjax/tex-chtml.js"), "p.html", tmp_path)
    assert not cdn.script_local and not cdn.ok and "not served from the build" in cdn.problems[0]
    none = check_offline_math.analyse_dom("<html><body><p>no math</p></body></html>", "p.html", tmp_path)
    assert none.math == 0 and none.ok and "no math" in none.notes[0]
    unclosed = check_offline_math.analyse_dom(_dom(
        '<span class="math"><mjx-container><mjx-math></mjx-container></span><span class="math">\\(y\\)</span>'),
        "p.html", tmp_path)
    assert (unclosed.math, unclosed.rendered, unclosed.raw) == (2, 1, 1)


CHROMIUM = check_offline_math.find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium); "
                             "the offline rendering of formulas is not checked here")


def _run_checker(out: Path, pages, shots: Path):
    proc = subprocess.run([sys.executable, str(DOCS / "check_offline_math.py"), str(out), *pages,
                           "--shots", str(shots), "--json"], capture_output=True, text=True, timeout=600)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@needs_chromium
def test_formulas_render_in_chromium_without_network(built, tmp_path):
    out, proc = built
    assert proc.returncode == 0, proc.stderr[-3000:]
    rc, report = _run_checker(out, BROWSER_PAGES, tmp_path)
    pages = {p["page"]: p for p in report["pages"]}
    for page in BROWSER_PAGES:
        rep = pages[page]
        assert rep["math"] > 0 and rep["rendered"] == rep["math"], rep
        assert rep["raw"] == 0 and rep["errors"] == 0 and rep["script_local"], rep
        assert Path(rep["screenshot"]).stat().st_size > 10_000, rep  # a real page, not a blank PNG
    assert rc == 0 and report["ok"], report


@needs_chromium
def test_checker_sees_raw_tex_when_mathjax_needs_the_network(built, tmp_path):
    """The same page pointing at a CDN stays raw LaTeX: the browser really has no network."""
    out, _ = built
    site = tmp_path / "site"
    shutil.copytree(out, site, ignore=shutil.ignore_patterns("mathjax"))
    page = site / "concepts.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "_static/mathjax/tex-chtml.js", "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"), encoding="utf-8")
    rc, report = _run_checker(site, ["concepts.html"], tmp_path / "shots")
    rep = report["pages"][0]
    assert rc == 1 and not report["ok"]
    assert rep["math"] > 0 and rep["rendered"] == 0 and rep["raw"] == rep["math"], rep


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
    claim = replace(all_claims()[0], symbolic=lambda: 1 / 0)
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


def test_long_inline_literals_wrap_in_the_text_column(built):
    """Findings cite whole test node ids; the theme's ``span.pre {white-space: nowrap}`` ran them past the page edge
    (seen in a headless-Chromium screenshot).  The page must load the stylesheet that lets them wrap."""
    out, _ = built
    raw = (out / "findings.html").read_text(encoding="utf-8")
    assert re.search(r'href="_static/wrap\.css(\?[^"]*)?"', raw)
    css = (out / "_static" / "wrap.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert any("span.pre" in sel and re.search(r"white-space:\s*normal", body) for sel, body in rules), css
