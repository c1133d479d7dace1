"""Sweep dense (round-0) training settings of one task and record validation error, test error and cost.

    python scripts/sweep_dense.py --config .test/config.yaml --task singing --features F.npz \\
        --set epochs=8,16 --set lr=0.003,0.001 --out docs/benchmarks/sweeps/tiny_singing.json

Every combination of the ``--set`` values (task keys such as epochs, lr, batch_size, width, warmup;
fidelity switches such as ``lr_schedule`` and ``onset_decoder``) trains the dense model once, one after the other, on the
features the workflow built. Settings are to be chosen on ``valid_error`` (the best-validation
epoch's error); the test error is printed beside it for the record only. Results go to ``--out``
(JSON, and the same table as Markdown beside it), rewritten after every combination, so an
interrupted sweep keeps what it measured.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim import grid  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def combinations(sets: list[str]) -> list[dict]:
    keys, values = [], []
    for item in sets:
        key, _, raw = item.partition("=")
        if not raw:
            raise SystemExit(f"error: --set {item!r}: expected key=value[,value...]")
        keys.append(key)
        values.append([_value(v) for v in raw.split(",")])
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def yardstick_error(spec, features: str, yardstick: str, model_path: str, train_log: str) -> float:
    """The trained model's error on ``yardstick``'s validation split: one set of examples on which
    rows trained on different feature files (small and medium data) compare. Refused when any of
    its groups (programs, kits, players) was in this model's training split."""
    from mirtrim.train.checkpoint import load_model
    from mirtrim.train.loop import evaluate
    from mirtrim.train.rounds import task_data
    from mirtrim.train.tasks import TranscriptionTask

    _, trained, _, _ = task_data(spec.task, spec.fidelity, features)
    task, _, valid, _ = task_data(spec.task, spec.fidelity, yardstick)
    seen = set(trained.groups) & set(valid.groups)
    if seen:
        raise SystemExit(f"error: --yardstick {yardstick}: its validation groups {sorted(seen)[:5]} are in the "
                         f"training split of {features}; pick a feature file whose validation groups are held out")
    if isinstance(task, TranscriptionTask) and task.decoder == "peaks":
        task = task.with_threshold(json.loads(Path(train_log).read_text())["decoder_threshold"])
    model, _ = load_model(model_path)
    return float(evaluate(model, task, valid, "cpu")["error"])


def train_once(config: dict, task: str, features: str, setting: dict, seed: int, threads: int = 1,
               yardstick: str | None = None) -> dict:
    import torch

    from mirtrim.train.evaluation import evaluate_round
    from mirtrim.train.rounds import run_dense

    config = json.loads(json.dumps(config))
    t = config["tasks"][task]
    if "epochs" in setting and "rewind_epoch" not in setting and "rewind_epoch" in t:
        # keep the rewind point at the config's fraction of training (round 0 does not depend on it)
        t["rewind_epoch"] = round(t["rewind_epoch"] / t["epochs"] * setting["epochs"])
    for key, value in setting.items():
        if key in grid.TASK_FIDELITY_KEYS:  # a switch the task may set for itself: its own key wins
            config["tasks"][task][key] = value
        elif key in grid.FIDELITY_PRESETS["default"]:  # a fidelity switch (onset_decoder, ...)
            config.setdefault("fidelity", {})[key] = value
        else:
            config["tasks"][task][key] = value
    grid.check_tasks(config)
    spec = grid.spec(config, task, grid.dense_id(seed))
    torch.set_num_threads(threads)  # the workflow trains with one; more changes the reduction order
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_dense(spec, features, tmp, f"{tmp}/rewind.pt", log=lambda *_: None)
        seconds = time.perf_counter() - start
        record = evaluate_round(spec, features, f"{tmp}/model.pt", f"{tmp}/train.json", 0)
        log = json.loads(Path(f"{tmp}/train.json").read_text())
        common = ({"yardstick_valid_error": yardstick_error(spec, features, yardstick, f"{tmp}/model.pt",
                                                            f"{tmp}/train.json")} if yardstick else {})
    return {**setting, "seed": seed, "threads": threads, "valid_error": record["valid_error"], **common,
            "test_error": record["test_error"],
            "chance_error": record.get("chance_error"), "best_epoch": log["best_epoch"],
            "epochs_trained": log["epochs_trained"], "steps": log["steps"], "parameters": log["parameters"],
            "train_seconds": round(seconds, 1),
            # the plateau schedule does not depend on the epoch count: a shorter training is this curve's prefix
            "valid_curve": [round(h["valid_error"], 4) for h in log["history"]]}


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",")]


def markdown(rows: list[dict], title: str) -> str:
    keys = [k for k in rows[0] if k != "valid_curve"]
    from mirtrim.report.tables import markdown_table

    cells = ([f"{r[k]:.3f}" if isinstance(r[k], float) else str(r[k]) for k in keys] for r in rows)
    lines = [f"# {title}", "", "Chosen on `valid_error`; `test_error` is for the record only.", "",
             *markdown_table(keys, cells)]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--task", required=True)
    ap.add_argument("--features", required=True, help="the task's feature file (.npz) as the workflow built it")
    ap.add_argument("--set", action="append", default=[], help="key=v1,v2,... (repeatable: the grid is their product)")
    ap.add_argument("--seeds", default="0", help="comma-separated seeds, each combination trained once per seed")
    ap.add_argument("--threads", default="1",
                    help="comma-separated torch thread counts, each combination trained once per count (the workflow uses 1)")
    ap.add_argument("--yardstick", help="a feature file of the same task (e.g. its medium data) whose validation split "
                    "every row is also scored on, so that rows trained on different data compare on one set")
    ap.add_argument("--out", required=True, help="JSON file; a Markdown table is written beside it")
    a = ap.parse_args()
    config = yaml.safe_load(Path(a.config).read_text())
    if a.task not in config["tasks"]:
        raise SystemExit(f"error: {a.config} has no task {a.task!r}; it has {sorted(config['tasks'])}")
    rows = []
    for setting in combinations(a.set) or [{}]:
        for seed, threads in itertools.product(_ints(a.seeds), _ints(a.threads)):
            rows.append(train_once(config, a.task, a.features, setting, seed, threads, a.yardstick))
            print(json.dumps(rows[-1]), flush=True)
            write_json(a.out, {"config": a.config, "task": a.task, "features": a.features,
                                 "yardstick": a.yardstick, "rows": rows})
            write_text(Path(a.out).with_suffix(".md"), markdown(rows, f"{a.task}: dense sweep on {a.config}"))


if __name__ == "__main__":
    main()
