"""Singing-technique data: a numpy source-filter singer performing the paper's 10 VocalSet techniques.

A singer is an f0 range, a vocal-tract length (formant scaling), jitter, shimmer and breathiness.
Each technique is a set of controls on the f0 contour, the glottal source and the envelope. Test
clips come from singers never heard in training, as the paper holds out five VocalSet singers.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from mirtrim.data.effects import condition

SR = 44_100
SECONDS = 3.0
TECHNIQUES = ("vibrato", "straight", "breathy", "vocal_fry", "lip_trill", "trill", "trillo", "inhaled", "belt",
              "spoken")
VOWELS = {"a": (800, 1200, 2500), "e": (500, 1900, 2600), "i": (300, 2300, 3000), "o": (500, 900, 2400),
          "u": (350, 800, 2300)}
SCALES = {"tiny": {"train": 300, "test": 100, "singers_train": 6, "singers_test": 3},
          "small": {"train": 700, "test": 250, "singers_train": 10, "singers_test": 4},
          "medium": {"train": 2100, "test": 250, "singers_train": 10, "singers_test": 4},
          "paper": {"train": 3000, "test": 1000, "singers_train": 15, "singers_test": 5}}


def draw_singer(rng: np.random.Generator) -> dict:
    low = rng.uniform(90, 220)
    return {"f0_low": low, "f0_high": low * rng.uniform(2.0, 3.0), "tract": rng.uniform(0.85, 1.2),
            "jitter": rng.uniform(0.002, 0.01), "shimmer": rng.uniform(0.02, 0.08), "breath": rng.uniform(0.01, 0.06),
            "tilt": rng.uniform(0.75, 0.88)}


def _smooth_noise(rng, n, cutoff_hz):
    """Unit-scale noise, moving-averaged over 1/cutoff seconds (a running sum: O(n) for any width)."""
    k = max(1, int(SR / cutoff_hz))
    c = np.cumsum(np.concatenate([[0.0], rng.standard_normal(n + k)]))
    return (c[k:k + n] - c[:n]) / np.sqrt(k)


def _resonator(x, freq, bw):
    r = np.exp(-np.pi * bw / SR)
    a = [1.0, -2 * r * np.cos(2 * np.pi * freq / SR), r * r]
    return lfilter([1 - r], a, x)


def render_clip(rng: np.random.Generator, technique: str, singer: dict) -> np.ndarray:
    n = int(SECONDS * SR)
    t = np.arange(n) / SR
    base = singer["f0_low"] * (singer["f0_high"] / singer["f0_low"]) ** rng.uniform(0.1, 0.7)
    f0 = np.full(n, base)
    notes = rng.integers(1, 4)  # a short phrase of 1-3 notes
    for k in range(1, notes):
        f0[int(k * n / notes):] *= 2 ** (rng.choice([-3, -2, 2, 3, 5]) / 12)
    env = np.minimum(1, np.minimum(t / 0.08, (SECONDS - t) / 0.15)).clip(0)
    tilt, breath, jitter, shimmer = singer["tilt"], singer["breath"], singer["jitter"], singer["shimmer"]
    if technique == "vibrato":
        f0 *= 2 ** (rng.uniform(50, 100) * np.sin(2 * np.pi * rng.uniform(5, 7) * t) / 1200)
    elif technique == "straight":
        f0 *= 2 ** (5 * _smooth_noise(rng, n, 2) / 1200)
    elif technique == "breathy":
        breath, tilt = breath * 8 + 0.2, tilt - 0.15
    elif technique == "vocal_fry":
        f0 = np.full(n, rng.uniform(45, 80)) * (1 + 0.15 * _smooth_noise(rng, n, 30))
        jitter, shimmer = jitter * 6, shimmer * 3
    elif technique == "lip_trill":
        env *= 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * rng.uniform(20, 30) * t))
        tilt -= 0.2
    elif technique == "trill":
        f0 *= 2 ** (rng.choice([1, 2]) * (np.sin(2 * np.pi * rng.uniform(6, 8) * t) > 0) / 12)
    elif technique == "trillo":
        env *= (np.sin(2 * np.pi * rng.uniform(6, 10) * t) > -0.2).astype(float) * 0.85 + 0.15
    elif technique == "inhaled":
        f0 *= 1 + 0.05 * _smooth_noise(rng, n, 8)
        env = env * (t / SECONDS) ** 0.7  # reversed envelope: swelling, not decaying
        breath, tilt = breath * 6 + 0.4, tilt - 0.25
    elif technique == "belt":
        tilt = min(0.97, tilt + 0.08)
        env *= 1.3
    elif technique == "spoken":
        syll = rng.uniform(3, 5)
        f0 = base * 0.8 * (1.15 - 0.3 * t / SECONDS) * (1 + 0.06 * _smooth_noise(rng, n, 4))
        env *= np.clip(np.sin(np.pi * syll * t) ** 2 + 0.05, 0, 1)
    else:
        raise ValueError(f"unknown technique {technique!r}")
    f0 = f0 * (1 + jitter * _smooth_noise(rng, n, 200))
    phase = np.cumsum(f0) / SR
    harmonics = int(min(60, 8000 / f0.mean()))
    source = sum(tilt ** k * np.sin(2 * np.pi * (k + 1) * phase) for k in range(harmonics))
    source = source * (1 + shimmer * _smooth_noise(rng, n, 100)) / np.abs(source).max()
    source = source + breath * rng.standard_normal(n)
    vowel = VOWELS[str(rng.choice(list(VOWELS)))]
    voice = sum(_resonator(source, f * singer["tract"], 80 + 0.05 * f) * g for f, g in zip(vowel, (1.0, 0.6, 0.3)))
    return condition(voice * env, rng, SR)
