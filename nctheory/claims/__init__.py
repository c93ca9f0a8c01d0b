"""The claims registry: the built-in sources, users' claim files, and installed packages' claims.

* Built-ins: one package per source under :mod:`nctheory.claims.sources`, each exposing ``CLAIMS``
  (a list of :class:`~nctheory.claims.base.Claim`), in catalogue order (:data:`SOURCES`).
* Users' claims: :func:`load_claims` reads a ``.py`` file or an importable module exposing ``CLAIMS``
  (the CLI's ``--claims PATH``); :func:`register_claims` adds claims directly.
* Installed packages: the entry-point group ``nctheory.claims`` (each entry point resolves to a list of
  claims, or to a module exposing ``CLAIMS``).
"""

from __future__ import annotations

import importlib

from nctheory.claims.base import (PROVENANCE, Claim, Expectation, Prediction, Requires,  # noqa: F401
                                  Tolerance)
from nctheory.claims.family import ClaimFamily  # noqa: F401

#: Built-in sources, in catalogue order.
SOURCES = ("zhu", "hong_ling", "seli", "dang2023", "dang2024", "yang", "fang", "allnc", "behnia2023", "zhou2022",
           "garrod_keating", "lowdim")


def _source_module(name: str):
    for path in (f"nctheory.claims.sources.{name}", f"nctheory.claims.{name}"):
        try:
            return importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name not in (path, path.rsplit(".", 1)[0], "nctheory.claims.sources"):
                raise
    return None


def builtin_claims() -> list[Claim]:
    out: list[Claim] = []
    for name in SOURCES:
        mod = _source_module(name)
        if mod is not None:
            out.extend(mod.CLAIMS)
    return out


def all_claims() -> list[Claim]:
    """Every registered claim: built-ins (catalogue order), then users' and installed packages' claims."""
    from nctheory.claims.registry import extra_claims

    out = builtin_claims() + extra_claims()
    ids = [c.id for c in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"claims: duplicate claim id(s) {', '.join(dup)}")
    return out


def get_claim(claim_id: str) -> Claim:
    """Look a claim up by id; ValueError naming the known ids otherwise."""
    claims = all_claims()
    for c in claims:
        if c.id == claim_id:
            return c
    known = ", ".join(c.id for c in claims) or "(none registered)"
    raise ValueError(f"claim: unknown id {claim_id!r}; known: {known}")


from nctheory.claims.registry import load_claims, register_claims  # noqa: E402,F401
