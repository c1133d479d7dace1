"""Benchmark: score -> plan -> apply on the paper's 8 M-parameter drums model (CPU), written as JSON.

    python scripts/bench_trim.py --out results/benchmarks/trim_speed.json
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402

from mirtrim.models import arch_for, build_model  # noqa: E402
from mirtrim.prune import apply_kept, kept_from_plan, make_plan  # noqa: E402
from mirtrim.utils.atomic import write_json  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dense = build_model(arch_for("drums", 1.0))
    graph = dense.coupling_graph()
    batches = [torch.randn(64, 64, 50) for _ in range(2)]
    results = {}
    for criterion, scope in (("magnitude", "local"), ("magnitude", "global"), ("batchnorm", "local"),
                             ("activation", "local"), ("random", "local")):
        times = {"score_plan": [], "apply": []}
        for _ in range(args.repeats):
            model = copy.deepcopy(dense)
            start = time.perf_counter()
            plan = make_plan(model, graph, criterion=criterion, scope=scope, percent=25, round_index=1,
                             batches=iter(batches))
            mid = time.perf_counter()
            apply_kept(model, graph, kept_from_plan(plan))
            end = time.perf_counter()
            times["score_plan"].append(mid - start)
            times["apply"].append(end - mid)
        total = [a + b for a, b in zip(times["score_plan"], times["apply"])]
        results[f"{criterion}-{scope}"] = {
            "median_s": statistics.median(total), "min_s": min(total), "max_s": max(total),
            "score_plan_median_s": statistics.median(times["score_plan"]),
            "apply_median_s": statistics.median(times["apply"]),
            "note": "activation includes two forward passes over 64 examples" if criterion == "activation" else ""}
        print(criterion, scope, f"{statistics.median(total):.3f} s")
    write_json(args.out, {"model": "drums width 1", "parameters": sum(p.numel() for p in dense.parameters()),
                          "threads": args.threads, "repeats": args.repeats, "torch": torch.__version__,
                          "machine": platform.processor() or platform.machine(), "results": results})


if __name__ == "__main__":
    main()
