"""Benchmark: batch-1 CPU latency of dense, trimmed and masked paper models, eager and ONNX Runtime.

For each task the paper-width model (random weights: latency does not depend on their values) is
trimmed by each of ``--rounds`` rounds of the task's paper rate (magnitude, local) and, separately,
masked to the same number of rounds at the masking rate. All are timed in one run, one thread, and
the MAC ratio is written beside each latency ratio.

    python scripts/bench_latency.py --out docs/benchmarks/latency.json
"""

from __future__ import annotations

import argparse
import copy
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402

from mirtrim.models import arch_for, build_model, input_shape  # noqa: E402
from mirtrim.profile.counts import forward_costs  # noqa: E402
from mirtrim.profile.deploy import onnx_profile  # noqa: E402
from mirtrim.profile.latency import eager_latency  # noqa: E402
from mirtrim.prune import apply_kept, kept_from_plan, make_plan  # noqa: E402
from mirtrim.prune.mask import apply_masks, full_masks, mask_stats, next_masks  # noqa: E402
from mirtrim.utils.atomic import write_json  # noqa: E402

RATES = {"singing": (25, 30), "instrument": (25, 30), "pitch": (11, 20), "chords": (20, 30), "drums": (25, 30),
         "onsets": (25, 30)}


def measure(model, shape, threads, runs, repeats) -> dict:
    out = {"macs": forward_costs(model, shape)["macs"], "parameters": sum(p.numel() for p in model.parameters())}
    out["eager_ms"] = eager_latency(model, shape, threads=threads, runs=runs, repeats=repeats)["latency_ms"]
    out["ort_ms"] = onnx_profile(model, shape, threads=threads, runs=runs, repeats=repeats)["ort_latency_ms"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--tasks", nargs="+", default=list(RATES))
    parser.add_argument("--rounds", type=int, nargs="+", default=[2, 4, 8], help="trimming / masking rounds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    results = {}
    for task in args.tasks:
        shape = input_shape(task)
        dense = build_model(arch_for(task, 1.0)).eval()
        graph = dense.coupling_graph()
        trim_rate, mask_rate = RATES[task]
        results[task] = {"dense": measure(dense, shape, args.threads, args.runs, args.repeats)}
        trimmed, masked, masks, done = copy.deepcopy(dense), copy.deepcopy(dense), full_masks(dense, graph), 0
        for rounds in sorted(args.rounds):
            for r in range(done + 1, rounds + 1):
                plan = make_plan(trimmed, graph, criterion="magnitude", scope="local", percent=trim_rate,
                                 round_index=r)
                apply_kept(trimmed, graph, kept_from_plan(plan))
                masks = next_masks(masked, graph, masks, mask_rate)
            done = rounds
            apply_masks(masked, masks)
            row = {name: measure(m, shape, args.threads, args.runs, args.repeats)
                   for name, m in (("trimmed", trimmed), ("masked", masked))}
            row["masked"]["alive_fraction"] = mask_stats(masks)["alive_fraction"]
            dense_row = results[task]["dense"]
            for name in ("trimmed", "masked"):
                row[name]["mac_reduction"] = dense_row["macs"] / row[name]["macs"]
                for key in ("eager_ms", "ort_ms"):
                    row[name][f"{key[:-3]}_speedup"] = dense_row[key] / row[name][key]
                best = max(row[name]["eager_speedup"], row[name]["ort_speedup"])
                row[name]["best_speedup_over_mac_reduction"] = best / row[name]["mac_reduction"]
            results[task][f"round{rounds:02d}"] = row
            t = row["trimmed"]
            print(f"{task:10s} r{rounds}: dense {dense_row['eager_ms']:.2f}/{dense_row['ort_ms']:.2f} ms  trimmed "
                  f"{t['eager_ms']:.2f}/{t['ort_ms']:.2f} ms  MACs x{t['mac_reduction']:.1f}  speed-up eager "
                  f"x{t['eager_speedup']:.1f} ORT x{t['ort_speedup']:.1f} (best/MACs "
                  f"{t['best_speedup_over_mac_reduction']:.2f})  masked ORT x{row['masked']['ort_speedup']:.2f}",
                  flush=True)
    write_json(args.out, {"rounds": args.rounds, "threads": args.threads, "runs": args.runs,
                          "repeats": args.repeats, "torch": torch.__version__,
                          "machine": platform.processor() or platform.machine(), "results": results})


if __name__ == "__main__":
    main()
