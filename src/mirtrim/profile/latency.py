"""Batch-1 CPU latency: fixed threads, warm-up, median and spread of repeated timings."""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn


def eager_latency(model: nn.Module, input_shape: tuple[int, ...], threads: int = 1, warmup: int = 10,
                  runs: int = 50, repeats: int = 3) -> dict:
    """Median over ``repeats`` of the median of ``runs`` timed calls, in milliseconds."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    model = model.eval().cpu()
    x = torch.rand(1, *input_shape)
    medians = []
    try:
        with torch.inference_mode():
            for _ in range(warmup):
                model(x)
            for _ in range(repeats):
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    model(x)
                    times.append(time.perf_counter() - start)
                medians.append(statistics.median(times) * 1e3)
    finally:
        torch.set_num_threads(previous)
    return {"latency_ms": statistics.median(medians), "latency_spread": max(medians) / min(medians),
            "threads": threads, "runs": runs, "repeats": repeats}
