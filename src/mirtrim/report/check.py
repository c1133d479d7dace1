"""``mirtrim check``: load every feature file, checkpoint and record a config's run should have, and
say how to rebuild what is broken or missing.

Snakemake decides what to rerun from file times, not contents: a truncated checkpoint or a record
deleted by hand can leave the workflow "up to date" around a hole. ``--forcerun`` on the bad files
rebuilds them and everything downstream of them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from mirtrim import grid


@dataclass(frozen=True)
class Problem:
    path: str
    what: str  # "missing" or why it cannot be read


def expected_files(config: dict) -> list[str]:
    """Every file of the results tree the workflow's figures are computed from, for this config."""
    files = {f"results/features/{grid.dataset_id(config, task)}.npz" for task in config["tasks"]}
    files.add("results/summary.csv")
    for task in config["tasks"]:
        files |= {f"results/baselines/{task}.json", f"results/timing/{task}.json", f"results/summary/{task}.csv"}
        files |= {f"results/runs/{task}/{grid.run_folder(config, task, grid.dense_id(s))}/rewind.pt"
                  for s in grid.dense_seeds(config)}
        for run, r in grid.run_rounds(config, task):
            where = grid.run_folder(config, task, run)
            folder = f"results/runs/{task}/{where}/round{r:02d}"
            files |= {f"{folder}/model.pt", f"{folder}/train.json", f"results/eval/{task}/{where}/round{r:02d}.json",
                      f"results/profile/{task}/{where}/round{r:02d}.json"}
            if r > 0:
                files.add(f"{folder}/plan.json")
    return sorted(files)


def _features(path: Path) -> None:
    from mirtrim.train.rounds import load_features

    if not load_features(path):
        raise ValueError("no arrays")


def _model(path: Path) -> None:
    from mirtrim.train.checkpoint import load_model

    load_model(path)  # the full rebuild: a plan that does not fit its weights is broken too


def _rewind(path: Path) -> None:
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or "state_dict" not in state:
        raise ValueError("no 'state_dict' in the rewind snapshot")


def _json(path: Path) -> None:
    if not json.loads(path.read_text()):
        raise ValueError("empty record")


def _csv(path: Path) -> None:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError("no rows")


READERS = {".npz": _features, ".json": _json, ".csv": _csv}


def _problem(path: Path) -> str | None:
    reader = (_rewind if path.name == "rewind.pt" else _model) if path.suffix == ".pt" else READERS[path.suffix]
    try:
        reader(path)
    except SystemExit as err:  # the loaders' own one-line messages
        return str(err).removeprefix("error: ")
    except Exception as err:  # any failure to load is what this command reports
        text = str(err).split("\n")[0]
        return f"unreadable ({type(err).__name__}: {text})"
    return None


def check_results(config: dict, workdir: str | Path = ".") -> tuple[list[Problem], int]:
    """The problems of the results tree under ``workdir``, and how many files were checked."""
    workdir = Path(workdir)
    problems, files = [], expected_files(config)
    for name in files:
        path = workdir / name
        if not path.exists():
            problems.append(Problem(name, "missing"))
        elif (why := _problem(path)) is not None:  # named as the workflow names it, relative to its folder
            problems.append(Problem(name, why.replace(str(path), name)))
    return problems, len(files)


def repair_command(problems: list[Problem], cores: str = "all") -> str:
    """The Snakemake call that rebuilds the problem files and everything computed from them."""
    paths = " ".join(p.path for p in problems)
    return f"snakemake --cores {cores} figures/all --forcerun {paths}"
