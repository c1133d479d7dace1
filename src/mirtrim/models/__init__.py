"""The paper's architectures, built from a plain ``arch`` dict so checkpoints never pickle modules."""

from __future__ import annotations

from torch import nn

from mirtrim.models.common import init_paper
from mirtrim.models.spectral_cnn import SpectralTranscriptionCNN

# task -> (constructor, fixed keyword arguments)
TASK_MODELS = {
    "onsets": (SpectralTranscriptionCNN, {"n_heads": 1}),
    "drums": (SpectralTranscriptionCNN, {"n_heads": 3}),
}


def arch_for(task: str, width: float = 1.0, init: str = "xavier") -> dict:
    if task not in TASK_MODELS:
        raise ValueError(f"no model for task {task!r}; known tasks: {sorted(TASK_MODELS)}")
    return {"task": task, "width": float(width), "init": init}


def build_model(arch: dict) -> nn.Module:
    """A freshly initialised dense model of the given architecture."""
    cls, fixed = TASK_MODELS[arch["task"]]
    return init_paper(cls(width=arch["width"], **fixed), arch.get("init", "xavier"))


def input_shape(task: str) -> tuple[int, ...]:
    return {"onsets": (64, 50), "drums": (64, 50)}[task]
