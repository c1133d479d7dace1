"""TinySOL -> the ``instruments`` layout: the paper's 13 classes, 32,768-sample chunks at 22.05 kHz.

``TinySOL_metadata.csv`` lists every note (``Path`` like ``Winds/Flute/ordinario/Fl-ord-C4-mf-N-T14d.wav``,
the official balanced ``Fold`` 0-4, ``Instrument (abbr.)``, ``Pitch ID``). The test split is one
official fold (the data seed modulo 5), so every instrument and pitch range is in both splits.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mirtrim.data import instruments
from mirtrim.data.real.common import find_files, prepare_folder, read_audio, safe_id, segments, voiced, write_wav
from mirtrim.data.registry import Corpus
from mirtrim.utils.atomic import log

# TinySOL abbreviation -> the paper's class; the accordion (Acc) has no paper class
CLASS_OF = {"BTb": "tba", "Hn": "hn", "Tbn": "tbn", "TpC": "tpt", "Cb": "db", "Vn": "vn", "Va": "va", "Vc": "vc",
            "Bn": "bn", "ClBb": "cl", "Fl": "fl", "Ob": "ob", "ASax": "sax"}
FOLDS = 5
COLUMNS = ("Path", "Fold", "Instrument (abbr.)")


def read_metadata(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise ValueError(f"{path}: expected the TinySOL columns {', '.join(COLUMNS)}; missing {missing or 'rows'}")
    return rows


def prepare(corpus: Corpus, raw: Path, out: Path, seed: int, audio_dir: Path | None = None, progress=log) -> dict:
    csvs = find_files(raw, "TinySOL_metadata.csv")
    if not csvs:
        raise ValueError(f"{raw}: no TinySOL_metadata.csv")
    rows = read_metadata(csvs[0])
    # the csv paths start at the family folder; the archive may add folders above it
    wavs = {Path(*p.parts[-4:]).as_posix(): p for p in find_files(raw, "*.wav")}
    test_fold = seed % FOLDS
    notes = []
    for lineno, row in enumerate(rows, 2):
        label = CLASS_OF.get(row["Instrument (abbr.)"])
        if label is None:
            continue
        rel = Path(row["Path"].replace("\\", "/"))
        wav = wavs.get(Path(*rel.parts[-4:]).as_posix())
        if wav is None:
            raise ValueError(f"{csvs[0]}:{lineno}: audio {row['Path']} is not in {raw}")
        notes.append((wav, label, row))

    def write(tmp: Path) -> dict:
        splits = {"train": [], "test": []}
        for n, (wav, label, row) in enumerate(notes):
            split = "test" if int(float(row["Fold"])) == test_fold else "train"
            audio = voiced(read_audio(wav, instruments.SR), top_db=40, frame_length=1024, hop_length=1024)
            for k, chunk in enumerate(segments(audio, instruments.CHUNK)):
                ex_id = safe_id(f"{wav.stem}-{k:02d}")
                splits[split].append({"id": ex_id, "label": label, "instrument": row["Instrument (abbr.)"],
                                      "pitch_midi": int(float(row.get("Pitch ID") or 0)),
                                      "fold": int(float(row["Fold"])),
                                      "group": f"fold{int(float(row['Fold']))}",
                                      "source_file": row["Path"], "segment": k,
                                      "md5": write_wav(tmp / split / f"{ex_id}.wav", chunk, instruments.SR)})
            if (n + 1) % 200 == 0:
                progress(f"tinysol: {n + 1}/{len(notes)} notes")
        return splits

    return prepare_folder(corpus, out, instruments.SR, seed, f"test = official fold {test_fold} (data seed mod "
                          f"{FOLDS}); accordion dropped; {instruments.CHUNK}-sample chunks of the non-silent audio",
                          write, progress)
