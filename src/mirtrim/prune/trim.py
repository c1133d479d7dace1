"""Physical removal of units: slice weights, biases, norm parameters and buffers, and inputs downstream."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.prune.graph import CONV_TRANSPOSE_TYPES, CouplingError, CouplingGraph, unit_count


def _replace(module: nn.Module, name: str, tensor: torch.Tensor) -> None:
    old = getattr(module, name)
    if isinstance(old, nn.Parameter):
        setattr(module, name, nn.Parameter(tensor.contiguous(), requires_grad=old.requires_grad))
    else:
        module._buffers[name] = tensor.contiguous()


def _slice_out(module: nn.Module, kept: torch.Tensor) -> None:
    dim = 1 if isinstance(module, CONV_TRANSPOSE_TYPES) else 0
    _replace(module, "weight", module.weight.detach().index_select(dim, kept))
    if module.bias is not None:
        _replace(module, "bias", module.bias.detach().index_select(0, kept))
    if isinstance(module, nn.Linear):
        module.out_features = len(kept)
    else:
        module.out_channels = len(kept)


def _slice_in(module: nn.Module, kept_inputs: torch.Tensor) -> None:
    dim = 0 if isinstance(module, CONV_TRANSPOSE_TYPES) else 1
    _replace(module, "weight", module.weight.detach().index_select(dim, kept_inputs))
    if isinstance(module, nn.Linear):
        module.in_features = len(kept_inputs)
    else:
        module.in_channels = len(kept_inputs)


def _slice_norm(module: nn.Module, kept: torch.Tensor) -> None:
    for name in ("weight", "bias", "running_mean", "running_var"):
        tensor = getattr(module, name, None)
        if tensor is not None:
            _replace(module, name, tensor.detach().index_select(0, kept))
    if isinstance(module, nn.LayerNorm):
        module.normalized_shape = (*module.normalized_shape[:-1], len(kept))
    else:
        module.num_features = len(kept)


def apply_kept(model: nn.Module, graph: CouplingGraph, kept: dict[str, list[int]]) -> nn.Module:
    """Keep only the listed unit indices of each named group (indices into the *current* units).

    Groups absent from ``kept`` are left whole. All index sets are computed from the current
    shapes before anything is sliced, so the order of groups does not matter.
    """
    modules = dict(model.named_modules())
    unknown = set(kept) - set(graph.names)
    if unknown:
        raise CouplingError(f"plan names groups the coupling graph does not have: {sorted(unknown)}")
    jobs = []
    for g in graph.groups:
        if g.name not in kept:
            continue
        n = unit_count(modules[g.producer])
        idx = torch.as_tensor(sorted(kept[g.name]), dtype=torch.long)
        if len(idx) == 0:
            raise CouplingError(f"plan removes every unit of '{g.name}'; a layer must keep at least one")
        if int(idx.min()) < 0 or int(idx.max()) >= n or len(set(idx.tolist())) != len(idx):
            raise CouplingError(f"plan for '{g.name}' has indices outside 0..{n - 1} or duplicates")
        jobs.append((g, n, idx))
    device = next(model.parameters()).device
    for g, n, idx in jobs:
        idx = idx.to(device)
        _slice_out(modules[g.producer], idx)
        for norm in g.norms:
            _slice_norm(modules[norm], idx)
        for c in g.consumers:
            _slice_in(modules[c.module], c.input_indices(idx.cpu(), n).to(device))
    return model
