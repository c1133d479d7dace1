"""Turn a dataset folder into one feature file (``.npz``) per dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirtrim.data.layout import DRUM_CLASSES, read_onsets
from mirtrim.features import logmel
from mirtrim.utils.atomic import atomic_path, read_json


def _load_audio(path: Path, sr: int) -> np.ndarray:
    import soundfile as sf

    try:
        audio, file_sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as err:
        raise ValueError(f"{path}: unreadable audio ({err})") from None
    if file_sr != sr:
        raise ValueError(f"{path}: sample rate {file_sr} Hz, expected {sr} Hz")
    if audio.shape[0] == 0:
        raise ValueError(f"{path}: empty audio")
    return audio.mean(axis=1)


def build_drum_features(data_dir: str | Path, out: str | Path, batch: int = 256, progress=print) -> dict:
    """Log-mel inputs, 3-class frame targets and onset times (seconds) for every example."""
    data_dir = Path(data_dir)
    meta = read_json(data_dir / "metadata.json", "dataset metadata")
    fb = logmel.mel_filterbank()
    X, Y, split_of, ids, onset_time, onset_class, onset_ptr = [], [], [], [], [], [], [0]
    for split, entries in meta["splits"].items():
        for start in range(0, len(entries), batch):
            chunk = entries[start:start + batch]
            audio = [_load_audio(data_dir / split / f"{e['id']}.wav", logmel.SR) for e in chunk]
            length = max(len(a) for a in audio)
            padded = np.stack([np.pad(a, (0, length - len(a))) for a in audio])
            X.append(logmel.logmel(padded, fb).numpy())
            for e in chunk:
                times, labels = read_onsets(data_dir / split / f"{e['id']}.txt")
                target = np.zeros((len(DRUM_CLASSES), logmel.N_FRAMES), dtype=np.uint8)
                frames = logmel.onset_frames(times)
                for f, lab in zip(frames, labels):
                    if f >= 0:
                        target[DRUM_CLASSES.index(lab), f] = 1
                Y.append(target)
                split_of.append(split)
                ids.append(e["id"])
                onset_time.extend(times.tolist())
                onset_class.extend(DRUM_CLASSES.index(lab) for lab in labels)
                onset_ptr.append(len(onset_time))
            progress(f"features {split}: {min(start + batch, len(entries))}/{len(entries)}")
    X = np.concatenate(X).astype(np.float32)
    if not np.isfinite(X).all():
        raise ValueError(f"{data_dir}: non-finite log-mel values")
    arrays = {"X": X, "Y": np.stack(Y), "split": np.array(split_of), "ids": np.array(ids),
              "onset_time": np.array(onset_time, dtype=np.float64), "onset_class": np.array(onset_class, dtype=np.int8),
              "onset_ptr": np.array(onset_ptr, dtype=np.int64), "sr": np.int64(logmel.SR), "hop": np.int64(logmel.HOP)}
    with atomic_path(out, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
    return {"examples": len(X), "shape": list(X.shape[1:])}
