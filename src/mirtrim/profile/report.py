"""The per-round efficiency record of a physical model."""

from __future__ import annotations

import os

from mirtrim.models import INPUT_SECONDS, input_shape
from mirtrim.prune.mask import mask_stats
from mirtrim.profile.counts import forward_costs
from mirtrim.profile.deploy import onnx_profile
from mirtrim.profile.latency import eager_latency
from mirtrim.profile.memory import peak_memory
from mirtrim.train.checkpoint import load_model


def profile_round(model_path: str, threads: int = 1, runs: int = 30, repeats: int = 3, onnx: bool = True) -> dict:
    """Counts (paper convention and MACs), sizes, eager and ONNX Runtime latency, peak memory."""
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
    lat = eager_latency(model, shape, threads=threads, runs=runs, repeats=repeats)
    out.update(lat)
    out["real_time_factor"] = INPUT_SECONDS[task] / (lat["latency_ms"] / 1e3)
    if onnx:
        out.update(onnx_profile(model, shape, threads=threads, runs=runs, repeats=repeats))
        out["ort_real_time_factor"] = INPUT_SECONDS[task] / (out["ort_latency_ms"] / 1e3)
    out.update(memory)
    return out
