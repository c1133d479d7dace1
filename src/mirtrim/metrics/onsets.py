"""Onset F-measure: the standard one in seconds, and the paper's frame-index variant."""

from __future__ import annotations

import warnings

import numpy as np

WINDOW = 0.05  # s


def _f_measure(ref: np.ndarray, est: np.ndarray, window: float) -> tuple[float, int]:
    """(F, matched count) via mir_eval, silencing its empty-input warnings (handled by callers)."""
    import mir_eval

    if len(ref) == 0 or len(est) == 0:
        return 0.0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matching = mir_eval.util.match_events(ref, est, window)
        f, _, _ = mir_eval.onset.f_measure(ref, est, window=window)
    return float(f), len(matching)


def onset_scores(pred_frames: list[np.ndarray], ref_times: list[np.ndarray], frame_seconds: float,
                 ref_frames: list[np.ndarray] | None = None, empty: str = "one", mode: str = "seconds") -> dict:
    """Mean and micro-averaged onset F over examples.

    ``mode="seconds"`` (default): estimated frame ``i`` is an onset at ``i * hop / sr`` seconds,
    matched to the reference times within 50 ms; an example with no onset in either list scores
    F = 1 (``empty="one"``) or is skipped (``empty="skip"``).
    ``mode="frame_index"`` reproduces the paper: mir_eval on frame indices with the 0.05 window (an
    exact frame match) and F = 0 whenever either list is empty.
    """
    if mode not in ("seconds", "frame_index"):
        raise ValueError(f"onset metric mode must be 'seconds' or 'frame_index', got {mode!r}")
    if empty not in ("one", "skip"):
        raise ValueError(f"empty-example policy must be 'one' or 'skip', got {empty!r}")
    per_example, tp, n_ref, n_est = [], 0, 0, 0
    for i, est in enumerate(pred_frames):
        if mode == "seconds":
            ref = np.unique(np.round(np.asarray(ref_times[i], dtype=np.float64), 6))
            est_t = np.asarray(est, dtype=np.float64) * frame_seconds
        else:
            ref = np.unique(np.asarray(ref_frames[i], dtype=np.float64))
            est_t = np.asarray(est, dtype=np.float64)
        f, matched = _f_measure(ref, est_t, WINDOW)
        tp, n_ref, n_est = tp + matched, n_ref + len(ref), n_est + len(est_t)
        if mode == "seconds" and len(ref) == 0 and len(est_t) == 0:
            if empty == "skip":
                continue
            f = 1.0
        per_example.append(f)
    micro = 2 * tp / (n_ref + n_est) if n_ref + n_est else 1.0
    return {"f_mean": float(np.mean(per_example)) if per_example else float("nan"), "f_micro": float(micro),
            "precision": tp / n_est if n_est else 1.0, "recall": tp / n_ref if n_ref else 1.0,
            "examples": len(per_example)}


THRESHOLDS = tuple(round(0.1 * i, 1) for i in range(1, 10))  # onset-probability thresholds tried on validation


def pick_peaks(prob: np.ndarray, threshold: float) -> np.ndarray:
    """Frames whose onset probability reaches ``threshold`` and is a local maximum: above the frame
    before and not below the frame after, so a run of equal frames gives one onset, its first."""
    p = np.asarray(prob, dtype=np.float64)
    before = np.concatenate([[-np.inf], p[:-1]])
    after = np.concatenate([p[1:], [-np.inf]])
    return np.flatnonzero((p >= threshold) & (p > before) & (p >= after))
