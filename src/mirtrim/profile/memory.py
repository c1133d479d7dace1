"""Peak resident memory of batch-1 inference, measured in a fresh process.

The child imports torch, loads the checkpoint, resets the kernel's high-water mark of its resident
set (``/proc/self/clear_refs``), runs one forward pass and reads the new mark. A fresh process
matters: in a long-lived one, memory freed by earlier work is reused and hides the forward's need.
Reported: the process's peak (runtime included: what a deployment needs) and the forward pass's
own increase over the loaded model.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as fh:
        return int(re.search(rf"^{key}:\s+(\d+) kB", fh.read(), re.M).group(1)) / 1024.0


def peak_memory(model_path: str, threads: int = 1) -> dict:
    # the child finds this very package, installed or not
    source = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-m", "mirtrim.profile.memory", model_path, str(threads)],
                          capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"peak-memory probe of {model_path} failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _probe(model_path: str, threads: int) -> dict:
    import torch

    from mirtrim.models import input_shape
    from mirtrim.train.checkpoint import load_model

    torch.set_num_threads(threads)
    model, ckpt = load_model(model_path)
    model.eval()
    x = torch.rand(1, *input_shape(ckpt["arch"]["task"]))
    loaded = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # Linux >= 4.0: peak := current
        fh.write("5")
    with torch.inference_mode():
        model(x)
    peak = _status_mb("VmHWM")
    return {"peak_rss_mb": peak, "loaded_rss_mb": loaded, "forward_peak_mb": max(0.0, peak - loaded)}


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], int(sys.argv[2]))))
