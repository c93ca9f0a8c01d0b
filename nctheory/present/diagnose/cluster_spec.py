"""The command-line form of clusters of classes (``"0-4;5-9"``)."""

from __future__ import annotations


def parse_cluster_spec(text: str) -> list[list[int]]:
    """Clusters from the command-line form: groups separated by ``;``, classes by ``,``, ranges ``a-b``.

    ``"0-4;5-9"`` -> ``[[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]``; ``"0,2;1,3"`` -> ``[[0, 2], [1, 3]]``.  The
    indices are checked against K by :func:`nctheory.diagnostics.parse_clusters`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("clusters: expected groups like '0-4;5-9', got an empty value")
    groups = []
    for part in text.split(";"):
        idx: list[int] = []
        for item in part.split(","):
            item = item.strip()
            lo, dash, hi = item.partition("-")
            try:
                if dash:
                    a, b = int(lo), int(hi)
                    if b < a:
                        raise ValueError
                    idx.extend(range(a, b + 1))
                else:
                    idx.append(int(item))
            except ValueError:
                raise ValueError(f"clusters: cannot read {item!r} in {text!r}; use class indices and ranges, "
                                 "e.g. '0-4;5-9' or '0,2;1,3'") from None
        groups.append(idx)
    return groups
