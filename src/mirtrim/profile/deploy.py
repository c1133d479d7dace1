"""The deployment path: ONNX export of the physical model and its batch-1 latency in ONNX Runtime.

On a 2-core CPU (docs/benchmarks/latency.json) ONNX Runtime ran every paper-width model faster than
eager PyTorch, and trimmed ones about 2x faster; both still level off near 1-2 ms per batch-1 call,
so heavily trimmed models gain less time than MACs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
from torch import nn

from mirtrim.profile.latency import time_calls


def export_onnx(model: nn.Module, input_shape: tuple[int, ...], path: str | Path) -> int:
    """Write the model as ONNX (batch 1, opset of the TorchScript exporter); returns the file size."""
    model = model.eval().cpu()
    x = torch.rand(1, *input_shape)
    with torch.no_grad():
        torch.onnx.export(model, (x,), str(path), dynamo=False, input_names=["x"], output_names=["y"])
    return os.path.getsize(path)


def onnxruntime_latency(path: str | Path, input_shape: tuple[int, ...], threads: int = 1, warmup: int = 10,
                        runs: int = 50, repeats: int = 3) -> dict:
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    x = {"x": np.random.default_rng(0).random((1, *input_shape), dtype=np.float32)}
    out = time_calls(lambda: session.run(None, x), warmup, runs, repeats)
    return {f"ort_{k}": v for k, v in out.items() if k.startswith("latency")}


def export_onnx_size(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Bytes of the model's ONNX file; the file is not kept."""
    with tempfile.TemporaryDirectory() as tmp:
        return export_onnx(model, input_shape, Path(tmp) / "model.onnx")


def onnx_profile(model: nn.Module, input_shape: tuple[int, ...], threads: int = 1, runs: int = 50,
                 repeats: int = 3) -> dict:
    """ONNX file size and ONNX Runtime latency; the exported file is not kept."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        size = export_onnx(model, input_shape, path)
        return {"onnx_bytes": size, **onnxruntime_latency(path, input_shape, threads, runs=runs, repeats=repeats)}
