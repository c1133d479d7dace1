"""Instrument task data: the paper's 13 orchestral classes rendered from GM programs at 22.05 kHz.

Each example is a random melody in the class's playable range, played by a *player*: a fixed
body resonance (EQ), vibrato depth and dynamics. Train and test players are disjoint (with one
soundfont, the held-out split is by player rather than by program; saxophones also split by program).
Examples are 32,768-sample chunks of the non-silent audio, as in the paper.
"""

from __future__ import annotations

import numpy as np

from mirtrim.data.effects import add_noise, random_eq, random_level, reverb
from mirtrim.utils.numba_cache import import_librosa

SR = 22_050
CHUNK = 32_768
CLASSES = ("bn", "cl", "db", "fl", "hn", "ob", "sax", "tba", "tbn", "tpt", "va", "vc", "vn")
PROGRAMS = {"bn": [70], "cl": [71], "db": [43, 32], "fl": [73], "hn": [60], "ob": [68], "sax": [64, 65, 66, 67],
            "tba": [58], "tbn": [57], "tpt": [56], "va": [41], "vc": [42], "vn": [40]}
RANGES = {"bn": (34, 75), "cl": (50, 91), "db": (28, 60), "fl": (60, 96), "hn": (41, 77), "ob": (58, 91),
          "sax": (49, 81), "tba": (29, 65), "tbn": (40, 72), "tpt": (55, 82), "va": (48, 84), "vc": (36, 76),
          "vn": (55, 96)}
SCALES = {"tiny": {"train": 650, "test": 130, "players": 4}, "small": {"train": 780, "test": 260, "players": 6},
          "medium": {"train": 2340, "test": 260, "players": 6},
          "paper": {"train": 10000, "test": 2000, "players": 12}}


def draw_player(rng: np.random.Generator) -> dict:
    return {"eq_seed": int(rng.integers(2**31)), "vibrato": float(rng.uniform(0, 600)),
            "velocity": (int(rng.integers(40, 80)), int(rng.integers(85, 128))), "legato": float(rng.uniform(0.6, 1.0))}


def render_example(synth, rng: np.random.Generator, label: str, player: dict, programs: list[int]):
    program = int(rng.choice(programs))
    low, high = RANGES[label]
    pitch, t, events = int(rng.integers(low, high + 1)), 0.0, []
    while t < 2.2:  # a random walk melody, enough for one 1.49 s chunk after silence removal
        length = float(rng.uniform(0.12, 0.6))
        velocity = int(rng.integers(*player["velocity"]))
        events += [(t, 0, "on", pitch, velocity), (t + length * player["legato"], 0, "off", pitch, 0)]
        events += [(t + k * 0.03, 0, "bend", int(player["vibrato"] * np.sin(2 * np.pi * 5.5 * k * 0.03)), 0)
                   for k in range(int(length / 0.03))]
        t += length
        pitch = int(np.clip(pitch + rng.integers(-4, 5), low, high))
    audio = synth.render(events, t + 0.3, {0: program})
    librosa = import_librosa("split")

    intervals = librosa.effects.split(audio, top_db=40, frame_length=1024, hop_length=1024)
    voiced = np.concatenate([audio[a:b] for a, b in intervals]) if len(intervals) else audio[:0]
    if len(voiced) < CHUNK:
        return None, {}
    chunk = voiced[:CHUNK]
    chunk = random_eq(chunk, np.random.default_rng(player["eq_seed"]), SR, max_db=8.0)  # the player's body
    chunk = random_level(add_noise(reverb(chunk, rng, SR), rng, (20, 45)), rng)
    return chunk, {"label": label, "program": program}
