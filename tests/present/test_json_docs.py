"""``docs/json.rst``: one rendered table per schema, every field of every schema on the page, and its Python
examples run (against this checkout's ``nctheory`` command)."""

from __future__ import annotations

import os
import re
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from nctheory.present import schema_doc
from nctheory.present.serialize import SCHEMAS, schema

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "json.rst"


def _fields(node, prefix=""):
    """Dotted names of every property of a schema node (as the tables show them)."""
    for key, sub in (node.get("properties") or {}).items():
        name = f"{prefix}{key}"
        yield name
        for s in [sub] + list(sub.get("anyOf", [])):
            if s.get("type") == "object" and s.get("properties"):
                yield from _fields(s, f"{name}.")
                break
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            yield from _fields(sub["items"], f"{name}[].")


def test_the_page_renders_every_output_schema_and_the_definitions():
    text = PAGE.read_text(encoding="utf-8")
    rendered = re.findall(r"^\.\. nctheory-json:: (\S+)$", text, flags=re.M)
    assert sorted(rendered) == sorted(n for n in SCHEMAS if n != "common")
    assert ".. nctheory-json-definitions::" in text
    assert "   json\n" in (ROOT / "docs" / "index.rst").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [n for n in SCHEMAS if n != "common"])
def test_every_field_is_in_its_table(name):
    rst = schema_doc.render(name)
    s = schema(name)
    names = set(_fields(s))
    for branch in s.get("oneOf", []):
        names |= set(_fields(branch))
    assert names
    envelope = {"schema_version", "nctheory_version", "command"} if name != "sweep-record" else set()
    for field in names | envelope:
        assert f"   * - ``{field}``" in rst, field
    assert f":download:`{name}.json <../nctheory/present/schema/{name}.json>`" in rst
    assert (ROOT / "docs" / "../nctheory/present/schema" / f"{name}.json").is_file()


def test_the_definitions_have_labels_the_tables_link_to():
    defs = schema_doc.render_definitions()
    linked = set(re.findall(r":ref:`[^<]+<(json-def-[a-z-]+)>`",
                            "\n".join(schema_doc.render(n) for n in SCHEMAS if n != "common") + defs))
    labels = set(re.findall(r"^\.\. _(json-def-[a-z-]+):$", defs, flags=re.M))
    assert linked and linked <= labels
    for field in _fields(schema("common")["$defs"]["verification"]):
        assert f"``{field}``" in defs


def test_descriptions_are_escaped_for_rst():
    assert schema_doc._text("|x| *y* `z`") == r"\|x\| \*y\* \`z\`"
    assert schema_doc._text("a  b\n c *(optional)*") == "a b c *(optional)*"
    assert schema_doc.type_of({"type": ["number", "null"]}) == "number or null"
    assert schema_doc.type_of({"$ref": "common.json#/$defs/check"}) == ":ref:`check <json-def-check>`"


def test_python_examples_run_and_fit_the_page(tmp_path, monkeypatch):
    text = PAGE.read_text(encoding="utf-8")
    blocks = [textwrap.dedent(b) for b in re.findall(r"\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)", text)]
    assert len(blocks) == 2
    assert not [ln for b in blocks for ln in b.splitlines() if len(ln) > 64]
    # the example calls `nctheory`: this checkout's, whatever is installed
    shim = tmp_path / "nctheory"
    shim.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m nctheory \"$@\"\n")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    namespace = {"__name__": "__docs__"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"json.rst[python block {i}]", "exec"), namespace)
    assert namespace["result"].verdict == "pass"
