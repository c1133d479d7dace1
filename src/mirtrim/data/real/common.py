"""What every corpus loader shares: audio at the task's rate, segments, seeded splits, the metadata file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mirtrim import __version__
from mirtrim.data.layout import md5_of
from mirtrim.data.registry import Corpus
from mirtrim.utils.atomic import atomic_dir, log, write_json
from mirtrim.utils.numba_cache import import_librosa

SPLITS = ("train", "test")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".aiff", ".aif")


def read_audio(path: Path, sr: int) -> np.ndarray:
    """Mono float32 audio resampled to ``sr``; an unreadable file is one error naming it."""
    import soundfile as sf

    try:
        audio, file_sr = sf.read(path, dtype="float32", always_2d=True)
        audio = audio.mean(axis=1)
    except Exception:  # noqa: BLE001 - formats libsndfile cannot decode (mp3 on old builds): librosa
        librosa = import_librosa()

        try:
            audio, file_sr = librosa.load(path, sr=None, mono=True)
        except Exception as err:  # noqa: BLE001 - any decoder failure is the same user error
            raise ValueError(f"{path}: unreadable audio ({err})") from None
    if file_sr != sr:
        librosa = import_librosa()

        audio = librosa.resample(audio, orig_sr=file_sr, target_sr=sr)
    return np.ascontiguousarray(audio, dtype=np.float32)


def write_wav(path: Path, audio: np.ndarray, sr: int) -> str:
    import soundfile as sf

    sf.write(path, np.clip(audio, -1, 1), sr, subtype="PCM_16")
    return md5_of(path)


def voiced(audio: np.ndarray, top_db: float, frame_length: int, hop_length: int) -> np.ndarray:
    """The non-silent parts of ``audio`` concatenated (data.md §6.3)."""
    librosa = import_librosa("split")

    intervals = librosa.effects.split(audio, top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    return np.concatenate([audio[a:b] for a, b in intervals]) if len(intervals) else audio[:0]


def segments(audio: np.ndarray, length: int) -> list[np.ndarray]:
    """Consecutive ``length``-sample segments; audio shorter than one segment stays one (shorter) example,
    which the features pad, so that short notes are not lost."""
    if len(audio) < length:
        return [audio] if len(audio) else []
    return [audio[i:i + length] for i in range(0, len(audio) - length + 1, length)]


def safe_id(text: str) -> str:
    """A file-name-safe example id (corpora use spaces, '#' and '&' in their names)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def seeded_test(items: list[str], fraction: float, seed: int, salt: int) -> set[str]:
    """A deterministic test subset of ``items`` (at least one, and at least one left for training)."""
    items = sorted(set(items))
    if len(items) < 2:
        raise ValueError(f"need at least two groups to split into train and test, found {items}")
    n_test = min(len(items) - 1, max(1, round(fraction * len(items))))
    order = np.random.default_rng([seed, salt]).permutation(len(items))
    return {items[i] for i in order[:n_test]}


def find_dirs(root: Path, name: str) -> list[Path]:
    return sorted(p for p in Path(root).rglob(name) if p.is_dir() and "__MACOSX" not in p.parts)


def find_files(root: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` under ``root``, without macOS resource forks (``__MACOSX``, ``._*``)."""
    return sorted(p for p in Path(root).rglob(pattern)
                  if p.is_file() and "__MACOSX" not in p.parts and not p.name.startswith("._"))


def prepare_folder(corpus: Corpus, out: str | Path, sample_rate: int, seed: int, split_rule: str,
                   write: Callable[[Path], dict[str, list[dict]]], progress=log, **extra) -> dict:
    """Write ``out`` atomically: ``write(tmp)`` fills ``tmp/<split>/`` and returns the entries per split."""
    meta = {"dataset": corpus.kind, "source": corpus.name, "title": corpus.title, "licence": corpus.licence,
            "citation": corpus.citation, "urls": [r.url for r in corpus.remotes],
            "generator": f"mirtrim {__version__} (mirtrim.data.real.{corpus.loader})", "scale": "real",
            "seed": seed, "sample_rate": sample_rate, "split_rule": split_rule, **extra}
    with atomic_dir(out) as tmp:
        for split in SPLITS:
            (tmp / split).mkdir()
        splits = write(tmp)
        for split in SPLITS:
            if not splits.get(split):
                raise ValueError(f"{corpus.name}: no {split} examples were found ({split_rule})")
        meta["splits"] = {split: splits[split] for split in SPLITS}
        write_json(tmp / "metadata.json", meta)
    progress(f"{corpus.name}: " + ", ".join(f"{len(meta['splits'][s])} {s}" for s in SPLITS) + f" -> {out}")
    return meta
