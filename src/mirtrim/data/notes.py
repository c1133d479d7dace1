"""Pitch task data: NSynth-like single notes of many GM programs at 16 kHz, with their f0, and
optional legato melodies whose f0 moves continuously (glides and vibrato).

Each note is a GM program at a pitch within that program's playable range and a velocity; test
notes use programs never heard in training (the held-out timbre split). Examples are 1024-sample
frames cut from the notes' sustained parts. A melody holds one key and moves the pitch with the
pitch wheel (range set to an octave through RPN 0), so its f0 is known exactly at every instant:
it is written beside the audio as ``<id>.f0.csv`` (``time,f0_hz`` per control tick, as in
MDB-stem-synth) and frames are labelled with the f0 at their centre.
"""

from __future__ import annotations

import numpy as np

from mirtrim.data.effects import condition

SR = 16_000
NOTE_SECONDS = 1.0
FRAMES_PER_NOTE = 16  # frames are cheap: many per rendered note give CREPE enough steps
# GM program families (NSynth-like) with playable MIDI ranges, capped at B6 (MIDI 95): CREPE's top
# bin is 2005.5 Hz, and C7 (2093 Hz) would be a label no output bin can reach within 50 cents
FAMILIES = {
    "keyboard": ([0, 1, 2, 4, 5, 6, 7], (33, 95)), "organ": ([16, 17, 19, 20], (36, 95)),
    "guitar": ([24, 25, 26, 27, 28], (40, 84)), "bass": ([32, 33, 34, 35, 38], (28, 60)),
    "string": ([40, 41, 42, 48, 49], (36, 95)), "brass": ([56, 57, 58, 60, 61], (34, 82)),
    "reed": ([64, 65, 66, 67, 68, 70, 71], (38, 86)), "flute": ([72, 73, 74, 75, 79], (60, 95)),
    "synth_lead": ([80, 81, 82], (36, 95)), "vocal": ([52, 53, 54], (43, 81)),
    "mallet": ([11, 12, 13], (53, 95)),
}
MELODY_SECONDS = 2.0
CONTROL_HZ = 200  # pitch-wheel updates per second: a 5 ms step is far below a 64 ms frame
BEND_SEMITONES = 12
SCALE_STEPS = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
SCALES = {"tiny": {"train": 320, "test": 80}, "small": {"train": 350, "test": 90},
          "medium": {"train": 1050, "test": 90},
          "paper": {"train": 8000, "test": 2000}}


def program_split(seed: int) -> dict[str, list[tuple[str, int]]]:
    """Per family, one program held out for test (at least one per family stays in training)."""
    rng = np.random.default_rng([seed, 99])
    split = {"train": [], "test": []}
    for family, (programs, _) in sorted(FAMILIES.items()):
        held = int(rng.choice(programs))
        for p in programs:
            split["test" if p == held else "train"].append((family, p))
    return split


def render_note(synth, rng: np.random.Generator, family: str, program: int) -> tuple[np.ndarray, dict]:
    low, high = FAMILIES[family][1]
    pitch = int(rng.integers(low, high + 1))
    velocity = int(rng.choice([25, 50, 75, 100, 127]))
    audio = synth.render([(0.0, 0, "on", pitch, velocity), (NOTE_SECONDS * 0.8, 0, "off", pitch, 0)],
                         NOTE_SECONDS, {0: program})
    if np.abs(audio).max() < 1e-4:  # some programs are silent at extreme pitches: let the caller redraw
        return None, {}
    audio = condition(audio, rng, SR)
    return audio, {"kind": "note", "pitch": pitch, "velocity": velocity, "program": program, "family": family,
                   "f0_hz": 440.0 * 2 ** ((pitch - 69) / 12)}


def is_melody(index: int, fraction: float) -> bool:
    """Spread ``fraction`` of the examples evenly over the indices (deterministic, no rng draw)."""
    return int((index + 1) * fraction) > int(index * fraction)


def melody_cents(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Cents above the held key at each control tick: a scale random walk, legato glides, vibrato."""
    steps = SCALE_STEPS[str(rng.choice(sorted(SCALE_STEPS)))]
    degree, t, previous = 0, 0.0, 0.0
    ticks = np.arange(int(seconds * CONTROL_HZ)) / CONTROL_HZ
    cents = np.zeros(len(ticks))
    while t < seconds:
        length, glide = float(rng.uniform(0.15, 0.45)), float(rng.uniform(0.03, 0.12))
        degree = int(np.clip(degree + rng.integers(-2, 3), -7, 7))
        target = 100.0 * (12 * (degree // 7) + steps[degree % 7])
        rate, depth, delay = float(rng.uniform(4.5, 6.5)), float(rng.uniform(0, 35)), float(rng.uniform(0.05, 0.15))
        inside = (ticks >= t) & (ticks < t + length)
        local = ticks[inside] - t
        ramp = np.clip(local / glide, 0, 1)
        vibrato = depth * np.sin(2 * np.pi * rate * local) * (local > delay)
        cents[inside] = previous + (target - previous) * ramp + vibrato
        previous, t = target, t + length
    return np.clip(cents, -100 * BEND_SEMITONES + 1, 100 * BEND_SEMITONES - 1)


def render_melody(synth, rng: np.random.Generator, family: str, program: int) -> tuple[np.ndarray, dict, np.ndarray]:
    """A legato melody on one held key: audio, metadata and the f0 (Hz) at each control tick."""
    low, high = FAMILIES[family][1]
    key = int(rng.integers(min(low + 12, high), max(high - 12, low) + 1))
    velocity = int(rng.choice([50, 75, 100, 127]))
    bend = np.round(melody_cents(rng, MELODY_SECONDS) / (100 * BEND_SEMITONES) * 8192).astype(int)
    rpn = [(0.0, 0, "cc", c, v) for c, v in ((101, 0), (100, 0), (6, BEND_SEMITONES), (38, 0), (101, 127), (100, 127))]
    changes = np.flatnonzero(np.diff(bend, prepend=bend[0] - 1))
    events = rpn + [(i / CONTROL_HZ, 0, "bend", int(bend[i]), 0) for i in changes]
    events += [(0.0, 0, "on", key, velocity), (MELODY_SECONDS * 0.9, 0, "off", key, 0)]
    audio = synth.render(events, MELODY_SECONDS, {0: program})
    if np.abs(audio).max() < 1e-4:
        return None, {}, None
    f0_hz = 440.0 * 2 ** ((key - 69 + bend * BEND_SEMITONES / 8192) / 12)
    audio = condition(audio, rng, SR)
    return audio, {"kind": "melody", "pitch": key, "velocity": velocity, "program": program, "family": family}, f0_hz
