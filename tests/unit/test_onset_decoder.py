"""Peak picking on P(onset) with a threshold chosen on validation, never on the test split."""

import json

import numpy as np
import pytest
import torch

from mirtrim.metrics.onsets import pick_peaks
from mirtrim.runspec import RunSpec
from mirtrim.train.chance import chance_level
from mirtrim.train.tasks import TranscriptionTask

HOP, SR = 1024, 22050
FRAME = HOP / SR


def test_a_run_of_equal_frames_is_one_peak_and_the_threshold_holds():
    p = np.array([0.1, 0.9, 0.9, 0.2, 0.6, 0.3, 0.35, 0.1])
    assert pick_peaks(p, 0.5).tolist() == [1, 4]
    assert pick_peaks(p, 0.3).tolist() == [1, 4, 6]
    assert pick_peaks(p, 0.95).tolist() == []


def _split(task, onset_frames, n_frames=40):
    times = np.array(onset_frames) * FRAME + 0.001
    y = np.zeros((1, 3, n_frames), np.int64)
    y[0, 0, onset_frames] = 1
    feats = {"X": np.zeros((1, 64, n_frames), np.float32), "Y": y, "hop": HOP, "sr": SR,
             "split": np.array(["test"]), "onset_ptr": np.array([0, len(times)]), "onset_time": times,
             "onset_class": np.zeros(len(times), np.int64)}
    return task.load(feats, "test")


def _logits(prob):
    """Two-class logits whose softmax gives ``prob`` as P(onset), for one example and one head."""
    p = torch.tensor(prob, dtype=torch.float32).clamp(1e-4, 1 - 1e-4)
    return torch.stack([torch.zeros_like(p), torch.log(p / (1 - p))])[None, :, None, :]


def test_two_adjacent_onset_frames_cost_argmax_a_false_positive_but_not_peaks():
    prob = np.full(40, 0.05)
    prob[[10, 11]] = 0.9  # one onset smeared over two frames
    prob[30] = 0.8
    peaks, argmax = TranscriptionTask("onsets"), TranscriptionTask("onsets", decoder="argmax")
    split = _split(peaks, [10, 30])
    _split(argmax, [10, 30])  # loading sets the task's frame duration
    assert peaks.error(_logits(prob), split)["f_mean"] == pytest.approx(1.0)
    assert argmax.error(_logits(prob), split)["f_mean"] == pytest.approx(2 * 2 / (2 + 3))


def test_the_threshold_is_chosen_on_the_split_scored_unless_one_is_fixed():
    prob = np.full(40, 0.05)
    prob[[10, 20, 30]] = [0.9, 0.45, 0.9]  # a spurious peak at 20, between two true onsets
    task = TranscriptionTask("onsets")
    split = _split(task, [10, 30])
    chosen = task.error(_logits(prob), split)
    assert chosen["threshold"] == 0.5 and chosen["f_mean"] == pytest.approx(1.0)
    fixed = task.with_threshold(0.1).error(_logits(prob), split)  # one chosen elsewhere (validation) is used as it is
    assert fixed["threshold"] == 0.1 and fixed["f_mean"] == pytest.approx(2 * 2 / (2 + 3))


def test_chance_is_the_frame_wise_constant_predictor_whatever_the_decoder():
    tasks = TranscriptionTask("onsets"), TranscriptionTask("onsets", decoder="argmax")
    splits = [_split(t, [5, 15, 25]) for t in tasks]
    peaks, argmax = (chance_level(t, s) for t, s in zip(tasks, splits))
    assert peaks == argmax and peaks["chance_predictor"] == "onset at every frame"


def test_evaluation_uses_the_training_records_threshold_and_refuses_a_record_without_one(tmp_path, monkeypatch):
    from mirtrim.train import evaluation

    prob = np.full(40, 0.05)
    prob[[10, 20, 30]] = [0.9, 0.45, 0.9]
    task = TranscriptionTask("onsets")
    split = _split(task, [10, 30])
    monkeypatch.setattr(evaluation, "load_model", lambda path: (torch.nn.Identity(), {}))
    monkeypatch.setattr(evaluation, "test_data", lambda task_name, fidelity, features: (task, split))
    monkeypatch.setattr(evaluation, "evaluate", lambda model, task_, split_, device: task_.error(_logits(prob), split_))
    spec = RunSpec.from_dict({"task": "onsets", "run": "dense-s0", "seed": 0, "width": 0.25, "device": "cpu",
                              "train": {"epochs": 5, "lr": 1e-3}, "fidelity": {"test_selection": "best_valid"}})
    log = {"test_error_min_over_epochs": None, "valid_error": 0.1, "best_epoch": 3, "epochs_trained": 5,
           "seconds": 1.0, "decoder_threshold": 0.1}
    (tmp_path / "train.json").write_text(json.dumps(log))
    record = evaluation.evaluate_round(spec, "f.npz", "m.pt", str(tmp_path / "train.json"), 1)
    assert record["decoder_threshold"] == 0.1 and record["test_f_mean"] == pytest.approx(0.8)
    (tmp_path / "old.json").write_text(json.dumps({**log, "decoder_threshold": None}))
    assert task.threshold is None  # evaluation scored a copy: the adapter itself is unchanged
    with pytest.raises(SystemExit, match="old.json has no decoder_threshold"):
        evaluation.evaluate_round(spec, "f.npz", "m.pt", str(tmp_path / "old.json"), 1)
