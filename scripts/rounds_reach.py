"""How far each task's Trim rounds can compress, before any training: docs/benchmarks/rounds_reach.{json,md}.

    python scripts/rounds_reach.py --config config.yaml --out docs/benchmarks/rounds_reach.json

With local scope, how many units a round removes depends only on the layer sizes, the rate and the
min-units guard, never on the scores, so the parameter compression of every Trim round is known from
the architecture alone (the criterion only picks *which* units go). This script trims each task's
model at the config's width and rate, round after round, and reports the compression per round and
where the config stops. A grid whose last round stays below a compression target cannot show that
target, whatever the training does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mirtrim import grid  # noqa: E402
from mirtrim.models import build_model  # noqa: E402
from mirtrim.profile.counts import count_parameters  # noqa: E402
from mirtrim.prune import compression_schedule  # noqa: E402
from mirtrim.report.tables import markdown_table  # noqa: E402
from mirtrim.train.rounds import spec_arch  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402


def reach(config: dict, task: str, max_rounds: int, rates: list[float]) -> dict:
    """Parameter compression after each Trim round (local scope) of one task's config, and after
    the config's last round at each of ``rates``."""
    trim = next(m for m in config["methods"] if m["prune"] == "trim" and m["scope"] == "local")
    spec = grid.spec(config, task, grid.run_id(trim, grid.dense_seeds(config)[0]))
    torch.manual_seed(0)  # any weights: with local scope the counts do not depend on them
    model = build_model(spec_arch(spec))
    last = grid.n_rounds(config, task) - 1

    def schedule(percent: float, rounds: int) -> list[float]:
        return [round(c, 3) for c in compression_schedule(model, model.coupling_graph(), percent, rounds,
                                                          spec.method.min_units)]

    return {"width": spec.width, "trim_percent": spec.method.percent,
            "dense_parameters": count_parameters(model), "pruning_rounds": last,
            "compression_per_round": schedule(spec.method.percent, max_rounds),
            "last_round_by_rate": {f"{r:g}": schedule(r, last)[-1] for r in rates}}


def markdown(config_name: str, tasks: dict, target: float) -> str:
    n = max(len(t["compression_per_round"]) for t in tasks.values())
    rows = []
    for task, t in tasks.items():
        last = t["pruning_rounds"]
        cells = [f"**{c:.2f}**" if r == last else f"{c:.2f}" for r, c in enumerate(t["compression_per_round"], 1)]
        first = next((r for r, c in enumerate(t["compression_per_round"], 1) if c >= target), None)
        rows.append([task, f"{t['width']:g}", f"{t['trim_percent']:g}", str(last), *cells,
                     "-" if first is None else f"r{first}"])
    head = ["task", "width", "trim %", "pruning rounds in config", *(f"r{r}" for r in range(1, n + 1)),
            f"first ≥ {target:g}x"]
    rates = list(next(iter(tasks.values()))["last_round_by_rate"])
    by_rate = [[task, str(t["pruning_rounds"]), *(f"**{c:.2f}**" if float(r) == t["trim_percent"] else f"{c:.2f}"
                                                 for r, c in t["last_round_by_rate"].items())]
               for task, t in tasks.items()]
    return "\n".join([
        f"# Parameter compression each Trim round reaches ({config_name})", "",
        "Dense parameters / parameters after the round, local scope, at the config's width and rate. "
        "With local scope the number of units a round removes does not depend on the scores, so these "
        "are exact for every criterion before any training (the default run of b4e9d9b recorded the same "
        "Trim compressions for the models of its day, and at 30 % so did that of e6d8bcb). The models are "
        "the run's, with the default preset's readouts. **Bold**: the config's last round. "
        "Written by `scripts/rounds_reach.py`.", "",
        *markdown_table(head, rows), "",
        "Compression after the config's last round at other rates (**bold**: the config's rate):", "",
        *markdown_table(["task", "pruning rounds", *(f"{r} %" for r in rates)], by_rate), ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--rounds", type=int, default=8, help="rounds to trim (default 8)")
    ap.add_argument("--rates", type=float, nargs="+", default=[25, 30, 35, 40, 45, 50],
                    help="rates (percent) at which to report the last round's compression")
    ap.add_argument("--target", type=float, default=4.0, help="compression target to locate (default 4)")
    ap.add_argument("--out", required=True, help="JSON file; the Markdown table goes beside it")
    a = ap.parse_args()
    config = yaml.safe_load(Path(a.config).read_text())
    grid.check(config)
    tasks = {task: reach(config, task, a.rounds, a.rates) for task in config["tasks"]}
    write_json(a.out, {"config": Path(a.config).name, "target": a.target, "tasks": tasks})
    write_text(Path(a.out).with_suffix(".md"), markdown(Path(a.config).name, tasks, a.target))
    print(Path(a.out).with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
