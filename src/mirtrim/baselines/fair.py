"""Trivial baselines scored on the model's own inputs: the same examples, frames and metric.

Onsets and drums: spectral flux of the log-mel frames the CNN reads, decoded by the CNN's own
peak picker with the threshold chosen on the CNN's validation examples. Pitch: YIN on each
1024-sample frame CREPE classifies. Nothing here is fitted on the test split.
"""

from __future__ import annotations

import numpy as np
import torch

from mirtrim.taskdefs import task_def
from mirtrim.utils.numba_cache import import_librosa

# log-mel bands (Hz) whose flux stands for each drum, a partition of the CNN's 20-5512 Hz input
DRUM_BANDS = {"KD": (20.0, 150.0), "SD": (150.0, 2000.0), "HH": (2000.0, 5512.5)}
YIN_FMIN, YIN_FMAX = 32.0, 2000.0  # 32 Hz: the longest period a 1024-sample frame at 16 kHz resolves


def flux_probability(x: np.ndarray, bands: list[np.ndarray]) -> np.ndarray:
    """(N, mels, frames) log-mel -> (N, len(bands), frames) half-wave-rectified flux per band,
    min-max normalised per example and band (as librosa's onset_detect normalises its envelope)."""
    rise = np.maximum(np.diff(x, axis=-1, prepend=x[..., :1]), 0.0)
    env = np.stack([rise[:, b].sum(axis=1) for b in bands], axis=1)
    lo, hi = env.min(axis=-1, keepdims=True), env.max(axis=-1, keepdims=True)
    return (env - lo) / np.maximum(hi - lo, 1e-9)


def _as_logits(prob: np.ndarray) -> torch.Tensor:
    """Two-class logits whose softmax gives ``prob`` as P(onset): what the task's decoder reads."""
    p = np.clip(prob, 1e-6, 1 - 1e-6)
    onset = torch.from_numpy(np.log(p / (1 - p))).float()
    return torch.stack([torch.zeros_like(onset), onset], dim=1)


def mel_bands(task_name: str) -> list[np.ndarray]:
    librosa = import_librosa()

    from mirtrim.features import logmel

    centres = librosa.mel_frequencies(n_mels=logmel.N_MELS + 2, fmin=logmel.FMIN, fmax=logmel.FMAX)[1:-1]
    if task_def(task_name).union_heads:  # one onset stream: flux over all bands
        return [np.arange(logmel.N_MELS)]
    return [np.flatnonzero((centres >= lo) & (centres < hi)) for lo, hi in DRUM_BANDS.values()]


def flux_baseline(features_path: str, task_name: str, fidelity: dict | None = None) -> dict:
    from mirtrim.train.rounds import task_data

    task, _, valid, test = task_data(task_name, fidelity or {}, features_path)
    bands = mel_bands(task_name)
    val = task.error(_as_logits(flux_probability(valid.x.numpy(), bands)), valid)
    task = task.with_threshold(val.get("threshold"))  # None with the paper's argmax decoder
    scored = task.error(_as_logits(flux_probability(test.x.numpy(), bands)), test)
    name = "spectral flux of the log-mel input" if task_def(task_name).union_heads else "band-wise flux of the log-mel input"
    return {"baseline": f"{name}, peaks at the validation threshold", "error": scored["error"],
            "f_mean": scored["f_mean"], "threshold": task.threshold, "valid_error": val["error"]}


def yin_frame_baseline(features_path: str) -> dict:
    librosa = import_librosa("yin")

    from mirtrim.data.notes import SR as sr  # the rate CREPE's frames are cut at
    from mirtrim.metrics.pitch import hz_to_cents, pitch_scores
    from mirtrim.train.rounds import test_data

    _, test = test_data("pitch", {}, features_path)
    frames = test.x.numpy().astype(np.float64)
    f0 = librosa.yin(frames, fmin=YIN_FMIN, fmax=YIN_FMAX, sr=sr, frame_length=frames.shape[1],
                     hop_length=frames.shape[1], center=False)[:, 0]
    scores = pitch_scores(test.refs, hz_to_cents(f0))
    return {"baseline": "YIN on each of the model's 1024-sample frames", "error": 1.0 - scores["rpa"], **scores}
