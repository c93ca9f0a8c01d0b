"""``nctheory predict``: the contract's keys; unmet assumptions exit 3; users' claims."""

import json

from .conftest import USER_CLAIMS


def test_json_keys_and_quantities(main_run):
    code, out, _ = main_run("predict", "zhu/balanced-ce", "--sizes", "5x4", "--json")
    data = json.loads(out)
    assert code == 0 and {"claim", "applies", "unmet", "quantities", "notes"} <= set(data)
    assert data["applies"] is True and data["unmet"] == [] and "rho" in data["quantities"]


def test_unmet_assumptions_exit_3_and_name_them(main_run):
    code, out, _ = main_run("predict", "zhu/balanced-ce", "--sizes", "5,3", "--json")
    data = json.loads(out)
    assert code == 3 and data["applies"] is False and data["quantities"] is None
    assert any(u.startswith("sizes:") for u in data["unmet"])


def test_a_users_claim(main_run):
    code, out, _ = main_run("predict", "user/zero-threshold", "--sizes", "4x3", "--lambda-w", "0.2",
                            "--lambda-h", "0.2", "--claims", USER_CLAIMS)
    assert code == 0 and "zero_solution" in out and "True" in out
