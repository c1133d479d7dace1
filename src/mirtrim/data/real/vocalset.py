"""VocalSet -> the ``voices`` layout: 3-s clips of the paper's 10 techniques, test singers held out.

The archive holds ``FULL/<singer>/<context>/<technique>/<file>.wav`` (singers ``female1`` …
``male11``; contexts arpeggios, long_tones, scales, excerpts) and the authors' singer split
``test_singers_technique.txt`` (5 singers), which the paper's technique classifier followed.
Silence is removed and each recording cut into 3-s clips, as in data.md §6.3.
"""

from __future__ import annotations

import re
from pathlib import Path

from mirtrim.data import voices
from mirtrim.data.real.common import find_files, prepare_folder, read_audio, safe_id, segments, voiced, write_wav
from mirtrim.data.registry import Corpus
from mirtrim.utils.atomic import log

SINGER = re.compile(r"^(female|male|f|m)(\d+)$", re.IGNORECASE)


def singer_key(name: str) -> str | None:
    """``female2``, ``F2`` and ``f2`` all name singer ``f2``."""
    m = SINGER.match(name.strip())
    return f"{m.group(1)[0].lower()}{int(m.group(2))}" if m else None


def test_singers(raw: Path) -> set[str]:
    files = find_files(raw, "test_singers_technique.txt")
    if not files:
        raise ValueError(f"{raw}: no test_singers_technique.txt (VocalSet's singer split) in the archive")
    singers = {singer_key(line) for line in files[0].read_text().splitlines()} - {None}
    if not singers:
        raise ValueError(f"{files[0]}: no singer names (expected lines like 'female2')")
    return singers


def prepare(corpus: Corpus, raw: Path, out: Path, seed: int, audio_dir: Path | None = None, progress=log) -> dict:
    held_out = test_singers(raw)
    clip = int(voices.SECONDS * voices.SR)
    recordings = []
    for wav in find_files(raw, "*.wav"):
        singers = [p for p in wav.parts[:-1] if singer_key(p)]
        if not singers or wav.parent.name not in voices.TECHNIQUES:
            continue  # the 7 techniques the paper leaves out, and files outside the singer folders
        recordings.append((wav, singers[-1], wav.parent.name))
    if not recordings:
        raise ValueError(f"{raw}: no VocalSet recordings (FULL/<singer>/<context>/<technique>/*.wav) found")
    found = {singer_key(s) for _, s, _ in recordings}
    if not held_out & found:
        raise ValueError(f"{raw}: none of the test singers {sorted(held_out)} has recordings")

    def write(tmp: Path) -> dict:
        splits = {"train": [], "test": []}
        for n, (wav, singer, technique) in enumerate(recordings):
            split = "test" if singer_key(singer) in held_out else "train"
            audio = voiced(read_audio(wav, voices.SR), top_db=50, frame_length=2048, hop_length=512)
            for k, seg in enumerate(segments(audio, clip)):
                ex_id = safe_id(f"{singer}-{wav.stem}-{k:02d}")
                splits[split].append({"id": ex_id, "label": technique, "singer": singer, "group": singer,
                                      "source_file": wav.relative_to(raw).as_posix(), "segment": k,
                                      "md5": write_wav(tmp / split / f"{ex_id}.wav", seg, voices.SR)})
            if (n + 1) % 100 == 0:
                progress(f"vocalset: {n + 1}/{len(recordings)} recordings")
        return splits

    return prepare_folder(corpus, out, voices.SR, seed, f"test = the singers of test_singers_technique.txt: "
                          f"{', '.join(sorted(held_out))}; {voices.SECONDS:g}-s clips of the non-silent audio",
                          write, progress)
