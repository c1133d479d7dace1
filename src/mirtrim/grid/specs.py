"""A run's typed spec built from the config, and the hashed folder it lives in."""

from __future__ import annotations

from mirtrim.grid.datasets import DATA_SEED, dataset_id
from mirtrim.grid.presets import TRAIN_DEFAULTS, TRAIN_KEYS, fidelity
from mirtrim.grid.runs import parse_run
from mirtrim.runspec import MethodSpec, RunSpec, TrainSpec


def spec(config: dict, task: str, run: str) -> RunSpec:
    """Everything a job of (task, run) needs, and nothing else: a config edit reruns only what it touches."""
    method, seed = parse_run(run)
    t = config["tasks"][task]
    if method is not None:
        percent = t["mask_percent"] if method["prune"] == "mask" else t["trim_percent"]
        method = MethodSpec(**method, percent=percent, min_units=t.get("min_units", 3))
    return RunSpec(task=task, run=run, seed=seed, width=t["width"], device=config.get("device", "auto"),
                   train=TrainSpec(**{k: t.get(k, TRAIN_DEFAULTS.get(k)) for k in TRAIN_KEYS}),
                   fidelity=fidelity(config, task), method=method, data=dataset_id(config, task),
                   data_seed=config.get("data_seed", DATA_SEED))


def spec_json(config: dict, task: str, run: str) -> str:
    return spec(config, task, run).to_json()


FOLDER_DIGEST = 8  # hex digits of the spec digest in a run's folder name


def run_folder(config: dict, task: str, run: str) -> str:
    """``<run>/<digest>``: the readable run id, then a short digest of everything that changes its
    results (RunSpec.digest), so runs of two configs that differ in epochs, width or data coexist."""
    return f"{run}/{spec(config, task, run).digest()[:FOLDER_DIGEST]}"


def checked_spec(config: dict, task: str, run: str, digest: str) -> RunSpec:
    """The config's spec of ``run``, if a requested ``<run>/<digest>`` is the config's: a job never
    writes one config's run into another's folder (an old target, or a path typed by hand)."""
    built = spec(config, task, run)
    expected = f"{run}/{built.digest()[:FOLDER_DIGEST]}"
    if expected != f"{run}/{digest}":
        raise ValueError(f"results/runs/{task}/{run}/{digest}: this folder holds a run of other settings than the "
                         f"config's ({expected}); ask for figures/all, or for a path under {expected}")
    return built
