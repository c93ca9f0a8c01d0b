"""docs/own-claims.rst walks docs/examples/my_claims.py end to end: what it shows must be what the CLI does."""

import json
import re
from pathlib import Path

from nctheory.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "docs" / "examples" / "my_claims.py")
PAGE = (ROOT / "docs" / "own-claims.rst").read_text()


def _clean_registry():
    from nctheory.claims import registry
    from nctheory.cli import args

    registry._USER.clear()
    args._LOADED.clear()


def test_check_with_the_users_claims_exits_1_and_fails_only_the_false_one(capsys):
    _clean_registry()
    code = main(["check", "--claims", EXAMPLE, "--only", "me/", "--json"])
    out = json.loads(capsys.readouterr().out)
    _clean_registry()
    assert code == 1
    verdicts = {r["claim"]: (r["verdict"], r["certified"]) for r in out["results"]}
    assert verdicts == {"me/temperature-etf": ("pass", True), "me/column-sums": ("pass", True),
                        "me/majority-norm-ratio": ("fail", True)}
    bad = next(r for r in out["results"] if r["verdict"] == "fail")["checks"][0]
    # a genuine counterexample: the miss is far above the allowance and the precision
    assert bad["entry_err"] > 100 * (bad["entry_allowance"] + bad["entry_precision"])
    assert "7.420e+00" in PAGE and "precision 4.09e-12" in PAGE  # the page quotes this run's numbers


def test_search_shrinks_the_false_claim_to_the_instance_the_page_shows(capsys):
    _clean_registry()
    code = main(["search", "me/majority-norm-ratio", "--claims", EXAMPLE, "--budget", "4", "--json"])
    out = json.loads(capsys.readouterr().out)
    _clean_registry()
    assert code == 1 and out["counterexample"]["problem"]["sizes"] == [2, 1]
    assert re.search(r"Problem\(sizes=\(2, 1\)", PAGE)
