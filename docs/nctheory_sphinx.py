"""Sphinx extension: directives that render live project data at build time.

==========================  ===================================================
``.. nctheory-claims::``     the claim catalogue (:mod:`gen_claims`)
``.. nctheory-refuted::``    claims registered to be refuted
``.. nctheory-provenance::`` the provenance tags and their meanings
``.. nctheory-cli::``        the CLI reference from ``build_parser()`` (:mod:`gen_cli`)
``.. nctheory-api:: KEY``    autodoc sections for one group of :data:`gen_api.API_GROUPS`
``.. nctheory-json:: NAME``  the fields of one JSON schema (``nctheory.present.schema_doc``)
==========================  ===================================================

``.. nctheory-json-definitions::`` renders the definitions the JSON schemas share.

Each directive records the source files it read as dependencies of the page, so
an incremental build re-renders the page when the code changes.  Anything a
generator could not render becomes a Sphinx warning (fatal under ``-W``).
"""

from __future__ import annotations

import sys

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes

import gen_api
import gen_claims
import gen_cli

logger = logging.getLogger(__name__)


class _Generated(SphinxDirective):
    """Base: subclasses return ``(rst, problems)`` from :meth:`generate`."""

    has_content = False
    #: Loaded modules whose name starts with one of these become page dependencies.
    depends_on: tuple[str, ...] = ()

    def generate(self) -> tuple[str, list[str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        text, problems = self.generate()
        for prefix in self.depends_on:
            for name, mod in list(sys.modules.items()):
                path = getattr(mod, "__file__", None)
                if path and (name == prefix or name.startswith(prefix + ".")):
                    self.env.note_dependency(path)
        for problem in problems:
            logger.warning("%s: %s", self.name, problem, location=self.get_location())
        return nested_parse_to_nodes(self.state, text, source=f"<{self.name} in {self.env.docname}>",
                                     allow_section_headings=True)


class ClaimsDirective(_Generated):
    depends_on = ("nctheory.claims", "nctheory.model.problem")

    def generate(self):
        from nctheory.claims import PROVENANCE, all_claims

        return gen_claims.render_catalogue(all_claims(), PROVENANCE)


class RefutedDirective(_Generated):
    depends_on = ("nctheory.claims",)

    def generate(self):
        from nctheory.claims import all_claims

        return gen_claims.render_refuted(all_claims())


class ProvenanceDirective(_Generated):
    depends_on = ("nctheory.claims.base",)

    def generate(self):
        from nctheory.claims import PROVENANCE

        return gen_claims.render_provenance(PROVENANCE)


class CliDirective(_Generated):
    depends_on = ("nctheory.cli", "nctheory.cli.args", "nctheory.solvers.registry", "nctheory.model.problem")

    def generate(self):
        from nctheory import cli

        return gen_cli.render_cli(cli.build_parser(), cli)


class ApiDirective(_Generated):
    required_arguments = 1

    def generate(self):
        key = self.arguments[0]
        if key not in gen_api.API_GROUPS:
            return "", [f"unknown API group {key!r}; known: {', '.join(gen_api.API_GROUPS)}"]
        return gen_api.render_modules(gen_api.API_GROUPS[key])


class JsonSchemaDirective(_Generated):
    required_arguments = 1
    depends_on = ("nctheory.present.serialize", "nctheory.present.schema_doc")

    def generate(self):
        from nctheory.present import schema_doc

        name = self.arguments[0]
        self.env.note_dependency(str(_schema_path(name)))
        try:
            return schema_doc.render(name), []
        except ValueError as exc:
            return "", [str(exc)]


class JsonDefinitionsDirective(_Generated):
    depends_on = ("nctheory.present.serialize", "nctheory.present.schema_doc")

    def generate(self):
        from nctheory.present import schema_doc

        self.env.note_dependency(str(_schema_path("common")))
        return schema_doc.render_definitions(), []


def _schema_path(name):
    from pathlib import Path

    import nctheory.present

    return Path(nctheory.present.__file__).parent / "schema" / f"{name}.json"


def setup(app):
    app.add_directive("nctheory-claims", ClaimsDirective)
    app.add_directive("nctheory-refuted", RefutedDirective)
    app.add_directive("nctheory-provenance", ProvenanceDirective)
    app.add_directive("nctheory-cli", CliDirective)
    app.add_directive("nctheory-api", ApiDirective)
    app.add_directive("nctheory-json", JsonSchemaDirective)
    app.add_directive("nctheory-json-definitions", JsonDefinitionsDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
