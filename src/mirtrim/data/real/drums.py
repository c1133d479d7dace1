"""Drum and onset corpora -> the ``drumloops`` layout: 2.6-s windows with ``time<TAB>label`` onsets.

IDMT-SMT-Drums V2 holds ``audio/<name>#MIX.wav`` (plus per-instrument stems, unused) and
``annotation_xml/<name>#MIX.xml``: an ``instrumentRecording`` whose ``transcription/event`` elements
carry ``onsetSec`` and ``instrument`` (KD, SD or HH). Kits (``RealDrum01``, ``TechnoDrum02``,
``WaveDrum02`` …: the name before ``_``) stay on one side of the split.

The Boeck onset set (CPJKU/onset_db) has ``<name>.onsets`` files, one onset time in seconds per line,
and no public audio: the user supplies a folder with ``<name>.flac`` or ``.wav``. It has no
instrument classes, so every onset is written with one placeholder label (the onsets task uses
the union of the classes; such a dataset must not feed the drums task, which grid.check_sources
refuses).

Recordings are cut into windows of the synthetic loops' length, one every 50 log-mel frames (the
span the model sees), so that every onset falls in the seen part of exactly one window.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from mirtrim.data import drumloops
from mirtrim.data.layout import DRUM_CLASSES, write_onsets
from mirtrim.data.real.common import (AUDIO_SUFFIXES, find_dirs, find_files, prepare_folder, read_audio, safe_id,
                                      seeded_test, write_wav)
from mirtrim.data.registry import Corpus
from mirtrim.utils.atomic import log

SR = drumloops.SR
WINDOW = int(drumloops.DURATION * SR)
STEP = 50 * 1024  # samples the log-mel input spans: features/logmel.py N_FRAMES * HOP
ONSET_LABEL = "KD"  # placeholder class of onset-only corpora (the onsets task takes the union)
TEST_KITS = 0.25
TEST_FILES = 1 / 8  # one of the Boeck set's eight folds, in size


def windows(audio: np.ndarray, times: np.ndarray, labels: list[str]):
    """(window audio, onset times in it, their labels, start in s) for consecutive windows."""
    starts = range(0, max(1, len(audio) - WINDOW + STEP), STEP)
    for start in starts:
        seg = audio[start:start + WINDOW]
        if len(seg) < WINDOW:
            seg = np.pad(seg, (0, WINDOW - len(seg)))
        t0 = start / SR
        keep = (times >= t0) & (times < t0 + WINDOW / SR)
        yield seg, times[keep] - t0, [lab for lab, k in zip(labels, keep) if k], t0


def read_idmt_xml(path: Path) -> tuple[str | None, np.ndarray, list[str]]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path}: not valid XML ({err})") from None
    audio_name = root.findtext(".//audioFileName")
    times, labels = [], []
    for event in root.iter("event"):
        label = (event.findtext("instrument") or "").strip()
        onset = event.findtext("onsetSec")
        if label not in DRUM_CLASSES:
            continue
        try:
            t = float(onset)
        except (TypeError, ValueError):
            raise ValueError(f"{path}: event with onsetSec {onset!r} is not a number") from None
        times.append(max(0.0, t))  # a few onsets near zero are written as tiny negative numbers
        labels.append(label)
    return (audio_name.strip() if audio_name else None), np.array(times), labels


def read_onsets_file(path: Path) -> np.ndarray:
    """A Boeck ``.onsets`` file: one time in seconds per line (extra columns ignored)."""
    times = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            t = float(line.split()[0])
        except ValueError:
            raise ValueError(f"{path}:{lineno}: expected an onset time in seconds, got {line!r}") from None
        times.append(max(0.0, t))
    return np.sort(np.array(times))


def idmt_recordings(raw: Path) -> list[tuple[str, str, Path, np.ndarray, list[str]]]:
    """(name, kit, audio, times, labels) of every annotated mix."""
    ann_dirs = find_dirs(raw, "annotation_xml")
    if not ann_dirs:
        raise ValueError(f"{raw}: no annotation_xml folder (IDMT-SMT-Drums V2 layout)")
    out = []
    for xml in find_files(ann_dirs[0], "*#MIX.xml"):
        name = xml.stem
        audio_name, times, labels = read_idmt_xml(xml)
        wav = ann_dirs[0].parent / "audio" / (audio_name or f"{name}.wav")
        if not wav.exists():
            raise ValueError(f"{xml}: its audio {wav} is missing")
        out.append((name, name.split("_")[0], wav, times, labels))
    if not out:
        raise ValueError(f"{ann_dirs[0]}: no <name>#MIX.xml annotations")
    return out


def boeck_recordings(raw: Path, audio_dir: Path | None, progress) -> list[tuple[str, str, Path, np.ndarray, list]]:
    if audio_dir is None:
        raise ValueError("boeck_onsets: the audio is not public; give the folder holding it (config tasks.onsets."
                         "audio_dir, or --audio-dir)")
    audio = {}
    for p in sorted(Path(audio_dir).rglob("*")):
        if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file():
            audio.setdefault(p.stem, p)
    out, missing = [], []
    for path in find_files(raw, "*.onsets"):
        if path.stem not in audio:
            missing.append(path.stem)
            continue
        times = read_onsets_file(path)
        out.append((path.stem, path.stem, audio[path.stem], times, [ONSET_LABEL] * len(times)))
    if missing:
        progress(f"boeck_onsets: no audio for {len(missing)} of {len(missing) + len(out)} annotation files "
                 f"(e.g. {missing[0]}); they are left out")
    if not out:
        raise ValueError(f"{audio_dir}: no audio file named like the .onsets annotations of {raw} "
                         f"(<name>.flac or .wav)")
    return out


def prepare(corpus: Corpus, raw: Path, out: Path, seed: int, audio_dir: Path | None = None, progress=log) -> dict:
    if corpus.user_audio:
        recordings = boeck_recordings(raw, audio_dir, progress)
        held_out = seeded_test([r[1] for r in recordings], TEST_FILES, seed, 8)
        rule = f"test = a seeded {TEST_FILES:.1%} of the files; every onset labelled {ONSET_LABEL} (onsets only)"
    else:
        recordings = idmt_recordings(raw)
        held_out = seeded_test([r[1] for r in recordings], TEST_KITS, seed, 7)
        rule = f"test = the kits {', '.join(sorted(held_out))} (a seeded {TEST_KITS:.0%} of the kits)"

    def write(tmp: Path) -> dict:
        splits = {"train": [], "test": []}
        for name, group, wav, times, labels in recordings:
            split = "test" if group in held_out else "train"
            for k, (seg, t, labs, t0) in enumerate(windows(read_audio(wav, SR), times, labels)):
                ex_id = safe_id(f"{name}-{k:03d}")
                write_onsets(tmp / split / f"{ex_id}.txt", t, labs)
                splits[split].append({"id": ex_id, "kit": group, "group": group, "n_onsets": len(t),
                                      "offset_s": round(t0, 6),
                                      "source_file": wav.name,
                                      "md5": write_wav(tmp / split / f"{ex_id}.wav", seg, SR)})
        return splits

    return prepare_folder(corpus, out, SR, seed, rule + f"; {drumloops.DURATION:g}-s windows every {STEP} samples",
                          write, progress)
