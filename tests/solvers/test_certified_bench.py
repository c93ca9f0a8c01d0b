"""The side-by-side benchmark driver runs end to end on tiny sizes (so it cannot rot); timings are not tested."""

import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks"))

import bench_all  # noqa: E402


def test_side_by_side_writes_csv_table_and_plot(tmp_path):
    assert bench_all.main(["--quick", "--sections", "dense,symmetric", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "side_by_side.csv")))
    dense = [r for r in rows if r["section"] == "dense"]
    assert {(r["profile"], int(r["K"])) for r in dense} == {(p, K) for p in ("two-cluster", "long-tail")
                                                            for K in bench_all.QUICK["dense_ks"]}
    for r in dense:  # each from its own process: a certified answer, an SVD time and a memory figure
        assert r["status"] == "optimal" and float(r["rel_gap"]) <= 1e-10
        assert float(r["svd_s"]) > 0 and float(r["peak_rss_mb"]) > 0
        assert abs(float(r["svd_ratio"]) * float(r["svd_s"]) - float(r["time_s"])) <= 1e-9 * float(r["time_s"])
    assert any(r["section"] == "symmetric" and r["status"] == "optimal" for r in rows)
    md = (tmp_path / "side_by_side.md").read_text()
    assert "nproc" in md and md.count("| long-tail |") >= len(bench_all.QUICK["dense_ks"])
    assert (tmp_path / "side_by_side.png").stat().st_size > 0
