"""Turn a dataset folder into one feature file (``.npz``): model inputs, targets and references."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from mirtrim.data.layout import DRUM_CLASSES, f0_at, read_f0, read_onsets
from mirtrim.data.notes import FRAMES_PER_NOTE
from mirtrim.features import cqt, logmel
from mirtrim.utils.atomic import atomic_path, log, read_json


CLIPPED_FRACTION = 0.01  # more samples than this at full scale: warn (the file is still usable)


def load_audio(path: Path, sr: int, warn=log) -> np.ndarray:
    """Mono float audio. A wrong rate, empty, silent, non-finite or unreadable file is one clear error
    naming it; several channels are averaged and heavy clipping is kept, both with a logged warning."""
    import soundfile as sf

    try:
        audio, file_sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as err:
        raise ValueError(f"{path}: unreadable audio ({err})") from None
    if file_sr != sr:
        raise ValueError(f"{path}: sample rate {file_sr} Hz, expected {sr} Hz")
    if audio.shape[0] == 0:
        raise ValueError(f"{path}: empty audio")
    if not np.isfinite(audio).all():
        raise ValueError(f"{path}: non-finite samples (NaN or inf)")
    if audio.shape[1] > 1:
        warn(f"warning: {path}: {audio.shape[1]} channels, averaged to mono")
        audio = audio.mean(axis=1, keepdims=True)
    audio = audio[:, 0]
    peak = float(np.abs(audio).max())
    if peak < 1e-6:
        raise ValueError(f"{path}: silent audio (peak {peak:.1e}); expected a recording with content")
    clipped = float(np.mean(np.abs(audio) >= 0.999 * max(peak, 1.0)))
    if clipped > CLIPPED_FRACTION:
        warn(f"warning: {path}: {100 * clipped:.1f} % of the samples are clipped at full scale; kept as is")
    return audio


def _entries(meta: dict):
    for split, entries in meta["splits"].items():
        for e in entries:
            yield split, e


def group_of(entry: dict) -> str:
    """The unit that must stay on one side of the train/validation split (singer, kit, player,
    program, song, fold): the dataset writer names it; an example without one is its own group."""
    return str(entry.get("group") or entry["id"])


def check_metadata(data_dir: Path, meta: dict) -> None:
    """The fields every loader relies on, checked up front: one error naming the key."""
    where = f"{data_dir}/metadata.json"
    for key, kind in (("dataset", str), ("sample_rate", int), ("splits", dict)):
        if not isinstance(meta.get(key), kind):
            raise ValueError(f"{where}: key '{key}' missing or not a {kind.__name__}")
    for split in ("train", "test"):
        entries = meta["splits"].get(split)
        if not isinstance(entries, list) or not entries:
            raise ValueError(f"{where}: splits.{split} must be a non-empty list of examples")
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or not isinstance(e.get("id"), str):
                raise ValueError(f"{where}: splits.{split}[{i}] has no string 'id'")


def _annotation(path: Path, reader):
    if not path.is_file():
        raise ValueError(f"{path}: annotation file missing")
    return reader(path)


def _ordered_map(func, items, workers: int):
    """``map`` over files on ``workers`` threads, results in input order (so outputs are identical
    for any worker count). Decoding and the FFTs of the CQT release the GIL, so threads help."""
    if workers <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(func, items))


def drum_features(data_dir: Path, meta: dict, progress, workers: int = 1, batch: int = 256) -> dict:
    """Log-mel inputs, 3-class frame targets and onset times (seconds) for every example."""
    fb = logmel.mel_filterbank()
    X, Y, split_of, group, onset_time, onset_class, onset_ptr = [], [], [], [], [], [], [0]
    items = list(_entries(meta))
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        audio = _ordered_map(lambda item: load_audio(data_dir / item[0] / f"{item[1]['id']}.wav", logmel.SR),
                             chunk, workers)
        length = max(len(a) for a in audio)
        X.append(logmel.logmel(np.stack([np.pad(a, (0, length - len(a))) for a in audio]), fb).numpy())
        for (split, e), a in zip(chunk, audio):
            path = data_dir / split / f"{e['id']}.txt"
            times, labels = _annotation(path, read_onsets)
            if not len(times):
                progress(f"warning: {path}: no onsets; the example is kept as a silent-target example")
            elif times.max() > len(a) / logmel.SR:
                raise ValueError(f"{path}: onset at {times.max():.3f} s is beyond the audio's "
                                 f"{len(a) / logmel.SR:.3f} s")
            target = np.zeros((len(DRUM_CLASSES), logmel.N_FRAMES), dtype=np.uint8)
            for f, lab in zip(logmel.onset_frames(times), labels):
                if f >= 0:
                    target[DRUM_CLASSES.index(lab), f] = 1
            Y.append(target)
            split_of.append(split)
            group.append(group_of(e))
            onset_time.extend(times.tolist())
            onset_class.extend(DRUM_CLASSES.index(lab) for lab in labels)
            onset_ptr.append(len(onset_time))
        progress(f"features: {min(start + batch, len(items))}/{len(items)}")
    return {"X": np.concatenate(X).astype(np.float32), "Y": np.stack(Y), "split": np.array(split_of),
            "group": np.array(group), "onset_time": np.array(onset_time, dtype=np.float64), "onset_class": np.array(onset_class, dtype=np.int8),
            "onset_ptr": np.array(onset_ptr, dtype=np.int64), "sr": np.int64(logmel.SR), "hop": np.int64(logmel.HOP)}


def waveform_features(data_dir: Path, meta: dict, progress, length: int, classes: tuple[str, ...],
                      workers: int = 1) -> dict:
    """Raw waveforms cut or padded to the model's input length, with class indices."""
    X, y, split_of, group = [], [], [], []
    items = list(_entries(meta))
    clips = _ordered_map(lambda item: load_audio(data_dir / item[0] / f"{item[1]['id']}.wav",
                                                 meta["sample_rate"])[:length], items, workers)
    for (split, e), audio in zip(items, clips):
        if e.get("label") not in classes:
            raise ValueError(f"{data_dir}/{split}/{e['id']}: label {e.get('label')!r} is not one of {', '.join(classes)}")
        X.append(np.pad(audio, (0, length - len(audio))))
        y.append(classes.index(e["label"]))
        split_of.append(split)
        group.append(group_of(e))
    progress(f"features: {len(X)} examples")
    return {"X": np.stack(X).astype(np.float16), "y": np.array(y, dtype=np.int64), "split": np.array(split_of),
            "group": np.array(group)}


F0_RANGE = (31.70, 2005.5)  # Hz of CREPE's first and last bin (1997.38 + 20 i cents above 10 Hz)


def pitch_features(data_dir: Path, meta: dict, progress, workers: int = 1, frames_per_note: int = FRAMES_PER_NOTE,
                   frame: int = 1024) -> dict:
    """z-normalised 1024-sample frames from each note's sustained part, with the f0 in cents at the
    frame's centre (constant for a note; from ``<id>.f0.csv`` for a melody)."""
    from mirtrim.metrics.pitch import hz_to_cents

    X, cents, split_of, group = [], [], [], []
    items = list(_entries(meta))
    notes = _ordered_map(lambda item: load_audio(data_dir / item[0] / f"{item[1]['id']}.wav", meta["sample_rate"]),
                         items, workers)
    for (split, e), audio in zip(items, notes):
        if e.get("f0_file"):  # melodies are longer: the same frame density over their voiced part
            span = (0.05 * len(audio), 0.85 * len(audio) - frame)
            count = int(round(frames_per_note * (span[1] - span[0]) / (0.6 * meta["sample_rate"] - frame)))
            starts = np.linspace(*span, max(count, 0)).astype(int)
            times, f0 = read_f0(data_dir / split / e["f0_file"])
            f0_hz = f0_at(times, f0, (starts + frame / 2) / meta["sample_rate"])
        else:
            starts = np.linspace(0.1 * len(audio), 0.7 * len(audio) - frame, frames_per_note).astype(int)
            f0_hz = np.full(len(starts), e["f0_hz"])
        if len(starts) == 0 or starts.min() < 0 or len(audio) < starts.max() + frame or (f0_hz <= 0).any():
            raise ValueError(f"{data_dir}/{split}/{e['id']}: too short or unvoiced for {len(starts)} pitch frames")
        if not ((F0_RANGE[0] <= f0_hz) & (f0_hz <= F0_RANGE[1])).all():
            raise ValueError(f"{data_dir}/{split}/{e['id']}: f0 {f0_hz.min():.1f}-{f0_hz.max():.1f} Hz is outside "
                             f"the 360 CREPE bins ({F0_RANGE[0]:.1f}-{F0_RANGE[1]:.1f} Hz)")
        for s, hz in zip(starts, f0_hz):
            x = audio[s:s + frame].astype(np.float64)
            X.append((x - x.mean()) / (x.std() + 1e-8))
            cents.append(hz_to_cents(hz))
            split_of.append(split)
            group.append(group_of(e))  # every frame of a note goes with its note's group
    progress(f"features: {len(X)} frames")
    return {"X": np.stack(X).astype(np.float32), "cents": np.array(cents), "split": np.array(split_of),
            "group": np.array(group)}


def chord_features(data_dir: Path, meta: dict, progress, workers: int = 1) -> dict:
    """Per-song CQT frames and per-frame 25-class labels (windows are cut at load time)."""
    from mirtrim.data.songs import read_lab
    from mirtrim.metrics.chords import NO_CHORD, label_class

    frames, labels, ptr, song_split, song_group = [], [], [0], [], []
    items = list(_entries(meta))
    spectra = _ordered_map(lambda item: cqt.log_cqt(load_audio(data_dir / item[0] / f"{item[1]['id']}.wav", cqt.SR)),
                           items, workers)
    for (split, e), c in zip(items, spectra):
        times = np.arange(len(c)) * cqt.HOP / cqt.SR
        lab = np.full(len(c), NO_CHORD, dtype=np.int64)
        path = data_dir / split / f"{e['id']}.lab"
        segments = _annotation(path, read_lab)
        if not segments:
            raise ValueError(f"{path}: no chord segments")
        duration = len(c) * cqt.HOP / cqt.SR
        for start, end, label in segments:
            if start >= duration + cqt.HOP / cqt.SR:
                raise ValueError(f"{path}: segment {start:.3f}-{end:.3f} s starts beyond the audio's {duration:.3f} s")
            try:
                index = label_class(label)
            except Exception:  # mir_eval's InvalidChordException and parse errors
                raise ValueError(f"{path}: chord label {label!r} is not a valid Harte label") from None
            lab[(times >= start) & (times < end)] = index
        frames.append(c)
        labels.append(lab)
        ptr.append(ptr[-1] + len(c))
        song_split.append(split)
        song_group.append(group_of(e))
        progress(f"features: {len(song_split)} songs")
    return {"frames": np.concatenate(frames), "labels": np.concatenate(labels), "song_ptr": np.array(ptr),
            "song_split": np.array(song_split), "song_group": np.array(song_group)}


def build_features(data_dir: str | Path, out: str | Path, progress=log, workers: int = 1) -> dict:
    from mirtrim.data import instruments, voices

    data_dir = Path(data_dir)
    meta = read_json(data_dir / "metadata.json", "dataset metadata")
    check_metadata(data_dir, meta)
    kind = meta.get("dataset")
    if kind == "drumloops":
        arrays = drum_features(data_dir, meta, progress, workers)
    elif kind == "instruments":
        arrays = waveform_features(data_dir, meta, progress, instruments.CHUNK, instruments.CLASSES, workers)
    elif kind == "voices":
        arrays = waveform_features(data_dir, meta, progress, int(voices.SECONDS * voices.SR), voices.TECHNIQUES,
                                   workers)
    elif kind == "notes":
        arrays = pitch_features(data_dir, meta, progress, workers)
    elif kind == "songs":
        arrays = chord_features(data_dir, meta, progress, workers)
    else:
        raise ValueError(f"{data_dir}/metadata.json: unknown dataset kind {kind!r}")
    for key, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError(f"{data_dir}: non-finite values in feature '{key}'")
    with atomic_path(out, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)  # uncompressed: audio barely compresses, and every job loads it fast
    return {k: list(v.shape) for k, v in arrays.items()}
