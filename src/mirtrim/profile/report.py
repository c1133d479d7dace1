"""The per-round efficiency record of a physical model: what it costs (counts, sizes, memory) and,
separately, how fast it runs (``timings``), which the workflow measures in a pass of its own."""

from __future__ import annotations

import os

from torch import nn

from mirtrim.models import input_seconds, input_shape
from mirtrim.prune.mask import mask_stats
from mirtrim.profile.counts import forward_costs
from mirtrim.profile.deploy import export_onnx_size, onnx_profile
from mirtrim.profile.latency import eager_latency
from mirtrim.profile.memory import peak_memory
from mirtrim.train.checkpoint import load_model


def cost_record(model_path: str, threads: int = 1, onnx: bool = True) -> dict:
    """Counts (paper convention and MACs), file sizes and peak memory: no timing, so any other job
    may run beside it."""
    model, ckpt = load_model(model_path)
    task = ckpt["arch"]["task"]
    shape = input_shape(task)
    memory = peak_memory(model, shape, threads)  # first: before any other work reuses freed memory
    out = {"task": task, **forward_costs(model, shape), "checkpoint_bytes": os.path.getsize(model_path)}
    # a masked model keeps its dense cost; report its surviving weights beside it, honestly labelled
    masks = mask_stats(ckpt["masks"]) if ckpt.get("masks") else None
    out["masked"] = masks is not None
    out["alive_fraction"] = masks["alive_fraction"] if masks else 1.0
    out["parameters_nominal"] = out["parameters"] - (masks["maskable"] - masks["alive"] if masks else 0)
    if onnx:
        out["onnx_bytes"] = export_onnx_size(model, shape)
    out.update(memory)
    return out


def timings(model: nn.Module, task: str, threads: int = 1, runs: int = 30, repeats: int = 3,
            onnx: bool = True) -> dict:
    """Batch-1 eager (and ONNX Runtime) latency with their spreads and real-time factors."""
    shape = input_shape(task)
    out = dict(eager_latency(model, shape, threads=threads, runs=runs, repeats=repeats))
    out["real_time_factor"] = input_seconds(task) / (out["latency_ms"] / 1e3)
    if onnx:
        ort = onnx_profile(model, shape, threads=threads, runs=runs, repeats=repeats)
        out.update({k: v for k, v in ort.items() if k != "onnx_bytes"})
        out["ort_real_time_factor"] = input_seconds(task) / (out["ort_latency_ms"] / 1e3)
    return out


def profile_round(model_path: str, threads: int = 1, runs: int = 30, repeats: int = 3, onnx: bool = True) -> dict:
    """Both records of one model in one process (the ``profile`` command, for a model of one's own)."""
    out = cost_record(model_path, threads, onnx)
    model, _ckpt = load_model(model_path)
    out.update(timings(model, out["task"], threads, runs, repeats, onnx))
    return out
