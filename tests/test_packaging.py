"""Packaging: what a plain ``pip install`` (no extras) gives.

Fast checks run in this process: a command that needs a missing extra says which in one line and exits 2.
The smoke test (marker ``packaging``: two minutes of CPU, longer on a busy machine) installs this checkout into a
fresh virtual environment with its install_requires and no extras, from wherever pip is configured to take
packages (this machine's wheel store), and runs every command once on tiny instances in a folder outside the
repository, checking the exit codes the verdicts call for.  Where pip cannot get the packages (no network, no
local wheels) it is skipped with pip's own message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from nctheory.present.serialize import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
USER_CLAIMS = ROOT / "tests" / "cli" / "user_claims.py"

#: Lines of pip's output that mean it could not reach packages (not a fault of the package).
PIP_UNREACHABLE = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
                   "No matching distribution found", "Could not find a version that satisfies")


# ------------------------------------------------------------------------------ in-process
def test_search_without_hypothesis_exits_2_naming_the_extra(monkeypatch, capsys):
    from nctheory.cli import main

    monkeypatch.setitem(sys.modules, "hypothesis", None)  # `import hypothesis` raises ImportError
    code = main(["search", "zhu/balanced-ce", "--budget", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == ["nctheory: error: nctheory search needs hypothesis: pip install "
                                        "'nctheory[search]'"]


def test_nctheory_testing_without_hypothesis_names_the_extra(monkeypatch):
    import importlib

    from nctheory.errors import MissingExtra

    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "nctheory.testing", raising=False)
    with pytest.raises(MissingExtra, match=r"pip install 'nctheory\[search\]'") as info:
        importlib.import_module("nctheory.testing")
    assert isinstance(info.value, ImportError) and info.value.extra == "search"


def test_setup_cfg_declares_the_extras_and_the_package_data():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")

    def values(section, key):
        return [ln.strip() for ln in cfg[section][key].splitlines() if ln.strip() and not ln.strip().startswith("#")]

    install = " ".join(values("options", "install_requires"))
    assert "hypothesis" not in install and "sphinx" not in install and "jsonschema" not in install
    extras = cfg["options.extras_require"]
    assert any(v.startswith("hypothesis") for v in values("options.extras_require", "search"))
    assert any(v.startswith("sphinx") for v in values("options.extras_require", "docs"))
    assert any(v.startswith("jsonschema") for v in values("options.extras_require", "test"))
    assert any(v.startswith("distributed") for v in values("options.extras_require", "dask"))
    assert "distributed" not in install
    assert set(extras) == {"search", "dask", "docs", "test"}
    assert "proofs_check" not in values("options.packages.find", "include")
    data = values("options.package_data", "nctheory")
    assert "py.typed" in data and "present/schema/*.json" in data
    assert (ROOT / "nctheory" / "py.typed").is_file()


# ------------------------------------------------------------------------------ the smoke test
@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with this checkout installed (no extras); returns (its bin folder, a work folder)."""
    where = tmp_path_factory.mktemp("pkg")
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    env = _clean_env()
    proc = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
                           str(ROOT)], capture_output=True, text=True, env=env, timeout=1200, cwd=where)
    if proc.returncode != 0:
        text = proc.stdout + proc.stderr
        unreachable = [ln for ln in text.splitlines() if any(s in ln for s in PIP_UNREACHABLE)]
        if unreachable:
            pytest.skip("pip could not get the install_requires (no network and no local wheels?): "
                        + unreachable[0].strip()[:300])
        pytest.fail(f"pip install failed:\n{text[-4000:]}")
    work = where / "work"
    work.mkdir()
    return env_dir / "bin", work


def _clean_env() -> dict:
    """The environment without anything that points Python at this checkout or the test venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    return env


def _run(bin_dir: Path, work: Path, *argv, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / argv[0]), *map(str, argv[1:])], capture_output=True, text=True,
                          env=_clean_env(), cwd=work, timeout=timeout)


@pytest.mark.packaging
def test_the_installed_package_is_complete_and_alone(installed):
    bin_dir, work = installed
    probe = ("import importlib.util, json, pathlib, nctheory;"
             "from nctheory.present.serialize import SCHEMAS, schema;"
             "root = pathlib.Path(nctheory.__file__).parent;"
             "print(json.dumps({'file': nctheory.__file__, 'typed': (root / 'py.typed').is_file(),"
             "'schemas': [schema(n)['$id'] for n in SCHEMAS],"
             "'absent': [m for m in ('proofs_check', 'hypothesis', 'distributed', 'sphinx', 'jsonschema', 'tests')"
             " if importlib.util.find_spec(m) is None]}))")
    proc = _run(bin_dir, work, "python", "-c", probe)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert str(bin_dir.parent) in info["file"] and str(ROOT) not in info["file"]
    assert info["typed"] and len(info["schemas"]) == len(SCHEMAS)
    assert info["absent"] == ["proofs_check", "hypothesis", "distributed", "sphinx", "jsonschema", "tests"]
    proc = _run(bin_dir, work, "python", "-c", "import nctheory.testing")
    assert proc.returncode == 1 and "MissingExtra: nctheory.testing needs hypothesis: pip install " \
                                   "'nctheory[search]'" in proc.stderr


#: (command line, exit code): every command once, tiny instances.
SMOKE = [
    (("claims", "--json"), 0),
    (("solve", "--sizes", "3,2,2", "--json"), 0),
    (("predict", "zhu/balanced-ce", "--sizes", "6,3"), 3),  # assumptions unmet
    (("verify", "zhu/balanced-ce", "--sizes", "4x3", "--json"), 0),  # pass
    (("verify", "user/always-zero", "--sizes", "5,5,5", "--lambda-w", "1e-2", "--lambda-h", "1e-2",
      "--claims", USER_CLAIMS), 1),  # a certified fail
    (("check", "--only", "zhu/", "--json"), 0),
    (("threshold", "--sizes", "50x2,5x2", "--json"), 0),
    (("search", "zhu/balanced-ce", "--budget", "1"), 2),  # needs the search extra
    (("sweep", "--majority", "20x2", "--minority-classes", "2", "--ratios", "2", "--lambdas", "1e-3",
      "--out", "sweep.jsonl", "--json"), 0),
    (("sweep", "--majority", "20x2", "--minority-classes", "2", "--ratios", "2", "--lambdas", "1e-3",
      "--out", "dask.jsonl", "--backend", "dask"), 2),  # needs the dask extra
    (("report", "--out", "report", "--majority", "20x2", "--minority-classes", "2", "--ratios", "2",
      "--no-progress"), 0),
    (("gallery", "--list"), 0),
    (("solve", "--sizes", "3"), 2),  # bad input
]


@pytest.mark.packaging
def test_every_command_runs_from_a_plain_install(installed):
    bin_dir, work = installed
    failures = []
    # two commands at a time (the machine's two cores; each writes its own files): the smoke test's wall time halves
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = list(pool.map(lambda case: _run(bin_dir, work, "nctheory", *case[0]), SMOKE))
    for (argv, expected), proc in zip(SMOKE, procs):
        if proc.returncode != expected or "Traceback" in proc.stderr:
            failures.append(f"nctheory {' '.join(map(str, argv))}: exit {proc.returncode}, expected {expected}\n"
                            f"{proc.stderr[-1500:]}")
            continue
        if "--json" in argv:
            assert json.loads(proc.stdout)["schema_version"] == "2", argv
        if argv[0] == "search":
            assert proc.stderr.strip() == "nctheory: error: nctheory search needs hypothesis: pip install " \
                                          "'nctheory[search]'"
        if "dask" in argv:
            assert len(proc.stderr.strip().splitlines()) == 1 and "pip install 'nctheory[dask]'" in proc.stderr
    assert not failures, "\n\n".join(failures)
    assert (work / "report" / "report.html").is_file() and (work / "sweep.jsonl").is_file()
