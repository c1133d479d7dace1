"""The timing pass: batch-1 latency of every round's model of a task, measured in one job that holds
every core (so no training or evaluation runs beside it), each architecture timed once.

Latency depends on the layer shapes, not on the weight values: a masked model runs its dense
kernels, and the rounds of every local-scope trim method share their shapes round by round. Models
with one architecture signature therefore share one measurement; each entry says which round's
model was timed (``timed_as``), so a reader sees what was reused.
"""

from __future__ import annotations

import hashlib
import json
import platform

from torch import nn

from mirtrim.profile.report import timings
from mirtrim.train.checkpoint import load_model
from mirtrim.utils.atomic import read_json


def architecture_signature(model: nn.Module, task: str) -> str:
    """Module types and every parameter and buffer shape, in order: equal signatures, equal programs."""
    layout = [task] + [f"{name}:{type(m).__name__}" for name, m in model.named_modules()]
    layout += [f"{k}:{tuple(v.shape)}:{v.dtype}" for k, v in model.state_dict().items()]
    return hashlib.sha256(json.dumps(layout).encode()).hexdigest()[:16]


def time_rounds(models: list[str], train_logs: list[str], threads: int = 1, runs: int = 30, repeats: int = 3,
                onnx: bool = True, progress=print) -> dict:
    """``models[i]`` and ``train_logs[i]`` belong to one round; returns one entry per round."""
    if len(models) != len(train_logs):
        raise SystemExit(f"error: {len(models)} --models but {len(train_logs)} --train-logs; they pair up")
    measured: dict[str, dict] = {}
    rounds = []
    for path, log_path in zip(models, train_logs):
        info = read_json(log_path, "training record")
        model, ckpt = load_model(path)
        task = ckpt["arch"]["task"]
        signature = architecture_signature(model, task)
        here = f"{info['run']}/round{int(info['round']):02d}"
        if signature not in measured:
            measured[signature] = {**timings(model, task, threads, runs, repeats, onnx), "timed_as": here}
            progress(f"timed {task} {here}: {measured[signature]['latency_ms']:.3f} ms")
        rounds.append({"task": task, "run": info["run"], "round": int(info["round"]),
                       "signature": signature, **measured[signature]})
    return {"machine": platform.processor() or platform.machine(), "threads": threads,
            "architectures": len(measured), "rounds": rounds}
