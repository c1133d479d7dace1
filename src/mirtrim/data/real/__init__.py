"""Loaders that turn a downloaded public corpus into the shared on-disk layout (see mirtrim.data.layout)."""

from __future__ import annotations

import importlib
from pathlib import Path

from mirtrim.data.registry import corpus as registry_corpus
from mirtrim.utils.atomic import log


def prepare(name: str, raw: str | Path, out: str | Path, seed: int = 1234, audio_dir: str | Path | None = None,
            progress=log) -> dict:
    """Convert the corpus ``name`` unpacked in ``raw`` (by ``mirtrim download``) into ``out``; the
    folder appears only when complete. ``audio_dir``: the user's audio of annotation-only corpora."""
    corpus = registry_corpus(name)
    raw = Path(raw)
    if not raw.is_dir():
        raise ValueError(f"{raw}: no such folder (download it first: python -m mirtrim download --dataset {name})")
    if audio_dir is not None:
        audio_dir = Path(audio_dir)
        if not corpus.user_audio:
            raise ValueError(f"{name}: its audio comes with the download; --audio-dir is only for annotation-only "
                             f"corpora")
        if not audio_dir.is_dir():
            raise ValueError(f"{audio_dir}: no such audio folder")
    module = importlib.import_module(f"mirtrim.data.real.{corpus.loader}")
    return module.prepare(corpus, raw, Path(out), seed, audio_dir=audio_dir, progress=progress)
