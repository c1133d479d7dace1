"""librosa, imported by one process at a time while numba compiles it.

librosa compiles its numba functions with ``cache=True`` into its own ``__pycache__``. Two processes
that compile the same function at once can each write part of its cache (the index of one, the code
of the other), and from then on every process that loads it segfaults (numba/numba#10128): seen
here when Snakemake started the pitch and chord baselines side by side on a new environment, after
which the chord baseline crashed every time until the cache files were deleted. Holding an
exclusive lock while importing librosa and calling the functions this package uses (so that the
lazily compiled ones compile too) lets the first process compile and write the cache alone; the
others wait for it, then load the cache.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

LOCK_NAME = "mirtrim-numba.lock"


def lock_path() -> Path | None:
    """A lock file where numba writes librosa's cache (``NUMBA_CACHE_DIR`` if set, else librosa's
    ``__pycache__``); None where that folder is read-only."""
    spec = importlib.util.find_spec("librosa")
    if spec is None or spec.origin is None:
        return None
    folder = Path(os.environ.get("NUMBA_CACHE_DIR") or Path(spec.origin).parent / "__pycache__")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / LOCK_NAME).touch()
    except OSError:  # a read-only install: numba cannot write a cache there either, so nothing races
        return None
    return folder / LOCK_NAME


def import_librosa(*uses: str):
    """``import librosa``, with the numba code of the functions named in ``uses`` (keys of
    ``WARM_UPS``; none for functions without numba code) compiled, or loaded from the cache, under
    the lock."""
    import fcntl

    global _imported
    todo = [name for name in uses if name not in _warm]
    if _imported and not todo:
        import librosa

        return librosa
    unknown = sorted(set(todo) - set(WARM_UPS))
    if unknown:
        raise ValueError(f"import_librosa: no warm-up for {unknown}; known: {sorted(WARM_UPS)}")
    path = lock_path()
    handle = open(path, "a") if path is not None else None
    try:
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        import librosa

        _warm_up(librosa, todo)
        _imported = True
    finally:
        if handle is not None:
            handle.close()  # closing releases the lock
    return librosa


def _signals():
    import numpy as np

    y = np.random.default_rng(0).standard_normal(22050).astype(np.float32)  # this package's audio is float32
    return y, y[: 4 * 1024].reshape(4, 1024).astype(np.float64)  # the pitch baseline's frames


# per librosa function this package calls, one call on a short signal with the dtype and layout of
# this package's calls: numba compiles some of librosa's code only at its first call
WARM_UPS = {
    "chroma_cqt": lambda lib, y, _: lib.feature.chroma_cqt(y=y, sr=22050, hop_length=512),
    "cqt": lambda lib, y, _: lib.cqt(y, sr=22050, hop_length=512, n_bins=12),
    "mfcc": lambda lib, y, _: lib.feature.mfcc(y=y, sr=22050, n_mfcc=20),
    "rms": lambda lib, y, _: lib.feature.rms(y=y, hop_length=512),
    "split": lambda lib, y, _: lib.effects.split(y, top_db=40),
    "yin": lambda lib, _, frames: lib.yin(frames, fmin=60.0, fmax=2000.0, sr=22050, frame_length=1024,
                                          hop_length=1024, center=False),
}
_warm: set[str] = set()
_imported = False  # librosa's import (which compiles its eagerly typed numba code) ran under the lock


def _warm_up(librosa, names: list[str]) -> None:
    import warnings

    y, frames = _signals()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_fft=.* is too large", category=UserWarning)  # the short signal
        for name in names:
            WARM_UPS[name](librosa, y, frames)
            _warm.add(name)
