"""CREPE's pitch representation (360 bins of 20 cents) and mir_eval's raw pitch / chroma accuracy."""

from __future__ import annotations

import numpy as np

N_BINS = 360
CENTS_PER_BIN = 20.0
CENTS_OFFSET = 1997.3794084376191  # bin 0, in cents above 10 Hz (CREPE's scale, C1 = 32.70 Hz)
BIN_CENTS = CENTS_OFFSET + CENTS_PER_BIN * np.arange(N_BINS)
TARGET_SIGMA = 25.0  # cents


def hz_to_cents(hz):
    """Cents above 10 Hz, mir_eval's convention (``mir_eval.melody.hz2cents``)."""
    return 1200.0 * np.log2(np.asarray(hz, dtype=np.float64) / 10.0)


def target_bins(cents: np.ndarray, sigma: float = TARGET_SIGMA) -> np.ndarray:
    """(N,) f0 in cents -> (N, 360) Gaussian-blurred targets (CREPE's training targets)."""
    cents = np.asarray(cents, dtype=np.float64)
    return np.exp(-((BIN_CENTS[None, :] - cents[:, None]) ** 2) / (2 * sigma ** 2)).astype(np.float32)


def decode_cents(activation: np.ndarray) -> np.ndarray:
    """CREPE's local weighted average of bin centres around the argmax (+-4 bins)."""
    activation = np.asarray(activation, dtype=np.float64)
    centre = activation.argmax(axis=1)
    out = np.empty(len(activation))
    for i, c in enumerate(centre):
        lo, hi = max(0, c - 4), min(N_BINS, c + 5)
        w = activation[i, lo:hi]
        out[i] = (w * BIN_CENTS[lo:hi]).sum() / w.sum() if w.sum() > 0 else BIN_CENTS[c]
    return out


def pitch_scores(ref_cents: np.ndarray, est_cents: np.ndarray, tolerance: float = 50.0) -> dict:
    """Raw pitch and raw chroma accuracy (all frames voiced) via mir_eval."""
    import mir_eval

    ref_cents, est_cents = np.asarray(ref_cents, float), np.asarray(est_cents, float)
    voiced = np.ones(len(ref_cents))
    rpa = mir_eval.melody.raw_pitch_accuracy(voiced, ref_cents, voiced, est_cents, cent_tolerance=tolerance)
    rca = mir_eval.melody.raw_chroma_accuracy(voiced, ref_cents, voiced, est_cents, cent_tolerance=tolerance)
    return {"rpa": float(rpa), "rca": float(rca)}
