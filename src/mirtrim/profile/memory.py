"""Peak resident memory of batch-1 inference.

Measured first thing in the profiling job, right after the checkpoint is loaded: the process then
holds what a deployment holds (Python, torch, the model) and nothing freed by earlier work, which the
allocator would reuse and so hide the forward pass's need. The kernel's high-water mark of the
resident set is reset to the current size (``/proc/self/clear_refs``), one forward pass runs and the
new mark is read. Reported: the process's peak (runtime included: what a deployment needs) and the
forward pass's own increase over the loaded model.

An earlier version measured in a child process that imported torch again; on the six dense models of
the default run both gave the same peaks within 2 MB, and the child cost 2.5-3 s per profiling job.
"""

from __future__ import annotations

import re

import torch
from torch import nn


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as fh:
        return int(re.search(rf"^{key}:\s+(\d+) kB", fh.read(), re.M).group(1)) / 1024.0


def peak_memory(model: nn.Module, input_shape: tuple[int, ...], threads: int = 1) -> dict:
    """Call before any other forward pass in this process; see the module's docstring."""
    torch.set_num_threads(threads)
    model.eval()
    x = torch.rand(1, *input_shape)
    loaded = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # Linux >= 4.0: peak := current
        fh.write("5")
    with torch.inference_mode():
        model(x)
    peak = _status_mb("VmHWM")
    return {"peak_rss_mb": peak, "loaded_rss_mb": loaded, "forward_peak_mb": max(0.0, peak - loaded)}
