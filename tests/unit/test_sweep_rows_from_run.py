"""scripts/sweep_rows_from_run.py: a run's models as sweep rows, the pruning rounds included, and the
sweep page's size column."""

from pathlib import Path

import pytest

from mirtrim.utils.atomic import write_json

def _round(results: Path, run: str, seed: int, index: int, *, valid: float, parameters: int, chance=None,
           steps_since_init=None) -> None:
    """The two files the workflow writes for one round: its assessment and its training log."""
    record = {"seed": seed, "valid_error": valid, "test_error": valid + 0.01, "best_epoch": 1,
              "epochs_trained": 2, "train_seconds": 3.0}
    if chance is not None:
        record["chance_error"] = chance
    write_json(results / "eval" / "onsets" / f"{run}-s{seed}" / "abc123" / f"round{index:02d}.json", record)
    spec = {"data": "drumloops-small", "width": 0.25, "train": {"batch_size": 16, "epochs": 5, "lr": 0.002},
            "fidelity": {"lr_schedule": "cosine"}}
    log = {"spec": spec, "steps": 20, "parameters": parameters,
           "history": [{"valid_error": valid + 0.1}, {"valid_error": valid}]}
    if steps_since_init is not None:
        log["steps_since_init"] = steps_since_init
    write_json(results / "runs" / "onsets" / f"{run}-s{seed}" / "abc123" / f"round{index:02d}" / "train.json", log)


@pytest.fixture
def results(tmp_path) -> Path:
    out = tmp_path / "results"
    for seed in (0, 1):
        _round(out, "dense", seed, 0, valid=0.30 + seed / 100, parameters=1000, chance=0.57)
        _round(out, "trim-magnitude-local-rewind", seed, 3, valid=0.40, parameters=250, steps_since_init=48)
    return out


def test_dense_rows_carry_their_size_and_no_run_key(results, load_script):
    rows = load_script("sweep_rows_from_run").run_rows(results, "onsets")
    assert [r["seed"] for r in rows] == [0, 1]
    assert [r["valid_error"] for r in rows] == [0.30, 0.31]
    assert {r["parameters"] for r in rows} == {1000}
    assert "run" not in rows[0] and rows[0]["steps"] == 20


def test_a_pruning_round_takes_the_chance_error_of_its_test_split_and_its_steps_since_init(results, load_script):
    rows = load_script("sweep_rows_from_run").run_rows(results, "onsets", "trim-magnitude-local-rewind", 3)
    assert len(rows) == 2
    assert all(r["run"] == "trim-magnitude-local-rewind" and r["round"] == 3 for r in rows)
    assert {r["chance_error"] for r in rows} == {0.57}
    assert {r["steps"] for r in rows} == {48}  # the rewound weights' k epochs count too
    assert {r["parameters"] for r in rows} == {250}


def test_a_round_the_run_never_made_is_one_error_line(results, load_script):
    with pytest.raises(SystemExit, match=r"round02\.json: no model of onsets was assessed there"):
        load_script("sweep_rows_from_run").run_rows(results, "onsets", "trim-magnitude-local-rewind", 2)


def test_the_sweep_page_shows_each_setting_size(results, tmp_path, load_script):
    module = load_script("sweep_rows_from_run")
    rows = [("run.json", r) for r in module.run_rows(results, "onsets")]
    rows += [("run.json", r) for r in module.run_rows(results, "onsets", "trim-magnitude-local-rewind", 3)]
    table = load_script("sweep_summary").seed_means(rows)
    assert "| parameters |" in table[0]
    assert any("run=trim-magnitude-local-rewind" in line and "round=3" in line and "| 250 |" in line
               for line in table)
    assert any("| 1,000 | 0.305 | 0.010 |" in line for line in table)
