"""The reference benchmark script runs end to end on tiny instances (so it cannot rot); timings are not tested."""

import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks"))

import bench_references  # noqa: E402


def test_benchmark_writes_table_and_agrees(tmp_path):
    assert bench_references.main(["--ks", "4", "--grouped-ks", "6", "--profiles", "two-cluster",
                                  "--cvxpy-max-k", "4", "--cvxpy-timeout", "120", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "references.csv")))
    assert len(rows) == 4  # (lpm, uf-svm) x (dense K = 4, grouped K = 6)
    for r in rows:
        assert r["status"] == "optimal" and float(r["rel_gap"]) <= 1e-10
        if r["form"] == "dense":
            for key in ("clarabel", "scs"):
                assert r[f"{key}_status"] == "optimal", r
                assert r[f"{key}_lb_below"] == "True"  # the certificate is below the independent optimum
            assert float(r["clarabel_agreement"]) <= 1e-8
        else:
            assert float(r["dense_agreement"]) <= 1e-12
    assert (tmp_path / "references.md").read_text().count("| lpm | dense | two-cluster | 4 |") == 1
