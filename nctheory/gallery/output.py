r"""What a gallery item produces: a PNG, a JSON of the numbers behind it, and a
:class:`GalleryResult` summarising both.

JSON layout (``<name>.json``)::

    name, title, source, claims, command, quick, time_s,
    pitfalls      : list of {"text", "shown"}   -- catalogue pitfalls and what the figure shows of them
    numbers       : item-specific series (the curves and points that were drawn, thresholds, ...)
    agreement     : list of records (nctheory.gallery.agreement.AgreementLog.records)
    inconclusive  : list of reasons (solves that did not qualify as references)
    ok            : every agreement record within its claim's tolerance
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nctheory.gallery.agreement import AgreementLog  # noqa: E402
from nctheory.present.serialize import jsonable  # noqa: E402

#: Resolution of the saved figures (dots per inch).
DPI = 110


@dataclass(frozen=True)
class GalleryResult:
    """Outcome of one gallery item.

    Attributes
    ----------
    name : str
        Registry name (e.g. ``"hong-ling"``).
    png, json : str
        Paths of the written figure and numbers.
    ok : bool
        Every predicted-vs-solved point is within its claim's tolerance.
    inconclusive : tuple of str
        Solves that did not qualify as references (not drawn, not compared).
    n_points : int
        Number of predicted-vs-solved comparisons made.
    time_s : float
    """

    name: str
    png: str
    json: str
    ok: bool
    inconclusive: tuple
    n_points: int
    time_s: float

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"fail"`` (a point outside tolerance) or ``"inconclusive"``
        (no failure, but some solve did not qualify as a reference)."""
        if not self.ok:
            return "fail"
        return "inconclusive" if self.inconclusive else "pass"


def finish(*, name: str, title: str, source: str, claims, command: str, out_dir: str, fig, numbers: dict,
           log: AgreementLog, inconclusive: list, pitfalls: list, quick: bool, started: float) -> GalleryResult:
    """Save ``fig`` as ``<out_dir>/<file stem>.png`` and the numbers as ``.json``; return the result."""
    os.makedirs(out_dir, exist_ok=True)
    stem = name.replace("-", "_")
    png = os.path.join(out_dir, f"{stem}.png")
    fig.savefig(png, dpi=DPI)
    plt.close(fig)
    records = log.records()
    ok = all(r["ok"] for r in records)
    elapsed = time.perf_counter() - started
    payload = {
        "name": name,
        "title": title,
        "source": source,
        "claims": list(claims),
        "command": command,
        "quick": bool(quick),
        "time_s": elapsed,
        "pitfalls": pitfalls,
        "numbers": numbers,
        "agreement": records,
        "inconclusive": list(inconclusive),
        "ok": ok,
    }
    path = os.path.join(out_dir, f"{stem}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(jsonable(payload), fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    return GalleryResult(name, png, path, ok, tuple(inconclusive), len(log), elapsed)


#: Font size of a figure's title (points) unless the item asks for another (a long title may want less).
TITLE_FONTSIZE = 11


@dataclass
class GalleryRun:
    """One gallery item being drawn: what it is, where it goes, and what its solves have recorded so far.

    ``figure()`` of an item starts one (the clock starts with it), records its predicted-vs-solved points in
    :attr:`log` and the solves that did not qualify as references in :attr:`inconclusive`, and ends with
    :meth:`save`.

    Attributes
    ----------
    item : module
        The gallery item: a module with ``NAME``, ``TITLE``, ``SOURCE``, ``CLAIMS`` and ``PITFALLS``.
    out_dir : str
        Folder of the PNG and JSON.
    quick : bool
        Fewer points (the tests' mode).
    log : AgreementLog
    inconclusive : list of str
        Why a solve was not drawn (:func:`nctheory.gallery.reference.reference_solve`'s reasons).
    started : float
        ``time.perf_counter()`` at the start.
    """

    item: Any
    out_dir: str
    quick: bool = False
    log: AgreementLog = field(default_factory=AgreementLog)
    inconclusive: list = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    def save(self, fig, numbers: dict, title_fontsize: float = TITLE_FONTSIZE) -> GalleryResult:
        """Title ``fig`` with the item's TITLE, lay it out, and write it with ``numbers`` (:func:`finish`)."""
        item = self.item
        fig.suptitle(item.TITLE, fontsize=title_fontsize)
        fig.tight_layout()
        return finish(name=item.NAME, title=item.TITLE, source=item.SOURCE, claims=item.CLAIMS,
                      command=f"nctheory gallery {item.NAME} --out DIR", out_dir=self.out_dir, fig=fig,
                      numbers=numbers, log=self.log, inconclusive=self.inconclusive, pitfalls=item.PITFALLS,
                      quick=self.quick, started=self.started)
