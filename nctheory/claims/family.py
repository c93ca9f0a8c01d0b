r"""Claims about one model: state what they share once.

A source usually makes several statements about the same model (same requirements, same reference
solver, same readers and tolerances).  :class:`ClaimFamily` holds those shared fields; calling it with
the fields that differ builds each :class:`~nctheory.claims.base.Claim`::

    RELU = ClaimFamily(source=SOURCE, requires=RELU_CE, observe=relu_observe,
                       reference=("factored",), tolerances=TOLERANCES)
    STRUCTURE = RELU(id="dang2024/relu-structure", provenance=("derived",), statement="...",
                     predict=predict_structure)

A field given at the call replaces the family's value for that claim only (a claim that needs another
reference says so where it is written).
"""

from __future__ import annotations

from dataclasses import fields

from nctheory.claims.base import Claim

_FIELDS = frozenset(f.name for f in fields(Claim))


class ClaimFamily:
    """A :class:`Claim` constructor with shared fields filled in.

    Parameters
    ----------
    **shared
        Any :class:`Claim` fields; a name that is not a field raises ``ValueError`` naming it.
    """

    def __init__(self, **shared):
        bad = sorted(set(shared) - _FIELDS)
        if bad:
            raise ValueError(f"{bad[0]}: not a Claim field (fields: {', '.join(sorted(_FIELDS))})")
        self.shared = dict(shared)

    def __call__(self, **own) -> Claim:
        """The claim with the family's fields, ``own`` taking precedence."""
        bad = sorted(set(own) - _FIELDS)
        if bad:
            raise ValueError(f"{bad[0]}: not a Claim field (fields: {', '.join(sorted(_FIELDS))})")
        return Claim(**{**self.shared, **own})

    def extend(self, **more) -> "ClaimFamily":
        """A sub-family: these fields and the new ones (the new ones win)."""
        return ClaimFamily(**{**self.shared, **more})
