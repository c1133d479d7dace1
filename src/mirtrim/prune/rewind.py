"""Lottery-ticket reset of a trimmed model: rewind to the epoch-k snapshot, or re-initialise."""

from __future__ import annotations

import copy
from typing import Callable

import torch
from torch import nn

from mirtrim.prune.graph import CouplingGraph
from mirtrim.prune.layers import NORM_TYPES
from mirtrim.prune.trim import apply_kept

RESETS = ("rewind", "reinit")


def rewound(
    build_dense: Callable[[], nn.Module],
    graph: CouplingGraph,
    rewind_state: dict[str, torch.Tensor],
    kept_dense: dict[str, list[int]],
    *,
    rewind_norm_stats: bool = True,
    trained: nn.Module | None = None,
    kept: dict[str, list[int]] | None = None,
) -> nn.Module:
    """The dense epoch-k snapshot restricted to the surviving units.

    With ``rewind_norm_stats=False`` (the paper's behaviour) the norm running statistics are
    instead the end-of-round values of ``trained``, sliced by this round's relative plan ``kept``.
    """
    model = build_dense()
    model.load_state_dict(rewind_state)
    apply_kept(model, graph, kept_dense)
    if not rewind_norm_stats:
        if trained is None or kept is None:
            raise ValueError("keeping end-of-round norm statistics needs the trained model and this round's plan")
        copy_norm_statistics(model, apply_kept(copy.deepcopy(trained), graph, kept))
    return model


def copy_norm_statistics(target: nn.Module, source: nn.Module) -> None:
    """Running statistics of every norm layer from ``source`` (same shapes) into ``target``."""
    src_modules = dict(source.named_modules())
    with torch.no_grad():
        for name, module in target.named_modules():
            if isinstance(module, NORM_TYPES) and getattr(module, "running_mean", None) is not None:
                module.running_mean.copy_(src_modules[name].running_mean)
                module.running_var.copy_(src_modules[name].running_var)
                module.num_batches_tracked.copy_(src_modules[name].num_batches_tracked)


def reinitialised(
    build_dense: Callable[[], nn.Module], graph: CouplingGraph, kept_dense: dict[str, list[int]], seed: int,
    initialise: Callable[[nn.Module], object] | None = None,
) -> nn.Module:
    """A fresh random initialisation of the trimmed architecture (the 'Prune' control).

    ``initialise`` re-initialises the trimmed shapes in place: a slice of a dense initialisation has
    the dense fan-in's scale, not the one the trimmed layer's initialiser would give it.
    """
    torch.manual_seed(seed)
    model = apply_kept(build_dense(), graph, kept_dense)
    if initialise is not None:
        torch.manual_seed(seed)
        initialise(model)
    return model
