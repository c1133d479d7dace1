"""scripts/sweep_dense.py --yardstick: rows trained on different data are scored on one validation
split, and never on examples of a group (program) the model trained on."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from mirtrim.data import notes
from mirtrim.data.generate import generate
from mirtrim.features.build import build_features
from mirtrim.models import arch_for, build_model
from mirtrim.train.checkpoint import save_model
from mirtrim.train.loop import evaluate
from mirtrim.train.rounds import task_data

def _features(tmp_path, monkeypatch, data_seed: int) -> Path:
    monkeypatch.setitem(notes.SCALES, "tiny", {"train": 60, "test": 4})
    out = tmp_path / f"notes{data_seed}"
    generate("notes", "tiny", data_seed, out, progress=lambda *_: None)
    build_features(out, out.with_suffix(".npz"), progress=lambda *_: None)
    return out.with_suffix(".npz")


def test_yardstick_on_its_own_features_is_the_validation_error(tmp_path, monkeypatch, load_script):
    features = _features(tmp_path, monkeypatch, 3)
    model = build_model(arch_for("pitch", 0.25))
    save_model(tmp_path / "model.pt", model, arch_for("pitch", 0.25), None)
    (tmp_path / "train.json").write_text(json.dumps({}))
    spec = SimpleNamespace(task="pitch", fidelity={})
    task, _, valid, _ = task_data("pitch", {}, features)
    got = load_script("sweep_dense").yardstick_error(spec, str(features), str(features), tmp_path / "model.pt",
                                          tmp_path / "train.json")
    assert got == pytest.approx(evaluate(model.eval(), task, valid, "cpu")["error"])


def test_yardstick_holding_a_trained_program_is_refused(tmp_path, monkeypatch, load_script):
    # another data seed holds out other programs: some of its validation programs are this model's training ones
    trained_on, other = _features(tmp_path, monkeypatch, 3), _features(tmp_path, monkeypatch, 4)
    _, train, _, _ = task_data("pitch", {}, trained_on)
    _, _, valid, _ = task_data("pitch", {}, other)
    assert set(train.groups) & set(valid.groups)
    with pytest.raises(SystemExit, match=r"--yardstick .*notes4\.npz: its validation groups .* are in the training split"):
        load_script("sweep_dense").yardstick_error(SimpleNamespace(task="pitch", fidelity={}), str(trained_on), str(other),
                                        "unused.pt", "unused.json")
