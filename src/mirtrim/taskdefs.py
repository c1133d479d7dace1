"""The task registry: one frozen record per task, read by the schema check, the grid, the models,
training, the baselines and the CLI. Standard library only (the Snakefile parses it).

Adding a task = one entry here plus what is new about it: a model class (``models/``), a dataset kind
(``data/registry.py`` and a feature builder) or an adapter (``train/tasks.py``) when the existing
ones do not fit. README "Extending" walks through it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskDef:
    name: str
    dataset: str  # dataset kind: the generator, the feature builder (data/registry.py)
    model: str  # key of models.MODEL_CLASSES
    input_shape: tuple[int, ...]
    input_seconds: float  # seconds of audio behind one model input (for the real-time factor)
    paper_parameters: int  # dense parameter count at width 1 (paper.md §8)
    adapter: str  # key of train.tasks.ADAPTERS: loss, decoding and metric
    baseline: str  # key of baselines.run.BASELINES: the trivial signal-processing baseline
    error: str  # what the reported error is one minus
    model_args: tuple[tuple[str, object], ...] = ()  # fixed keyword arguments of the model class
    init: str = "xavier"
    union_heads: bool = False  # transcription: one onset stream, the union of the heads' onsets

    @property
    def model_kwargs(self) -> dict:
        return dict(self.model_args)

    @property
    def baseline_needs_features(self) -> bool:
        """Frame baselines are scored on the model's own frames, read from the task's feature file."""
        return self.baseline in ("flux", "yin")


_SPECTRAL_SECONDS = 50 * 1024 / 22_050
_CREPE_SECONDS = 1024 / 16_000

TASK_DEFS: dict[str, TaskDef] = {d.name: d for d in (
    TaskDef("singing", "voices", "waveform_cnn", (132_300,), 3.0, 1_360_779, "classification", "mfcc_centroid",
            "1 - accuracy", (("n_samples", 132_300), ("n_classes", 10), ("kernel", 256))),
    TaskDef("instrument", "instruments", "waveform_cnn", (32_768,), 32_768 / 22_050, 796_558, "classification",
            "mfcc_centroid", "1 - accuracy", (("n_samples", 32_768), ("n_classes", 13), ("kernel", 64))),
    TaskDef("pitch", "notes", "crepe", (1024,), _CREPE_SECONDS, 486_552, "pitch", "yin",
            "1 - raw pitch accuracy", (("capacity", 4),)),
    TaskDef("pitch_medium", "notes", "crepe", (1024,), _CREPE_SECONDS, 5_877_288, "pitch", "yin",
            "1 - raw pitch accuracy", (("capacity", 16),)),
    TaskDef("chords", "songs", "chord_cnn", (105, 15), 15 * 2048 / 44_100, 416_207, "chords", "chroma",
            "1 - chord accuracy (the fidelity's chord_metric)", init="classic"),
    TaskDef("drums", "drumloops", "spectral_cnn", (64, 50), _SPECTRAL_SECONDS, 8_038_701, "transcription", "flux",
            "1 - onset F-measure (mean over kick, snare, hi-hat)", (("n_heads", 3),)),
    TaskDef("onsets", "drumloops", "spectral_cnn", (64, 50), _SPECTRAL_SECONDS, 5_730_405, "transcription", "flux",
            "1 - onset F-measure", (("n_heads", 1),), union_heads=True),
)}


def register(definition: TaskDef) -> None:
    """Add a task (a plugin's, a test's) before the grid, models and CLI read the registry."""
    if definition.name in TASK_DEFS and TASK_DEFS[definition.name] != definition:
        raise ValueError(f"task {definition.name!r} is already registered with other settings")
    TASK_DEFS[definition.name] = definition


def task_def(name: str) -> TaskDef:
    if name not in TASK_DEFS:
        raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(TASK_DEFS)}")
    return TASK_DEFS[name]
