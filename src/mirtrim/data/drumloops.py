"""Synthetic drum loops (KD/SD/HH one-shots on genre-like patterns) with onset annotations.

The paper rendered MIDI loops by pasting one random one-shot per class at every note-on
(``lottery_mir/code/drums.py``). Here one-shots are synthesised in numpy from randomly drawn
*kits* (kick pitch sweeps, snare tone + noise, metallic hi-hats), so the set needs no soundfont.
Train and test use disjoint kits, and every loop gets its own level, reverb and noise, so the
test set measures generalisation to unheard drum sounds rather than memorised timbres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from mirtrim.data.effects import add_noise, random_level, reverb

SR = 22050
DURATION = 2.6  # s; the features keep the first 50 frames (2.32 s)
SCALES = {  # examples per split
    "tiny": {"train": 480, "test": 120, "kits_train": 12, "kits_test": 4},
    "small": {"train": 600, "test": 200, "kits_train": 16, "kits_test": 6},
    "medium": {"train": 1800, "test": 200, "kits_train": 16, "kits_test": 6},
    "paper": {"train": 8000, "test": 2000, "kits_train": 64, "kits_test": 16},
}


@dataclass
class Kit:
    kick: dict
    snare: dict
    hihat: dict


def _bandpass_noise(rng, n, lo, hi):
    size = next_fast_len(n, real=True)  # odd lengths make the FFT 10x slower
    spec = rfft(rng.standard_normal(size))
    freqs = np.fft.rfftfreq(size, 1 / SR)
    spec[(freqs < lo) | (freqs > hi)] = 0
    noise = irfft(spec, size)[:n]
    return noise / (np.abs(noise).max() + 1e-9)


def draw_kit(rng: np.random.Generator) -> Kit:
    return Kit(
        kick={"f0": rng.uniform(90, 220), "f1": rng.uniform(35, 65), "pitch_decay": rng.uniform(0.015, 0.07),
              "decay": rng.uniform(0.12, 0.5), "click": rng.uniform(0.0, 0.5)},
        snare={"tone": rng.uniform(150, 300), "tone_decay": rng.uniform(0.04, 0.15), "noise_lo": rng.uniform(800, 2500),
               "noise_hi": rng.uniform(5000, 10000), "noise_decay": rng.uniform(0.08, 0.3), "mix": rng.uniform(0.4, 0.85)},
        hihat={"lo": rng.uniform(2500, 6000), "decay": rng.uniform(0.02, 0.09), "open_decay": rng.uniform(0.2, 0.5),
               "metal": rng.uniform(0.0, 0.7), "base": rng.uniform(300, 600)},
    )


def render_hit(kind: str, kit: Kit, rng: np.random.Generator, velocity: float) -> np.ndarray:
    if kind == "KD":
        p = kit.kick
        n = int(p["decay"] * 5 * SR)
        t = np.arange(n) / SR
        freq = p["f1"] + (p["f0"] - p["f1"]) * np.exp(-t / p["pitch_decay"])
        body = np.sin(2 * np.pi * np.cumsum(freq) / SR) * np.exp(-t / p["decay"])
        click = _bandpass_noise(rng, n, 1000, 6000) * np.exp(-t / 0.004) * p["click"]
        hit = body + click
    elif kind == "SD":
        p = kit.snare
        n = int(max(p["tone_decay"], p["noise_decay"]) * 5 * SR)
        t = np.arange(n) / SR
        tone = np.sin(2 * np.pi * p["tone"] * t) * np.exp(-t / p["tone_decay"])
        noise = _bandpass_noise(rng, n, p["noise_lo"], p["noise_hi"]) * np.exp(-t / p["noise_decay"])
        hit = (1 - p["mix"]) * tone + p["mix"] * noise
    elif kind == "HH":
        p = kit.hihat
        decay = p["open_decay"] if rng.random() < 0.15 else p["decay"]
        n = int(decay * 5 * SR)
        t = np.arange(n) / SR
        noise = _bandpass_noise(rng, n, p["lo"], 10500)
        ratios = np.array([2.0, 3.0, 4.16, 5.43, 6.79, 8.21])
        metal = np.sign(np.sin(2 * np.pi * p["base"] * ratios[:, None] * t[None, :])).sum(0) / len(ratios)
        hit = ((1 - p["metal"]) * noise + p["metal"] * metal) * np.exp(-t / decay)
    else:
        raise ValueError(f"unknown drum class {kind!r}")
    return velocity * hit / (np.abs(hit).max() + 1e-9)


def draw_pattern(rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """Onset times and classes of one loop: 8-20 notes of at least two classes."""
    while True:
        bpm = rng.uniform(90, 140)
        step = 60.0 / bpm / 4  # sixteenth notes
        offset = rng.uniform(0.0, 0.3)
        n_steps = int((DURATION - 0.15 - offset) / step)
        pos = np.arange(n_steps) % 16
        style = rng.integers(3)
        p_kick = np.where(pos % 8 == 0, 0.9, np.where(pos % 2 == 0, 0.15 + 0.15 * style, 0.05))
        p_snare = np.where(pos % 8 == 4, 0.85, 0.06 + 0.04 * style)
        p_hat = np.where(pos % 2 == 0, 0.6, 0.25 * style)
        events = []
        for kind, prob in (("KD", p_kick), ("SD", p_snare), ("HH", p_hat)):
            hits = np.flatnonzero(rng.random(n_steps) < prob)
            events += [(offset + s * step + rng.normal(0, 0.008), kind) for s in hits]
        events = [e for e in events if 0.0 <= e[0] < DURATION - 0.1]
        if len(events) > 20:
            keep = rng.choice(len(events), size=int(rng.integers(8, 21)), replace=False)
            events = [events[i] for i in sorted(keep)]
        if 8 <= len(events) <= 20 and len({k for _, k in events}) >= 2:
            times = np.array([t for t, _ in events])
            return times, [k for _, k in events]


def render_loop(rng: np.random.Generator, kit: Kit) -> tuple[np.ndarray, np.ndarray, list[str]]:
    times, labels = draw_pattern(rng)
    n = int(DURATION * SR)
    audio = np.zeros(n)
    for t, kind in zip(times, labels):
        hit = render_hit(kind, kit, rng, velocity=rng.uniform(0.4, 1.0))
        start = int(round(t * SR))
        end = min(n, start + len(hit))
        audio[start:end] += hit[: end - start]
    audio = random_level(add_noise(reverb(audio, rng, SR), rng), rng)
    return audio, times, labels
