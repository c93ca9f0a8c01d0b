"""The benchmark script runs end to end on a tiny instance (so it cannot rot); timings are not tested here."""

import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))

import bench_certified  # noqa: E402


def test_benchmark_writes_table_and_agrees(tmp_path):
    assert bench_certified.main(["--ks", "4", "--profiles", "two-cluster", "--repeat", "1",
                                 "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "certified.csv")))
    assert len(rows) == 1 and rows[0]["cert_status"] == "optimal"
    # certified vs cvxpy+Clarabel objective to 1e-7 (the agreement target)
    assert float(rows[0]["clarabel_agreement"]) <= 1e-7
    assert rows[0]["clarabel_cert_lb_below"] == "True"  # the certificate is below the independent optimum
    assert (tmp_path / "certified.md").read_text().count("| two-cluster | 4 |") == 1
