"""Every onset spec by (claim, variable): collected from the claim packages' ``onsets`` modules.

Each source package that states an onset has a module ``nctheory.claims.sources.<source>.onsets`` with a list
``ONSETS`` of :class:`~nctheory.explore.onsets.spec.OnsetSpec`; they are imported on first use.
"""

from __future__ import annotations

import importlib

from nctheory.explore.onsets.spec import OnsetSpec, check_variable

#: Source packages with an ``onsets`` module, in catalogue order.
SOURCES = ("hong_ling", "dang2023", "dang2024", "fang", "zhu")
_SPECS: dict[tuple[str, str], OnsetSpec] = {}


def onset_specs() -> list[OnsetSpec]:
    """Every registered spec (catalogue order)."""
    if not _SPECS:
        for source in SOURCES:
            module = importlib.import_module(f"nctheory.claims.sources.{source}.onsets")
            for spec in module.ONSETS:
                if spec.key in _SPECS:
                    raise ValueError(f"claim_id: the onset {spec.key} is registered twice")
                _SPECS[spec.key] = spec
    return list(_SPECS.values())


def claims_with_onsets() -> list[str]:
    """Claim ids that state an onset (in registry order, without repeats)."""
    return list(dict.fromkeys(s.claim_id for s in onset_specs()))


def variables_of(claim_id: str) -> list[str]:
    """The variables ``claim_id``'s onset can be located in (its first is the default)."""
    return [s.variable for s in onset_specs() if s.claim_id == claim_id]


def get_onset(claim_id: str, variable: str | None = None) -> OnsetSpec:
    """The spec of ``claim_id`` in ``variable`` (default: the claim's first variable).

    Raises
    ------
    ValueError
        ``claim: ...`` when the claim states no onset, ``variable: ...`` when it has none in that variable.
    """
    specs = onset_specs()
    known = claims_with_onsets()
    if claim_id not in known:
        raise ValueError(f"claim: {claim_id!r} states no onset that can be located; claims with onsets: "
                         f"{', '.join(known)}")
    if variable is None:
        return next(s for s in specs if s.claim_id == claim_id)
    check_variable(variable)
    for s in specs:
        if s.key == (claim_id, variable):
            return s
    raise ValueError(f"variable: the {claim_id} onset is located in {', '.join(variables_of(claim_id))}, "
                     f"not in {variable!r}")
