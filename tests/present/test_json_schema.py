"""Every ``--json`` output (and every sweep record) validates against its shipped JSON Schema (draft 2020-12),
and the schemas say what the code writes: their enums are the code's, the sweep record's fields are
``RECORD_KEYS``, the problem's fields are ``Problem``'s.

The outputs are produced once per module by the real commands, in-process, on tiny instances (~40 s).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path

import jsonschema
import pytest
import referencing
from referencing.jsonschema import DRAFT202012

from nctheory import __version__
from nctheory.present import serialize
from nctheory.present.serialize import SCHEMA_BASE, SCHEMA_VERSION, SCHEMAS, schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "nctheory" / "present" / "schema"
USER_CLAIMS = str(ROOT / "tests" / "cli" / "user_claims.py")


def registry() -> referencing.Registry:
    """Every shipped schema under its ``$id`` (so ``common.json#/$defs/...`` resolves offline)."""
    return referencing.Registry().with_resources(
        (schema(n)["$id"], referencing.Resource.from_contents(schema(n), default_specification=DRAFT202012))
        for n in SCHEMAS)


REGISTRY = registry()


def errors(name: str, doc) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema(name), registry=REGISTRY)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<top>'}: {e.message[:300]}" for e in validator.iter_errors(doc)]


# ------------------------------------------------------------------------------ the schemas themselves
def test_the_schema_folder_holds_exactly_the_named_schemas():
    assert {p.stem for p in SCHEMA_DIR.glob("*.json")} == set(SCHEMAS)


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_valid_draft_2020_12_schema_with_its_id(name):
    s = schema(name)
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == f"{SCHEMA_BASE}{name}.json" and f"/{SCHEMA_VERSION}/" in s["$id"]
    assert s.get("title") and s.get("description")


def test_unknown_schema_name_is_refused_naming_the_field():
    with pytest.raises(ValueError, match="^name: unknown schema 'nope'"):
        schema("nope")


def test_schema_enums_are_the_codes():
    from nctheory.cli import COMMANDS
    from nctheory.model.options import Bias, Classifier, Constraint, Features
    from nctheory.solvers.result import STATUSES
    from nctheory.verify.verdict import VERDICTS, Decision

    defs = schema("common")["$defs"]
    props = defs["problem"]["properties"]
    for field, enum in (("bias", Bias), ("features", Features), ("classifier", Classifier),
                        ("constraint", Constraint)):
        assert props[field]["enum"] == [m.value for m in enum], field
    assert defs["verification"]["properties"]["verdict"]["enum"] == list(VERDICTS)
    assert defs["check"]["properties"]["decision"]["enum"] == [d.value for d in Decision]
    assert schema("solve")["properties"]["status"]["enum"] == list(STATUSES)
    assert schema("sweep-record")["properties"]["status"]["enum"] == list(STATUSES) + ["error"]
    # every command that has --json writes a `command` the envelope allows
    json_commands = {c for c in COMMANDS if c != "report"}
    assert json_commands == set(defs["envelope"]["properties"]["command"]["enum"])
    assert json_commands <= set(SCHEMAS)
    assert defs["envelope"]["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema("sweep-record")["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_problem_schema_lists_the_problem_fields():
    from nctheory.model import Problem

    fields = [f for f in Problem.__dataclass_fields__ if not f.startswith("_") and f != "real_sizes"]
    problem = schema("common")["$defs"]["problem"]
    # real_sizes: optional, written only when true
    assert list(problem["properties"]) == fields + ["real_sizes"] and problem["required"] == fields
    assert list(Problem(sizes=(3, 2)).to_dict()) == fields


def test_sweep_record_schema_lists_the_record_keys_in_order():
    from nctheory.explore.sweep import RECORD_KEYS

    rec = schema("sweep-record")
    assert tuple(rec["properties"]) == RECORD_KEYS and tuple(rec["required"]) == RECORD_KEYS


def test_every_property_is_described():
    """The docs page is rendered from the descriptions: none may be missing."""

    def walk(node, where):
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                assert "description" in sub or "$ref" in sub, f"{where}.{key}"
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    for name in SCHEMAS:
        walk(schema(name), name)


# ------------------------------------------------------------------------------ the outputs
def _run(*argv) -> tuple[int, dict]:
    from nctheory.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    assert out.getvalue(), err.getvalue()[-2000:]
    return code, json.loads(out.getvalue())


def _arrays(tmp: Path) -> tuple[Path, Path]:
    """A network's arrays for ``diagnose``: near-collapsed features of 4 classes, with and without a classifier."""
    import numpy as np

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), [20, 20, 5, 5])
    means = rng.normal(size=(4, 6))
    features = means[labels] + 0.1 * rng.normal(size=(labels.size, 6))
    np.savez(tmp / "net.npz", features=features, labels=labels, classifier=means, bias=np.zeros(4))
    np.savez(tmp / "features.npz", features=features, labels=labels)
    return tmp / "net.npz", tmp / "features.npz"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """``{case: (schema name, exit code, parsed JSON)}`` from the real commands (tiny instances)."""
    from nctheory.claims import registry as claim_registry
    from nctheory.cli import args as cli_args

    user, loaded = list(claim_registry._USER), dict(cli_args._LOADED)
    tmp = tmp_path_factory.mktemp("json")
    arrays, features_only = _arrays(tmp)
    sweep_args = ("--majority", "20x2", "--minority-classes", "2", "--ratios", "2,4", "--lambdas", "1e-3")
    cases = {
        "claims": ("claims", "claims", "--json"),
        "solve": ("solve", "solve", "--sizes", "3,2,2", "--json"),
        "solve-relu-bias": ("solve", "solve", "--sizes", "4,2", "--relu", "--lambda-b", "1e-3", "--json"),
        "solve-grouped": ("solve", "solve", "--sizes", "300x3,20x2", "--method", "certified:symmetric", "--json"),
        "solve-grouped-large": ("solve", "solve", "--sizes", "50x1500,5x600", "--method", "certified:symmetric",
                                "--json"),
        "predict": ("predict", "predict", "hong-ling/angles", "--sizes", "50x2,5x3", "--json"),
        "predict-unmet": ("predict", "predict", "zhu/balanced-ce", "--sizes", "6,3", "--json"),
        "verify-one": ("verify", "verify", "zhu/balanced-ce", "--sizes", "4x3", "--json"),
        "verify-defaults": ("verify", "verify", "zhu/balanced-ce", "--json"),
        "verify-fail": ("verify", "verify", "user/always-zero", "--sizes", "5,5,5", "--lambda-w", "1e-2",
                        "--lambda-h", "1e-2", "--claims", USER_CLAIMS, "--json"),
        "check": ("check", "check", "--only", "zhu/", "--json"),
        "threshold": ("threshold", "threshold", "--sizes", "50x2,5x2", "--json"),
        "threshold-wide": ("threshold", "threshold", "zhu/balanced-ce", "--vary", "n", "--sizes", "5x3", "--rtol",
                           "1e-3", "--json"),
        "threshold-stopped": ("threshold", "threshold", "--sizes", "500x20,50x20", "--time-limit", "0.2", "--json"),
        "search": ("search", "search", "zhu/balanced-ce", "--budget", "2", "--json"),
        "search-counterexample": ("search", "search", "user/always-zero", "--claims", USER_CLAIMS, "--budget", "3",
                                  "--json"),
        "search-stopped": ("search", "search", "zhu/balanced-ce", "--time-limit", "0.001", "--json"),
        "sweep-claim": ("sweep", "sweep", *sweep_args, "--claim", "hong-ling/angles", "--out", tmp / "a.jsonl",
                        "--json"),
        "sweep": ("sweep", "sweep", *sweep_args, "--out", tmp / "b.jsonl", "--json"),
        "diagnose": ("diagnose", "diagnose", arrays, "--json"),
        "diagnose-claim": ("diagnose", "diagnose", arrays, "--claim", "seli/grams", "--json"),
        "diagnose-features-only": ("diagnose", "diagnose", features_only, "--json"),
        "gallery": ("gallery", "gallery", "seli", "--out", tmp / "gallery", "--quick", "--json"),
    }
    got = {}
    try:
        for case, (name, *argv) in cases.items():
            code, data = _run(*argv)
            got[case] = (name, code, data)
    finally:
        claim_registry._USER[:] = user
        cli_args._LOADED.clear()
        cli_args._LOADED.update(loaded)
    for f in ("a.jsonl", "b.jsonl"):
        lines = (tmp / f).read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines[1:]):  # the first line is the file's header
            got[f"sweep-record-{f}-{i}"] = ("sweep-record", None, json.loads(line))
    return got


#: The exit code each case must have (None: a sweep record, no command).
EXPECTED_EXIT = {"threshold-wide": 3, "threshold-stopped": 3, "predict-unmet": 3, "verify-fail": 1, "search-counterexample": 1, "search-stopped": 3}


def test_every_output_validates_against_its_schema(outputs):
    bad = {case: errors(name, data) for case, (name, _, data) in outputs.items()}
    assert not {k: v for k, v in bad.items() if v}
    assert sum(name == "sweep-record" for name, _, _ in outputs.values()) == 4


def test_the_cases_cover_what_they_claim_to(outputs):
    """Exit codes as the verdicts say, and each branch of the schemas is exercised (so the validation above
    is not vacuous about it)."""
    for case, (name, code, data) in outputs.items():
        if code is not None:
            assert code == EXPECTED_EXIT.get(case, 0), case
            assert data["command"] == name and data["schema_version"] == SCHEMA_VERSION
            assert data["nctheory_version"] == __version__
            assert list(data)[:3] == ["schema_version", "nctheory_version", "command"], case
        else:
            assert data["schema_version"] == SCHEMA_VERSION and data["nctheory_version"] == __version__
    assert outputs["solve-grouped"][2]["grouped"] and outputs["solve-grouped"][2]["W"] is not None
    assert outputs["solve-grouped-large"][2]["W"] is None
    assert len(outputs["verify-defaults"][2]["results"]) == 2
    assert outputs["verify-fail"][2]["verdict"] == "fail"
    assert outputs["search-counterexample"][2]["counterexample"]["failing_checks"]
    assert outputs["search-stopped"][2]["stopped"]
    assert outputs["predict-unmet"][2]["quantities"] is None
    assert outputs["threshold"][2]["outcome"] == "agree" and outputs["threshold-wide"][2]["located"] is not None
    assert outputs["threshold-wide"][2]["outcome"] == "inconclusive" and outputs["threshold-stopped"][2]["located"] is None
    assert "verdicts" in outputs["sweep-claim"][2] and "verdicts" not in outputs["sweep"][2]
    assert outputs["diagnose-claim"][2]["claim"]["applies"] and outputs["diagnose-features-only"][2]["nc3"] is None


def test_each_command_names_the_problem_it_answers(outputs):
    from nctheory.model import Problem

    answers = {"solve": "problem", "solve-grouped": "problem", "predict": "problem", "verify-one": "problem",
               "threshold": "problem", "search": "base_problem"}
    for case, key in answers.items():
        Problem.from_dict(outputs[case][2][key])  # a real problem, readable back
    assert outputs["solve"][2]["problem"]["sizes"] == [3, 2, 2]
    assert all(r["problem"] for r in outputs["check"][2]["results"])
    assert outputs["sweep"][2]["grid"]["ratios"] == [2.0, 4.0]


def test_the_verify_timed_out_record_validates():
    """The record a --time-limit writes for the verification it stopped (built here: a real stop is slow)."""
    from nctheory.claims import get_claim
    from nctheory.cli.budget import Budget
    from nctheory.cli.verify import timed_out_json

    claim = get_claim("zhu/balanced-ce")
    doc = serialize.envelope("verify", {"results": [timed_out_json(claim, claim.default_instances()[0], Budget(1))]})
    assert not errors("verify", json.loads(serialize.dumps(doc)))


@pytest.mark.parametrize("case, mutate", [
    ("verify-one", lambda d: d.pop("verdict")),
    ("verify-one", lambda d: d.update(surprise=1)),
    ("verify-one", lambda d: d.update(schema_version="1")),
    ("verify-one", lambda d: d.update(command="solve")),
    ("verify-one", lambda d: d["problem"].update(lambda_x=1.0)),
    ("verify-one", lambda d: d["checks"][0].update(decision="maybe")),
    ("verify-one", lambda d: d["solutions"][0].pop("level")),
    ("verify-defaults", lambda d: d["results"][1].update(extra=1)),
    ("solve", lambda d: d.pop("problem")),
    ("solve", lambda d: d.update(status="done")),
    ("check", lambda d: d["summary"]["verdicts"].pop("fail")),
    ("sweep-record-a.jsonl-0", lambda d: d.pop("nctheory_version")),
    ("diagnose", lambda d: d.pop("nc1")),
    ("gallery", lambda d: d["items"][0].pop("verdict")),
    ("diagnose-claim", lambda d: d["claim"]["problem"].pop("sizes")),
])
def test_the_schema_refuses_a_damaged_output(outputs, case, mutate):
    name, _, doc = outputs[case]
    doc = copy.deepcopy(doc)
    assert not errors(name, doc)
    mutate(doc)
    assert errors(name, doc)


def test_a_list_is_not_a_versioned_output():
    with pytest.raises(TypeError):
        serialize.envelope("claims", [1, 2])
    with pytest.raises(ValueError, match="^command: reserved"):
        serialize.envelope("claims", {"command": "x"})
