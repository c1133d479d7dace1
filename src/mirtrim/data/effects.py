"""Recording-condition variation shared by the synthetic generators: reverb, EQ, noise, level."""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve


def peak_normalise(audio: np.ndarray) -> np.ndarray:
    return audio / (np.abs(audio).max() + 1e-9)


def reverb(audio: np.ndarray, rng: np.random.Generator, sr: int, max_rt: float = 0.8, max_wet: float = 0.35):
    """Exponentially decaying noise tail with a random decay time and wet level."""
    rt = rng.uniform(0.05, max_rt)
    t = np.arange(int(rt * sr)) / sr
    ir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt)
    ir[0] = 0.0
    wet = fftconvolve(audio, ir)[: len(audio)]
    return audio + rng.uniform(0.0, max_wet) * peak_normalise(wet) * np.abs(audio).max()


def random_eq(audio: np.ndarray, rng: np.random.Generator, sr: int, max_db: float = 9.0) -> np.ndarray:
    """A smooth random gain curve over log frequency (a different 'microphone and room' per example)."""
    spec = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1 / sr)
    knots = np.linspace(np.log2(20), np.log2(sr / 2), 8)
    gains = rng.uniform(-max_db, max_db, len(knots))
    curve = np.interp(np.log2(np.maximum(freqs, 20)), knots, gains)
    return np.fft.irfft(spec * 10 ** (curve / 20), len(audio))


def add_noise(audio: np.ndarray, rng: np.random.Generator, snr_db: tuple[float, float] = (12, 40)) -> np.ndarray:
    """Brown + white background noise at a random signal-to-noise ratio."""
    n = len(audio)
    noise = peak_normalise(np.cumsum(rng.standard_normal(n)) * 0.02 + rng.standard_normal(n))
    return peak_normalise(audio) + noise * 10 ** (-rng.uniform(*snr_db) / 20)


def random_level(audio: np.ndarray, rng: np.random.Generator, db: tuple[float, float] = (-18, -1)) -> np.ndarray:
    return (peak_normalise(audio) * 10 ** (rng.uniform(*db) / 20)).astype(np.float32)


def condition(audio: np.ndarray, rng: np.random.Generator, sr: int) -> np.ndarray:
    """EQ, reverb, noise and level: the per-example recording variation."""
    return random_level(add_noise(reverb(random_eq(audio, rng, sr), rng, sr), rng), rng)
