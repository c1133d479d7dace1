"""The unstructured lottery-ticket baseline: cumulative magnitude masks (nothing is removed).

Maskable tensors are the weights of every weighted layer off the coupling graph's boundary
(``weight_ih``/``weight_hh`` for recurrent layers); biases and norm parameters are never masked.
Each round masks ``percent`` of the still-alive weights: per tensor (``local``), or with one
threshold over all tensors after dividing each by its own largest alive magnitude (``global``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mirtrim.prune.graph import CouplingGraph
from mirtrim.prune.layers import WEIGHTED_TYPES
from mirtrim.prune.selection import SCOPES, percentile_nearest


def maskable_parameters(model: nn.Module, graph: CouplingGraph) -> dict[str, nn.Parameter]:
    out = {}
    for name, module in model.named_modules():
        if isinstance(module, WEIGHTED_TYPES) and name not in graph.boundary:
            for pname, p in module.named_parameters(recurse=False):
                if pname.startswith("weight"):
                    out[f"{name}.{pname}"] = p
    return out


def full_masks(model: nn.Module, graph: CouplingGraph) -> dict[str, torch.Tensor]:
    return {k: torch.ones_like(p, dtype=torch.bool) for k, p in maskable_parameters(model, graph).items()}


def next_masks(model: nn.Module, graph: CouplingGraph, masks: dict[str, torch.Tensor], percent: float,
               scope: str = "local") -> dict[str, torch.Tensor]:
    """Mask ``percent`` of the alive weights with the smallest magnitude (strictly below the cut)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if not 0 <= percent < 100:
        raise ValueError(f"masking rate must be in [0, 100) percent, got {percent}")
    params = maskable_parameters(model, graph)
    if set(params) != set(masks):
        raise ValueError(f"masks do not match the model's maskable weights: {sorted(set(params) ^ set(masks))}")
    mags = {k: params[k].detach().abs().cpu() for k in params}
    if scope == "local":
        cuts = {k: percentile_nearest(mags[k][masks[k]].double().numpy(), percent) if masks[k].any() else 0.0
                for k in params}
        return {k: masks[k] & (mags[k] >= cuts[k]) for k in params}
    scaled = {}
    for k in params:
        top = float(mags[k][masks[k]].max()) if masks[k].any() else 0.0
        scaled[k] = mags[k] / top if top > 0 else torch.zeros_like(mags[k])
    alive = np.concatenate([scaled[k][masks[k]].double().numpy() for k in params])
    cut = percentile_nearest(alive, percent)
    return {k: masks[k] & (scaled[k] >= cut) for k in params}


def apply_masks(model: nn.Module, masks: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    with torch.no_grad():
        for k, m in masks.items():
            params[k].mul_(m.to(params[k].device))


def mask_gradients(model: nn.Module, masks: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    for k, m in masks.items():
        if params[k].grad is not None:
            params[k].grad.mul_(m.to(params[k].device))


def mask_stats(masks: dict[str, torch.Tensor]) -> dict:
    total = sum(m.numel() for m in masks.values())
    alive = sum(int(m.sum()) for m in masks.values())
    return {"maskable": total, "alive": alive, "alive_fraction": alive / total if total else 1.0}
