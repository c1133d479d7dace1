"""One task at the paper's width through every lottery round, for a machine with a GPU.

    python scripts/width1_rounds.py --config docs/benchmarks/width1/onsets.yaml --task onsets \\
        --features results/features/drumloops-small.npz --out docs/benchmarks/width1/onsets.json

Trains the dense round 0 of ``--config``'s task once, then every method of the config through all
its rounds, the methods in parallel processes (``--jobs``), the rounds of one method in order, as the
workflow's train-dense / prune-round / evaluate commands do. Each round's record holds its test and
validation errors and the parameter count of the model (non-zero parameters for a masked one), so
the whole-model compression is dense / that count. The JSON is rewritten after the dense round and
after every method; every round's record is also printed as it ends, so a time limit loses none.
``--summarise A.json B.json`` prints the seed-mean table of finished results (Markdown).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim import grid  # noqa: E402


def _nonzero_parameters(model_path: str) -> int:
    from mirtrim.train.checkpoint import load_model

    model, _ = load_model(model_path)
    return int(sum(int((p != 0).sum()) for p in model.parameters()))


def _record(spec, features: str, round_dir: Path, index: int, seconds: float) -> dict:
    from mirtrim.train.evaluation import evaluate_round

    rec = evaluate_round(spec, features, str(round_dir / "model.pt"), str(round_dir / "train.json"), index)
    keep = ("run", "round", "seed", "test_error", "valid_error", "best_epoch", "epochs_trained", "chance_error")
    return {**{k: rec.get(k) for k in keep}, "nonzero_parameters": _nonzero_parameters(str(round_dir / "model.pt")),
            "seconds": round(seconds, 1)}


def run_method(config: dict, task: str, features: str, run: str, work: str, rounds: int) -> list[dict]:
    import torch

    from mirtrim.train.rounds import run_prune_round

    torch.set_num_threads(1)
    spec = grid.spec(config, task, run)
    dense = Path(work) / grid.dense_id(spec.seed)
    prev, out = dense / "round00" / "model.pt", []
    for r in range(1, rounds):
        round_dir = Path(work) / run / f"round{r:02d}"
        start = time.perf_counter()
        run_prune_round(spec, features, str(prev), str(dense / "rewind.pt"), r, str(round_dir))
        out.append(_record(spec, features, round_dir, r, time.perf_counter() - start))
        print(json.dumps(out[-1]), flush=True)
        prev = round_dir / "model.pt"
    return out


def summary_markdown(paths: list[str]) -> str:
    """Seed means per method and round of one or more result files (one seed each)."""
    import numpy as np

    by: dict[tuple[str, int], list[dict]] = {}
    dense_params = None
    for path in paths:
        for r in json.loads(Path(path).read_text())["rounds"]:
            method = r["run"].rsplit("-s", 1)[0]
            by.setdefault((method, r["round"]), []).append(r)
            if r["round"] == 0:
                dense_params = r["nonzero_parameters"]
    dense = [r["test_error"] for r in by[("dense", 0)]]
    band = float(np.mean(dense) + np.std(dense))
    lines = [f"Dense: test error {np.mean(dense):.3f} +- {np.std(dense):.3f} over {len(dense)} seeds "
             f"({dense_params:,} parameters); band = mean + one standard deviation = {band:.3f}.", "",
             "| method | round | compression (dense / non-zero parameters) | test error (seed mean) | per seed | "
             "valid error (seed mean) | within the dense band |", "|---|---|---|---|---|---|---|"]
    for (method, rnd), rows in sorted(by.items()):
        if method == "dense":
            continue
        test = [r["test_error"] for r in rows]
        valid = [r["valid_error"] for r in rows]
        comp = dense_params / rows[0]["nonzero_parameters"]
        lines.append(f"| {method} | {rnd} | {comp:.2f} | {np.mean(test):.3f} | {' / '.join(f'{t:.3f}' for t in test)} | "
                     f"{np.mean(valid):.3f} | {'yes' if np.mean(test) <= band else 'no'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config")
    ap.add_argument("--task")
    ap.add_argument("--features")
    ap.add_argument("--out", help="the result JSON")
    ap.add_argument("--work", default="/tmp/mirtrim-width1")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--summarise", nargs="+", metavar="JSON", help="only print the seed-mean table of these results")
    a = ap.parse_args()
    if a.summarise:
        print(summary_markdown(a.summarise), end="")
        return
    if not (a.config and a.task and a.features and a.out):
        ap.error("--config, --task, --features and --out are required to run")
    import torch

    from mirtrim.train.rounds import run_dense
    from mirtrim.utils.atomic import write_json

    config = yaml.safe_load(Path(a.config).read_text())
    rounds = config["tasks"][a.task]["rounds"]
    result = {"config": config, "task": a.task, "device": torch.cuda.get_device_name() if torch.cuda.is_available()
              else "cpu", "rounds": []}
    dense_id = grid.dense_id(config["seeds"][0])
    dense_dir = Path(a.work) / dense_id
    start = time.perf_counter()
    run_dense(grid.spec(config, a.task, dense_id), a.features, str(dense_dir / "round00"), str(dense_dir / "rewind.pt"))
    result["rounds"].append(_record(grid.spec(config, a.task, dense_id), a.features, dense_dir / "round00", 0,
                                    time.perf_counter() - start))
    write_json(a.out, result)
    runs = [grid.run_id(m, config["seeds"][0]) for m in config["methods"]]
    with ProcessPoolExecutor(a.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:  # CUDA cannot fork
        futures = [pool.submit(run_method, config, a.task, a.features, run, a.work, rounds) for run in runs]
        for future in futures:
            result["rounds"] += future.result()
            write_json(a.out, result)
    print(f"wrote {a.out}: {len(result['rounds'])} rounds")


if __name__ == "__main__":
    main()
