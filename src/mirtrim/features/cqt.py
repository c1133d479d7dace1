"""Constant-Q transform of the chord model (the paper's librosa parameters)."""

from __future__ import annotations

import numpy as np

from mirtrim.utils.numba_cache import import_librosa

SR = 44_100
HOP = 2048
N_BINS = 105
BINS_PER_OCTAVE = 24
FMIN = 65.0
FILTER_SCALE = 2


def log_cqt(audio: np.ndarray) -> np.ndarray:
    """(samples,) -> (frames, 105): log-compressed CQT magnitude (the model's input BN rescales it)."""
    librosa = import_librosa("cqt")

    c = np.abs(librosa.cqt(audio.astype(np.float32), sr=SR, hop_length=HOP, fmin=FMIN, n_bins=N_BINS,
                           bins_per_octave=BINS_PER_OCTAVE, filter_scale=FILTER_SCALE))
    return np.log(c + 1e-4).T.astype(np.float32)
