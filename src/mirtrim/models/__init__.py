"""The paper's architectures, built from a plain ``arch`` dict so checkpoints never pickle modules.
Which class, arguments, input and initialisation a task uses is its entry in ``mirtrim.taskdefs``."""

from __future__ import annotations

from torch import nn

from mirtrim.models.chord_cnn import ChordCNN
from mirtrim.models.common import init_paper
from mirtrim.models.crepe import CREPE
from mirtrim.models.spectral_cnn import SpectralTranscriptionCNN
from mirtrim.models.waveform_cnn import WaveformCNN
from mirtrim.taskdefs import TASK_DEFS, task_def

MODEL_CLASSES = {"waveform_cnn": WaveformCNN, "crepe": CREPE, "chord_cnn": ChordCNN,
                 "spectral_cnn": SpectralTranscriptionCNN}


FRAME_READOUT_MODELS = ("spectral_cnn",)  # the models that take ``frame_readout``


def arch_for(task: str, width: float = 1.0, init: str | None = None, frame_readout: bool = False) -> dict:
    """The ``arch`` dict of a task's model; ``frame_readout`` acts on the onsets/drums model only
    (the fidelity switch of that name), and is left out of the dict when off, as in older checkpoints."""
    if task not in TASK_DEFS:
        raise ValueError(f"no model for task {task!r}; known tasks: {sorted(TASK_DEFS)}")
    arch = {"task": task, "width": float(width), "init": init or TASK_DEFS[task].init}
    if frame_readout and TASK_DEFS[task].model in FRAME_READOUT_MODELS:
        arch["frame_readout"] = True
    return arch


def build_model(arch: dict) -> nn.Module:
    """A freshly initialised dense model of the given architecture."""
    definition = task_def(arch["task"])
    extra = {"frame_readout": True} if arch.get("frame_readout") else {}
    model = MODEL_CLASSES[definition.model](width=arch["width"], **definition.model_kwargs, **extra)
    return init_paper(model, arch.get("init", "xavier"))


def input_shape(task: str) -> tuple[int, ...]:
    return task_def(task).input_shape


def input_seconds(task: str) -> float:
    return task_def(task).input_seconds


def paper_parameters(task: str) -> int:
    return task_def(task).paper_parameters
