"""The one on-disk format shared by synthetic and real data.

A dataset folder holds ``metadata.json`` (generator or source, seed, sample rate, licences, and per
split the example ids with their audio md5), and per split ``<split>/<id>.wav`` plus an annotation
file. Onsets use the tab-separated ``<time in s>\t<label>`` text format of real drum corpora;
continuous f0 uses MDB-stem-synth's ``<time in s>,<f0 in Hz>`` CSV (0 Hz = unvoiced).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

DRUM_CLASSES = ("KD", "SD", "HH")


def write_onsets(path: Path, times: np.ndarray, labels: list[str]) -> None:
    order = np.argsort(times, kind="stable")
    path.write_text("".join(f"{times[i]:.6f}\t{labels[i]}\n" for i in order))


def read_onsets(path: Path, classes: tuple[str, ...] = DRUM_CLASSES) -> tuple[np.ndarray, list[str]]:
    """Read a ``time<TAB>label`` file; a malformed line is one clear error naming file and line."""
    times, labels = [], []
    for lineno, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            t = float(parts[0])
        except (ValueError, IndexError):
            raise ValueError(f"{path}:{lineno}: expected '<time in s>\\t<label>', got {line!r}") from None
        if not np.isfinite(t) or t < 0:
            raise ValueError(f"{path}:{lineno}: onset time must be a finite number >= 0, got {parts[0]}")
        label = parts[1] if len(parts) > 1 else ""
        if label not in classes:
            raise ValueError(f"{path}:{lineno}: label {label!r} is not one of {', '.join(classes)}")
        times.append(t)
        labels.append(label)
    return np.asarray(times, dtype=np.float64), labels


def md5_of(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def write_f0(path: Path, times: np.ndarray, f0_hz: np.ndarray) -> None:
    path.write_text("".join(f"{t:.6f},{f:.4f}\n" for t, f in zip(times, f0_hz)))


def read_f0(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``time,f0`` CSV with increasing times; a malformed line is one error naming file and line."""
    rows = []
    for lineno, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            t, f = (float(v) for v in line.split(","))
        except ValueError:
            raise ValueError(f"{path}:{lineno}: expected '<time in s>,<f0 in Hz>', got {line!r}") from None
        if not (np.isfinite(t) and np.isfinite(f) and t >= 0 and f >= 0) or (rows and t <= rows[-1][0]):
            raise ValueError(f"{path}:{lineno}: need increasing time >= 0 and f0 >= 0 Hz, got {line!r}")
        rows.append((t, f))
    if not rows:
        raise ValueError(f"{path}: no f0 rows")
    times, f0 = np.array(rows).T
    return times, f0


def f0_at(times: np.ndarray, f0_hz: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The f0 in effect at each time of ``at`` (the annotation is a step function of its rows)."""
    return f0_hz[np.clip(np.searchsorted(times, at, side="right") - 1, 0, len(times) - 1)]
