"""Render a synthetic dataset into the shared on-disk layout (audio + annotations + metadata.json)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mirtrim import __version__
from mirtrim.data import drumloops, instruments, notes, songs, voices
from mirtrim.data.layout import md5_of, write_f0, write_onsets
from mirtrim.utils.atomic import atomic_dir, log, write_json

SPLITS = ("train", "test")
MODULES = {"drumloops": drumloops, "notes": notes, "instruments": instruments, "voices": voices, "songs": songs}


def _write_wav(path: Path, audio: np.ndarray, sr: int) -> str:
    import soundfile as sf

    sf.write(path, np.clip(audio, -1, 1), sr, subtype="PCM_16")
    return md5_of(path)


def _drumloops(tmp, split, split_index, n, sizes, seed, progress, synth=None):
    kit_rng = np.random.default_rng([seed, split_index, 0])
    kits = [drumloops.draw_kit(kit_rng) for _ in range(sizes[f"kits_{split}"])]  # disjoint kits per split
    entries = []
    for i in range(n):
        rng = np.random.default_rng([seed, split_index, 1, i])
        kit_id = int(rng.integers(len(kits)))
        audio, times, labels = drumloops.render_loop(rng, kits[kit_id])
        ex_id = f"{split}_{i:05d}"
        write_onsets(tmp / split / f"{ex_id}.txt", times, labels)
        kit = f"{split}-kit{kit_id:02d}"
        entries.append({"id": ex_id, "kit": kit, "group": kit, "n_onsets": len(times),
                        "md5": _write_wav(tmp / split / f"{ex_id}.wav", audio, drumloops.SR)})
        progress(i, n)
    return entries


def _rendered(tmp, split, split_index, n, seed, progress, sr, draw):
    """Examples whose renderer may decline a draw (silent note, too short): redraw deterministically."""
    entries, attempt = [], 0
    for i in range(n):
        while True:
            rng = np.random.default_rng([seed, split_index, 1, i, attempt])
            audio, info = draw(rng, i)
            if audio is not None:
                break
            attempt += 1
        ex_id = f"{split}_{i:05d}"
        entries.append({"id": ex_id, **info, "md5": _write_wav(tmp / split / f"{ex_id}.wav", audio, sr)})
        progress(i, n)
    return entries


def _notes(tmp, split, split_index, n, sizes, seed, progress, synth, melodies=0.0):
    programs = notes.program_split(seed)[split]

    def draw(rng, i):
        family, program = programs[int(rng.integers(len(programs)))]
        if not notes.is_melody(i, melodies):
            audio, info = notes.render_note(synth, rng, family, program)
            return audio, {**info, "group": f"program{program}"}
        audio, info, f0_hz = notes.render_melody(synth, rng, family, program)
        info["group"] = f"program{program}"
        if audio is not None:
            f0_file = f"{split}_{i:05d}.f0.csv"
            write_f0(tmp / split / f0_file, np.arange(len(f0_hz)) / notes.CONTROL_HZ, f0_hz)
            info["f0_file"] = f0_file
        return audio, info

    return _rendered(tmp, split, split_index, n, seed, progress, notes.SR, draw)


def _instruments(tmp, split, split_index, n, sizes, seed, progress, synth):
    player_rng = np.random.default_rng([seed, split_index, 0])
    players = [instruments.draw_player(player_rng) for _ in range(sizes["players"])]
    saxes = {"train": [64, 65, 66], "test": [67]}[split]

    def draw(rng, i):
        label = instruments.CLASSES[i % len(instruments.CLASSES)]  # balanced classes
        player = int(rng.integers(len(players)))
        programs = saxes if label == "sax" else instruments.PROGRAMS[label]
        audio, info = instruments.render_example(synth, rng, label, players[player], programs)
        return audio, {**info, "player": f"{split}-player{player}", "group": f"{split}-player{player}"}

    return _rendered(tmp, split, split_index, n, seed, progress, instruments.SR, draw)


def _voices(tmp, split, split_index, n, sizes, seed, progress, synth=None):
    singer_rng = np.random.default_rng([seed, split_index, 0])
    singers = [voices.draw_singer(singer_rng) for _ in range(sizes[f"singers_{split}"])]

    def draw(rng, i):
        technique = voices.TECHNIQUES[i % len(voices.TECHNIQUES)]
        singer = int(rng.integers(len(singers)))
        name = f"{split}-singer{singer}"
        return voices.render_clip(rng, technique, singers[singer]), {"label": technique, "singer": name,
                                                                    "group": name}

    return _rendered(tmp, split, split_index, n, seed, progress, voices.SR, draw)


def _songs(tmp, split, split_index, n, sizes, seed, progress, synth):
    entries = []
    for i in range(n):
        rng = np.random.default_rng([seed, split_index, 1, i])
        audio, labels, info = songs.render_song(synth, rng, split, sizes["seconds"])
        ex_id = f"{split}_{i:05d}"
        songs.write_lab(tmp / split / f"{ex_id}.lab", labels)
        entries.append({"id": ex_id, "group": ex_id, **info,
                        "md5": _write_wav(tmp / split / f"{ex_id}.wav", audio, songs.SR)})
        progress(i, n)
    return entries


WRITERS = {"drumloops": _drumloops, "notes": _notes, "instruments": _instruments, "voices": _voices,
           "songs": _songs}
NEEDS_SOUNDFONT = {"notes", "instruments", "songs"}


def generate(dataset: str, scale: str, seed: int, out_dir: str | Path, progress=log, melodies: float = 0.0) -> dict:
    """Generate ``dataset`` at ``scale``; the folder appears only when complete. ``melodies``: the
    fraction of pitch examples that are legato melodies (notes only)."""
    if dataset not in MODULES:
        raise ValueError(f"unknown synthetic dataset {dataset!r}; known: {sorted(MODULES)}")
    if not 0.0 <= melodies <= 1.0 or (melodies and dataset != "notes"):
        raise ValueError(f"melodies={melodies}: expected a fraction in [0, 1], and only for the notes dataset")
    module = MODULES[dataset]
    if scale not in module.SCALES:
        raise ValueError(f"unknown scale {scale!r} for {dataset}; expected one of {sorted(module.SCALES)}")
    sizes = module.SCALES[scale]
    meta = {"dataset": dataset, "generator": f"mirtrim {__version__} ({module.__name__})", "scale": scale,
            "seed": seed, "sample_rate": module.SR, "splits": {}}
    extra = {"melodies": melodies} if melodies else {}
    if melodies:
        meta["melody_fraction"] = melodies
    if dataset in NEEDS_SOUNDFONT:
        from mirtrim.data.soundfont import SoundFontSynth

        synth = SoundFontSynth(module.SR)
        extra["synth"] = synth
        meta["soundfont"] = {"file": synth.path.name, "licence": synth.licence}
    meta["licence"] = "synthesised; see soundfont" if "synth" in extra else "CC0 (synthesised in numpy, no samples)"
    with atomic_dir(out_dir) as tmp:
        for split_index, split in enumerate(SPLITS):
            (tmp / split).mkdir()
            n = sizes[split]

            def report(i, total, split=split):
                if (i + 1) % 100 == 0 or i + 1 == total:
                    progress(f"{dataset}/{split}: {i + 1}/{total} examples")

            meta["splits"][split] = WRITERS[dataset](tmp, split, split_index, n, sizes, seed, report, **extra)
        write_json(tmp / "metadata.json", meta)
    return meta
