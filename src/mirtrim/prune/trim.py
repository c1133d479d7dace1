"""Physical removal of units: slice weights, biases, norm parameters and buffers, and inputs downstream."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.prune.graph import CouplingGraph
from mirtrim.prune.layers import (CONV_TRANSPOSE_TYPES, GATES, RNN_TYPES, CouplingError, finish_recurrent, input_width,
                                  slice_channelwise, slice_in, slice_out, unit_count, zero_channelwise,
                                  zero_weight_rows)


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
        n = unit_count(modules[g.producer], g.layer)
        idx = torch.as_tensor(sorted(kept[g.name]), dtype=torch.long)
        if len(idx) == 0:
            raise CouplingError(f"plan removes every unit of '{g.name}'; a layer must keep at least one")
        if int(idx.min()) < 0 or int(idx.max()) >= n or len(set(idx.tolist())) != len(idx):
            raise CouplingError(f"plan for '{g.name}' has indices outside 0..{n - 1} or duplicates")
        jobs.append((g, n, idx))
    for names in graph.shared:
        plans = {tuple(sorted(kept[n])) if n in kept else None for n in names}
        if len(plans) > 1:
            raise CouplingError(f"plan keeps different units of the shared set {list(names)}; producers added "
                                "into one stream must keep the same indices")
    device = next(model.parameters()).device
    inputs = _kept_inputs(model, graph, {g.name: (n, idx) for g, n, idx in jobs})  # before any slicing
    recurrent = set()
    for g, n, idx in jobs:
        slice_out(modules[g.producer], idx.to(device), g.layer)
        for norm in g.norms:
            slice_channelwise(modules[norm], idx.to(device))
        if isinstance(modules[g.producer], RNN_TYPES):
            recurrent.add(g.producer)
    for (module, layer), positions in inputs.items():
        slice_in(modules[module], positions.to(device), layer)
        if isinstance(modules[module], RNN_TYPES):
            recurrent.add(module)
    for name in sorted(recurrent):
        finish_recurrent(modules[name], name)
    return model


def _kept_inputs(model: nn.Module, graph: CouplingGraph, trimmed: dict) -> dict:
    """Per consumer input (module, layer) that reads a trimmed group: the input positions it keeps,
    every segment of a concatenation mapped at its current offset, untouched segments kept whole."""
    modules = dict(model.named_modules())
    out = {}
    for (module, layer), placed in graph.segments(model).items():
        if not any(g.name in trimmed for _, g, _ in placed):
            continue
        keep = torch.ones(input_width(modules[module], layer), dtype=torch.bool)
        for offset, g, c in placed:
            if g.name not in trimmed:
                continue
            n, idx = trimmed[g.name]
            segment = torch.zeros(n * c.factor, dtype=torch.bool)
            segment[c.input_indices(idx, n)] = True
            keep[offset:offset + n * c.factor] = segment
        out[(module, layer)] = torch.nonzero(keep).flatten()
    return out


def zero_removed(model: nn.Module, graph: CouplingGraph, kept: dict[str, list[int]]) -> nn.Module:
    """Zero, in place, every unit that ``kept`` removes, so the dense model computes what the trimmed one does.

    A feed-forward unit loses its filter, bias and its norms' gamma AND beta (beta alone would leak
    ``act(beta)`` downstream; with both zero an eval-mode BatchNorm outputs exactly 0 whatever its
    running statistics). A recurrent hidden unit loses its rows in every gate of ``weight_ih``,
    ``weight_hh`` and both biases, in both directions: from ``h0 = 0`` an LSTM keeps ``c = 0`` and
    ``h = o * tanh(c) = 0``, a GRU ``h = (1 - z) * tanh(0) + z * h_prev = 0``, an RNN ``h = act(0) = 0``.
    Its columns in ``weight_hh`` need no zeroing because the unit is always 0.
    """
    modules = dict(model.named_modules())
    with torch.no_grad():
        for g in graph.groups:
            if g.name not in kept:
                continue
            prod = modules[g.producer]
            n = unit_count(prod, g.layer)
            removed = torch.tensor(sorted(set(range(n)) - set(kept[g.name])), dtype=torch.long)
            if len(removed) == 0:
                continue
            if isinstance(prod, RNN_TYPES):
                rows = torch.cat([removed + k * n for k in range(GATES[type(prod)])])
                for name, p in prod.named_parameters():
                    if name.endswith((f"_l{g.layer}", f"_l{g.layer}_reverse")):
                        p[rows.to(p.device)] = 0
                continue
            if isinstance(prod, CONV_TRANSPOSE_TYPES):
                prod.weight.index_fill_(1, removed.to(prod.weight.device), 0)
            else:
                zero_weight_rows(prod, removed)
            if prod.bias is not None:
                prod.bias[removed.to(prod.bias.device)] = 0
            for norm in g.norms:
                zero_channelwise(modules[norm], removed)
    return model
