"""A workflow run's models as sweep rows (the format of scripts/sweep_dense.py), so that a
sweep page sets them beside rows it trained itself.

    python scripts/sweep_rows_from_run.py --results /tmp/mirtrim-default/results --task singing \
        --out docs/benchmarks/sweeps/yardstick/singing_medium_run.json
    python scripts/sweep_rows_from_run.py --results /tmp/mirtrim-default/results --task onsets \
        --run trim-magnitude-local-rewind --round 3 --out onsets_trim_r3.json

The workflow's round 0 trains exactly as a sweep row does (same code, same seed, one thread), so a
dense model the default run already trained need not be trained again to enter a comparison. Each
row's setting is its data and training settings as the run recorded them (``data``, ``epochs``,
``width``, ...); its validation error is on its own validation split (the split of its ``data``).
With ``--run`` and ``--round``, the rows are that pruning run's models after that round (every seed
the run has): ``steps`` counts the optimiser steps its weights carry since initialisation (a rewound
round starts from k epochs of dense training), ``train_seconds`` the round's own training only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mirtrim.utils.atomic import read_json, write_json  # noqa: E402

SETTING_KEYS = ("batch_size", "epochs", "lr")


def _chance_error(results: Path, task: str) -> float:
    dense = sorted((results / "eval" / task).glob("dense-s*/*/round00.json"))
    if not dense:
        raise SystemExit(f"error: {results}/eval/{task}/dense-s*/*/round00.json: no dense assessment records the "
                         "chance error of this task's test split; run the workflow's assess_round for round 0")
    return read_json(dense[0], "round assessment")["chance_error"]


def run_rows(results: Path, task: str, run: str = "dense", round_index: int = 0) -> list[dict]:
    """One row per seed of ``run`` (a run id without its seed) after round ``round_index``."""
    pattern = f"{run}-s*/*/round{round_index:02d}.json"
    evals = sorted((results / "eval" / task).glob(pattern))
    if not evals:
        raise SystemExit(f"error: {results}/eval/{task}/{pattern}: no model of {task} was assessed there; "
                         "point --results at a workflow run's results folder, and --run / --round at a run it made")
    rows, chance = [], None
    for path in evals:
        record = read_json(path, "round assessment")
        if "chance_error" not in record:  # a property of the test split: round 0 assessments record it
            chance = chance or _chance_error(results, task)
        log = read_json(results / "runs" / task / path.parent.parent.name / path.parent.name /
                        f"round{round_index:02d}" / "train.json", "training log")
        spec = log["spec"]
        which = {} if run == "dense" else {"run": run, "round": round_index}
        setting = {**which, "data": spec["data"], "width": spec["width"],
                   **{k: spec["train"][k] for k in SETTING_KEYS}, "lr_schedule": spec["fidelity"]["lr_schedule"]}
        rows.append({**setting, "seed": record["seed"], "threads": 1, "valid_error": record["valid_error"],
                     "test_error": record["test_error"], "chance_error": record.get("chance_error", chance),
                     "best_epoch": record["best_epoch"], "epochs_trained": record["epochs_trained"],
                     "steps": log.get("steps_since_init", log["steps"]), "parameters": log["parameters"],
                     "train_seconds": round(record["train_seconds"], 1),
                     "valid_curve": [round(h["valid_error"], 4) for h in log["history"]]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", required=True, type=Path, help="a workflow run's results folder")
    ap.add_argument("--task", required=True)
    ap.add_argument("--run", default="dense", help="a run id without its seed (default: the dense models)")
    ap.add_argument("--round", type=int, default=0, help="the round whose models become rows (default 0)")
    ap.add_argument("--out", required=True, help="JSON file in sweep_dense.py's format")
    a = ap.parse_args()
    rows = run_rows(a.results, a.task, a.run, a.round)
    write_json(a.out, {"config": f"the {a.run} models of {a.results}, round {a.round}", "task": a.task,
                       "rows": rows})
    print(f"wrote {a.out}: {len(rows)} rows of {a.task}/{a.run}, round {a.round}")


if __name__ == "__main__":
    main()
