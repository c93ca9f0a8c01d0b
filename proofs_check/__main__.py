"""``python -m proofs_check``: run every symbolic check, print PASS/FAIL, exit 1 on any failure."""

import sys
import time

from proofs_check import all_checks


def main() -> int:
    failed = 0
    checks = all_checks()
    t0 = time.perf_counter()
    for name, fn in checks:
        try:
            ok, detail = fn()
        except Exception as exc:  # a crash is a failure, reported as such
            ok, detail = False, f"raised {type(exc).__name__}: {exc}"
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  -- {detail}" if detail and not ok else ""))
    print(f"{len(checks) - failed} passed, {failed} failed  ({time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
