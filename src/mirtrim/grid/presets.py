"""Fidelity presets (the paper's code vs the corrected default) and the training keys' defaults."""

from __future__ import annotations

FIDELITY_PRESETS = {
    # the better behaviour (paper.md §10)
    "default": {"test_selection": "best_valid", "onset_metric": "seconds", "onset_empty": "one",
                "activation_mode": "eval", "rewind_bn_stats": True, "transcription_loss": "bce",
                "chord_loss": "weighted_ce", "chord_metric": "majmin", "rewind_budget": "equal",
                "lr_schedule": "cosine", "onset_decoder": "peaks", "onset_positive_weight": 1.0,
                "waveform_augment": "none", "spectrogram_augment": "none", "frame_readout": True,
                "pooled_readout": True},
    # the original code's behaviour; onset_empty only acts on the seconds metric (frame_index scores
    # silence 0 by itself) and the original chord code used class-weighted CE, so both stay
    "paper": {"test_selection": "min_over_epochs", "onset_metric": "frame_index", "onset_empty": "one",
              "activation_mode": "train", "rewind_bn_stats": False, "transcription_loss": "ce_on_sigmoid_sum",
              "chord_loss": "weighted_ce", "chord_metric": "accuracy", "rewind_budget": "extra",
              "lr_schedule": "plateau", "onset_decoder": "argmax", "onset_positive_weight": 1.0,
              "waveform_augment": "none", "spectrogram_augment": "none", "frame_readout": False,
              "pooled_readout": False},
}
TRAIN_DEFAULTS = {"batch_size": 64, "patience": 30, "rewind_unit": "epoch", "scheduler_patience": 10,
                  "warmup": 0.0}  # as in the schema
TRAIN_KEYS = ("epochs", "lr", "batch_size", "patience", "rewind_epoch", "rewind_unit", "scheduler_patience",
              "warmup")


TASK_FIDELITY_KEYS = ("lr_schedule",)  # switches a task may set for itself (schema: tasks.<task>.<key>)


def fidelity(config: dict, task: str | None = None) -> dict:
    """The run's switches: the preset, the config's fidelity block, then (given a task) its own overrides."""
    settings = dict(config.get("fidelity", {}))
    preset = settings.pop("preset", "default")
    own = config["tasks"][task] if task is not None else {}
    return {**FIDELITY_PRESETS[preset], **settings, **{k: own[k] for k in TASK_FIDELITY_KEYS if k in own}}
