"""Benchmark: one training step (forward, backward, Adam) of each task's model with its convolutions in
the channels-last layout (mirtrim.models.common) against plain ``nn.Conv1d`` / ``nn.Conv2d``, side by
side in one process, at the config's dense width and at the width three trimming rounds approach.

    python scripts/bench_memory_format.py --config config.yaml --out docs/benchmarks/memory_format.md

Inputs are random tensors of each task's input shape at the config's batch size; the loss is the mean
squared logit: the step's cost does not depend on the data. Layouts alternate repeat by repeat and
each cell is the median over repeats, so drift on a noisy machine hits both sides alike.
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import torch  # noqa: E402
import yaml  # noqa: E402

from mirtrim.models import arch_for, build_model, input_shape  # noqa: E402
from mirtrim.models.common import ChannelsLastConv1d, ChannelsLastConv2d  # noqa: E402
from mirtrim.report.tables import markdown_table  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402


LAYOUT_CLASSES = {torch.nn.Conv1d: ChannelsLastConv1d, torch.nn.Conv2d: ChannelsLastConv2d}


def with_layout(model: torch.nn.Module, channels_last: bool) -> torch.nn.Module:
    """A copy of ``model`` whose convolutions all compute in the given layout (same parameters)."""
    model = copy.deepcopy(model)
    for module in model.modules():
        if type(module) in LAYOUT_CLASSES and channels_last:
            module.__class__ = LAYOUT_CLASSES[type(module)]
        if isinstance(module, tuple(LAYOUT_CLASSES.values())):
            module.channels_last = channels_last
    return model


def step_seconds(model: torch.nn.Module, batch: torch.Tensor, steps: int) -> float:
    """Median seconds of one optimiser step, after two warm-up steps."""
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-4)
    model.train()
    times = []
    for i in range(steps + 2):
        start = time.perf_counter()
        loss = model(batch).float().pow(2).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def largest_difference(model: torch.nn.Module, batch: torch.Tensor) -> float:
    """Largest absolute difference between the two layouts' eval-mode outputs, same weights, with
    gradients on (the layout applies to training only)."""
    last, plain = with_layout(model, True).eval(), with_layout(model, False).eval()
    return float((last(batch) - plain(batch)).detach().abs().max())


def measure(task: str, width: float, batch_size: int, repeats: int, steps: int) -> dict:
    torch.manual_seed(0)
    model = build_model(arch_for(task, width))
    batch = torch.randn(batch_size, *input_shape(task))
    layouts = {"channels_last": with_layout(model, True), "plain": with_layout(model, False)}
    times = {name: [] for name in layouts}
    for _ in range(repeats):
        for name, candidate in layouts.items():
            times[name].append(step_seconds(candidate, batch, steps))
    last = statistics.median(times["channels_last"]) * 1e3
    plain = statistics.median(times["plain"]) * 1e3
    uses = any(getattr(m, "channels_last", False) for m in model.modules())
    return {"task": task, "width": round(width, 4), "parameters": sum(p.numel() for p in model.parameters()),
            "batch": batch_size, "uses_channels_last": uses, "plain_ms": round(plain, 2),
            "channels_last_ms": round(last, 2), "speedup": round(plain / last, 3),
            "max_output_difference": largest_difference(model, batch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yaml"))
    parser.add_argument("--out", required=True, help="Markdown; the JSON goes beside it")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = yaml.safe_load(Path(args.config).read_text())
    rows = []
    for task, settings in config["tasks"].items():
        width, rate = settings["width"], settings["trim_percent"] / 100
        for w in (width, width * (1 - rate) ** 3):
            rows.append(measure(task, w, settings["batch_size"], args.repeats, args.steps))
            print(rows[-1], flush=True)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout
    record = {"commit": commit.strip(), "torch": torch.__version__, "threads": args.threads,
              "machine": platform.processor() or platform.machine(), "repeats": args.repeats, "steps": args.steps,
              "rows": rows}
    out = Path(args.out)
    write_json(out.with_suffix(".json"), record)
    write_text(out, render(record))


def render(record: dict) -> str:
    header = ["task", "width", "parameters", "batch", "ships with it", "plain ms/step",
              "channels-last ms/step", "speed-up", "largest output difference"]
    body = [[r["task"], f"{r['width']:.3f}", f"{r['parameters']:,}", r["batch"],
             "yes" if r["uses_channels_last"] else "no", f"{r['plain_ms']:.1f}",
             f"{r['channels_last_ms']:.1f}", f"{r['speedup']:.2f}x", f"{r['max_output_difference']:.1e}"]
            for r in record["rows"]]
    return (f"# Channels-last convolutions: training-step time (commit {record['commit']})\n\n"
            f"One training step (forward, backward, Adam) of each task's model, {record['threads']} thread(s), "
            f"{record['machine']}, torch {record['torch']}; median of {record['repeats']} alternating repeats of "
            f"{record['steps']} steps (`scripts/bench_memory_format.py`). The second row of each task is the "
            "width its three trimming rounds approach (width x (1 - trim rate)^3). 'Ships with it' says "
            "whether the model trains in that layout: the chord CNN keeps plain convolutions. Inference "
            "(evaluation, latency, export) computes as the plain layers in every model.\n\n"
            + "\n".join(markdown_table(header, body)) + "\n")


if __name__ == "__main__":
    main()
