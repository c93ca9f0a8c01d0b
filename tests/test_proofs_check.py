"""The proof-check runner reports PASS/FAIL per item and fails the run on any failure or crash."""

import proofs_check.__main__ as runner


def test_failure_and_crash_make_exit_nonzero(monkeypatch, capsys):
    def boom():
        raise ZeroDivisionError("x")

    monkeypatch.setattr(runner, "all_checks", lambda: [("good", lambda: (True, "")), ("bad", lambda: (False, "why")),
                                                       ("crash", boom)])
    assert runner.main() == 1
    out = capsys.readouterr().out
    assert "PASS  good" in out and "FAIL  bad  -- why" in out and "FAIL  crash" in out and "1 passed, 2 failed" in out


def test_all_pass_exit_zero(monkeypatch):
    monkeypatch.setattr(runner, "all_checks", lambda: [("good", lambda: (True, ""))])
    assert runner.main() == 0
