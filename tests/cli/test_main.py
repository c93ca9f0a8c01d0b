"""The entry point: ``python -m nctheory``, the parser, and the mapping from what happened to the exit code."""

import errno
import json

import pytest

from nctheory import __version__
from nctheory.cli import COMMANDS, build_parser, main
from nctheory.errors import TimeLimitReached, is_input_error

from .conftest import USER_CLAIMS, run_cli


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_python_dash_m_nctheory_runs_the_cli():
    proc = run_cli("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_no_command_prints_help_and_exits_2(main_run):
    code, out, err = main_run()
    assert code == 2 and out == "" and "COMMAND" in err


def test_every_command_is_in_the_full_parser_and_the_light_one():
    import argparse

    for parser in (build_parser(), build_parser(lazy=True)):
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert tuple(subs.choices) == COMMANDS


def test_input_errors_are_field_named_only():
    assert is_input_error(ValueError("sizes: need K >= 2"))
    assert not is_input_error(ValueError("math domain error"))
    assert not is_input_error(TypeError("sizes: x"))


@pytest.mark.parametrize("exc", [ValueError("math domain error"), KeyError("W"), ZeroDivisionError("x")])
def test_a_bug_is_exit_3_with_a_traceback_not_bad_input(monkeypatch, main_run, exc):
    import nctheory.cli.claims as cmd

    def boom(args):
        raise exc

    monkeypatch.setattr(cmd, "run", boom)
    code, out, err = main_run("claims")
    assert code == 3 and "internal error" in err and "Traceback" in err


def test_a_field_named_value_error_from_a_command_is_bad_input(monkeypatch, main_run):
    import nctheory.cli.claims as cmd

    monkeypatch.setattr(cmd, "run", lambda args: (_ for _ in ()).throw(ValueError("e_h: must be > 0")))
    code, _, err = main_run("claims")
    assert code == 2 and err.strip() == "nctheory: error: e_h: must be > 0"


def test_an_unhandled_time_limit_is_exit_3_in_one_line(monkeypatch, main_run):
    import nctheory.cli.claims as cmd

    monkeypatch.setattr(cmd, "run", lambda args: (_ for _ in ()).throw(TimeLimitReached(2.0, "while testing")))
    code, _, err = main_run("claims")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "time limit of 2 s reached" in err


def test_disk_full_on_stdout_is_one_line_exit_2(monkeypatch, main_run):
    import nctheory.cli.claims as cmd

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cmd, "run", full)
    code, _, err = main_run("claims")
    assert code == 2 and "output: cannot write (No space left on device)" in err and "Traceback" not in err


def test_stdout_to_dev_full_in_a_real_process():
    """The JSON of ``claims`` is larger than the stdout buffer: the write fails inside the command."""
    with open("/dev/full", "w") as full:
        import subprocess
        import sys

        from .conftest import cli_env

        proc = subprocess.run([sys.executable, "-m", "nctheory", "claims", "--json"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=cli_env())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == ["nctheory: error: output: cannot write (No space left on device)"]


def test_help_of_report_and_sweep_does_not_offer_sizes():
    for command in ("report", "sweep"):
        proc = run_cli(command, "--help")
        assert proc.returncode == 0 and "--sizes" not in proc.stdout and "--loss" in proc.stdout


def test_help_lists_the_solver_names():
    proc = run_cli("solve", "--help")
    assert proc.returncode == 0 and "certified" in proc.stdout and "factored" in proc.stdout


def test_claims_option_loads_a_users_file_in_a_real_process():
    proc = run_cli("claims", "--json", "--claims", USER_CLAIMS)
    assert proc.returncode == 0, proc.stderr
    ids = [c["id"] for c in json.loads(proc.stdout)["claims"]]
    assert "user/zero-threshold" in ids and "zhu/balanced-ce" in ids


def test_claims_option_twice_in_one_process_is_harmless(main_run):
    for _ in range(2):
        code, out, _ = main_run("claims", "--json", "--claims", USER_CLAIMS)
        assert code == 0 and "user/zero-threshold" in out


def test_model_errors_from_dicts_and_huge_integers_are_bad_input(monkeypatch, main_run):
    """No command reads a problem dict today; should one, ``Problem.from_dict({})`` and ``lambda_w=10**400``
    (an int too large for float64) are field-named and map to exit 2."""
    import nctheory.cli.claims as cmd
    from nctheory.model import Problem

    for build, field in ((lambda: Problem.from_dict({}), "sizes:"),
                         (lambda: Problem(sizes=(3, 3), lambda_w=10 ** 400), "lambda_w:")):
        monkeypatch.setattr(cmd, "run", lambda args, build=build: build())
        code, _, err = main_run("claims")
        assert code == 2 and err.startswith(f"nctheory: error: {field}") and len(err.strip().splitlines()) == 1
