"""Small reStructuredText builders shared by the documentation generators.

Every generator in ``docs/`` produces plain reStructuredText strings from live
objects (the claim registry, the argparse parser, the importable modules); the
Sphinx extension :mod:`nctheory_sphinx` parses those strings at build time.
Text that comes from code (claim statements, tolerance reasons) is passed
through :func:`escape` so that it is shown verbatim and never parsed as markup.
"""

from __future__ import annotations

import textwrap

#: Characters that can start or end inline markup, roles, references,
#: substitutions or footnotes in reStructuredText.  Escaping them all (and the
#: first character of a paragraph, which could otherwise start a list, a
#: comment or a directive) makes any single line of text literal.
_SPECIAL = set("\\*`_|:[]<>")

#: Section underline characters, by depth (0 = the generated block's top level).
_UNDERLINES = "-~^\"'"


def escape(text: str) -> str:
    """Return ``text`` as one reStructuredText paragraph line that renders verbatim.

    Runs of whitespace (including newlines) become one space.  Every markup
    character is backslash-escaped, and so is the first character, so that
    ``"- a"``, ``"(a) b"`` or ``".. x"`` stay plain text instead of starting a
    list, an enumeration or a comment.

    Raises
    ------
    ValueError
        ``text: ...`` if ``text`` is not a string or is blank.
    """
    if not isinstance(text, str):
        raise ValueError(f"text: expected a string, got {type(text).__name__}")
    flat = " ".join(text.split())
    if not flat:
        raise ValueError("text: is blank; an empty paragraph cannot be rendered")
    if set(flat) == {"\\"}:
        # Escaped, a run of backslashes is a line of one repeated punctuation
        # character, i.e. a transition; an inline literal shows it as is.
        return f"``{flat}``"
    body = "".join("\\" + ch if ch in _SPECIAL else ch for ch in flat)
    if flat[0] not in _SPECIAL:
        body = "\\" + body
    return body


def literal(text: str) -> str:
    """Inline literal (``\u0060\u0060text\u0060\u0060``) for short identifiers without backquotes."""
    if "`" in text or not text.strip() or text != text.strip():
        raise ValueError(f"text: {text!r} cannot be an inline literal (backquote or surrounding blanks)")
    return f"``{text}``"


def section(title: str, depth: int) -> str:
    """A section title with an underline of the style used at ``depth`` (0-based)."""
    if not 0 <= depth < len(_UNDERLINES):
        raise ValueError(f"depth: must be in 0..{len(_UNDERLINES) - 1}, got {depth}")
    line = escape(title)
    return f"{line}\n{_UNDERLINES[depth] * len(line)}\n"


def directive(name: str, argument: str = "", body: str = "", options: dict | None = None) -> str:
    """A directive block: ``.. name:: argument``, its options, then the indented body."""
    head = f".. {name}::" + (f" {argument}" if argument else "")
    lines = [head]
    for key, value in (options or {}).items():
        lines.append(f"   :{key}:" + (f" {value}" if value not in (None, "") else ""))
    out = "\n".join(lines) + "\n"
    if body:
        out += "\n" + textwrap.indent(body.rstrip("\n"), "   ", lambda line: True) + "\n"
    return out


def literal_block(text: str) -> str:
    """Preformatted text, shown exactly (blank lines inside are kept)."""
    return directive("code-block", "text", text.rstrip("\n") or " ")


def math_block(latex: str) -> str:
    """A displayed formula; ``latex`` must not contain blank lines (they split equations)."""
    lines = [ln for ln in latex.splitlines() if ln.strip()]
    if not lines:
        raise ValueError("latex: is empty")
    return directive("math", body="\n".join(lines))


def bullet_list(items) -> str:
    """A bullet list of already-formatted one-line items."""
    return "".join(f"* {item}\n" for item in items)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A ``list-table`` (cells are already-formatted one-line reStructuredText)."""
    body = []
    for row in [header] + rows:
        if len(row) != len(header):
            raise ValueError(f"rows: every row needs {len(header)} cells, got {len(row)}")
        body.append("* - " + row[0])
        body.extend(f"  - {cell}" for cell in row[1:])
    return directive("list-table", body="\n".join(body), options={"header-rows": 1})


def join(*blocks: str) -> str:
    """Join blocks with one blank line between them."""
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks if b)
