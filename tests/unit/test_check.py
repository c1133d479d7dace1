"""`mirtrim check`: every file a run's figures come from is loaded; what is broken or missing is listed
with the one Snakemake call that rebuilds it."""

import json

import numpy as np
import pytest
import torch
import yaml

from mirtrim import grid
from mirtrim.cli import main
from mirtrim.models import arch_for, build_model
from mirtrim.report.check import check_results, expected_files, repair_command
from mirtrim.train.checkpoint import save_model

CONFIG = {"seeds": [0], "tasks": {"chords": {"scale": "tiny", "width": 0.25, "epochs": 2, "rewind_epoch": 1,
                                             "rounds": 2, "trim_percent": 20, "mask_percent": 30, "lr": 0.001}},
          "methods": [{"prune": "trim", "criterion": "magnitude", "scope": "local", "reset": "rewind"}]}
DENSE = grid.run_folder(CONFIG, "chords", "dense-s0")  # dense-s0/<digest>
TRIM = grid.run_folder(CONFIG, "chords", "trim-magnitude-local-rewind-s0")


@pytest.fixture
def tree(tmp_path):
    arch = arch_for("chords", 0.25)
    model = build_model(arch)
    for name in expected_files(CONFIG):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("model.pt"):
            save_model(path, model, arch, None)
        elif name.endswith("rewind.pt"):
            torch.save({"state_dict": model.state_dict()}, path)
        elif name.endswith(".npz"):
            np.savez(path, x=np.zeros((2, 3), np.float32))
        elif name.endswith(".csv"):
            path.write_text("task,error\nchords,0.5\n")
        else:
            path.write_text(json.dumps({"ok": 1}))
    return tmp_path


def test_the_expected_files_follow_the_grid():
    files = expected_files(CONFIG)
    assert "results/features/songs-tiny.npz" in files and f"results/runs/chords/{DENSE}/rewind.pt" in files
    assert f"results/runs/chords/{TRIM}/round01/plan.json" in files
    assert f"results/eval/chords/{DENSE}/round00.json" in files and "results/summary.csv" in files
    assert not any("round02" in f for f in files)  # rounds: 2 = dense + one pruning round


def test_a_sound_tree_has_no_problems(tree):
    problems, checked = check_results(CONFIG, tree)
    assert problems == [] and checked == len(expected_files(CONFIG))


def test_truncated_garbage_and_missing_files_are_named_with_the_repair(tree, capsys):
    model = tree / f"results/runs/chords/{TRIM}/round01/model.pt"
    model.write_bytes(model.read_bytes()[:100])
    (tree / "results/features/songs-tiny.npz").write_bytes(b"garbage")
    (tree / f"results/eval/chords/{DENSE}/round00.json").unlink()
    problems, _ = check_results(CONFIG, tree)
    whats = {p.path: p.what for p in problems}
    assert sorted(whats) == [f"results/eval/chords/{DENSE}/round00.json", "results/features/songs-tiny.npz",
                             f"results/runs/chords/{TRIM}/round01/model.pt"]
    assert whats[f"results/eval/chords/{DENSE}/round00.json"] == "missing"
    assert whats["results/features/songs-tiny.npz"].endswith("(neither a zip of arrays nor a .npy file); rebuild it and what depends on it with: snakemake "
        "--cores all figures/all --forcerun results/features/songs-tiny.npz")
    assert "not a readable mirtrim checkpoint" in problems[-1].what
    assert repair_command(problems) == ("snakemake --cores all figures/all --forcerun "
                                        + " ".join(p.path for p in problems))
    config = tree / "mine.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    assert main(["check", "--config", str(config), "--directory", str(tree)]) == 1
    out, err = capsys.readouterr()
    assert out.count("\n") == 3 and "results/features/songs-tiny.npz: feature file" in out
    assert err.startswith("error: 3 of ") and f"--directory {tree} --configfile {config}" in err


def test_a_pickled_feature_file_is_reported_without_numpy_s_hint(tree):
    np.savez(tree / "results/features/songs-tiny.npz", x=np.array([{"a": 1}], dtype=object))
    problems, _ = check_results(CONFIG, tree)
    assert [p.path for p in problems] == ["results/features/songs-tiny.npz"]
    assert "allow_pickle" not in problems[0].what and "Python objects, not plain arrays" in problems[0].what
