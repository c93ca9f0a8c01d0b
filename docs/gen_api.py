"""Render the Python API reference: every public module of the package, on four pages.

The modules are found on disk (every ``.py`` file and package below ``nctheory/`` whose dotted name has
no part starting with ``_``), so a module added to the package appears without editing this file.  Each
goes to the page of the longest prefix in :data:`PAGE_PREFIXES`; a page starts with its
:data:`LEADING` modules, in that reading order, then lists the rest alphabetically.  A module that does
not import (an optional dependency missing), or whose docstrings do not build yet (:data:`HELD_BACK`), is
listed as not documented, with the reason, instead of breaking the build.  The rest are documented by ``sphinx.ext.autodoc`` (numpydoc docstrings through
``sphinx.ext.napoleon``).  Run directly to print the generated reStructuredText::

    python docs/gen_api.py
"""

from __future__ import annotations

import importlib
from pathlib import Path

import gen_rst as rst

#: The package documented, and the folder its sources are in.
PACKAGE = "nctheory"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

#: Which page (``docs/api/<key>.rst``) a module goes to: the page of its longest matching prefix.
#: The bare package name catches any module no other prefix names.
PAGE_PREFIXES = {
    "nctheory": "model",
    "nctheory.model": "model",
    "nctheory.geometry": "model",
    "nctheory.metrics": "model",
    "nctheory.diagnostics": "model",
    "nctheory.observe": "model",
    "nctheory.errors": "model",
    "nctheory.solvers": "solvers",
    "nctheory.claims": "claims",
    "nctheory.verify": "claims",
    "nctheory.cli": "claims",
    "nctheory.threshold": "explore",
    "nctheory.explore": "explore",
    "nctheory.testing": "explore",
    "nctheory.present": "explore",
    "nctheory.gallery": "explore",
    "nctheory.progress": "explore",
}

#: The modules each page opens with, in reading order (the rest of the page follows alphabetically).
LEADING = {
    "model": ("nctheory.model.problem", "nctheory.geometry", "nctheory.metrics", "nctheory.diagnostics"),
    "solvers": ("nctheory.solvers", "nctheory.solvers.registry", "nctheory.solvers.result",
                "nctheory.solvers.certified", "nctheory.solvers.convex", "nctheory.solvers.factored"),
    "claims": ("nctheory.claims", "nctheory.claims.base", "nctheory.verify", "nctheory.cli.check"),
    "explore": ("nctheory.threshold", "nctheory.explore.search", "nctheory.explore.sweep", "nctheory.testing",
                "nctheory.present.plots"),
}

#: Public modules whose docstrings docutils cannot parse yet (the build would report an ERROR): listed on
#: their page as not documented, with the reason, until their docstrings are fixed.  ``|x|`` outside
#: ``:math:`` is read as a substitution reference; write ``:math:`|x|``` or ``\|x\|`` instead.
HELD_BACK: dict[str, str] = {}


def public_modules(package_dir: Path = PACKAGE_DIR, package: str = PACKAGE) -> list[str]:
    """Dotted names of the public modules and packages below ``package_dir``, sorted.

    A name is public when none of its parts starts with ``_`` (so ``__main__`` and ``_checks`` are not).
    Nothing is imported here.
    """
    names = set()
    for path in package_dir.rglob("*.py"):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(p.startswith("_") for p in parts):
            continue
        names.add(".".join([package, *parts]))
    return sorted(names)


def page_of(module: str) -> str:
    """The page key of ``module``: that of its longest prefix in :data:`PAGE_PREFIXES`."""
    matches = [p for p in PAGE_PREFIXES if module == p or module.startswith(p + ".")]
    if not matches:
        raise ValueError(f"module: {module!r} is not below {PACKAGE!r}")
    return PAGE_PREFIXES[max(matches, key=len)]


def api_groups(modules) -> dict[str, tuple[str, ...]]:
    """``{page key: modules}``: each page's :data:`LEADING` modules first, then its others alphabetically."""
    pages = {key: list(lead) for key, lead in LEADING.items()}
    for name in sorted(modules):
        page = pages[page_of(name)]
        if name not in page:
            page.append(name)
    return {key: tuple(names) for key, names in pages.items()}


#: The reference, by page (``docs/api/<key>.rst``): ``{page key: modules}``.
API_GROUPS = api_groups(public_modules())


def try_import(name: str) -> str | None:
    """``None`` if module ``name`` imports (and is not :data:`HELD_BACK`), else a one-line reason."""
    if name in HELD_BACK:
        return HELD_BACK[name]
    try:
        importlib.import_module(name)
    except Exception as exc:  # any import-time failure makes the module unavailable here
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


def split_importable(modules) -> tuple[list[str], dict[str, str]]:
    """``(documentable modules, {module not documented here: reason})``, order kept."""
    ok, missing = [], {}
    for name in modules:
        reason = try_import(name)
        if reason is None:
            ok.append(name)
        else:
            missing[name] = reason
    return ok, missing


def render_modules(modules) -> tuple[str, list[str]]:
    """An ``automodule`` section per importable module, then a note listing the others.

    Members come from ``__all__`` when a module defines it (so a package documents
    what it re-exports), otherwise from the module's own definitions.
    """
    ok, missing = split_importable(modules)
    blocks = []
    for name in ok:
        blocks.append(rst.section(name, 0))
        blocks.append(rst.directive("automodule", name, options={
            "members": "", "undoc-members": "", "show-inheritance": "",
        }))
    if missing:
        items = [f"{rst.literal(name)}: {rst.escape(reason)}" for name, reason in missing.items()]
        blocks.append(rst.join(".. note::", "   Not importable in this build (or held back), so not documented here:",
                               "\n".join("   " + line for line in rst.bullet_list(items).splitlines())))
    return rst.join(*blocks), []


if __name__ == "__main__":  # pragma: no cover - manual inspection
    for key, mods in API_GROUPS.items():
        text, _ = render_modules(mods)
        print(f"--- docs/api/{key}.rst")
        print(text)
