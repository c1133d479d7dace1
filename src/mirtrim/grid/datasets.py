"""Dataset ids of a config: which synthetic data to render and which real corpus to prepare."""

from __future__ import annotations

from mirtrim.data.registry import REGISTRY
from mirtrim.taskdefs import task_def

DATA_SEED = 1234  # the schema's default for data_seed

def dataset_id(config: dict, task: str) -> str:
    t = config["tasks"][task]
    if t.get("source", "synthetic") != "synthetic":
        return f"{t['source']}"
    melodies = t.get("melodies", 0)
    return f"{task_def(task).dataset}-{t['scale']}" + (f"-melodies{round(100 * melodies)}" if melodies else "")


# dataset ids as rule wildcards: synthetic ones are rendered (generate_data), real ones prepared from a
# download (prepare_real_data); the patterns are disjoint so that no dataset matches both rules
SCALES = ("tiny", "small", "medium", "paper")  # synthetic data sizes: each generator's SCALES keys, the schema's enum
SYNTHETIC_DATASET = rf"(drumloops|instruments|voices|notes|songs)-({'|'.join(SCALES)})(-melodies\d+)?"
REAL_DATASET = "|".join(sorted(REGISTRY))


def is_synthetic(config: dict, task: str) -> bool:
    return config["tasks"][task].get("source", "synthetic") == "synthetic"


def datasets(config: dict) -> dict[str, dict]:
    """Synthetic dataset id -> generation settings (two tasks may share one dataset)."""
    out = {}
    for task, t in config["tasks"].items():
        if not is_synthetic(config, task):
            continue
        out[dataset_id(config, task)] = {"generator": task_def(task).dataset, "scale": t["scale"],
                                         "seed": config.get("data_seed", DATA_SEED), "melodies": t.get("melodies", 0)}
    return out


def audio_dir(config: dict, dataset: str) -> str | None:
    """The user's audio folder of an annotation-only corpus (from any task using it)."""
    return next((t["audio_dir"] for t in config["tasks"].values()
                 if t.get("source") == dataset and t.get("audio_dir")), None)
