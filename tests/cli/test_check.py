"""``nctheory check``: lines with verdict, certification and instance; JSON summary; JUnit for CI."""

import json
import xml.etree.ElementTree as ET

from nctheory.cli.check import run_check

from .conftest import USER_CLAIMS, run_cli

USER = ["--claims", USER_CLAIMS, "--only", "user/"]


def _lines(out):
    return [ln for ln in out.splitlines() if ln.split() and ln.split()[0] in
            ("PASS", "CONSISTENT", "FAIL", "INCONCLUSIVE", "REFUTED", "NOT-REFUTED")]


def test_lines_say_verdict_certification_and_instance(main_run):
    code, out, _ = main_run("check", *USER, "--quiet")
    assert code == 1  # user/always-zero fails on its second instance
    lines = _lines(out)
    assert len(lines) == 8
    words = [(ln.split()[0], ln.split()[1], ln.split()[2]) for ln in lines]
    assert ("FAIL", "certified", "user/always-zero") in words
    assert ("CONSISTENT", "uncertified", "user/zero-factored") in words
    assert ("REFUTED", "certified", "user/refuted-zero") in words
    assert ("INCONCLUSIVE", "uncertified", "user/unmet") in words
    assert all("bias=none loss=ce" in ln and "sizes=" in ln and "λW=" in ln for ln in lines)
    assert "nan" not in out.lower().replace("n/a", "")
    assert out.count("n/a: no relative error") == 1  # consistent lines have no gap: explained once
    assert "reason: assumptions unmet" in out  # the reason of the inconclusive line, even with --quiet
    assert "2 consistent" in out and "1 inconclusive" in out


def test_json_results_and_summary_counts_per_verdict(main_run):
    code, out, err = main_run("check", *USER, "--json")
    data = json.loads(out)
    assert code == 1 and err == ""
    assert len(data["results"]) == 8
    s = data["summary"]
    assert s["verdicts"] == {"pass": 3, "consistent": 2, "fail": 2, "inconclusive": 1}
    assert (s["as_expected"], s["unexpected"], s["undecided"]) == (6, 1, 1)
    assert s["completed"] == s["instances"] == 8 and s["stopped"] is None


def test_junit_names_properties_failures_and_skips(tmp_path):
    _load()
    path = tmp_path / "check.xml"
    code = run_check(junit=str(path), quiet=True, only="user/", stream=open(tmp_path / "out.txt", "w"),
                     require_certified=True)
    assert code == 1
    suite = ET.parse(path).getroot()
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names)) == 8
    assert "user/zero-threshold[sizes=4x3 λW=0.2 λH=0.2 bias=none loss=ce]" in names
    by_verdict = {}
    for c in cases:
        props = {p.get("name"): p.get("value") for p in c.find("properties")}
        assert {"verdict", "certified", "worst_rel_err", "worst_abs_err", "rel_gap", "reason"} <= set(props)
        assert "nan" not in props.values()
        by_verdict.setdefault(props["verdict"], []).append(c)
    # a failure only for the claim that behaved unexpectedly; the refutation as registered is no failure
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").split("[")[0] for c in failed] == ["user/always-zero"]
    # skipped: inconclusive, and consistent under --require-certified
    skipped = sorted(c.get("name").split("[")[0] for c in cases if c.find("skipped") is not None)
    assert skipped == ["user/unmet", "user/zero-factored", "user/zero-factored"]
    assert suite.get("failures") == "1" and suite.get("skipped") == "3" and suite.get("tests") == "8"


def _load():
    from nctheory.cli.args import load_user_claims

    load_user_claims([USER_CLAIMS])
    return True


def test_junit_without_require_certified_does_not_skip_consistent(tmp_path):
    _load()
    path = tmp_path / "c.xml"
    run_check(junit=str(path), quiet=True, only="user/zero-factored", stream=open(tmp_path / "o.txt", "w"))
    cases = ET.parse(path).getroot().findall("testcase")
    assert len(cases) == 2 and all(c.find("skipped") is None and c.find("failure") is None for c in cases)


def test_require_certified_turns_consistent_into_exit_3(main_run):
    assert main_run("check", "--claims", USER_CLAIMS, "--only", "user/zero-factored")[0] == 0
    assert main_run("check", "--claims", USER_CLAIMS, "--only", "user/zero-factored", "--require-certified")[0] == 3


def test_time_limit_stops_reports_and_exits_3(tmp_path):
    path = tmp_path / "partial.xml"
    proc = run_cli("check", "--time-limit", "1", "--json", "--junit", path)
    assert proc.returncode in (1, 3), proc.stderr[-2000:]  # 1 only if a claim finished and failed
    data = json.loads(proc.stdout)
    s = data["summary"]
    assert s["stopped"].startswith("time limit of 1 s reached after") and s["completed"] < s["instances"]
    assert len(data["results"]) == s["completed"]
    assert ET.parse(path).getroot().get("tests") == str(s["completed"])


def _with_terminal_stderr(*argv):
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe): ``(code, stdout, terminal text)``."""
    import os
    import pty
    import subprocess
    import sys

    from .conftest import cli_env

    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "nctheory", *argv], stdout=subprocess.PIPE, stderr=slave,
                            env=cli_env(COLUMNS="100"))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal_only_on_stderr_and_never_with_json():
    code, out, term = _with_terminal_stderr("check", *USER[:2], "--only", "user/zero-threshold")
    assert code == 0
    assert "check [" in term and "2/2" in term  # the bar, drawn on the terminal
    assert "\r" not in out and "check [" not in out and len(_lines(out)) == 2  # results clean on stdout
    code, out, term = _with_terminal_stderr("check", *USER[:2], "--only", "user/zero-threshold", "--json")
    assert code == 0 and "check [" not in term and json.loads(out)["summary"]["completed"] == 2
