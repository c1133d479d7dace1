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
    per_task = markdown_summary(rows, top=2, tasks=("onsets", "drums"))
    assert "| onsets | 3 | 210.0 | 70.0 | 120.0 |" in per_task and "| shared (data, tables, figures) | 1 |" in per_task


def test_manifest_checksums_and_refuses_empty_files(tmp_path):
    a = tmp_path / "a.pdf"
    a.write_bytes(b"figure")
    out = tmp_path / "all"
    write_manifest(out, [str(a)])
    assert hashlib.sha256(b"figure").hexdigest() in out.read_text()
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(SystemExit, match="missing or empty"):
        write_manifest(out, [str(tmp_path / "empty.png")])


def _summary(path, rows):
    from mirtrim.report.aggregate import write_csv

    base = {"task": "drums", "prune": "trim", "criterion": "magnitude", "scope": "local", "reset": "rewind",
            "method": "Trim", "run": "trim-magnitude-local-rewind-s0", "seed": 0, "activation_mb": 1.0,
            "flops_paper": 100, "memory_read": 2**20, "memory_write": 2**20, "checkpoint_bytes": 2**20,
            "latency_ms": 1.0, "ort_latency_ms": 0.5, "peak_rss_mb": 200.0}
    write_csv(path, [{**base, **r} for r in rows])


def test_efficiency_table_picks_the_smallest_trim_model_within_tolerance_on_validation(tmp_path):
    from mirtrim.report.efficiency import efficiency_rows, write_efficiency_table

    path = tmp_path / "drums.csv"
    _summary(path, [
        {"round": 0, "parameters": 1000, "macs": 1000, "valid_error": 0.20, "test_error": 0.20},
        {"round": 1, "parameters": 500, "macs": 400, "valid_error": 0.21, "test_error": 0.21},
        {"round": 2, "parameters": 250, "macs": 150, "valid_error": 0.219, "test_error": 0.40},  # valid within 1.1x
        {"round": 3, "parameters": 120, "macs": 60, "valid_error": 0.30, "test_error": 0.19},  # test good: ignored
        {"round": 3, "parameters": 90, "macs": 60, "valid_error": 0.1, "test_error": 0.10, "method": "Random",
         "criterion": "random", "run": "trim-random-local-rewind-s0"},  # the random control never counts as Trim
    ])
    dense, trimmed = efficiency_rows([path], tolerance=1.1)
    assert dense["model"] == "dense" and dense["parameters"] == 1000 and dense["memory_mb"] == pytest.approx(2.0)
    assert (trimmed["round"], trimmed["parameters"], trimmed["candidates"]) == (2, 250, 3)
    assert trimmed["relative_error"] == pytest.approx(2.0)  # the test error is reported, not selected on
    assert efficiency_rows([path], tolerance=1.0)[1]["model"].startswith("no Trim round")
    write_efficiency_table([path], tmp_path / "t.csv", tmp_path / "t.md", tmp_path / "t.tex")
    assert "| drums | trim-magnitude-local-rewind r2 | 3 | 1 | 250 |" in (tmp_path / "t.md").read_text()
    assert r"\bottomrule" in (tmp_path / "t.tex").read_text()


def test_best_optim_small_follow_the_paper_thresholds_on_validation(tmp_path):
    from mirtrim.report.selection import selection_rows, write_selection_tables

    path = tmp_path / "drums.csv"
    rows = [{"round": 0, "parameters": 1000, "macs": 1000, "valid_error": 0.20, "test_error": 0.20, "compression": 1.0}]
    for r, (params, err) in enumerate([(500, 0.19), (250, 0.20), (120, 0.215), (60, 0.31), (30, 0.5)], start=1):
        # the test errors disagree with validation: a selection on test would pick other rounds
        rows.append({"round": r, "parameters": params, "macs": params, "valid_error": err,
                     "test_error": 0.9 - err, "compression": 1000 / params})
    rows.append({"round": 1, "parameters": 1000, "macs": 1000, "valid_error": 0.18, "test_error": 0.18,
                 "compression": 1 / 0.7, "method": "Mask", "prune": "mask", "run": "mask-magnitude-global-rewind-s0"})
    rows.append({"round": 1, "parameters": 500, "macs": 500, "valid_error": 0.5, "test_error": 0.1,
                 "compression": 2.0, "method": "Random", "prune": "trim", "run": "trim-random-local-rewind-s0"})
    _summary(path, rows)
    got = {(r["group"], r["category"]): (r["round"], r["test_error"]) for r in selection_rows([path])
           if r["run"] != "none"}
    assert got[("Trim", "Best")] == (2, pytest.approx(0.70))  # valid <= dense: inclusive; test reported
    assert got[("Trim", "Optim")] == (3, pytest.approx(0.685))  # valid < 1.1 x dense
    assert got[("Trim", "Small")] == (4, pytest.approx(0.59))  # valid < 1.6 x dense; round 5 never counts
    assert got[("Mask", "Best")][0] == 1 and got[("Original", "dense")] == (0, pytest.approx(0.2))
    # a category no model reaches keeps its row, marked as such; a group without runs has none
    none = [(r["group"], r["category"], r["candidates"]) for r in selection_rows([path]) if r["run"] == "none"]
    assert none == [("Random", "Best", 1), ("Random", "Optim", 1), ("Random", "Small", 1)]
    assert not any(g == "Prune" for g, _ in got)
    write_selection_tables([path], *(tmp_path / n for n in ("t.csv", "t.md", "t.tex", "m.tex")))
    macros = (tmp_path / "m.tex").read_text()
    assert r"\newcommand{\DrumsTrimOptimCompression}{8.3}" in macros
    md = (tmp_path / "t.md").read_text()
    assert "| drums | Random | Best | 1 | none (valid. error ≤ 1× dense) | — |" in md
    assert "| drums | Trim | Best | 5 | trim-magnitude-local-rewind r2 | 1 |" in md


def test_selection_averages_seeds_before_it_picks(tmp_path):
    """Seed 1 alone would qualify round 2 for Best; the seed mean does not, and the cell shows the spread."""
    from mirtrim.report.selection import selection_rows

    path = tmp_path / "drums.csv"
    rows = []
    for seed, dense_val, r1, r2 in ((0, 0.20, 0.19, 0.26), (1, 0.22, 0.21, 0.20)):
        run = f"trim-magnitude-local-rewind-s{seed}"
        rows += [{"round": 0, "seed": seed, "run": run, "parameters": 1000, "macs": 1000, "valid_error": dense_val,
                  "test_error": dense_val, "compression": 1.0},
                 {"round": 1, "seed": seed, "run": run, "parameters": 500, "macs": 500, "valid_error": r1,
                  "test_error": r1 + 0.01, "compression": 2.0},
                 {"round": 2, "seed": seed, "run": run, "parameters": 250, "macs": 250, "valid_error": r2,
                  "test_error": r2, "compression": 4.0}]
    _summary(path, rows)
    best = next(r for r in selection_rows([path]) if (r["group"], r["category"]) == ("Trim", "Best"))
    assert (best["round"], best["seeds"], best["candidates"]) == (1, 2, 2)
    assert best["test_error"] == pytest.approx(0.21) and (best["test_error_min"], best["test_error_max"]) == (
        pytest.approx(0.20), pytest.approx(0.22))


def test_tradeoff_figure_averages_seeds(tmp_path):
    from mirtrim.report.figures import plot_tradeoff

    path = tmp_path / "drums.csv"
    rows = []
    for seed, errors in ((0, (0.20, 0.19, 0.25)), (1, (0.22, 0.20, 0.30))):
        for r, err in enumerate(errors):
            rows.append({"round": r, "parameters": 1000 // (r + 1), "macs": 1, "test_error": err, "seed": seed,
                         "run": f"trim-magnitude-local-rewind-s{seed}", "compression": r + 1.0,
                         "relative_error": err / errors[0]})
    _summary(path, rows)
    plot_tradeoff(path, "drums", tmp_path / "t.pdf")
    assert (tmp_path / "t.pdf").stat().st_size > 1000 and (tmp_path / "t.png").stat().st_size > 1000
    with pytest.raises(SystemExit, match="no rows for task 'onsets'"):
        plot_tradeoff(path, "onsets", tmp_path / "u.pdf")


def test_crosstask_and_latency_figures_from_one_summary(tmp_path):
    from mirtrim.report.crosstask import pareto_front, plot_crosstask
    from mirtrim.report.efficiency import plot_latency_vs_macs

    rows = [{"round": r, "parameters": 1000 // (r + 1), "macs": 1000 // (r + 1), "test_error": 0.2 + 0.01 * r,
             "compression": r + 1.0, "relative_error": 1 + 0.05 * r} for r in range(4)]
    _summary(tmp_path / "drums.csv", rows)
    outs = [tmp_path / f"{n}.pdf" for n in ("n", "c", "p")]
    plot_crosstask([tmp_path / "drums.csv"], *outs)
    plot_latency_vs_macs([tmp_path / "drums.csv"], tmp_path / "l.pdf")
    for pdf in [*outs, tmp_path / "l.pdf"]:
        assert pdf.stat().st_size > 1000 and pdf.with_suffix(".png").stat().st_size > 1000
    assert pareto_front([(1.0, 0.3), (2.0, 0.2), (3.0, 0.25), (0.5, 0.4)]) == [(0.5, 0.4), (1.0, 0.3), (2.0, 0.2)]


def test_log_axis_labels_enough_ticks_for_a_short_range():
    from mirtrim.report.figures import _log_ticks

    assert _log_ticks(0.9, 4.8) == [1.0, 1.5, 2.0, 3.0, 4.0]  # a default run's compression axis
    assert [f"{t:g}" for t in _log_ticks(0.08, 7.0)] == ["0.1", "0.2", "0.5", "1", "2", "5"]  # ms, > 1 decade
    assert _log_ticks(0.9, 120) == [1, 2, 5, 10, 20, 50, 100]  # the paper's 100x
    assert _log_ticks(0.26, 4.2) == [0.5, 1, 2]  # not 0.3, 0.4, 0.5, 0.7, ... crowded
    assert _log_ticks(0.195, 0.28) == pytest.approx([0.2, 0.225, 0.25, 0.275])  # chords latencies
    assert _log_ticks(0.0, 5.0) == [] and _log_ticks(3.0, 3.0) == []


def test_band_counts_only_the_runs_that_reach_each_ratio():
    import numpy as np

    from mirtrim.report.crosstask import band

    short = (np.log10([1.0, 2.0]), np.array([1.0, 1.2]))
    long = (np.log10([1.0, 2.0, 8.0]), np.array([1.0, 1.0, 0.9]))
    x, mean, low, high, count = band([short, long], points=5)  # log grid: 1, 1.68, 2.83, 4.76, 8
    assert x[0] == pytest.approx(1.0) and x[-1] == pytest.approx(8.0) and list(count) == [2, 2, 1, 1, 1]
    assert mean[-1] == low[-1] == high[-1] == pytest.approx(0.9)  # beyond 2x only the long run counts
    assert mean[1] == pytest.approx(1.075) and (low[1], high[1]) == pytest.approx((1.0, 1.15))
