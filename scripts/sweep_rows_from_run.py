"""A workflow run's dense models as sweep rows (the format of scripts/sweep_dense.py), so that a
sweep page sets them beside rows it trained itself.

    python scripts/sweep_rows_from_run.py --results /tmp/mirtrim-default/results --task singing \
        --out docs/benchmarks/sweeps/yardstick/singing_medium_run.json

The workflow's round 0 trains exactly as a sweep row does (same code, same seed, one thread), so a
dense model the default run already trained need not be trained again to enter a comparison. Each
row's setting is its data and training settings as the run recorded them (``data``, ``epochs``,
``width``, ...); its validation error is on its own validation split (the split of its ``data``).
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


def dense_rows(results: Path, task: str) -> list[dict]:
    evals = sorted((results / "eval" / task).glob("dense-s*/*/round00.json"))
    if not evals:
        raise SystemExit(f"error: {results}/eval/{task}/dense-s*/*/round00.json: no dense model of {task} "
                         "was assessed there; point --results at a workflow run's results folder")
    rows = []
    for path in evals:
        record = read_json(path, "round assessment")
        log = read_json(results / "runs" / task / path.parent.parent.name / path.parent.name / "round00" / "train.json",
                        "training log")
        spec = log["spec"]
        setting = {"data": spec["data"], "width": spec["width"], **{k: spec["train"][k] for k in SETTING_KEYS},
                   "lr_schedule": spec["fidelity"]["lr_schedule"]}
        rows.append({**setting, "seed": record["seed"], "threads": 1, "valid_error": record["valid_error"],
                     "test_error": record["test_error"], "chance_error": record["chance_error"],
                     "best_epoch": record["best_epoch"], "epochs_trained": record["epochs_trained"],
                     "steps": log["steps"], "train_seconds": round(record["train_seconds"], 1),
                     "valid_curve": [round(h["valid_error"], 4) for h in log["history"]]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", required=True, type=Path, help="a workflow run's results folder")
    ap.add_argument("--task", required=True)
    ap.add_argument("--out", required=True, help="JSON file in sweep_dense.py's format")
    a = ap.parse_args()
    rows = dense_rows(a.results, a.task)
    write_json(a.out, {"config": f"the dense models of {a.results}", "task": a.task, "rows": rows})
    print(f"wrote {a.out}: {len(rows)} dense rows of {a.task}")


if __name__ == "__main__":
    main()
