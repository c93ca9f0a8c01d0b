"""The claims registry: one module per source, each exposing ``CLAIMS`` (a list of
:class:`~nctheory.claims.base.Claim`).  ``all_claims()`` gathers them."""

from __future__ import annotations

import importlib

from nctheory.claims.base import PROVENANCE, Claim, Prediction, Tolerance  # noqa: F401

#: Modules holding claims, in catalogue order.  A module missing here is not shown.
CLAIM_MODULES = (
    "nctheory.claims.zhu",
    "nctheory.claims.hong_ling",
    "nctheory.claims.seli",
    "nctheory.claims.dang2023",
    "nctheory.claims.dang2024",
    "nctheory.claims.yang",
    "nctheory.claims.fang",
    "nctheory.claims.allnc",
)


def all_claims() -> list[Claim]:
    """Every registered claim, in catalogue order (modules not yet written are skipped)."""
    out: list[Claim] = []
    for name in CLAIM_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        out.extend(mod.CLAIMS)
    ids = [c.id for c in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise RuntimeError(f"duplicate claim ids: {sorted(dup)}")
    return out


def get_claim(claim_id: str) -> Claim:
    """Look a claim up by id; ValueError naming the known ids otherwise."""
    for c in all_claims():
        if c.id == claim_id:
            return c
    known = ", ".join(c.id for c in all_claims()) or "(none registered)"
    raise ValueError(f"claim: unknown id {claim_id!r}; known: {known}")
