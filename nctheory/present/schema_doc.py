"""The JSON schemas as reStructuredText field tables (``docs/json.rst`` renders them at build time).

:func:`render` writes one schema: its title and description, a download link to the file, and a table of its
fields -- nested objects as dotted names (``summary.verdicts.pass``), a field defined in ``common.json`` by a
link to that definition's table (:func:`render_definitions`).  The descriptions are the schemas' own, so the
page cannot drift from the files.
"""

from __future__ import annotations

from nctheory.present.serialize import SCHEMAS, schema

#: Where the schema files are, relative to the docs folder (for the download links).
DOCS_TO_SCHEMAS = "../nctheory/present/schema/"


def _label(name: str) -> str:
    return f"json-def-{name.replace('_', '-')}"


def _literal(value) -> str:
    import json

    return f"``{json.dumps(value, ensure_ascii=False)}``"


def type_of(node: dict) -> str:
    """A short description of what a schema node allows (``number or null``, ``list of`` :ref:`check`)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f":ref:`{name} <{_label(name)}>`"
    if "const" in node:
        return _literal(node["const"])
    if "enum" in node:
        return " | ".join(_literal(v) for v in node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(type_of(sub) for sub in node[key])
    kind = node.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind and "items" in node):
        inner = f"list of {type_of(node['items'])}" if "items" in node else "list"
        rest = [k for k in kind if k != "array"] if isinstance(kind, list) else []
        return " or ".join([inner] + rest)
    if kind == "object" and "additionalProperties" in node and isinstance(node["additionalProperties"], dict):
        return f"object of {type_of(node['additionalProperties'])} by name"
    if isinstance(kind, list):
        return " or ".join(kind)
    return kind or "any JSON value"


def _rows(node: dict, prefix: str = "", also_required=()) -> list[tuple[str, str, str]]:
    """``(field, type, meaning)`` for every property, nested objects flattened to dotted names."""
    rows = []
    required = set(node.get("required", ())) | set(also_required)
    for key, sub in (node.get("properties") or {}).items():
        name = f"{prefix}{key}"
        desc = sub.get("description", "")
        if key not in required:
            desc = f"{desc} *(optional)*".strip()
        nested = [s for s in ([sub] + list(sub.get("anyOf", []))) if s.get("type") == "object" and s.get("properties")]
        if nested:
            rows.append((name, "object" + (" or null" if "anyOf" in sub else ""), desc))
            rows.extend(_rows(nested[0], f"{name}."))
        elif sub.get("type") == "array" and isinstance(sub.get("items"), dict) and sub["items"].get("properties"):
            rows.append((name, "list of objects", desc))
            rows.extend(_rows(sub["items"], f"{name}[]."))
        else:
            rows.append((name, type_of(sub), desc))
    return rows


def _text(desc: str) -> str:
    """A description as RST text: one line, the characters RST would read as markup escaped."""
    text = " ".join(desc.split())
    for ch in ("\\", "|", "*", "`"):
        text = text.replace(ch, "\\" + ch)
    return text.replace("\\*(optional)\\*", "*(optional)*")


def _table(rows) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", "   :widths: 22 26 52", "", "   * - field", "     - value",
           "     - meaning"]
    for name, kind, desc in rows:
        out += [f"   * - ``{name}``", f"     - {kind}", f"     - {_text(desc) or '..'}"]
    return out + [""]


def render(name: str) -> str:
    """RST for the schema ``name`` (module doc)."""
    s = schema(name)
    lines = [_text(s.get("description", "")), "",
             f"Schema: :download:`{name}.json <{DOCS_TO_SCHEMAS}{name}.json>` (``$id`` ``{s['$id']}``).", ""]
    rows = []
    envelope = schema("common")["$defs"]["envelope"]
    enveloped = any(r.get("$ref", "").endswith("/envelope") for r in s.get("allOf", ()))
    if enveloped:
        rows += [r for r in _rows(envelope) if r[0] != "command"]
    rows += _rows(s, also_required=envelope["required"] if enveloped else ())
    branches = s.get("oneOf", [])
    if rows:
        lines += _table(rows)
    for branch in branches:
        lines += [f"**{_text(branch.get('description', ''))}**", ""]
        if "$ref" in branch:
            lines += [f"The fields of {type_of(branch)}.", ""]
        else:
            lines += _table(_rows(branch))
    return "\n".join(lines)


def render_definitions() -> str:
    """RST for every definition of ``common.json``, each under a label the field tables link to."""
    defs = schema("common")["$defs"]
    lines = []
    for key, node in defs.items():
        lines += [f".. _{_label(key)}:", "", key, "~" * len(key), "", _text(node.get("description", "")), ""]
        if node.get("properties"):
            lines += _table(_rows(node))
        else:
            lines += [f"Value: {type_of({k: v for k, v in node.items() if k != 'description'})}.", ""]
    return "\n".join(lines)


__all__ = ["render", "render_definitions", "type_of", "SCHEMAS"]
