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


# the models' additions to the paper (fidelity switches of the same names) and the models that take each
MODEL_SWITCHES = {"frame_readout": ("spectral_cnn",), "pooled_readout": ("waveform_cnn",)}


def arch_for(task: str, width: float = 1.0, init: str | None = None, **switches: bool) -> dict:
    """The ``arch`` dict of a task's model. A switch of ``MODEL_SWITCHES`` acts on its models only,
    and is left out of the dict when off, as in older checkpoints (which so build the paper's model)."""
    if task not in TASK_DEFS:
        raise ValueError(f"no model for task {task!r}; known tasks: {sorted(TASK_DEFS)}")
    unknown = sorted(set(switches) - set(MODEL_SWITCHES))
    if unknown:
        raise ValueError(f"unknown model switch(es) {unknown}; known: {sorted(MODEL_SWITCHES)}")
    arch = {"task": task, "width": float(width), "init": init or TASK_DEFS[task].init}
    model = TASK_DEFS[task].model
    arch.update({name: True for name, on in switches.items() if on and model in MODEL_SWITCHES[name]})
    return arch


def build_model(arch: dict) -> nn.Module:
    """A freshly initialised dense model of the given architecture."""
    definition = task_def(arch["task"])
    extra = {name: True for name in MODEL_SWITCHES if arch.get(name)}
    model = MODEL_CLASSES[definition.model](width=arch["width"], **definition.model_kwargs, **extra)
    return init_paper(model, arch.get("init", "xavier"))


def input_shape(task: str) -> tuple[int, ...]:
    return task_def(task).input_shape


def input_seconds(task: str) -> float:
    return task_def(task).input_seconds


def paper_parameters(task: str) -> int:
    return task_def(task).paper_parameters
