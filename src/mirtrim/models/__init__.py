"""The paper's architectures, built from a plain ``arch`` dict so checkpoints never pickle modules."""

from __future__ import annotations

from torch import nn

from mirtrim.models.chord_cnn import ChordCNN
from mirtrim.models.common import init_paper
from mirtrim.models.crepe import CREPE
from mirtrim.models.spectral_cnn import SpectralTranscriptionCNN
from mirtrim.models.waveform_cnn import WaveformCNN

# task -> (constructor, fixed keyword arguments, input shape, initialisation)
TASK_MODELS = {
    "singing": (WaveformCNN, {"n_samples": 132_300, "n_classes": 10, "kernel": 256}, (132_300,), "xavier"),
    "instrument": (WaveformCNN, {"n_samples": 32_768, "n_classes": 13, "kernel": 64}, (32_768,), "xavier"),
    "pitch": (CREPE, {"capacity": 4}, (1024,), "xavier"),
    "pitch_medium": (CREPE, {"capacity": 16}, (1024,), "xavier"),
    "chords": (ChordCNN, {}, (105, 15), "classic"),
    "drums": (SpectralTranscriptionCNN, {"n_heads": 3}, (64, 50), "xavier"),
    "onsets": (SpectralTranscriptionCNN, {"n_heads": 1}, (64, 50), "xavier"),
}
# dense parameter counts at width 1 (paper.md §8)
PAPER_PARAMETERS = {"singing": 1_360_779, "instrument": 796_558, "pitch": 486_552, "pitch_medium": 5_877_288,
                    "chords": 416_207, "drums": 8_038_701, "onsets": 5_730_405}


def arch_for(task: str, width: float = 1.0, init: str | None = None) -> dict:
    if task not in TASK_MODELS:
        raise ValueError(f"no model for task {task!r}; known tasks: {sorted(TASK_MODELS)}")
    return {"task": task, "width": float(width), "init": init or TASK_MODELS[task][3]}


def build_model(arch: dict) -> nn.Module:
    """A freshly initialised dense model of the given architecture."""
    cls, fixed, _, _ = TASK_MODELS[arch["task"]]
    return init_paper(cls(width=arch["width"], **fixed), arch.get("init", "xavier"))


def input_shape(task: str) -> tuple[int, ...]:
    return TASK_MODELS[task][2]


# seconds of audio behind one model input (for the real-time factor)
INPUT_SECONDS = {"singing": 3.0, "instrument": 32_768 / 22_050, "pitch": 1024 / 16_000, "pitch_medium": 1024 / 16_000,
                 "chords": 15 * 2048 / 44_100, "drums": 50 * 1024 / 22_050, "onsets": 50 * 1024 / 22_050}
