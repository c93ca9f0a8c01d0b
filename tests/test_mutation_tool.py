"""The mutation tool (tests/mutation/mutate_claims.py) on one cheap mutation, plus its bookkeeping.

The full record is produced by running the script (docs/mutation-record.md); here we only check that the
tool edits a *copy* (never the working tree), that the copy is what gets imported, that a 1% corruption of
a closed form shows up as a ~1% change of the prediction and kills the claim's tests (the folder
tests/claims/<source>/), that a stale mutation is refused, and that every registered claim has a mutation
whose text occurs exactly once in its file.
"""

import hashlib
import importlib.util
import math
import sys
from pathlib import Path

import pytest

from nctheory.claims import all_claims

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutate_claims", ROOT / "tests" / "mutation" / "mutate_claims.py")
MC = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mutate_claims", MC)  # dataclasses look their module up there
_spec.loader.exec_module(MC)


def _mutation(key):
    return next(m for m in MC.MUTATIONS if m.key == key)


def test_every_registered_claim_has_a_mutation():
    covered = {m.claim_id for m in MC.MUTATIONS}
    missing = [c.id for c in all_claims() if c.id not in covered]
    assert not missing, f"claims without a mutation in tests/mutation/mutate_claims.py: {missing}"


def test_mutation_text_occurs_exactly_once_in_its_file():
    # a mutation whose text no longer occurs would silently test nothing, one whose text occurs twice would
    # corrupt more than its formula: the run refuses both, and this test makes the drift visible in the suite
    stale = {m.key: MC.stale_edits(m, ROOT) for m in MC.MUTATIONS}
    assert not {k: v for k, v in stale.items() if v}
    assert all(e.count == 1 for m in MC.MUTATIONS for e in m.edits)


def test_mutations_edit_only_the_package_and_corrupt_something():
    for m in MC.MUTATIONS:
        for e in m.edits:
            assert e.path.startswith("nctheory/") and e.path.endswith(".py"), m.key
            assert e.old != e.new, m.key


def test_keys_are_unique_and_name_their_test_folder():
    keys = [m.key for m in MC.MUTATIONS]
    assert len(keys) == len(set(keys))
    assert MC.tests_for("hong-ling/threshold") == "tests/claims/hong_ling"
    for m in MC.MUTATIONS:
        pkg = MC.source_package(m.claim_id)
        assert (ROOT / "nctheory" / "claims" / "sources" / pkg).is_dir(), m.key
        folder = ROOT / MC.tests_for(m.claim_id)
        assert folder.is_dir() and list(folder.glob("test_*.py")), m.key


def test_stale_mutation_is_refused(tmp_path):
    (tmp_path / "f.py").write_text("x = 1\nx = 1\n")
    twice = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("f.py", "x = 1", "x = 2"),))
    with pytest.raises(ValueError, match="^mutation: .*found 2"):
        MC.apply_mutation(twice, tmp_path)
    absent = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("f.py", "y = 1", "y = 2"),))
    with pytest.raises(ValueError, match="^mutation: .*found 0"):
        MC.apply_mutation(absent, tmp_path)
    gone = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("g.py", "x = 1", "x = 2"),))
    with pytest.raises(ValueError, match="^mutation: .*g.py does not exist"):
        MC.apply_mutation(gone, tmp_path)
    # a two-edit mutation whose second edit is stale writes nothing
    half = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("f.py", "x = 1\nx", "x = 3\nx"),
                                                       MC.Edit("f.py", "y = 1", "y = 2")))
    with pytest.raises(ValueError, match="^mutation: "):
        MC.apply_mutation(half, tmp_path)
    assert (tmp_path / "f.py").read_text() == "x = 1\nx = 1\n"


def test_run_stops_on_a_stale_mutation(tmp_path, capsys):
    # a copy of the tree where Zhu's ρ* line occurs twice: the script refuses to run (exit 2), names the
    # mutation and writes no record
    src = MC.snapshot(ROOT, tmp_path / "src")
    f = src / "nctheory" / "claims" / "sources" / "zhu" / "formulas.py"
    f.write_text(f.read_text(encoding="utf-8") + "\n\ndef _twin(K, c):\n    rho = (K - 1) / K * c\n", encoding="utf-8")
    record = tmp_path / "record.md"
    assert MC.main(["--claims", "zhu", "--source", str(src), "--record", str(record)]) == 2
    err = capsys.readouterr().err
    assert "ERROR stale mutation zhu/balanced-ce#1" in err and "found 2" in err and "nothing was run" in err
    assert "balanced-ce#2" not in err
    assert not record.exists()


def test_check_status_words():
    out = ("CONSISTENT    dang2024/relu-collapse             K=4   checks=4   worst rel err= 0.00e+00    0.75s\n"
           "INCONCLUSIVE  allnc/fixed-etf-repair             K=4   checks=2\n"
           "      BAD minority_h_squeezed: pred=True obs=False\n"
           "PASS          zhu/balanced-ce                    K=4\n\n"
           "1 claims, 1 instances: 1 as expected, 0 unexpected, 0 inconclusive  (1.4 s)\n")
    assert MC.check_statuses(out) == ["CONSISTENT", "INCONCLUSIVE", "PASS"]
    # every verdict of the product is recognised (a new verdict word would otherwise vanish from the record)
    from nctheory.verify.verdict import Verdict
    assert {v.value.upper() for v in Verdict} <= set(MC.CHECK_STATUSES)


def test_node_ids_of_failures_in_a_folder(tmp_path):
    d = tmp_path / "tests" / "claims" / "zhu"
    d.mkdir(parents=True)
    (d / "test_zhu_a.py").write_text("")
    assert MC._node_id(tmp_path, "tests.claims.zhu.test_zhu_a", "test_x[1.5-True]") == \
        "tests/claims/zhu/test_zhu_a.py::test_x[1.5-True]"
    assert MC._node_id(tmp_path, "tests.claims.zhu.test_zhu_a.TestK", "test_y") == \
        "tests/claims/zhu/test_zhu_a.py::TestK::test_y"


def test_prediction_change():
    base = [{"a": [[2], [1.0, 2.0]], "b": [[], [0.0]]}]
    assert MC.prediction_change(base, base) == (0.0, "")
    val, where = MC.prediction_change(base, [{"a": [[2], [1.0, 2.02]], "b": [[], [0.0]]}])
    assert where == "a" and val == pytest.approx(0.02 / 2.02, rel=1e-12)
    assert MC.prediction_change(base, [{"a": [[2], [1.0, 2.0]]}])[0] is None  # a quantity disappeared
    assert MC.prediction_change(base, [{"__error__": "boom"}])[0] is None


def test_zhu_mutation_end_to_end(tmp_path):
    mut = _mutation("zhu/balanced-ce#1")
    real = ROOT / mut.edits[0].path
    before = hashlib.sha256(real.read_bytes()).hexdigest()
    base = MC.snapshot(ROOT, tmp_path / "base")
    copy = MC.snapshot(base, tmp_path / "mut")
    MC.apply_mutation(mut, copy)
    assert hashlib.sha256(real.read_bytes()).hexdigest() == before  # the working tree is untouched
    b = MC.probe_predictions(base, [mut.claim_id])  # raises unless nctheory came from the copy
    m = MC.probe_predictions(copy, [mut.claim_id])
    val, where = MC.prediction_change(b["claims"][mut.claim_id], m["claims"][mut.claim_id])
    # ρ* × 1.01 scales ρ*, ‖w‖², ‖h‖² and the Grams by 1.01 at the non-zero default instance:
    # relative change 0.01/1.01 exactly (up to rounding of the products)
    assert val == pytest.approx(0.01 / 1.01, rel=1e-9), where
    target = MC.tests_for(mut.claim_id)
    assert target == "tests/claims/zhu"
    res = MC.run_tests(copy, target, stop_first=True)
    assert res["rc"] == 1 and res["failed"], res["tail"]
    # the catalogue's worked example (‖w‖² = 6.257099, 6 decimals) is 1% off now
    assert res["failed"][0] == "tests/claims/zhu/test_zhu_balanced_ce.py::test_catalogue_worked_example"
    assert math.isfinite(res["time"])
    # the same folder passes on the unmutated copy: the kill is the mutation's doing
    ok = MC.run_tests(base, target, stop_first=True)
    assert ok["rc"] == 0 and not ok["failed"] and ok["n_tests"] > 1, ok["tail"]
