"""Render the Python API reference for the modules that import in this build.

Modules are being added while the toolkit grows; a module that does not import
(not written yet, or an optional dependency missing) is listed as unavailable
with the import error instead of breaking the build.  The rest are documented
by ``sphinx.ext.autodoc`` (numpydoc docstrings through ``sphinx.ext.napoleon``).
Run directly to print the generated reStructuredText::

    python docs/gen_api.py
"""

from __future__ import annotations

import importlib

import gen_rst as rst

#: The reference, by page (``docs/api/<key>.rst``): ``{page key: modules}``.
API_GROUPS = {
    "model": ("nctheory.model.problem", "nctheory.geometry", "nctheory.metrics", "nctheory.diagnostics"),
    "solvers": ("nctheory.solvers", "nctheory.solvers.registry", "nctheory.solvers.result",
                "nctheory.solvers.certified", "nctheory.solvers.convex", "nctheory.solvers.factored"),
    "claims": ("nctheory.claims", "nctheory.claims.base", "nctheory.verify", "nctheory.cli.check"),
    "explore": ("nctheory.threshold", "nctheory.explore.search", "nctheory.explore.sweep", "nctheory.testing",
                "nctheory.present.plots"),
}


def try_import(name: str) -> str | None:
    """``None`` if module ``name`` imports, else a one-line reason."""
    try:
        importlib.import_module(name)
    except Exception as exc:  # any import-time failure makes the module unavailable here
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


def split_importable(modules) -> tuple[list[str], dict[str, str]]:
    """``(importable modules, {unavailable module: reason})``, order kept."""
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
        blocks.append(rst.join(".. note::", "   Not importable in this build, so not documented here:",
                               "\n".join("   " + line for line in rst.bullet_list(items).splitlines())))
    return rst.join(*blocks), []


if __name__ == "__main__":  # pragma: no cover - manual inspection
    for key, mods in API_GROUPS.items():
        text, _ = render_modules(mods)
        print(f"--- docs/api/{key}.rst")
        print(text)
