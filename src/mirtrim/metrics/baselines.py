"""Trivial baselines on the test split: evidence that a task is not solved without learning.

Scored with the same metrics as the models: onsets from spectral-flux peak picking, drums from
band-wise flux, chords from chroma templates, pitch from YIN, and the classification tasks from a
nearest-centroid classifier on mean MFCCs (the only baseline fitted on the training split).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirtrim.features.build import load_audio
from mirtrim.utils.atomic import read_json


def _split(meta: dict, split: str):
    return meta["splits"][split]


def onset_baseline(data_dir: Path, meta: dict, task: str) -> dict:
    import librosa

    from mirtrim.data.layout import DRUM_CLASSES, read_onsets
    from mirtrim.features import logmel
    from mirtrim.metrics.onsets import onset_scores

    horizon = logmel.N_FRAMES * logmel.HOP / logmel.SR
    bands = {"KD": (20, 150), "SD": (150, 2000), "HH": (5000, 11025)}
    est_all, ref_all = [], []
    for e in _split(meta, "test"):
        y = load_audio(data_dir / "test" / f"{e['id']}.wav", meta["sample_rate"])
        times, labels = read_onsets(data_dir / "test" / f"{e['id']}.txt")
        keep = times < horizon
        if task == "onsets":
            env = librosa.onset.onset_strength(y=y, sr=logmel.SR, hop_length=512)
            est = librosa.onset.onset_detect(onset_envelope=env, sr=logmel.SR, hop_length=512, units="time")
            est_all.append(est[est < horizon])
            ref_all.append(times[keep])
        else:
            spec = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
            freqs = librosa.fft_frequencies(sr=logmel.SR, n_fft=2048)
            for k, name in enumerate(DRUM_CLASSES):
                lo, hi = bands[name]
                env = librosa.onset.onset_strength(S=librosa.amplitude_to_db(spec[(freqs >= lo) & (freqs < hi)]),
                                                   sr=logmel.SR, hop_length=512)
                est = librosa.onset.onset_detect(onset_envelope=env, sr=logmel.SR, hop_length=512, units="time")
                est_all.append(est[est < horizon])
                ref_all.append(times[keep & (np.array(labels) == name)])
    frame = 1.0  # estimates are already in seconds
    scores = onset_scores(est_all, ref_all, frame_seconds=frame)
    return {"baseline": "spectral-flux peaks" if task == "onsets" else "band-wise spectral flux",
            "error": 1.0 - scores["f_mean"], "f_mean": scores["f_mean"]}


def chord_baseline(data_dir: Path, meta: dict) -> dict:
    import librosa

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


def pitch_baseline(data_dir: Path, meta: dict) -> dict:
    """YIN: a note's median f0 over its sustained part; a melody's f0 frame by frame against its f0 file."""
    import librosa

    from mirtrim.data.layout import f0_at, read_f0
    from mirtrim.metrics.pitch import hz_to_cents, pitch_scores

    sr, ref, est = meta["sample_rate"], [], []
    for e in _split(meta, "test"):
        y = load_audio(data_dir / "test" / f"{e['id']}.wav", sr)
        if not e.get("f0_file"):
            f0 = librosa.yin(y[int(0.1 * len(y)):int(0.7 * len(y))], fmin=30, fmax=2000, sr=sr, frame_length=2048)
            est.append(hz_to_cents(np.median(f0)))
            ref.append(hz_to_cents(e["f0_hz"]))
            continue
        start, hop = int(0.05 * len(y)), 256
        f0 = librosa.yin(y[start:int(0.85 * len(y))], fmin=30, fmax=2000, sr=sr, frame_length=2048, hop_length=hop,
                         center=False)
        times, ref_f0 = read_f0(data_dir / "test" / e["f0_file"])
        est.extend(hz_to_cents(f0))
        ref.extend(hz_to_cents(f0_at(times, ref_f0, (start + 1024 + hop * np.arange(len(f0))) / sr)))
    scores = pitch_scores(np.array(ref), np.array(est))
    return {"baseline": "YIN (median over a note; per frame in a melody)", "error": 1.0 - scores["rpa"], **scores}


def centroid_baseline(data_dir: Path, meta: dict) -> dict:
    import librosa

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


def run_baseline(data_dir: str | Path, task: str, features: str | Path | None = None,
                 fidelity: dict | None = None) -> dict:
    """With ``features`` (the workflow's), onsets, drums and pitch are scored on the model's own
    frames (metrics/fair_baselines.py); without, on the audio at the baseline's own resolution."""
    data_dir = Path(data_dir)
    meta = read_json(data_dir / "metadata.json", "dataset metadata")
    if features is not None and task in ("onsets", "drums"):
        from mirtrim.metrics.fair_baselines import flux_baseline
        out = flux_baseline(str(features), task, fidelity)
    elif features is not None and task in ("pitch", "pitch_medium"):
        from mirtrim.metrics.fair_baselines import yin_frame_baseline
        out = yin_frame_baseline(str(features))
    elif task in ("onsets", "drums"):
        out = onset_baseline(data_dir, meta, task)
    elif task == "chords":
        out = chord_baseline(data_dir, meta)
    elif task in ("pitch", "pitch_medium"):
        out = pitch_baseline(data_dir, meta)
    else:
        out = centroid_baseline(data_dir, meta)
    return {"task": task, "dataset": meta["dataset"], "scale": meta["scale"], "data": Path(data_dir).name, **out}
