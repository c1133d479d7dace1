"""Pitch task data: NSynth-like single notes of many GM programs at 16 kHz, with their f0.

Each note is a GM program at a pitch within that program's playable range and a velocity; test
notes use programs never heard in training (the held-out timbre split). Examples are 1024-sample
frames cut from the notes' sustained parts.
"""

from __future__ import annotations

import numpy as np

from mirtrim.data.effects import condition

SR = 16_000
NOTE_SECONDS = 1.0
FRAMES_PER_NOTE = 16  # frames are cheap: many per rendered note give CREPE enough steps
# GM program families (NSynth-like) with playable MIDI ranges
FAMILIES = {
    "keyboard": ([0, 1, 2, 4, 5, 6, 7], (33, 96)), "organ": ([16, 17, 19, 20], (36, 96)),
    "guitar": ([24, 25, 26, 27, 28], (40, 84)), "bass": ([32, 33, 34, 35, 38], (28, 60)),
    "string": ([40, 41, 42, 48, 49], (36, 96)), "brass": ([56, 57, 58, 60, 61], (34, 82)),
    "reed": ([64, 65, 66, 67, 68, 70, 71], (38, 86)), "flute": ([72, 73, 74, 75, 79], (60, 96)),
    "synth_lead": ([80, 81, 82], (36, 96)), "vocal": ([52, 53, 54], (43, 81)),
    "mallet": ([11, 12, 13], (53, 96)),
}
SCALES = {"tiny": {"train": 320, "test": 80}, "small": {"train": 350, "test": 90},
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
    return audio, {"pitch": pitch, "velocity": velocity, "program": program, "family": family,
                   "f0_hz": 440.0 * 2 ** ((pitch - 69) / 12)}
