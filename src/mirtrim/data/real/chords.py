"""Chord corpora -> the ``songs`` layout: 44.1-kHz audio and ``.lab`` files on the 25 maj/min/N classes.

GuitarSet: ``annotation/<player>_<style>-<tempo>-<key>_<comp|solo>.jams`` (JSON; two ``chord``
annotations: the lead sheet, then the chords as performed) and ``audio_mono-mic/<same>_mic.wav``.
The comping excerpts are used (a solo line implies its chords only loosely) with the performed
chords; player 05 is the test split.

Isophonics (``chordlab/<artist>/<album>/<track>.lab``) and McGill Billboard
(``McGill-Billboard/<id>/full.lab``) publish annotations only: the user supplies the audio, matched
by its path (``<album>/<track>.wav``, or ``<id>.flac`` / ``<id>/audio.flac`` for Billboard).

Labels are reduced with mir_eval's maj/min semantics (``mirtrim.metrics.chords.label_class``).
"""

from __future__ import annotations

import json
from pathlib import Path

from mirtrim.data import songs
from mirtrim.data.real.common import (AUDIO_SUFFIXES, find_dirs, find_files, prepare_folder, read_audio, safe_id,
                                      seeded_test, write_wav)
from mirtrim.data.registry import Corpus
from mirtrim.utils.atomic import log

TEST_PLAYERS = ("05",)
TEST_SONGS = 0.2


def reduce_label(label: str, where: str) -> str:
    from mirtrim.metrics.chords import class_label, label_class

    try:
        return class_label(label_class(label))
    except Exception as err:  # noqa: BLE001 - mir_eval raises several types for one user error
        raise ValueError(f"{where}: chord label {label!r} is not a Harte chord ({err})") from None


def jams_observations(annotation: dict) -> list[tuple[float, float, str]]:
    """(time, duration, value) of a JAMS annotation, stored as a list of records or as columns."""
    data = annotation.get("data", [])
    if isinstance(data, dict):  # the column ("dense") layout
        return list(zip(data.get("time", []), data.get("duration", []), data.get("value", [])))
    return [(d["time"], d["duration"], d["value"]) for d in data]


def guitarset_chords(path: Path) -> list[tuple[float, float, str]]:
    try:
        jam = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    chords = [a for a in jam.get("annotations", []) if a.get("namespace") == "chord"]
    if not chords:
        raise ValueError(f"{path}: no annotation with namespace 'chord'")
    performed = chords[1] if len(chords) > 1 else chords[0]
    return [(float(t), float(t) + float(d), reduce_label(str(v), f"{path}: chord at {float(t):.3f} s"))
            for t, d, v in jams_observations(performed)]


def guitarset_songs(raw: Path) -> list[tuple[str, str, Path, list]]:
    """(id, player, audio, segments) of every comping excerpt."""
    mics = {p.name[:-len("_mic.wav")]: p for p in find_files(raw, "*_mic.wav")}
    out = []
    for jams in find_files(raw, "*.jams"):
        if not jams.stem.endswith("_comp"):
            continue
        if jams.stem not in mics:
            raise ValueError(f"{jams}: no matching audio {jams.stem}_mic.wav under {raw}")
        out.append((safe_id(jams.stem), jams.stem.split("_")[0], mics[jams.stem], guitarset_chords(jams)))
    if not out:
        raise ValueError(f"{raw}: no GuitarSet comping annotations (<player>_<excerpt>_comp.jams)")
    return out


def read_lab_reduced(path: Path) -> list[tuple[float, float, str]]:
    segments = []
    for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            start, end, label = float(parts[0]), float(parts[1]), parts[2]
        except (ValueError, IndexError):
            raise ValueError(f"{path}:{lineno}: expected '<start> <end> <label>', got {line!r}") from None
        segments.append((start, end, reduce_label(label, f"{path}:{lineno}")))
    return segments


def audio_index(audio_dir: Path) -> dict[str, Path | None]:
    """Every trailing part of each audio file's relative path (without suffix) -> the file; None when
    two files share it (ambiguous)."""
    index: dict[str, Path | None] = {}
    for p in sorted(Path(audio_dir).rglob("*")):
        if not (p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES):
            continue
        parts = p.relative_to(audio_dir).with_suffix("").parts
        for i in range(len(parts)):
            key = "/".join(parts[i:])
            index[key] = p if key not in index else None
    return index


def annotation_only_songs(corpus: Corpus, raw: Path, audio_dir: Path | None, progress) -> list:
    if audio_dir is None:
        raise ValueError(f"{corpus.name}: annotations only; give the folder holding the audio (config "
                         f"tasks.chords.audio_dir, or --audio-dir)")
    index = audio_index(Path(audio_dir))
    if corpus.name == "billboard":
        labs = find_files(raw, "full.lab")
        keys = {lab: [f"{lab.parent.name}/audio", lab.parent.name, f"{lab.parent.name.lstrip('0')}/audio",
                      lab.parent.name.lstrip("0")] for lab in labs}
    else:
        roots = find_dirs(raw, "chordlab")
        labs = find_files(roots[0], "*.lab") if roots else []
        keys = {}
        for lab in labs:
            parts = lab.relative_to(roots[0]).with_suffix("").parts
            keys[lab] = ["/".join(parts[i:]) for i in range(len(parts))]
    if not labs:
        raise ValueError(f"{raw}: no chord annotations ({'full.lab' if corpus.name == 'billboard' else 'chordlab'})")
    out, missing = [], []
    for lab in labs:
        audio = next((index[k] for k in keys[lab] if index.get(k)), None)
        if audio is None:
            missing.append(lab.relative_to(raw).as_posix())
            continue
        song_id = lab.parent.name if corpus.name == "billboard" else keys[lab][0]  # album/track: unique
        out.append((safe_id(song_id), song_id, audio, read_lab_reduced(lab)))
    if missing:
        progress(f"{corpus.name}: no audio for {len(missing)} of {len(labs)} annotated songs (e.g. {missing[0]}); "
                 f"they are left out")
    if not out:
        raise ValueError(f"{audio_dir}: no audio matches the annotations of {raw} (e.g. {missing[0]})")
    return out


def prepare(corpus: Corpus, raw: Path, out: Path, seed: int, audio_dir: Path | None = None, progress=log) -> dict:
    if corpus.user_audio:
        songs_ = annotation_only_songs(corpus, raw, audio_dir, progress)
        held_out = seeded_test([s[1] for s in songs_], TEST_SONGS, seed, 25)
        rule = f"test = a seeded {TEST_SONGS:.0%} of the songs"
    else:
        songs_ = guitarset_songs(raw)
        held_out = set(TEST_PLAYERS)
        rule = f"comping excerpts, performed chords; test = player(s) {', '.join(TEST_PLAYERS)}"

    def write(tmp: Path) -> dict:
        splits = {"train": [], "test": []}
        for n, (ex_id, group, wav, segs) in enumerate(songs_):
            split = "test" if group in held_out else "train"
            songs.write_lab(tmp / split / f"{ex_id}.lab", segs)
            splits[split].append({"id": ex_id, "group": group, "source_file": wav.name, "n_segments": len(segs),
                                  "md5": write_wav(tmp / split / f"{ex_id}.wav", read_audio(wav, songs.SR), songs.SR)})
            if (n + 1) % 20 == 0:
                progress(f"{corpus.name}: {n + 1}/{len(songs_)} songs")
        return splits

    return prepare_folder(corpus, out, songs.SR, seed, rule + "; labels reduced to maj/min/N (mir_eval semantics)",
                          write, progress)
