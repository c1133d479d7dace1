"""NSynth -> the ``notes`` layout: 4-s notes at 16 kHz with the f0 of their MIDI pitch.

Each split archive unpacks to ``nsynth-<split>/examples.json`` (note id -> ``pitch``, ``velocity``,
``instrument_str``, ``instrument_family_str``, …) and ``nsynth-<split>/audio/<note id>.wav``.
With the train and test archives, the paper's "nsynth-10000" becomes a seeded subset of 8,000
training and 2,000 test notes (their ids are the example ids in metadata.json). With the test
archive alone, a seeded fifth of its instruments is held out. Only pitches inside CREPE's range
are kept, and notes whose analysed span (10-70 % of the note) is silent are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mirtrim.data import notes
from mirtrim.data.real.common import find_files, prepare_folder, read_audio, safe_id, seeded_test, write_wav
from mirtrim.data.registry import Corpus
from mirtrim.metrics.pitch import BIN_CENTS, hz_to_cents
from mirtrim.utils.atomic import log

SUBSET = {"train": 8000, "test": 2000}  # the paper's nsynth-10000
TEST_INSTRUMENTS = 0.2
SILENT_RMS = 1e-3  # -60 dBFS


def midi_hz(pitch: int) -> float:
    return 440.0 * 2.0 ** ((pitch - 69) / 12)


def read_examples(raw: Path) -> dict[str, tuple[Path, dict]]:
    """``nsynth-train`` / ``nsynth-test`` folder name (valid is not used) -> (audio folder, examples)."""
    found = {}
    for path in find_files(raw, "examples.json"):
        split = next((s for s in ("train", "test") if s in path.parent.name), None)
        if split is None:
            continue
        try:
            found[split] = (path.parent / "audio", json.loads(path.read_text()))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    if "test" not in found:
        raise ValueError(f"{raw}: no nsynth-test/examples.json")
    return found


def in_range(example: dict) -> bool:
    cents = hz_to_cents(midi_hz(int(example["pitch"])))
    return BIN_CENTS[0] <= cents <= BIN_CENTS[-1]


def choose(raw: Path, seed: int) -> tuple[dict[str, list], str]:
    found = read_examples(raw)
    rng = np.random.default_rng([seed, 10_000])
    chosen = {}
    if "train" in found:
        rule = (f"seeded subset of {SUBSET['train']} nsynth-train and {SUBSET['test']} nsynth-test notes "
                f"(the paper's nsynth-10000)")
        for split in ("train", "test"):
            audio_dir, examples = found[split]
            ids = sorted(k for k, e in examples.items() if in_range(e))
            pick = rng.permutation(len(ids))  # an order, not a sample: silent notes are skipped later
            chosen[split] = [(audio_dir, ids[i], examples[ids[i]]) for i in pick]
        return chosen, rule
    audio_dir, examples = found["test"]
    held_out = seeded_test([e["instrument_str"] for e in examples.values()], TEST_INSTRUMENTS, seed, 10_001)
    rule = f"nsynth-test only: test = a seeded {TEST_INSTRUMENTS:.0%} of its instruments: {', '.join(sorted(held_out))}"
    for split in ("train", "test"):
        ids = sorted(k for k, e in examples.items()
                     if in_range(e) and (e["instrument_str"] in held_out) == (split == "test"))
        chosen[split] = [(audio_dir, ids[i], examples[ids[i]]) for i in rng.permutation(len(ids))]
    return chosen, rule


def prepare(corpus: Corpus, raw: Path, out: Path, seed: int, audio_dir: Path | None = None, progress=log) -> dict:
    chosen, rule = choose(raw, seed)

    def write(tmp: Path) -> dict:
        splits = {"train": [], "test": []}
        for split, candidates in chosen.items():
            for folder, note_id, e in candidates:
                if len(splits[split]) == SUBSET[split]:
                    break
                wav = folder / f"{note_id}.wav"
                if not wav.exists():
                    raise ValueError(f"{folder}: audio of note {note_id} (listed in examples.json) is missing")
                audio = read_audio(wav, notes.SR)
                span = audio[int(0.1 * len(audio)):int(0.7 * len(audio))]
                if not len(span) or np.sqrt(np.mean(span ** 2)) < SILENT_RMS:
                    continue
                ex_id = safe_id(note_id)
                splits[split].append({"id": ex_id, "f0_hz": midi_hz(int(e["pitch"])), "pitch": int(e["pitch"]),
                                      "velocity": int(e.get("velocity", 0)), "instrument": e.get("instrument_str"),
                                      "group": e.get("instrument_str") or ex_id,
                                      "family": e.get("instrument_family_str"),
                                      "md5": write_wav(tmp / split / f"{ex_id}.wav", audio, notes.SR)})
                if len(splits[split]) % 500 == 0:
                    progress(f"nsynth/{split}: {len(splits[split])} notes")
        return splits

    return prepare_folder(corpus, out, notes.SR, seed, rule + "; pitches within CREPE's range; silent notes skipped",
                          write, progress)
