"""The chance level of a task: the best input-independent predictor, scored with the task's metric."""

from __future__ import annotations

import copy

import numpy as np
import torch

from mirtrim.metrics.chords import NO_CHORD
from mirtrim.metrics.pitch import N_BINS as N_PITCH_BINS
from mirtrim.train.tasks import ChordTask, PitchTask, Split, TranscriptionTask


def constant_outputs(task, split: Split):
    """(name, logits) of every input-independent predictor worth trying on ``split``.

    Classes (and pitch bins) come from the split's own references, so the best of them is an
    optimistic chance level: a model must beat the best constant guess made with hindsight.
    """
    n = len(split)
    if isinstance(task, TranscriptionTask):
        shape = (n, 2, split.y.shape[1], split.y.shape[2])
        for name, onset in (("no onset", False), ("onset at every frame", True)):
            logits = torch.zeros(shape)
            logits[:, int(onset)] = 1.0
            yield name, logits
        return
    if isinstance(task, PitchTask):
        width, candidates = N_PITCH_BINS, np.unique(split.y.argmax(1).numpy())
    else:
        width, candidates = None, np.unique(split.y.numpy())
        width = NO_CHORD + 1 if isinstance(task, ChordTask) else int(candidates.max()) + 1
    for c in candidates.tolist():
        logits = torch.full((n, width), -10.0)
        logits[:, c] = 10.0
        yield f"class {c}" if width != N_PITCH_BINS else f"bin {c}", logits


def chance_level(task, split: Split) -> dict:
    """The lowest test error of any constant predictor, measured with the task's own metric (onsets:
    frame by frame, as a constant output has no peaks to pick)."""
    if getattr(task, "decoder", None) is not None:
        task = copy.copy(task)
        task.decoder = "argmax"
    best = min(((task.error(logits, split)["error"], name) for name, logits in constant_outputs(task, split)),
               key=lambda t: t[0])
    return {"chance_error": float(best[0]), "chance_predictor": best[1]}
