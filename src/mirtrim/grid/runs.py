"""Run ids of a config's grid: methods x seeds, the shared dense round 0 and each run's rounds.

Round 0 (dense training and the rewind snapshot) depends only on the task settings and the seed,
so every method of a task and seed shares it: it lives under the run id ``dense-s<seed>``.
"""

from __future__ import annotations

from mirtrim.grid.datasets import dataset_id


def dense_id(seed: int) -> str:
    return f"dense-s{seed}"


def run_id(method: dict, seed: int) -> str:
    return f"{method['prune']}-{method['criterion']}-{method['scope']}-{method['reset']}-s{seed}"


def check_methods(config: dict) -> None:
    """Combinations the schema cannot express; one error line naming the entry."""
    seen = set()
    for i, m in enumerate(config["methods"]):
        if m["prune"] == "mask" and m["criterion"] != "magnitude":
            raise ValueError(f"config methods[{i}]: masking supports only criterion 'magnitude', got {m['criterion']!r}")
        key = run_id(m, 0)
        if key in seen:
            raise ValueError(f"config methods[{i}]: duplicate method {key[:-3]}")
        seen.add(key)


def describe(config: dict) -> str:
    """The grid this config runs, printed when the workflow starts: task x method x seed."""
    lines = [f"mirtrim grid: {len(config['tasks'])} tasks x {len(config['methods'])} methods, "
             f"dense seeds {dense_seeds(config)}"]
    for task, t in config["tasks"].items():
        lines.append(f"  {task}: {dataset_id(config, task)}, width {t['width']}, {t['epochs']} epochs, "
                     f"{n_rounds(config, task)} rounds, {len(runs(config, task))} pruning runs")
    for m in config["methods"]:
        lines.append(f"  method {run_id(m, 0)[:-3]}: seeds {method_seeds(config, m)}")
    return "\n".join(lines)


def method_seeds(config: dict, method: dict) -> list[int]:
    """A method's own ``seeds`` if it names them, else the run's: extra seeds where the budget allows."""
    return list(method.get("seeds", config["seeds"]))


def dense_seeds(config: dict) -> list[int]:
    """Every seed some method runs: each needs its dense round 0 (same seed = same data order)."""
    return sorted({s for m in config["methods"] for s in method_seeds(config, m)} | set(config["seeds"]))


def runs(config: dict, task: str) -> list[str]:
    """Pruning run ids of a task (dense runs excluded)."""
    check_methods(config)
    return [run_id(m, s) for s in dense_seeds(config) for m in config["methods"] if s in method_seeds(config, m)]


def run_rounds(config: dict, task: str) -> list[tuple[str, int]]:
    """(run, round) of every record a task reports: the shared dense round 0 and each run's rounds."""
    out = [(dense_id(s), 0) for s in dense_seeds(config)]
    for run in runs(config, task):
        out += [(run, r) for r in range(1, n_rounds(config, task))]
    return out


def n_rounds(config: dict, task: str) -> int:
    """Total rounds including round 0, as the paper counts them (15 = dense + 14)."""
    return int(config["tasks"][task]["rounds"])


def parse_run(run: str) -> tuple[dict | None, int]:
    parts = run.split("-")
    seed = int(parts[-1][1:])
    if parts[0] == "dense":
        return None, seed
    return dict(zip(("prune", "criterion", "scope", "reset"), parts[:4])), seed
