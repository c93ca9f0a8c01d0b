"""Bad input, every command: exit 2, one line on stderr naming the field, no traceback, nothing on stdout.

The table runs each invocation through ``nctheory.cli.main`` in this process (stdout and stderr captured, the
claims registry restored between cases), and the cases of :data:`IN_SUBPROCESS` -- one per command, plus the
ones about files, memory and the environment -- as ``python -m nctheory ...`` in their own process with a
timeout (so a hang fails and a real interpreter's exit code and stderr are seen), three at a time.  Running all
83 as processes cost ~50 s of CPU (each process loads the solvers); in-process they take a few seconds.
Placeholders in ``{...}`` are files prepared in a temporary folder (a directory, a regular file, a copy of the
README, broken claims files).
"""

from __future__ import annotations

import hashlib
import shutil
import contextlib
import io
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import ROOT, USER_CLAIMS, run_cli

#: (case id, argv, text the one-line message must contain, extra environment)
CASES = [
    # --- solve: sizes and penalties
    ("sizes-one-class", ["solve", "--sizes", "5"], "sizes:", {}),
    ("sizes-zero", ["solve", "--sizes", "5,0"], "sizes:", {}),
    ("sizes-fraction", ["solve", "--sizes", "5,2.5"], "sizes:", {}),
    ("sizes-empty", ["solve", "--sizes", ""], "sizes:", {}),
    ("sizes-letters", ["solve", "--sizes", "5,x"], "sizes:", {}),
    ("sizes-negative", ["solve", "--sizes", "3,-2"], "sizes:", {}),
    # 15000 distinct sizes: no size groups to reduce by, and a dense solve needs ~70 GB
    ("sizes-too-large-dense", ["solve", "--sizes", ",".join(map(str, range(1, 15001)))], "sizes:", {}),
    ("sizes-missing", ["solve"], "--sizes", {}),
    ("lambda-nan", ["solve", "--sizes", "5,5", "--lambda-w", "nan"], "lambda_w:", {}),
    ("lambda-negative", ["solve", "--sizes", "5,5", "--lambda-h", "-1"], "lambda_h:", {}),
    ("lambda-zero", ["solve", "--sizes", "5,5", "--lambda-h", "0"], "lambda_h:", {}),
    ("lambda-overflow", ["solve", "--sizes", "5,5", "--lambda-w", "1e400"], "--lambda-w", {}),
    ("lambda-subnormal", ["solve", "--sizes", "5,5", "--lambda-w", "1e-320"], "lambda_w:", {}),
    ("lambda-text", ["solve", "--sizes", "5,5", "--lambda-h", "abc"], "--lambda-h", {}),
    ("lambda-b-zero", ["solve", "--sizes", "5,5", "--lambda-b", "0"], "lambda_b:", {}),
    ("bias-both", ["solve", "--sizes", "5,5", "--lambda-b", "1e-3", "--free-bias"], "not allowed", {}),
    ("loss-unknown", ["solve", "--sizes", "5,5", "--loss", "hinge"], "--loss", {}),
    # --- solve: depth, dimension, constraints, size guards
    ("depth-zero", ["solve", "--sizes", "5,5", "--depth", "0"], "depth:", {}),
    ("depth-huge", ["solve", "--sizes", "5,5", "--depth", "1000000"], "depth:", {}),
    ("depth-fixed-etf", ["solve", "--sizes", "5,5", "--depth", "2", "--fixed-etf"], "depth:", {}),
    ("dim-float-literal", ["solve", "--sizes", "5,5", "--dim", "1e12"], "--dim", {}),
    ("dim-huge", ["solve", "--sizes", "5,5", "--dim", "1000000000000"], "d:", {}),
    ("dim-below-etf", ["solve", "--sizes", "5,5,5,5", "--fixed-etf", "--dim", "2"], "d:", {}),
    ("dim-out-of-memory", ["solve", "--sizes", "5,5", "--dim", "10000000", "--method", "factored"], "d:",
     {"NCTHEORY_MEMORY_LIMIT": "1e9"}),
    ("depth-out-of-memory", ["solve", "--sizes", "5,5", "--dim", "20000", "--depth", "8", "--method", "factored"],
     "d:", {"NCTHEORY_MEMORY_LIMIT": "1e9"}),
    ("average-without-budget", ["solve", "--sizes", "5,5", "--constraint", "average"], "e_h:", {}),
    ("per-sample-learned", ["solve", "--sizes", "5,5", "--constraint", "per-sample", "--e-h", "1"], "constraint:",
     {}),
    ("budget-nan", ["solve", "--sizes", "5,5", "--constraint", "average", "--e-h", "nan", "--e-w", "1"], "e_h:",
     {}),
    ("method-unknown", ["solve", "--sizes", "5,5", "--method", "nope"], "--method", {}),
    ("option-unknown", ["solve", "--sizes", "5,5", "--bogus"], "unrecognized", {}),
    ("option-abbreviated", ["solve", "--siz", "5,5"], "--sizes", {}),
    ("time-limit-zero", ["solve", "--sizes", "5,5", "--time-limit", "0"], "time_limit:", {}),
    ("time-limit-nan", ["solve", "--sizes", "5,5", "--time-limit", "nan"], "time_limit:", {}),
    ("command-unknown", ["solv", "--sizes", "5,5"], "invalid choice", {}),
    # --- predict / verify
    ("predict-unknown-claim", ["predict", "no/such", "--sizes", "5,5"], "claim:", {}),
    ("predict-no-sizes", ["predict", "zhu/balanced-ce"], "--sizes", {}),
    ("verify-no-claim", ["verify", "--sizes", "5,5"], "claim:", {}),
    ("verify-claim-and-all", ["verify", "zhu/balanced-ce", "--all"], "claim:", {}),
    ("verify-model-without-sizes", ["verify", "zhu/balanced-ce", "--lambda-w", "1e-2"], "sizes:", {}),
    ("verify-oversized", ["verify", "zhu/balanced-ce", "--sizes", "5x4", "--dim", "10000000", "--method",
                          "factored"], "d:", {"NCTHEORY_MEMORY_LIMIT": "1e9"}),
    # --- --claims files
    ("claims-missing-file", ["claims", "--claims", "/nonexistent/claims.py"], "claims:", {}),
    ("claims-missing-module", ["claims", "--claims", "no_such_module_nctheory_xyz"], "claims:", {}),
    ("claims-directory", ["claims", "--claims", "{tmp}/"], "claims:", {}),
    ("claims-syntax-error", ["claims", "--claims", "{syntax}"], "claims:", {}),
    ("claims-raises", ["claims", "--claims", "{raises}"], "claims:", {}),
    ("claims-no-list", ["claims", "--claims", "{noclaims}"], "claims:", {}),
    ("claims-duplicate-id", ["claims", "--claims", USER_CLAIMS, "--claims", "{dupe}"], "claims:", {}),
    # --- check
    ("check-only-nothing", ["check", "--only", "nope/"], "only:", {}),
    ("junit-missing-folder", ["check", "--only", "zhu", "--junit", "/nonexistent-dir/x.xml"], "junit:", {}),
    ("junit-directory", ["check", "--only", "zhu", "--junit", "{tmp}"], "junit:", {}),
    ("junit-dev-full", ["check", "--only", "zhu", "--junit", "/dev/full"], "junit:", {}),
    ("junit-proc", ["check", "--only", "zhu", "--junit", "/proc/nctheory-test.xml"], "junit:", {}),
    ("check-time-limit-zero", ["check", "--time-limit", "0"], "time_limit:", {}),
    # --- threshold
    ("agree-inf", ["threshold", "--sizes", "500x2,50x3", "--agree", "inf"], "agree:", {}),
    ("agree-nan", ["threshold", "--sizes", "500x2,50x3", "--agree", "nan"], "agree:", {}),
    ("agree-zero", ["threshold", "--sizes", "500x2,50x3", "--agree", "0"], "agree:", {}),
    ("rtol-one", ["threshold", "--sizes", "500x2,50x3", "--rtol", "2"], "rtol:", {}),
    ("threshold-no-cluster", ["threshold", "--sizes", "5,4"], "sizes:", {}),
    ("threshold-mse", ["threshold", "--sizes", "5,5", "--loss", "mse"], "loss:", {}),
    # --- search
    ("search-budget-zero", ["search", "zhu/balanced-ce", "--budget", "0"], "budget:", {}),
    ("search-max-classes", ["search", "zhu/balanced-ce", "--max-classes", "0"], "max_classes:", {}),
    # --- sweep
    ("sweep-sizes-not-an-option", ["sweep", "--out", "{out}", "--sizes", "3,3"], "unrecognized", {}),
    ("sweep-majority-text", ["sweep", "--out", "{out}", "--majority", "abc"], "majority:", {}),
    ("sweep-limit-zero", ["sweep", "--out", "{out}", "--limit", "0"], "limit:", {}),
    ("sweep-jobs-zero", ["sweep", "--out", "{out}", "--jobs", "0"], "jobs:", {}),
    ("sweep-lambda-conflict", ["sweep", "--out", "{out}", "--lambda-w", "1e-2", "--lambdas", "1e-3"], "lambdas:", {}),
    ("sweep-ratio-below-one", ["sweep", "--out", "{out}", "--ratios", "0.5"], "ratios:", {}),
    ("sweep-lambda-negative", ["sweep", "--out", "{out}", "--lambdas", "-1"], "lambdas:", {}),
    ("sweep-minority-zero", ["sweep", "--out", "{out}", "--minority-classes", "0"], "minority_classes:", {}),
    ("sweep-minority-huge", ["sweep", "--out", "{out}", "--minority-classes", "100000", "--ratios", "2", "--lambdas",
                             "1e-3", "--method", "certified"], "sizes:", {}),
    ("sweep-unknown-claim", ["sweep", "--out", "{out}", "--claim", "no/such"], "claim:", {}),
    ("sweep-require-certified-alone", ["sweep", "--out", "{out}", "--require-certified"], "require_certified:", {}),
    ("sweep-backend", ["sweep", "--out", "{out}", "--backend", "spark"], "--backend", {}),
    ("sweep-out-directory", ["sweep", "--out", "{tmp}"], "out:", {}),
    ("sweep-out-missing-folder", ["sweep", "--out", "/nonexistent-dir/s.jsonl"], "out:", {}),
    ("sweep-out-dev-full", ["sweep", "--out", "/dev/full"], "out:", {}),
    ("sweep-out-proc", ["sweep", "--out", "/proc/nctheory-sweep.jsonl"], "out:", {}),
    ("sweep-out-readme", ["sweep", "--out", "{readme}"], "out:", {}),
    ("sweep-out-binary", ["sweep", "--out", "{binary}"], "out:", {}),
    # --- report / gallery
    ("report-sizes-not-an-option", ["report", "--out", "{tmp}/r", "--sizes", "5,5"], "unrecognized", {}),
    ("report-out-proc", ["report", "--out", "/proc/nctheory-report"], "out:", {}),
    ("report-out-file", ["report", "--out", "{file}"], "out:", {}),
    ("gallery-out-proc", ["gallery", "--all", "--out", "/proc/nctheory-gallery"], "out:", {}),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad-input")
    (tmp / "file.txt").write_text("a regular file\n")
    shutil.copy(ROOT / "README.md", tmp / "README.md")
    (tmp / "binary.jsonl").write_bytes(b"\xff\xfe\x00binary\n")
    (tmp / "syntax.py").write_text("CLAIMS = [\n")
    (tmp / "raises.py").write_text("raise RuntimeError('broken on purpose')\n")
    (tmp / "noclaims.py").write_text("X = 1\n")
    (tmp / "dupe.py").write_text(f"import runpy\nCLAIMS = runpy.run_path({USER_CLAIMS!r})['CLAIMS']\n")
    return {"tmp": str(tmp), "file": str(tmp / "file.txt"), "readme": str(tmp / "README.md"),
            "binary": str(tmp / "binary.jsonl"), "syntax": str(tmp / "syntax.py"), "raises": str(tmp / "raises.py"),
            "noclaims": str(tmp / "noclaims.py"), "dupe": str(tmp / "dupe.py")}


#: Cases run in a real process (see the module doc).
IN_SUBPROCESS = {"sizes-one-class", "lambda-overflow", "dim-out-of-memory", "predict-unknown-claim",
                 "verify-claim-and-all", "claims-syntax-error", "claims-raises", "junit-dev-full", "agree-inf",
                 "search-budget-zero", "sweep-out-readme", "sweep-out-proc", "report-out-proc", "gallery-out-proc",
                 "command-unknown"}


def _in_process(argv, env) -> subprocess.CompletedProcess:
    from nctheory.claims import registry
    from nctheory.cli import args, main

    user, loaded = list(registry._USER), dict(args._LOADED)
    saved = {k: os.environ.get(k) for k in env}
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse's --help path, should a case hit it
                code = exc.code
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        registry._USER[:] = user
        args._LOADED.clear()
        args._LOADED.update(loaded)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def results(files):
    def argv_of(case):
        name, argv, _, env = case
        subs = dict(files, out=f"{files['tmp']}/{name}.jsonl")
        return [a.format(**subs) for a in argv]

    def one(case):
        return case[0], run_cli(*argv_of(case), env=case[3], timeout=60)

    out = {case[0]: _in_process(argv_of(case), case[3]) for case in CASES if case[0] not in IN_SUBPROCESS}
    with ThreadPoolExecutor(max_workers=3) as pool:
        out.update(pool.map(one, [c for c in CASES if c[0] in IN_SUBPROCESS]))
    return out


def test_subprocess_cases_are_in_the_table():
    assert IN_SUBPROCESS <= {c[0] for c in CASES}


def test_the_table_is_large_and_unique():
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)) >= 60


@pytest.mark.parametrize("name, argv, needle, env", CASES, ids=[c[0] for c in CASES])
def test_bad_invocation_exits_2_with_one_line(results, name, argv, needle, env):
    proc = results[name]
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("nctheory: error: "), lines[0]
    assert needle in lines[0], lines[0]
    assert proc.stdout == ""


def test_sweep_refuses_a_file_that_is_not_a_sweep_file_and_leaves_it_unchanged(results, files):
    """``sweep --out README.md`` (a copy) ran in the table: the file is byte for byte what it was."""
    assert results["sweep-out-readme"].returncode == 2
    with open(ROOT / "README.md", "rb") as a, open(files["readme"], "rb") as b:
        assert hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()
    assert "not a sweep file" in results["sweep-out-readme"].stderr


def test_no_sweep_file_is_left_behind_by_refused_sweeps(results, files):
    import os

    leftovers = [n for n in os.listdir(files["tmp"]) if n.startswith("sweep-") and n.endswith(".jsonl")]
    assert leftovers == []
