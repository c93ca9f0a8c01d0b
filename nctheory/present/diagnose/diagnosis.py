"""The result of diagnosing one network's arrays: JSON-ready numbers, with its text and figure."""

from __future__ import annotations

from dataclasses import dataclass, field

from nctheory.present.diagnose.figure import plot_diagnosis
from nctheory.present.diagnose.text import format_text


@dataclass(frozen=True)
class Diagnosis:
    """The diagnosis of one network's arrays (:func:`~nctheory.present.diagnose.diagnose`).

    The numbers are in ``data`` (JSON-ready).

    ``data`` keys: ``source, N, d, K, counts, dtypes, ignored_keys, options, nc1, nc2, nc3, nc4, grams,
    per_class, clusters, claim, notes``.  Undefined numbers are ``None`` (with a note saying why).
    """

    data: dict
    arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def to_json(self) -> dict:
        return self.data

    def __getitem__(self, key):
        return self.data[key]

    def text(self) -> str:
        """The human-readable report (what ``nctheory diagnose`` prints)."""
        return format_text(self)

    def plot(self, path: str) -> str:
        """Write the figure (PNG) to ``path`` and return the path
        (:func:`~nctheory.present.diagnose.plot_diagnosis`)."""
        return plot_diagnosis(self, path)
