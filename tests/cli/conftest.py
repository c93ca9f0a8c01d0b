"""Helpers for the CLI tests: the command line in a subprocess (with a timeout, so a hang fails the
test) and in-process through ``nctheory.cli.main``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
USER_CLAIMS = str(Path(__file__).with_name("user_claims.py"))
#: A subprocess that takes longer than this has hung (the slowest case here, a small sweep, takes ~10 s).
TIMEOUT_S = 120


def cli_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(*argv, timeout: float = TIMEOUT_S, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    """``python -m nctheory ARGV`` in a subprocess; text output captured."""
    return subprocess.run([sys.executable, "-m", "nctheory", *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, env=cli_env(**(env or {})), cwd=cwd)


@pytest.fixture
def main_run(capsys):
    """``main_run(*argv) -> (code, stdout, stderr)`` in-process."""
    from nctheory.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(autouse=True)
def _restore_claims_registry():
    """``--claims`` registers users' claims in this process: forget them after each test, so other test
    modules in the same session see the built-in registry only."""
    from nctheory.claims import registry
    from nctheory.cli import args

    user, loaded = list(registry._USER), dict(args._LOADED)
    yield
    registry._USER[:] = user
    args._LOADED.clear()
    args._LOADED.update(loaded)
