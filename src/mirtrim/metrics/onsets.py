"""Onset F-measure: the standard one in seconds, and the paper's frame-index variant (mir_eval's
matching and F, computed without its graph search)."""

from __future__ import annotations

import numpy as np

WINDOW = 0.05  # s


def match_count(ref: np.ndarray, est: np.ndarray, window: float) -> int:
    """The size of ``mir_eval.util.match_events(ref, est, window)``, in one linear pass.

    mir_eval builds the bipartite graph of pairs with ``est - window <= ref <= est + window`` and
    runs Hopcroft-Karp on it (with its import, 1.1 s of a 24 s drum round, timed side by side). On a
    line, the window of each estimate moves right with the estimate, so giving every estimate, in
    order, the earliest reference still free inside its window is a maximum matching; the
    comparisons are mir_eval's own float expressions, so the count is the same (tests check it
    against mir_eval)."""
    ref, est = np.asarray(ref, dtype=np.float64), np.asarray(est, dtype=np.float64)
    if (np.diff(ref) < 0).any() or (np.diff(est) < 0).any():
        raise ValueError("onset times must be in increasing order (mir_eval's rule)")
    lo, hi = (est - window).tolist(), (est + window).tolist()
    refs, n, i, matched = ref.tolist(), len(ref), 0, 0
    for low, high in zip(lo, hi):
        while i < n and refs[i] < low:
            i += 1
        if i < n and refs[i] <= high:
            matched, i = matched + 1, i + 1
    return matched


def f_measure(ref: np.ndarray, est: np.ndarray, window: float) -> tuple[float, int]:
    """(F, matched count), as ``mir_eval.onset.f_measure`` computes F; 0 when either list is empty
    (callers apply their own empty-example policy)."""
    if len(ref) == 0 or len(est) == 0:
        return 0.0, 0
    matched = match_count(ref, est, window)
    if matched == 0:
        return 0.0, 0
    precision, recall = float(matched) / len(est), float(matched) / len(ref)
    return 2.0 * precision * recall / (precision + recall), matched  # mir_eval.util.f_measure, beta 1


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
        f, matched = f_measure(ref, est_t, WINDOW)
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
