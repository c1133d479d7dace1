"""The 25-class major/minor/N chord vocabulary and mir_eval chord scores on frame labels."""

from __future__ import annotations

import warnings

import numpy as np

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
N_CLASSES = 25
NO_CHORD = 24


def class_label(index: int) -> str:
    """0-11 major on C..B, 12-23 minor, 24 no-chord (the paper's alphabet a0)."""
    if index == NO_CHORD:
        return "N"
    return f"{PITCH_CLASSES[index % 12]}:{'maj' if index < 12 else 'min'}"


def label_class(label: str) -> int:
    """A Harte label reduced to the 25 classes with mir_eval's maj/min semantics (others -> nearest triad)."""
    import mir_eval

    if label in ("N", "X"):
        return NO_CHORD
    root, intervals, _ = mir_eval.chord.encode(label)
    if root < 0:
        return NO_CHORD
    minor = bool(intervals[3]) and not intervals[4]
    return root + (12 if minor else 0)


def transpose_class(index: int, semitones: int) -> int:
    if index == NO_CHORD:
        return index
    return (index % 12 + semitones) % 12 + (12 if index >= 12 else 0)


def chord_scores(ref: np.ndarray, est: np.ndarray) -> dict:
    """Frame accuracy (the paper) and mir_eval majmin / mirex scores, frames weighted equally."""
    import mir_eval

    ref, est = np.asarray(ref), np.asarray(est)
    ref_labels = [class_label(int(i)) for i in ref]
    est_labels = [class_label(int(i)) for i in est]
    weights = np.ones(len(ref))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        majmin = mir_eval.chord.weighted_accuracy(mir_eval.chord.majmin(ref_labels, est_labels), weights)
        mirex = mir_eval.chord.weighted_accuracy(mir_eval.chord.mirex(ref_labels, est_labels), weights)
    return {"accuracy": float((ref == est).mean()), "majmin": float(majmin), "mirex": float(mirex)}
