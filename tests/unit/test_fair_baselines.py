"""Baselines scored on the model's own frames, examples and decoder; the onset class weight."""

import numpy as np
import pytest
import torch

from mirtrim.features import logmel
from mirtrim.baselines.fair import (_as_logits, flux_baseline, flux_probability, mel_bands,
                                            yin_frame_baseline)
from mirtrim.metrics.pitch import hz_to_cents
from mirtrim.train.tasks import TranscriptionTask

HOP, SR, N = logmel.HOP, logmel.SR, logmel.N_FRAMES


def _drum_features(n_examples=30, seed=0, full_band=False):
    """Log-mel frames that are quiet except for a burst at each onset, in the band of its drum (or,
    ``full_band``, across every band, so that all onsets rise alike in the summed flux)."""
    rng = np.random.default_rng(seed)
    bands = [np.arange(logmel.N_MELS)] * 3 if full_band else mel_bands("drums")
    x = np.full((n_examples, logmel.N_MELS, N), -8.0, np.float32) + 0.01 * rng.standard_normal(
        (n_examples, logmel.N_MELS, N)).astype(np.float32)
    y = np.zeros((n_examples, 3, N), np.int64)
    times, classes, ptr = [], [], [0]
    for i in range(n_examples):
        for k in range(3):
            for f in rng.choice(np.arange(2, N - 3, 4), size=3, replace=False):
                x[i, bands[k], f:f + 2] = 0.0  # a two-frame burst: one onset, not two
                y[i, k, f] = 1
                times.append(f * HOP / SR + 0.002)
                classes.append(k)
        ptr.append(len(times))
    split = np.array(["train"] * 20 + ["test"] * (n_examples - 20))
    return {"X": x, "Y": y, "hop": np.array(HOP), "sr": np.array(SR), "split": split,
            "group": np.array([f"kit{i % 5}" for i in range(n_examples)]), "onset_ptr": np.array(ptr),
            "onset_time": np.array(times), "onset_class": np.array(classes)}


def test_drum_bands_partition_the_mel_bins():
    bands = mel_bands("drums")
    joined = np.concatenate(bands)
    assert all(len(b) for b in bands) and len(joined) == len(set(joined.tolist())) == logmel.N_MELS


def test_flux_rises_only_where_the_energy_rises_and_the_logits_decode_to_it():
    x = np.zeros((1, 4, 12))
    x[0, :, 3:6] = 1.0
    x[0, :, 9:] = 2.0
    prob = flux_probability(x, [np.arange(4)])
    assert prob.shape == (1, 1, 12)
    assert np.flatnonzero(prob[0, 0] > 0).tolist() == [3, 9] and prob.max() == 1.0
    back = torch.softmax(_as_logits(prob), dim=1)[:, 1].numpy()
    np.testing.assert_allclose(back, np.clip(prob, 1e-6, 1 - 1e-6), atol=1e-6)


@pytest.mark.parametrize("task", ["onsets", "drums"])
def test_flux_baseline_finds_clean_onsets_on_the_model_frames(tmp_path, task):
    path = tmp_path / "drums.npz"
    np.savez(path, **_drum_features(full_band=task == "onsets"))
    out = flux_baseline(str(path), task, {})
    assert out["error"] < 0.05 and out["threshold"] is not None


def test_flux_baseline_keeps_the_papers_decoder_and_metric_when_asked(tmp_path):
    path = tmp_path / "drums.npz"
    np.savez(path, **_drum_features())
    out = flux_baseline(str(path), "drums", {"onset_decoder": "argmax", "onset_metric": "frame_index"})
    assert out["threshold"] is None  # the argmax decoder has no threshold to choose


def test_yin_on_the_model_frames_recovers_sine_pitches(tmp_path):
    sr, rng = 16000, np.random.default_rng(1)
    hz = rng.uniform(80, 1000, size=40)
    t = np.arange(1024) / sr
    frames = np.sin(2 * np.pi * hz[:, None] * t[None] + rng.uniform(0, 6, size=(40, 1))).astype(np.float32)
    np.savez(tmp_path / "notes.npz", X=frames, cents=hz_to_cents(hz), split=np.array(["test"] * 40),
             group=np.array(["p0"] * 40))
    out = yin_frame_baseline(str(tmp_path / "notes.npz"))
    assert out["rpa"] > 0.95 and out["error"] == pytest.approx(1 - out["rpa"])


def test_the_onset_class_weight_scales_the_loss_on_onset_frames():
    logits = torch.zeros(2, 2, 1, 5)
    y = torch.zeros(2, 1, 5, dtype=torch.int64)
    y[:, 0, 2] = 1
    plain = TranscriptionTask("onsets").loss(logits, y)
    weighted = TranscriptionTask("onsets", positive_weight=4.0).loss(logits, y)
    # equal logits: every frame costs log 2, so the weighted mean stays log 2 whatever the weight
    assert float(plain) == pytest.approx(np.log(2)) and float(weighted) == pytest.approx(np.log(2))
    logits[:, 1, 0, 2] = 3.0  # confident and right on the onset frame: weighting it lowers the mean loss
    assert TranscriptionTask("onsets", positive_weight=4.0).loss(logits, y) < TranscriptionTask("onsets").loss(
        logits, y)
    with pytest.raises(ValueError, match="positive weight"):
        TranscriptionTask("onsets", positive_weight=0)
