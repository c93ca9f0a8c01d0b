"""``nctheory claims``: ids, provenance and the statements themselves."""

import json

from nctheory.claims import all_claims

from .conftest import USER_CLAIMS


def test_json_lists_ids_provenance_and_statements(main_run):
    code, out, _ = main_run("claims", "--json")
    assert code == 0
    data = json.loads(out)["claims"]
    assert [d["id"] for d in data] == [c.id for c in all_claims()]
    for item in data:
        assert {"id", "source", "provenance", "statement", "expected"} <= set(item)
        assert item["provenance"] and item["statement"]


def test_text_shows_every_statement_wrapped(main_run):
    code, out, _ = main_run("claims")
    assert code == 0
    # claims.WIDTH when stdout is not a terminal (a single token longer than a line is kept whole)
    assert all(len(line) <= 100 or " " not in line.strip() for line in out.splitlines())
    flat = " ".join(out.split())
    for c in all_claims():
        assert c.id in out
        assert " ".join(c.statement.split())[:200] in flat  # the statement itself, not only the id


def test_users_claims_are_listed_with_their_statement(main_run):
    code, out, _ = main_run("claims", "--claims", USER_CLAIMS)
    assert code == 0
    assert "user/zero-threshold  [user]" in out
    assert "user/refuted-zero  [user]  (registered to be refuted)" in out
    assert "the zero solution of balanced CE" in out
