"""docs/catalogue-numbering.rst maps every registered claim id to the catalogue's numbering: a claim added to the
registry without a row there fails here (the page is written by hand, so it must be kept in step)."""

import re
from pathlib import Path

from nctheory.claims import all_claims

PAGE = Path(__file__).resolve().parents[3] / "docs" / "catalogue-numbering.rst"


def _rows():
    return re.findall(r"^   \* - ``([^`]+)``", PAGE.read_text(encoding="utf-8"), flags=re.M)


def test_every_registered_claim_has_one_row():
    rows = _rows()
    assert len(rows) == len(set(rows)), "a claim id appears twice"
    assert set(rows) == {c.id for c in all_claims()}


def test_refuted_claims_are_marked():
    text = PAGE.read_text(encoding="utf-8")
    for c in all_claims():
        row = text.split(f"``{c.id}``", 1)[1].split("   * - ", 1)[0]  # up to the next row
        assert ("expected = false" in row) == (c.expected == "false"), c.id
