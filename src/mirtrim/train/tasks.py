"""Task adapters: targets, loss, and the test error of each task, in paper and standard modes.

Every adapter reads the task's feature file (``load``), computes a scalar training loss from model
outputs, and an ``error`` in [0, 1] (lower is better) plus its components from predictions. Adapters
keep only their configuration: what depends on the data (class weights, the frame rate) travels in
the ``Split`` that ``load`` returns, and a fixed decoder threshold makes a new adapter
(``with_threshold``), so one adapter serves any split and any number of evaluations.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from mirtrim.metrics.chords import NO_CHORD, chord_scores
from mirtrim.metrics.onsets import THRESHOLDS, onset_scores, pick_peaks
from mirtrim.metrics.pitch import decode_cents, pitch_scores, target_bins
from mirtrim.taskdefs import task_def
from mirtrim.train.augment import gain_shift, time_shift


@dataclass
class Split:
    x: Any  # a tensor, or anything indexable by a tensor of example indices (see FrameWindows)
    y: torch.Tensor
    refs: Any = None  # task-specific references for the metric, indexed like x
    groups: np.ndarray | None = None  # examples that must stay on one side of a split (windows of one song)
    frame_seconds: float | None = None  # transcription: seconds per output frame
    class_weights: torch.Tensor | None = None  # chords: inverse class frequency in the training songs

    def __len__(self) -> int:
        return len(self.y)

    def subset(self, idx: np.ndarray) -> "Split":
        idx_t = torch.as_tensor(idx, dtype=torch.long)
        refs = None if self.refs is None else (
            self.refs[idx] if isinstance(self.refs, np.ndarray) else [self.refs[i] for i in idx])
        return replace(self, x=self.x[idx_t], y=self.y[idx_t], refs=refs,
                       groups=None if self.groups is None else self.groups[idx])


def _rows(features: dict, split: str, key: str = "split") -> np.ndarray:
    idx = np.flatnonzero(features[key] == split)
    if len(idx) == 0:
        raise ValueError(f"the feature file has no '{split}' examples")
    return idx


def _groups(features: dict, idx: np.ndarray, key: str = "group") -> np.ndarray | None:
    """Group ids of the rows (None for a feature file written before they were recorded)."""
    return features[key][idx] if key in features else None


class ClassificationTask:
    """Singing technique (10) and instrument (13) classification: CE loss, error = 1 - accuracy.

    ``augment="gain_shift"``: each training waveform gets a random gain (within +-6 dB), a random
    polarity and a random delay or advance (up to a tenth of its length, zero-filled), which change
    neither a technique nor an instrument."""

    MAX_GAIN_DB, MAX_SHIFT = 6.0, 0.1

    def __init__(self, augment: str = "none"):
        if augment not in ("none", "gain_shift"):
            raise ValueError(f"waveform_augment must be 'none' or 'gain_shift', got {augment!r}")
        self.augmentation = augment

    def load(self, features: dict, split: str) -> Split:
        idx = _rows(features, split)
        return Split(torch.from_numpy(features["X"][idx].astype(np.float32)),
                     torch.from_numpy(features["y"][idx].astype(np.int64)), groups=_groups(features, idx))

    def loss(self, logits, y, split: Split | None = None):
        return F.cross_entropy(logits, y)

    def augment(self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator):
        if self.augmentation == "none":
            return x, y
        return gain_shift(x, generator, self.MAX_GAIN_DB, self.MAX_SHIFT), y

    def error(self, logits, split: Split) -> dict:
        acc = float((logits.argmax(1) == split.y).float().mean())
        return {"error": 1.0 - acc, "accuracy": acc}


class PitchTask:
    """CREPE: BCE on 360 sigmoid bins against Gaussian targets; error = 1 - raw pitch accuracy (50 cents)."""

    def load(self, features: dict, split: str) -> Split:
        idx = _rows(features, split)
        cents = features["cents"][idx].astype(np.float64)
        return Split(torch.from_numpy(features["X"][idx].astype(np.float32)),
                     torch.from_numpy(target_bins(cents)), cents, _groups(features, idx))

    def loss(self, logits, y, split: Split | None = None):
        return F.binary_cross_entropy_with_logits(logits, y)

    def error(self, logits, split: Split) -> dict:
        est = decode_cents(torch.sigmoid(logits).numpy())
        scores = pitch_scores(split.refs, est)
        bin_acc = float((logits.argmax(1) == split.y.argmax(1)).float().mean())
        return {"error": 1.0 - scores["rpa"], "rpa": scores["rpa"], "rca": scores["rca"], "bin_accuracy": bin_acc}


class FrameWindows:
    """15-frame CQT windows built on demand from per-song frames (storing them would cost 15x)."""

    def __init__(self, frames: torch.Tensor, starts: torch.Tensor, length: int = 15):
        self.frames, self.starts, self.length = frames, starts, length

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, idx):
        starts = self.starts[idx]
        if starts.ndim == 0:
            starts = starts[None]
        offsets = torch.arange(self.length)
        return self.frames[starts[:, None] + offsets[None, :]].transpose(1, 2)  # (N, bins, frames)


class ChordTask:
    """25 maj/min/N classes on 15-frame CQT windows labelled at offset +6, random transposition in training.

    ``loss="weighted_ce"`` (paper, ``ace_pytorch``) weights classes by inverse training frequency;
    ``error`` is 1 - frame accuracy (the paper) or 1 - mir_eval majmin (``metric="majmin"``).
    """

    WINDOW, CENTRE, BINS_PER_SEMITONE, MAX_SHIFT = 15, 6, 2, 4

    def __init__(self, loss: str = "weighted_ce", metric: str = "accuracy"):
        if loss not in ("weighted_ce", "ce"):
            raise ValueError(f"chord loss must be 'weighted_ce' or 'ce', got {loss!r}")
        if metric not in ("accuracy", "majmin", "mirex"):
            raise ValueError(f"chord metric must be 'accuracy', 'majmin' or 'mirex', got {metric!r}")
        self.loss_mode, self.metric = loss, metric

    def load(self, features: dict, split: str) -> Split:
        songs = _rows(features, split, "song_split")
        ptr, labels = features["song_ptr"], features["labels"]
        per_song = [np.arange(ptr[s], ptr[s + 1] - self.WINDOW + 1) for s in songs]
        starts = np.concatenate(per_song)
        names = _groups(features, songs, "song_group")
        names = songs.astype(str) if names is None else names  # each song its own group
        groups = np.concatenate([np.full(len(w), g) for g, w in zip(names, per_song)])
        frames = torch.from_numpy(features["frames"].astype(np.float32))
        y = torch.from_numpy(labels[starts + self.CENTRE].astype(np.int64))
        # class weights always come from the training songs, whichever split is loaded
        train_songs = np.flatnonzero(features["song_split"] == "train")
        train_labels = np.concatenate([labels[ptr[s] + self.CENTRE:ptr[s + 1] - self.WINDOW + 1 + self.CENTRE]
                                       for s in train_songs])
        counts = np.bincount(train_labels, minlength=NO_CHORD + 1).astype(np.float64)
        weights = torch.tensor(counts.sum() / np.maximum(counts, 1) / len(counts), dtype=torch.float32)
        return Split(FrameWindows(frames, torch.from_numpy(starts)), y, groups=groups, class_weights=weights)

    def augment(self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator):
        """Random transposition in [-4, +4] semitones: shift the CQT by 2 bins per semitone, and the label."""
        shifts = torch.randint(-self.MAX_SHIFT, self.MAX_SHIFT + 1, (len(y),), generator=generator)
        out = torch.zeros_like(x)
        for s in shifts.unique().tolist():
            rows, b = shifts == s, s * self.BINS_PER_SEMITONE
            if b >= 0:
                out[rows, b:] = x[rows, :x.shape[1] - b]
            else:
                out[rows, :b] = x[rows, -b:]
        pitched = y != NO_CHORD
        root, minor = y % 12, y >= 12
        y = torch.where(pitched, (root + shifts) % 12 + 12 * minor.long(), y)
        return out, y

    def loss(self, logits, y, split: Split):
        """``split``: the loaded split the batch comes from (its ``class_weights``)."""
        weight = split.class_weights.to(logits.device) if self.loss_mode == "weighted_ce" else None
        return F.cross_entropy(logits, y, weight=weight)

    def error(self, logits, split: Split) -> dict:
        scores = chord_scores(split.y.numpy(), logits.argmax(1).numpy())
        return {"error": 1.0 - scores[self.metric], **scores}


class TranscriptionTask:
    """Drums (3 heads: KD, SD, HH) or onsets (1 head: their union) on log-mel frames.

    ``augment="time_shift"``: each training window moves by up to a fifth of its frames, its frame
    labels with it; the frames it uncovers hold the window's quietest value (log-mel silence) and no
    onset. The paper's model reads the window through fully connected layers, so without it an onset
    at frame t is learnt for each t apart."""

    MAX_SHIFT = 0.2

    def __init__(self, name: str, loss: str = "bce", metric: str = "seconds", empty: str = "one",
                 decoder: str = "peaks", positive_weight: float = 1.0, augment: str = "none"):
        if augment not in ("none", "time_shift"):
            raise ValueError(f"spectrogram_augment must be 'none' or 'time_shift', got {augment!r}")
        self.augmentation = augment
        if task_def(name).adapter != "transcription":
            raise ValueError(f"not a transcription task: {name!r}")
        if loss not in ("bce", "ce_on_sigmoid_sum"):
            raise ValueError(f"transcription loss must be 'bce' or 'ce_on_sigmoid_sum', got {loss!r}")
        if decoder not in ("peaks", "argmax"):
            raise ValueError(f"onset decoder must be 'peaks' or 'argmax', got {decoder!r}")
        self.name, self.loss_mode, self.metric, self.empty, self.decoder = name, loss, metric, empty, decoder
        self.union = task_def(name).union_heads
        if positive_weight <= 0:
            raise ValueError(f"onset positive weight must be > 0, got {positive_weight!r}")
        self.class_weight = None if positive_weight == 1.0 else torch.tensor([1.0, float(positive_weight)])
        # peaks: the threshold on P(onset); None = choose it on the split being scored (validation);
        # the test split is scored with_threshold(the one validation chose)
        self.threshold: float | None = None

    def with_metric(self, metric: str) -> "TranscriptionTask":
        """The same adapter (decoder, threshold) scored in another onset-F mode."""
        other = copy.copy(self)
        other.metric = metric
        return other

    def with_threshold(self, threshold: float | None) -> "TranscriptionTask":
        """The same adapter with the peak picker's threshold fixed (None: chosen on the split scored)."""
        other = copy.copy(self)
        other.threshold = threshold
        return other

    def load(self, features: dict, split: str) -> Split:
        idx = _rows(features, split)
        y = features["Y"][idx]
        y = y.max(axis=1, keepdims=True) if self.union else y
        frame_s = float(features["hop"]) / float(features["sr"])
        ptr, times, classes = features["onset_ptr"], features["onset_time"], features["onset_class"]
        refs = []
        for i in idx:
            t, c = times[ptr[i]:ptr[i + 1]], classes[ptr[i]:ptr[i + 1]]
            t_in = t < y.shape[-1] * frame_s  # onsets after the last input frame cannot be heard
            heads = [t[t_in]] if self.union else [t[t_in & (c == k)] for k in range(y.shape[1])]
            refs.append((heads, [np.unique(np.floor(h / frame_s)) for h in heads]))
        return Split(torch.from_numpy(features["X"][idx]), torch.from_numpy(y.astype(np.int64)), refs,
                     _groups(features, idx), frame_seconds=frame_s)

    def augment(self, x: torch.Tensor, y: torch.Tensor, generator: torch.Generator):
        if self.augmentation == "none":  # draws nothing: the default run's data order is unchanged
            return x, y
        return time_shift(x, y, generator, self.MAX_SHIFT)

    def loss(self, logits: torch.Tensor, y: torch.Tensor, split: Split | None = None) -> torch.Tensor:
        """``bce``: two-class cross-entropy on logits, mean over frames (= BCE on the logit margin).
        ``ce_on_sigmoid_sum``: the paper's CE applied to sigmoid outputs, summed per example."""
        if self.loss_mode == "bce":
            weight = None if self.class_weight is None else self.class_weight.to(logits.device)
            return F.cross_entropy(logits, y, weight=weight)
        per_frame = F.cross_entropy(torch.sigmoid(logits), y, reduction="none")
        return per_frame.flatten(1).sum(1).mean()

    def error(self, logits: torch.Tensor, split: Split) -> dict:
        """1 - onset F over examples and heads (the metric mode picks seconds or frame indices).
        ``argmax`` (the paper): every frame whose onset logit wins is an onset. ``peaks``: local
        maxima of P(onset) above a threshold, chosen on this split when none is set."""
        if self.decoder == "argmax":
            return self._score(lambda n, h, pred=logits.argmax(dim=1).cpu().numpy(): np.flatnonzero(pred[n, h]),
                               split, logits.shape)
        prob = torch.softmax(logits.float(), dim=1)[:, 1].cpu().numpy()  # (N, heads, frames)
        tried = [self.threshold] if self.threshold is not None else THRESHOLDS
        scored = [{**self._score(lambda n, h, t=t: pick_peaks(prob[n, h], t), split, logits.shape), "threshold": t}
                  for t in tried]
        return min(scored, key=lambda s: s["error"])  # the first (lowest) threshold among equals

    def _score(self, onsets_of, split: Split, shape) -> dict:
        est, ref_t, ref_f = [], [], []
        for n in range(shape[0]):
            times, frames = split.refs[n]
            for h in range(shape[2]):
                est.append(onsets_of(n, h))
                ref_t.append(times[h])
                ref_f.append(frames[h])
        s = onset_scores(est, ref_t, split.frame_seconds, ref_frames=ref_f, empty=self.empty, mode=self.metric)
        return {"error": 1.0 - s["f_mean"], "f_mean": s["f_mean"], "f_micro": s["f_micro"],
                "precision": s["precision"], "recall": s["recall"]}


# adapter kind (mirtrim.taskdefs) -> the adapter, configured by the run's fidelity switches
ADAPTERS = {
    "classification": lambda name, fid: ClassificationTask(augment=fid.get("waveform_augment", "none")),
    "pitch": lambda name, fid: PitchTask(),
    "chords": lambda name, fid: ChordTask(loss=fid.get("chord_loss", "weighted_ce"),
                                          metric=fid.get("chord_metric", "accuracy")),
    "transcription": lambda name, fid: TranscriptionTask(
        name, loss=fid.get("transcription_loss", "bce"), metric=fid.get("onset_metric", "seconds"),
        empty=fid.get("onset_empty", "one"), decoder=fid.get("onset_decoder", "peaks"),
        positive_weight=fid.get("onset_positive_weight", 1.0), augment=fid.get("spectrogram_augment", "none")),
}


def make_task(name: str, fidelity: dict | None = None):
    """The adapter of a task, configured by the run's fidelity switches."""
    return ADAPTERS[task_def(name).adapter](name, fidelity or {})
