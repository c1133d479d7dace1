"""Chord task data: pop-style songs with comping, bass, melody and drums, with ``.lab`` annotations.

Progressions come from a Markov chain over scale degrees (with sevenths, inversions, secondary
dominants and no-chord breaks); chords are played as block, arpeggio or strum patterns. Test songs
use comping and melody programs never heard in training. Labels keep the full chord (``G:7``,
``A:min7``, ``F:maj/3``); the 25-class reduction follows mir_eval's maj/min semantics.
"""

from __future__ import annotations

import numpy as np

from mirtrim.data.effects import condition
from mirtrim.metrics.chords import PITCH_CLASSES

SR = 44_100
SCALES = {"tiny": {"train": 24, "test": 8, "seconds": 14.0}, "small": {"train": 24, "test": 8, "seconds": 20.0},
          "medium": {"train": 72, "test": 8, "seconds": 20.0},
          "paper": {"train": 400, "test": 100, "seconds": 60.0}}
COMPING = {"train": [0, 4, 24, 25, 16, 48], "test": [1, 5, 26, 19, 49]}
MELODY = {"train": [73, 65, 56, 11], "test": [71, 64, 40, 12]}
BASS = [32, 33, 34, 35]
# scale degree -> (semitones above the tonic, quality); the chain prefers common pop moves
DEGREES = {"I": (0, "maj"), "ii": (2, "min"), "iii": (4, "min"), "IV": (5, "maj"), "V": (7, "maj"), "vi": (9, "min"),
           "bVII": (10, "maj"), "V/V": (2, "maj"), "iv": (5, "min")}
MOVES = {"I": ["IV", "V", "vi", "ii", "iii", "bVII"], "ii": ["V", "V", "IV", "V/V"], "iii": ["vi", "IV"],
         "IV": ["I", "V", "ii", "iv", "I"], "V": ["I", "vi", "I", "IV"], "vi": ["IV", "ii", "V", "iii"],
         "bVII": ["IV", "I"], "V/V": ["V"], "iv": ["I"]}
INTERVALS = {"maj": [0, 4, 7], "min": [0, 3, 7], "7": [0, 4, 7, 10], "maj7": [0, 4, 7, 11], "min7": [0, 3, 7, 10]}


def draw_progression(rng: np.random.Generator, seconds: float) -> tuple[float, list[tuple[float, float, str, list]]]:
    """(tempo, [(start, end, Harte label, MIDI pitches of the chord)])."""
    tonic = int(rng.integers(12))
    beat = 60.0 / rng.uniform(80, 140)
    t, degree, segments = 0.0, "I", []
    while t < seconds:
        length = beat * int(rng.choice([2, 4, 4, 8]))
        end = min(seconds, t + length)
        if rng.random() < 0.06:
            segments.append((t, end, "N", []))
        else:
            offset, quality = DEGREES[degree]
            root = (tonic + offset) % 12
            kind = quality
            if rng.random() < 0.3:
                kind = {"maj": "7" if degree in ("V", "V/V") else "maj7", "min": "min7"}[quality]
            pcs = INTERVALS[kind]
            inversion = int(rng.choice([0, 0, 0, 1, 2]))
            bass_interval = pcs[inversion]
            label = f"{PITCH_CLASSES[root]}:{kind}" + (f"/{[1, 3, 5][inversion]}" if inversion and quality == "maj"
                                                        and kind == "maj" else "")
            base = 48 + root
            notes = [base + p for p in pcs]
            segments.append((t, end, label, [36 + (root + bass_interval) % 12] + notes))
        degree = str(rng.choice(MOVES[degree]))
        t = end
    return beat, segments


def render_song(synth, rng: np.random.Generator, split: str, seconds: float):
    beat, segments = draw_progression(rng, seconds)
    comp, melody_prog = int(rng.choice(COMPING[split])), int(rng.choice(MELODY[split]))
    programs = {0: comp, 1: int(rng.choice(BASS)), 2: melody_prog, 9: 0}
    style = str(rng.choice(["block", "arpeggio", "strum"]))
    events = []
    for start, end, label, notes in segments:
        steps = np.arange(start, end - 1e-6, beat / 2)
        if notes:
            bass, chord = notes[0], notes[1:]
            for s in steps[::2]:
                events += [(s, 1, "on", bass, 90), (min(end, s + beat * 0.9), 1, "off", bass, 0)]
            for i, s in enumerate(steps):
                if style == "block" and i % 2 == 0:
                    events += [e for n in chord for e in ((s, 0, "on", n, 70), (min(end, s + beat), 0, "off", n, 0))]
                elif style == "arpeggio":
                    n = chord[i % len(chord)] + 12 * (i // len(chord) % 2)
                    events += [(s, 0, "on", n, 65), (min(end, s + beat / 2), 0, "off", n, 0)]
                elif style == "strum" and i % 2 == 0:
                    events += [e for j, n in enumerate(chord)
                               for e in ((s + 0.015 * j, 0, "on", n, 75), (min(end, s + beat * 0.8), 0, "off", n, 0))]
                if rng.random() < 0.35:  # melody: chord tones with passing tones
                    m = 72 + chord[int(rng.integers(len(chord)))] % 12 + int(rng.choice([0, 0, 0, 2, -1]))
                    events += [(s, 2, "on", m, 80), (min(end, s + beat / 2), 2, "off", m, 0)]
        for i, s in enumerate(steps):  # drums play through everything, including no-chord breaks
            for key, hit in ((36, i % 4 == 0), (38, i % 4 == 2), (42, True)):
                if hit:
                    events += [(s, 9, "on", key, 60), (s + 0.1, 9, "off", key, 0)]
    audio = synth.render(events, seconds, programs)
    labels = [(s, e, lab) for s, e, lab, _ in segments]
    return condition(audio, rng, SR), labels, {"comping": comp, "melody": melody_prog, "style": style}


def write_lab(path, labels) -> None:
    path.write_text("".join(f"{s:.6f}\t{e:.6f}\t{lab}\n" for s, e, lab in labels))


def read_lab(path) -> list[tuple[float, float, str]]:
    out = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            start, end, label = float(parts[0]), float(parts[1]), parts[2]
        except (ValueError, IndexError):
            raise ValueError(f"{path}:{lineno}: expected '<start>\\t<end>\\t<label>', got {line!r}") from None
        if not (0 <= start <= end):
            raise ValueError(f"{path}:{lineno}: segment times must satisfy 0 <= start <= end")
        out.append((start, end, label))
    return out
