"""Task adapters: targets, loss, and the test error of each task, in paper and standard modes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from mirtrim.metrics.onsets import onset_scores


@dataclass
class Split:
    x: torch.Tensor
    y: torch.Tensor
    ref_times: list[list[np.ndarray]]  # per example, per head: onset times in seconds
    ref_frames: list[list[np.ndarray]]

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, idx: np.ndarray) -> "Split":
        return Split(self.x[idx], self.y[idx], [self.ref_times[i] for i in idx], [self.ref_frames[i] for i in idx])


class TranscriptionTask:
    """Drums (3 heads: KD, SD, HH) or onsets (1 head: their union) on log-mel frames."""

    def __init__(self, name: str, loss: str = "bce", metric: str = "seconds", empty: str = "one"):
        if name not in ("drums", "onsets"):
            raise ValueError(f"not a transcription task: {name!r}")
        if loss not in ("bce", "ce_on_sigmoid_sum"):
            raise ValueError(f"transcription loss must be 'bce' or 'ce_on_sigmoid_sum', got {loss!r}")
        self.name, self.loss_mode, self.metric, self.empty = name, loss, metric, empty
        self.union = name == "onsets"

    def load(self, features: dict, split: str) -> Split:
        mask = features["split"] == split
        if not mask.any():
            raise ValueError(f"the feature file has no '{split}' examples")
        idx = np.flatnonzero(mask)
        y = features["Y"][idx]
        y = y.max(axis=1, keepdims=True) if self.union else y
        frame_s = float(features["hop"]) / float(features["sr"])
        ptr, times, classes = features["onset_ptr"], features["onset_time"], features["onset_class"]
        ref_times, ref_frames = [], []
        for i in idx:
            t, c = times[ptr[i]:ptr[i + 1]], classes[ptr[i]:ptr[i + 1]]
            t_in = t < y.shape[-1] * frame_s  # onsets after the last input frame cannot be heard
            heads = [t[t_in]] if self.union else [t[t_in & (c == k)] for k in range(y.shape[1])]
            ref_times.append(heads)
            ref_frames.append([np.unique(np.floor(h / frame_s)) for h in heads])
        self.frame_seconds = frame_s
        return Split(torch.from_numpy(features["X"][idx]), torch.from_numpy(y.astype(np.int64)), ref_times, ref_frames)

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """``bce``: two-class cross-entropy on logits, mean over frames (= BCE on the logit margin).
        ``ce_on_sigmoid_sum``: the paper's CE applied to sigmoid outputs, summed per example."""
        if self.loss_mode == "bce":
            return F.cross_entropy(logits, y)
        per_frame = F.cross_entropy(torch.sigmoid(logits), y, reduction="none")
        return per_frame.flatten(1).sum(1).mean()

    def error(self, logits: torch.Tensor, split: Split) -> dict:
        """1 - onset F over examples and heads (the metric mode picks seconds or frame indices)."""
        pred = logits.argmax(dim=1).cpu().numpy()  # (N, heads, frames)
        est, ref_t, ref_f = [], [], []
        for n in range(pred.shape[0]):
            for h in range(pred.shape[1]):
                est.append(np.flatnonzero(pred[n, h]))
                ref_t.append(split.ref_times[n][h])
                ref_f.append(split.ref_frames[n][h])
        s = onset_scores(est, ref_t, self.frame_seconds, ref_frames=ref_f, empty=self.empty, mode=self.metric)
        return {"error": 1.0 - s["f_mean"], "f_mean": s["f_mean"], "f_micro": s["f_micro"],
                "precision": s["precision"], "recall": s["recall"]}


def make_task(name: str, settings: dict | None = None) -> TranscriptionTask:
    settings = settings or {}
    return TranscriptionTask(name, loss=settings.get("loss", "bce"), metric=settings.get("onset_metric", "seconds"),
                             empty=settings.get("onset_empty", "one"))
