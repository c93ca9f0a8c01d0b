"""The command line: contract keys, exit codes, one-line errors (never a traceback)."""

import json
import subprocess
import sys

import pytest

from nctheory import __version__
from nctheory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_claims_json_lists_ids_and_provenance(capsys):
    code, out, _ = run(capsys, "claims", "--json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list)
    for item in data:
        assert {"id", "source", "provenance", "statement"} <= set(item)
        assert item["provenance"]


@pytest.mark.parametrize(
    "argv, field",
    [
        (["solve", "--sizes", "5"], "sizes"),
        (["solve", "--sizes", "5,0"], "sizes"),
        (["solve", "--sizes", "5,2.5"], "sizes"),
        (["solve", "--sizes", "5,5", "--lambda-w", "nan"], "lambda_w"),
        (["solve", "--sizes", "5,5", "--lambda-h", "-1"], "lambda_h"),
        (["solve", "--sizes", "5,5", "--loss", "hinge"], "--loss"),
        (["solve", "--sizes", "5,5", "--depth", "0"], "depth"),
        (["solve", "--sizes", "5,5,5,5", "--fixed-etf", "--dim", "2"], "d"),
        (["solve", "--sizes", "5,5", "--bogus"], "unrecognized"),
        (["solve", "--sizes", "5,5", "--lambda-b", "1e-3", "--free-bias"], "not allowed"),
        (["solve"], "--sizes"),
        (["predict", "no-such/claim", "--sizes", "5,5"], "claim"),
        (["verify", "--sizes", "5,5"], "claim"),
    ],
)
def test_bad_input_exit_2_one_line(capsys, argv, field):
    code, out, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nctheory: error: ")
    assert field in lines[0]


def test_no_traceback_from_subprocess():
    proc = subprocess.run([sys.executable, "-m", "nctheory.cli", "solve", "--sizes", "3,-2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("nctheory: error: sizes:")
