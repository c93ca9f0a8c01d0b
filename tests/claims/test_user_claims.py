"""Users' own claims and losses, in their own files, through the public API (docs/examples/my_claims.py)."""

import os
import textwrap

import pytest

from nctheory.claims import all_claims, get_claim, load_claims
from nctheory.claims.registry import clear_user_claims
from nctheory.model import Problem
from nctheory.testing import assert_claim
from nctheory.verify import Verdict, verify_claim

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "examples", "my_claims.py")


@pytest.fixture(autouse=True)
def _fresh_registry():
    clear_user_claims()
    yield
    clear_user_claims()


def test_example_file_registers_its_claims_and_loss():
    loaded = load_claims(EXAMPLE)
    assert [c.id for c in loaded] == ["me/temperature-etf", "me/column-sums", "me/majority-norm-ratio"]
    assert get_claim("me/column-sums") is loaded[1]
    assert {c.id for c in loaded} <= {c.id for c in all_claims()}
    # the user's loss is usable by name once the file is loaded, and the certified solver supports it
    p = Problem(sizes=(4, 4, 4), loss="ce-temperature")
    from nctheory.solvers import auto_method

    assert auto_method(p) == "certified"


def test_true_user_claims_pass_certified_and_the_false_one_fails_certified():
    for claim in load_claims(EXAMPLE):
        for p in claim.default_instances():
            v = verify_claim(claim, p)
            if claim.id == "me/majority-norm-ratio":
                assert v.verdict == Verdict.FAIL and v.certified
                assert v.failing_checks()[0].entry_err > 1.0  # a genuine counterexample, not solver noise
            else:
                assert v.verdict == Verdict.PASS and v.certified, v.reason


def test_assert_claim_accepts_user_claims_and_names_the_failing_entry():
    claims = {c.id: c for c in load_claims(EXAMPLE)}
    p = Problem(sizes=(5, 5, 5), lambda_w=2e-2, lambda_h=2e-2, loss="ce-temperature")
    assert_claim(claims["me/temperature-etf"], p, require_certified=True)
    with pytest.raises(AssertionError, match=r"norm_ratio: disagree"):
        assert_claim(claims["me/majority-norm-ratio"], Problem(sizes=(40, 4, 4), lambda_w=1e-3, lambda_h=1e-3))


def test_bad_claim_files_are_named_field_errors(tmp_path):
    with pytest.raises(ValueError, match=r"^claims: no such file"):
        load_claims(str(tmp_path / "missing.py"))
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    with pytest.raises(ValueError, match=r"^claims: .* defines no CLAIMS list|^claims: .*CLAIMS holds"):
        load_claims(str(empty))
    broken = tmp_path / "broken.py"
    broken.write_text("CLAIMS = [\n")
    with pytest.raises(ValueError, match=r"^claims: .* syntax error"):
        load_claims(str(broken))
    dup = tmp_path / "dup.py"
    dup.write_text(textwrap.dedent("""
        from nctheory.claims import get_claim
        CLAIMS = [get_claim("zhu/balanced-ce")]
    """))
    with pytest.raises(ValueError, match=r"^claims: id 'zhu/balanced-ce' is already registered"):
        load_claims(str(dup))


def test_an_installed_packages_claims_appear_through_the_entry_point_group(tmp_path, monkeypatch):
    # a minimal installed distribution: a module with CLAIMS and a dist-info advertising it in group nctheory.claims
    (tmp_path / "fake_nc_claims.py").write_text(textwrap.dedent(f"""
        import runpy
        _ns = runpy.run_path({EXAMPLE!r})
        CLAIMS = [c for c in _ns["CLAIMS"] if c.id == "me/column-sums"]
    """))
    dist = tmp_path / "fake_nc_claims-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-nc-claims\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[nctheory.claims]\nmine = fake_nc_claims:CLAIMS\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ids = [c.id for c in all_claims()]
    assert "me/column-sums" in ids and ids.count("me/column-sums") == 1
    assert get_claim("me/column-sums").requires.bias == ("none",)
