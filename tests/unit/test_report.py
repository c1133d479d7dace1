"""Report helpers: benchmark summary and manifest."""

import hashlib

import pytest

from mirtrim.report.benchmarks import markdown_summary, read_benchmarks
from mirtrim.report.manifest import write_manifest

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def test_benchmark_summary_totals_per_rule(tmp_path):
    for rule, job, secs in (("train_dense", "onsets/dense-s0", 120.0), ("prune_round", "onsets/r/round01", 60.0),
                            ("prune_round", "onsets/r/round02", 30.0)):
        path = tmp_path / rule / f"{job}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + f"{secs}\t0:00:00\t512.5\t1\t1\t1\t0\t0\t0\t1\n")
    (tmp_path / "figures_table.tsv").write_text(HEADER + "1.0\t0:00:01\t10\t1\t1\t1\t0\t0\t0\t1\n")
    rows = read_benchmarks(tmp_path)
    assert ("figures_table", "-") in {(r["rule"], r["job"]) for r in rows}
    assert {(r["rule"], r["job"]) for r in rows} >= {("prune_round", "onsets/r/round02")}
    text = markdown_summary(rows, top=2)
    assert "| prune_round | 2 | 90.0 | 45.0 | 60.0 |" in text and "3.5 min over 4 jobs" in text
    assert text.index("train_dense | onsets/dense-s0") < text.index("prune_round | onsets/r/round01")


def test_manifest_checksums_and_refuses_empty_files(tmp_path):
    a = tmp_path / "a.pdf"
    a.write_bytes(b"figure")
    out = tmp_path / "all"
    write_manifest(out, [str(a)])
    assert hashlib.sha256(b"figure").hexdigest() in out.read_text()
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(SystemExit, match="missing or empty"):
        write_manifest(out, [str(tmp_path / "empty.png")])
