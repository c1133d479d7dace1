"""Pitch and chord metrics and task adapters on hand-computed cases."""

import numpy as np
import pytest
import torch

from mirtrim.metrics.chords import NO_CHORD, chord_scores, class_label, label_class, transpose_class
from mirtrim.metrics.pitch import BIN_CENTS, decode_cents, hz_to_cents, pitch_scores, target_bins
from mirtrim.train.chance import chance_level
from mirtrim.train.tasks import ChordTask, ClassificationTask, PitchTask, Split, TranscriptionTask


def test_cents_scale_matches_crepe():
    assert hz_to_cents(440.0) == pytest.approx(6551.3179, abs=1e-3)  # 1200 log2(44)
    assert 10 * 2 ** (BIN_CENTS[0] / 1200) == pytest.approx(31.70, abs=0.01)  # CREPE: linspace(0, 7180) + 1997.38
    assert BIN_CENTS[1] - BIN_CENTS[0] == 20.0


def test_targets_are_gaussian_over_bins_and_decode_back():
    cents = np.array([BIN_CENTS[100] + 7.0, BIN_CENTS[250]])
    t = target_bins(cents)
    assert t.shape == (2, 360) and t[1, 250] == pytest.approx(1.0)
    assert t[1, 251] == pytest.approx(np.exp(-400 / (2 * 625)), rel=1e-5)  # one bin = 20 cents, sigma 25
    assert np.allclose(decode_cents(t), cents, atol=1.0)


def test_raw_pitch_and_chroma_accuracy():
    ref = hz_to_cents(np.array([220.0, 220.0, 440.0, 330.0]))
    est = ref + np.array([10.0, 60.0, -1200.0, 49.0])  # hit, miss, octave error, hit
    s = pitch_scores(ref, est)
    assert s["rpa"] == pytest.approx(0.5) and s["rca"] == pytest.approx(0.75)


def test_pitch_task_error_is_one_minus_rpa():
    cents = np.array([BIN_CENTS[50], BIN_CENTS[200]])
    task = PitchTask()
    split = task.load({"X": np.zeros((2, 1024), np.float32), "cents": cents, "split": np.array(["test", "test"])}, "test")
    logits = torch.full((2, 360), -10.0)
    logits[0, 50] = 10.0  # correct
    logits[1, 10] = 10.0  # far off
    err = task.error(logits, split)
    assert err["error"] == pytest.approx(0.5) and err["bin_accuracy"] == pytest.approx(0.5)


def test_chord_vocabulary_and_mir_eval_semantics():
    assert class_label(0) == "C:maj" and class_label(21) == "A:min" and class_label(NO_CHORD) == "N"
    assert label_class("A:min7") == 21 and label_class("G:7") == 7 and label_class("N") == NO_CHORD
    assert label_class("D:maj/3") == 2
    assert transpose_class(11, 2) == 1 and transpose_class(12, -1) == 23 and transpose_class(NO_CHORD, 3) == NO_CHORD
    s = chord_scores(np.array([0, 0, 21, NO_CHORD]), np.array([0, 12, 21, 0]))
    assert s["accuracy"] == pytest.approx(0.5) and s["majmin"] == pytest.approx(0.5)


def test_chord_windows_are_labelled_at_offset_six_and_transposition_moves_labels():
    frames = np.arange(40 * 105, dtype=np.float32).reshape(40, 105)
    labels = np.arange(40) % 25
    feats = {"frames": frames, "labels": labels, "song_ptr": np.array([0, 20, 40]),
             "song_split": np.array(["train", "test"])}
    task = ChordTask()
    train = task.load(feats, "train")
    assert len(train) == 20 - 15 + 1 and train.x[torch.tensor([0])].shape == (1, 105, 15)
    assert int(train.y[0]) == labels[6] and torch.equal(train.x[torch.tensor([2])][0, :, 0], torch.from_numpy(frames[2]))
    x, y = train.x[torch.arange(6)], train.y.clone()
    g = torch.Generator().manual_seed(0)
    xs, ys = task.augment(x, y, g)
    for i in range(6):
        if int(y[i]) == NO_CHORD:
            assert int(ys[i]) == NO_CHORD
        else:
            shift = (int(ys[i]) - int(y[i])) % 12
            shift = shift - 12 if shift > 4 else shift
            assert abs(shift) <= 4 and (int(ys[i]) >= 12) == (int(y[i]) >= 12)
            b = 2 * shift
            if b > 0:
                assert torch.equal(xs[i, b:], x[i, :-b])
            elif b < 0:
                assert torch.equal(xs[i, :b], x[i, -b:])


def test_adapters_keep_no_state_from_the_data_they_load():
    # what depends on the data travels in the split: loading the test songs neither changes the
    # class weights of the training split nor anything of the adapter itself
    frames = np.zeros((60, 105), np.float32)
    labels = np.r_[np.zeros(20), np.arange(20) % 3, np.full(20, NO_CHORD)].astype(np.int64)
    feats = {"frames": frames, "labels": labels, "song_ptr": np.array([0, 20, 40, 60]),
             "song_split": np.array(["train", "train", "test"])}
    task = ChordTask()
    before = dict(vars(task))
    train = task.load(feats, "train")
    test = task.load(feats, "test")
    assert vars(task) == before and torch.equal(train.class_weights, test.class_weights)
    assert torch.equal(train.subset(np.arange(3)).class_weights, train.class_weights)
    logits = torch.randn(len(train), 25, generator=torch.Generator().manual_seed(0))
    assert float(task.loss(logits, train.y, train)) != float(ChordTask(loss="ce").loss(logits, train.y, train))
    onsets = TranscriptionTask("onsets")
    assert onsets.with_threshold(0.3).threshold == 0.3 and onsets.threshold is None


def test_classification_error():
    task = ClassificationTask()
    split = Split(torch.zeros(4, 3), torch.tensor([0, 1, 2, 1]))
    logits = torch.eye(3)[[0, 1, 0, 0]]
    assert task.error(logits, split)["error"] == pytest.approx(0.5)


def test_chord_validation_holds_out_whole_songs(tmp_path):
    from mirtrim.train.rounds import task_data

    n_songs, frames_per_song = 10, 30
    feats = {"frames": np.random.default_rng(0).standard_normal((n_songs * frames_per_song, 105)).astype(np.float32),
             "labels": np.zeros(n_songs * frames_per_song, dtype=np.int64),
             "song_ptr": np.arange(0, n_songs * frames_per_song + 1, frames_per_song),
             "song_split": np.array(["train"] * 8 + ["test"] * 2)}
    np.savez(tmp_path / "f.npz", **feats)
    task, train, valid, test = task_data("chords", {}, tmp_path / "f.npz")
    assert not set(train.groups) & set(valid.groups) and len(set(valid.groups)) == 1
    assert len(train) + len(valid) == 8 * (frames_per_song - 14)


def test_chance_level_is_the_best_constant_guess():
    split = Split(torch.zeros(5, 3), torch.tensor([2, 2, 2, 0, 1]))
    chance = chance_level(ClassificationTask(), split)
    assert chance == {"chance_error": pytest.approx(0.4), "chance_predictor": "class 2"}


def test_pitch_chance_is_the_most_frequent_pitch_within_50_cents():
    cents = np.array([BIN_CENTS[100], BIN_CENTS[100] + 30.0, BIN_CENTS[200], BIN_CENTS[300]])
    task = PitchTask()
    split = task.load({"X": np.zeros((4, 1024), np.float32), "cents": cents, "split": np.array(["test"] * 4)}, "test")
    chance = chance_level(task, split)
    assert chance["chance_error"] == pytest.approx(0.5) and chance["chance_predictor"] in ("bin 100", "bin 101")


def test_onset_chance_is_the_better_of_silence_and_an_onset_everywhere():
    hop, sr = 1024, 22050
    times = np.array([0.1, 0.5, 1.0, 1.5])  # four onsets, in four different frames
    Y = np.zeros((1, 3, 50), np.int64)
    Y[0, 0, np.floor(times * sr / hop).astype(int)] = 1
    feats = {"X": np.zeros((1, 64, 50), np.float32), "Y": Y, "hop": hop, "sr": sr, "split": np.array(["test"]),
             "onset_ptr": np.array([0, 4]), "onset_time": times, "onset_class": np.zeros(4, np.int64)}
    task = TranscriptionTask("onsets")
    chance = chance_level(task, task.load(feats, "test"))
    # every frame an onset: 4 matches of 50 estimates and 4 references, F = 8 / 54
    assert chance == {"chance_error": pytest.approx(1 - 8 / 54), "chance_predictor": "onset at every frame"}
