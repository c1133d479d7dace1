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
    assert entry["max_compression_reached"] == 1.5  # what its rounds reached, kept or not


def _method_rows(run, errors, valid=None, compression=(1.0, 2.0, 4.0, 8.0), seeds=(0, 1)):
    """Rounds 0.. of one method: ``errors[r]`` the test error of every seed (dense spread added by the caller)."""
    rows = []
    for rnd, err in enumerate(errors):
        for seed in seeds:
            r = _row(run, seed, rnd, err + (0.01 * seed if rnd == 0 else 0.0), compression[rnd])
            r["valid_error"] = err if valid is None else valid[rnd]
            rows.append(r)
    return rows


def test_targets_pick_the_trim_criterion_on_validation_and_measure_rewind_against_its_controls():
    magnitude, activation = "trim-magnitude-local-rewind", "trim-activation-local-rewind"
    reinit, random = "trim-magnitude-local-reinit", "trim-random-local-rewind"
    rows = (_method_rows(magnitude, [0.20, 0.20, 0.20, 0.30])  # dense 0.20 / 0.21: mean 0.205, std 0.0071
            # the better test errors, but the worse validation errors: never chosen
            + _method_rows(activation, [0.20, 0.10, 0.10, 0.10], valid=[0.2, 0.5, 0.5, 0.5])
            + _method_rows(reinit, [0.20, 0.21, 0.26, 0.33])  # gaps 0.01, 0.06, 0.03: largest 0.06 > std
            + _method_rows(random, [0.20, 0.20, 0.204, 0.30]))  # gaps 0, 0.004, 0: never beyond the band
    q = quality_summary(rows, {"onsets": {"baseline": "flux", "error": 0.25}}, None, "abc")["tasks"]["onsets"]
    t = q["targets"]
    assert t["trim_method_chosen_on_validation"] == magnitude
    assert t["trim_compression_at_dense"] == 4.0 and t["trim_at_least_4x"]
    assert t["trim_compression_reached"] == 8.0  # the grid's last round: the target's ceiling
    text = quality_markdown(quality_summary(rows, {"onsets": {"baseline": "flux", "error": 0.25}}, None, "abc"))
    assert "| 4.00 (yes) | 8.00 |" in text and "largest compression its rounds reach" in text
    assert t["beats_baseline"] and t["dense_at_most_half_chance"] and t["dense_over_chance"] == pytest.approx(0.205 / 0.9)
    assert t["rewind_separation"][reinit] == {"largest_gap": pytest.approx(0.06), "separates": True}
    assert not t["rewind_separation"][random]["separates"]
    text = quality_markdown(quality_summary(rows, {}, None, "abc"))
    assert "rewind separates from both controls 0 of 1" in text and "beats its baseline 0 of 1" in text
