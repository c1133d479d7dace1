"""Relations between config keys that the schema cannot express; each failure is one line naming the key."""

from __future__ import annotations

from mirtrim.data.registry import REGISTRY
from mirtrim.grid.datasets import is_synthetic
from mirtrim.grid.presets import fidelity
from mirtrim.grid.runs import check_methods
from mirtrim.taskdefs import task_def


def check_tasks(config: dict) -> None:
    """Task settings the schema cannot relate to each other; one error line naming the key."""
    for task, t in config["tasks"].items():
        if t.get("rewind_unit", "epoch") == "epoch" and t["rewind_epoch"] > t["epochs"]:
            raise ValueError(f"config tasks.{task}.rewind_epoch: {t['rewind_epoch']} is beyond the "
                             f"{t['epochs']} training epochs; expected 0..{t['epochs']}")
        if (fidelity(config)["rewind_budget"] == "equal" and t.get("rewind_unit", "epoch") == "epoch"
                and t["rewind_epoch"] >= t["epochs"]):
            raise ValueError(f"config tasks.{task}.rewind_epoch: {t['rewind_epoch']} leaves no epoch after the "
                             f"rewind under the equal budget; expected 0..{t['epochs'] - 1}, or set "
                             "fidelity.rewind_budget: extra")
        if t.get("melodies") and task_def(task).dataset != "notes":
            raise ValueError(f"config tasks.{task}.melodies: only the pitch tasks have melodies")


def check_sources(config: dict) -> None:
    """A real source must serve the task, and annotation-only corpora need the user's audio folder."""
    dirs: dict[str, str] = {}
    for task, t in config["tasks"].items():
        if is_synthetic(config, task):
            if "audio_dir" in t:
                raise ValueError(f"config tasks.{task}.audio_dir: only for real sources that publish no audio")
            continue
        corpus = REGISTRY[t["source"]]
        if task not in corpus.tasks:
            raise ValueError(f"config tasks.{task}.source: {corpus.name} serves {', '.join(corpus.tasks)}, "
                             f"not {task}")
        if corpus.user_audio and not t.get("audio_dir"):
            raise ValueError(f"config tasks.{task}.audio_dir: {corpus.name} publishes annotations only; "
                             f"give the folder holding its audio")
        if not corpus.user_audio and "audio_dir" in t:
            raise ValueError(f"config tasks.{task}.audio_dir: {corpus.name} comes with its audio")
        if t.get("audio_dir") and dirs.setdefault(corpus.name, t["audio_dir"]) != t["audio_dir"]:
            raise ValueError(f"config tasks.{task}.audio_dir: tasks sharing {corpus.name} name different folders")


def check(config: dict) -> None:
    """Every relation between keys the schema cannot express; one error line naming the key."""
    check_tasks(config)
    check_methods(config)
    check_sources(config)
