"""The mutation tool (tests/mutation/mutate_claims.py) on one cheap mutation, plus its bookkeeping.

The full record is produced by running the script (docs/mutation-record.md); here we only check that the
tool edits a *copy* (never the working tree), that the copy is what gets imported, that a 1% corruption of
a closed form shows up as a ~1% change of the prediction and kills the claim's tests, and that every
registered claim has a mutation whose text still matches the source.
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


def test_mutation_text_still_matches_the_source():
    # a mutation whose text no longer occurs would silently test nothing: the run reports it as STALE, and
    # this test makes the drift visible in the ordinary suite
    stale = [(m.key, e.path) for m in MC.MUTATIONS for e in m.edits
             if (ROOT / e.path).read_text(encoding="utf-8").count(e.old) != e.count]
    assert not stale


def test_keys_are_unique_and_name_their_test_module():
    keys = [m.key for m in MC.MUTATIONS]
    assert len(keys) == len(set(keys))
    for m in MC.MUTATIONS:
        assert (ROOT / MC.test_module_for(m.claim_id)).exists(), m.key


def test_stale_mutation_is_refused(tmp_path):
    (tmp_path / "f.py").write_text("x = 1\nx = 1\n")
    twice = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("f.py", "x = 1", "x = 2"),))
    with pytest.raises(ValueError, match="^mutation: "):
        MC.apply_mutation(twice, tmp_path)
    absent = MC.Mutation("zhu/balanced-ce#t", "f", "t", (MC.Edit("f.py", "y = 1", "y = 2"),))
    with pytest.raises(ValueError, match="^mutation: "):
        MC.apply_mutation(absent, tmp_path)
    assert (tmp_path / "f.py").read_text() == "x = 1\nx = 1\n"


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
    res = MC.run_tests(copy, MC.test_module_for(mut.claim_id), stop_first=True)
    assert res["rc"] == 1 and res["failed"], res["tail"]
    # the catalogue's worked example (‖w‖² = 6.257099, 6 decimals) is 1% off now
    assert res["failed"][0] == "tests/test_claims_zhu.py::test_catalogue_worked_example"
    assert math.isfinite(res["time"])
