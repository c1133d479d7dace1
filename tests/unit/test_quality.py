"""The quality benchmark: dense seed spread and the largest compression within one dense std."""

import pytest

from mirtrim.report.quality import quality_markdown, quality_summary


def _row(run, seed, rnd, err, compression, chance=0.9):
    prune = "trim" if run.startswith("trim") else "mask"
    return {"task": "onsets", "run": f"{run}-s{seed}", "seed": seed, "round": rnd, "test_error": err,
            "valid_error": err, "compression": compression, "chance_error": chance, "prune": prune,
            "criterion": "magnitude", "scope": "local", "reset": "rewind", "method": "Trim"}


def test_max_compression_is_the_largest_whose_seed_mean_stays_within_one_dense_std():
    trim = "trim-magnitude-local-rewind"
    rows = [_row(trim, 0, 0, 0.20, 1.0), _row(trim, 1, 0, 0.30, 1.0),  # dense: mean 0.25, std 0.0707
            _row(trim, 0, 1, 0.28, 2.0), _row(trim, 1, 1, 0.34, 2.0),  # mean 0.31 <= 0.3207: qualifies
            _row(trim, 0, 2, 0.30, 4.0), _row(trim, 1, 2, 0.40, 4.0),  # mean 0.35: does not
            _row(trim, 0, 3, 0.20, 8.0), _row(trim, 1, 3, 0.30, 8.0)]  # mean 0.25: qualifies, largest
    q = quality_summary(rows, {"onsets": {"baseline": "flux", "error": 0.2}}, 12.5, "abc")
    task = q["tasks"]["onsets"]
    assert task["dense_error_mean"] == pytest.approx(0.25) and task["dense_error_std"] == pytest.approx(0.0707, abs=1e-4)
    assert task["methods"][trim]["max_compression_at_dense"] == 8.0 and task["methods"][trim]["round"] == 3
    assert (task["baseline_error"], task["chance_error"], q["seeds"], q["wall_minutes"]) == (0.2, 0.9, 2, 12.5)
    text = quality_markdown(q)
    assert "| onsets | 0.250 ± 0.071 | 0.200, 0.300 | flux | 0.200 | 0.900 |" in text
    assert f"| {trim} | 8.00 (r3) |" in text


def test_a_method_that_never_keeps_the_dense_error_reports_no_compression():
    mask = "mask-magnitude-local-rewind"
    rows = [_row(mask, 0, 0, 0.2, 1.0), _row(mask, 0, 1, 0.5, 1.5)]
    entry = quality_summary(rows, {}, None, "abc")["tasks"]["onsets"]["methods"][mask]
    assert entry["max_compression_at_dense"] == 1.0 and entry["round"] == 0
