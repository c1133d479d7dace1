"""Trivial baselines on the test split: evidence that a task is not solved without learning.

Scored with the same metrics as the models: onsets and drums from (band-wise) spectral flux and
pitch from YIN, both on the model's own frames (baselines/fair.py); chords from chroma
templates, and the classification tasks from a nearest-centroid classifier on mean MFCCs (the only
baseline fitted on the training split).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirtrim.features.build import load_audio
from mirtrim.taskdefs import task_def
from mirtrim.utils.atomic import read_json
from mirtrim.utils.numba_cache import import_librosa


def _split(meta: dict, split: str):
    return meta["splits"][split]


def chord_baseline(data_dir: Path, meta: dict) -> dict:
    librosa = import_librosa("chroma_cqt", "rms")

    from mirtrim.data.songs import read_lab
    from mirtrim.features import cqt
    from mirtrim.metrics.chords import NO_CHORD, chord_scores, label_class

    templates = np.zeros((24, 12))
    for root in range(12):
        templates[root, [root, (root + 4) % 12, (root + 7) % 12]] = 1
        templates[12 + root, [root, (root + 3) % 12, (root + 7) % 12]] = 1
    templates /= np.linalg.norm(templates, axis=1, keepdims=True)
    refs, ests = [], []
    for e in _split(meta, "test"):
        y = load_audio(data_dir / "test" / f"{e['id']}.wav", cqt.SR)
        chroma = librosa.feature.chroma_cqt(y=y, sr=cqt.SR, hop_length=cqt.HOP)
        est = (templates @ (chroma / (np.linalg.norm(chroma, axis=0, keepdims=True) + 1e-9))).argmax(0)
        energy = librosa.feature.rms(y=y, hop_length=cqt.HOP)[0][: len(est)]
        est = np.where(energy < 0.1 * energy.max(), NO_CHORD, est)
        times = np.arange(len(est)) * cqt.HOP / cqt.SR
        ref = np.full(len(est), NO_CHORD)
        for start, end, label in read_lab(data_dir / "test" / f"{e['id']}.lab"):
            ref[(times >= start) & (times < end)] = label_class(label)
        refs.append(ref)
        ests.append(est)
    scores = chord_scores(np.concatenate(refs), np.concatenate(ests))
    return {"baseline": "chroma templates", "error": 1.0 - scores["majmin"], **scores}


def centroid_baseline(data_dir: Path, meta: dict) -> dict:
    librosa = import_librosa("mfcc")

    def mfcc(split):
        feats, labels = [], []
        for e in _split(meta, split):
            y = load_audio(data_dir / split / f"{e['id']}.wav", meta["sample_rate"])
            feats.append(librosa.feature.mfcc(y=y, sr=meta["sample_rate"], n_mfcc=20).mean(axis=1))
            labels.append(e["label"])
        return np.array(feats), np.array(labels)

    xtr, ytr = mfcc("train")
    xte, yte = mfcc("test")
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-9
    classes = sorted(set(ytr))
    centroids = np.stack([((xtr - mu) / sd)[ytr == c].mean(0) for c in classes])
    pred = np.array(classes)[np.argmin(((((xte - mu) / sd)[:, None] - centroids[None]) ** 2).sum(-1), axis=1)]
    accuracy = float((pred == yte).mean())
    return {"baseline": "nearest centroid on mean MFCCs", "error": 1.0 - accuracy, "accuracy": accuracy,
            "chance_error": 1.0 - 1.0 / len(classes)}


def _flux(data_dir, meta, task, features, fidelity) -> dict:
    from mirtrim.baselines.fair import flux_baseline

    return flux_baseline(str(features), task, fidelity)


def _yin(data_dir, meta, task, features, fidelity) -> dict:
    from mirtrim.baselines.fair import yin_frame_baseline

    return yin_frame_baseline(str(features))


# baseline kind (mirtrim.taskdefs) -> (data folder, its metadata, task, feature file, fidelity) -> scores
BASELINES = {"flux": _flux, "yin": _yin,
             "chroma": lambda data_dir, meta, *_: chord_baseline(data_dir, meta),
             "mfcc_centroid": lambda data_dir, meta, *_: centroid_baseline(data_dir, meta)}


def run_baseline(data_dir: str | Path, task: str, features: str | Path | None = None,
                 fidelity: dict | None = None) -> dict:
    """Onsets, drums and pitch are scored on the model's own frames (baselines/fair.py), so
    they need the task's ``features``; chords and the classification tasks read the audio."""
    data_dir = Path(data_dir)
    meta = read_json(data_dir / "metadata.json", "dataset metadata")
    definition = task_def(task)
    if definition.baseline_needs_features and features is None:
        raise ValueError(f"baseline of {task}: pass --features (the task's feature file): it is scored on the "
                         "frames and examples the model is scored on")
    out = BASELINES[definition.baseline](data_dir, meta, task, features, fidelity)
    return {"task": task, "dataset": meta["dataset"], "scale": meta["scale"], "data": Path(data_dir).name, **out}
