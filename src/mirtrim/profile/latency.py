"""Batch-1 CPU latency: fixed threads, warm-up, median and spread of repeated timings."""

from __future__ import annotations

import statistics
import time
from typing import Callable

import torch
from torch import nn


def time_calls(call: Callable[[], object], warmup: int = 10, runs: int = 50, repeats: int = 3) -> dict:
    """Median over ``repeats`` of the median of ``runs`` timed calls, in milliseconds, and the
    spread (max / min) of those medians: a spread far above 1 means the machine was busy."""
    for _ in range(warmup):
        call()
    medians = []
    for _ in range(repeats):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times) * 1e3)
    return {"latency_ms": statistics.median(medians), "latency_spread": max(medians) / min(medians),
            "runs": runs, "repeats": repeats}


def eager_latency(model: nn.Module, input_shape: tuple[int, ...], threads: int = 1, warmup: int = 10,
                  runs: int = 50, repeats: int = 3) -> dict:
    """Eager PyTorch on the CPU with ``threads`` intra-op threads."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    model = model.eval().cpu()
    x = torch.rand(1, *input_shape)
    try:
        with torch.inference_mode():
            out = time_calls(lambda: model(x), warmup, runs, repeats)
    finally:
        torch.set_num_threads(previous)
    return {**out, "threads": threads}
