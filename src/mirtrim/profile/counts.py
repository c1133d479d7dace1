"""Static cost of one batch-1 forward pass, from forward hooks on the leaf modules.

``macs`` counts multiply-accumulates of conv, linear and recurrent layers (bias excluded). ``flops_paper``
follows the paper's torchstat fork (its §6): conv k*Cin*Cout per output position plus Cout per
position for the bias, linear in*out, BatchNorm 2*numel, ReLU numel, MaxPool2d input numel.
``memory_read``/``memory_write`` are bytes of (inputs + parameters) / outputs of conv, linear,
norm, ReLU and pool layers; ``activation_mb`` is the paper's "size" (all leaf outputs, MB).
GRU/LSTM/RNN layers are counted in closed form (``recurrent_macs``, added to ``flops_paper`` like
a linear layer); their gate non-linearities and element-wise products are not counted.
Layers marked ``paper_uncounted`` (applied functionally in the paper's code) add MACs only.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from mirtrim.prune.layers import CONV_TRANSPOSE_TYPES, CONV_TYPES, GATES, RNN_TYPES

BYTES = 4
MEMORY_TYPES = CONV_TYPES + CONV_TRANSPOSE_TYPES + (nn.Linear, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d,
                                                    nn.ReLU, nn.MaxPool2d)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def recurrent_macs(module: nn.RNNBase, steps: int, batch: int = 1) -> int:
    """MACs of GRU/LSTM/RNN weights over ``steps`` time steps: per step, layer and direction,
    gates * (input * hidden + hidden * hidden); layer k > 0 reads hidden * directions inputs."""
    if getattr(module, "proj_size", 0):
        raise ValueError(f"{type(module).__name__} with proj_size={module.proj_size}: forward_costs counts only "
                         f"proj_size=0")
    gates, hidden = GATES[type(module)], module.hidden_size
    dirs = 2 if module.bidirectional else 1
    total = 0
    for layer in range(module.num_layers):
        inputs = module.input_size if layer == 0 else hidden * dirs
        total += gates * (inputs * hidden + hidden * hidden)
    return total * dirs * steps * batch


def _sequence(module: nn.RNNBase, x) -> tuple[int, int]:
    """(time steps, batch) of a recurrent layer's input; a packed sequence is refused, not guessed."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"forward_costs cannot count a {type(module).__name__} fed a {type(x).__name__}; "
                         f"pass a padded tensor")
    if x.dim() == 2:  # unbatched (T, features)
        return x.shape[0], 1
    return (x.shape[1], x.shape[0]) if module.batch_first else (x.shape[0], x.shape[1])


def forward_costs(model: nn.Module, input_shape: tuple[int, ...]) -> dict:
    totals = {"macs": 0, "flops_paper": 0, "memory_read": 0, "memory_write": 0, "activation_bytes": 0}

    def hook(module, inputs, output):
        x = inputs[0]
        y = output[0] if isinstance(module, RNN_TYPES) else output  # recurrent: (sequence, state)
        own = sum(p.numel() for p in module.parameters(recurse=False))
        if isinstance(module, CONV_TYPES + CONV_TRANSPOSE_TYPES):
            positions = y.numel() // y.shape[1]
            kernel = math.prod(module.kernel_size) * (module.in_channels // module.groups)
            macs = positions * kernel * module.out_channels
            totals["macs"] += macs
            totals["flops_paper"] += macs + (positions * module.out_channels if module.bias is not None else 0)
        elif isinstance(module, nn.Linear):
            macs = y.numel() // module.out_features * module.in_features * module.out_features
            totals["macs"] += macs
            totals["flops_paper"] += macs
        elif isinstance(module, RNN_TYPES):
            macs = recurrent_macs(module, *_sequence(module, x))
            totals["macs"] += macs
            totals["flops_paper"] += macs
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            totals["flops_paper"] += 2 * x.numel()
        elif isinstance(module, nn.ReLU) and not getattr(module, "paper_uncounted", False):
            totals["flops_paper"] += x.numel()
        elif isinstance(module, nn.MaxPool2d):
            totals["flops_paper"] += x.numel()
        if getattr(module, "paper_uncounted", False):
            return
        if isinstance(module, MEMORY_TYPES):
            totals["memory_read"] += (x.numel() + own) * BYTES
            totals["memory_write"] += y.numel() * BYTES
        totals["activation_bytes"] += y.numel() * BYTES

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.rand(1, *input_shape, device=next(model.parameters()).device))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    out = {k: int(v) for k, v in totals.items()}
    out["activation_mb"] = out.pop("activation_bytes") / 2**20
    out["parameters"] = count_parameters(model)
    return out
