"""Unit scores: how much each output unit of each group matters (higher = keep)."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import torch
from torch import nn

from mirtrim.prune.graph import CouplingGraph
from mirtrim.prune.inputs import batch_size, call_with, first_n
from mirtrim.prune.layers import NORM_TYPES, RNN_TYPES, incoming_l1, unit_count

CRITERIA = ("magnitude", "activation", "batchnorm", "random")


def magnitude_scores(model: nn.Module, graph: CouplingGraph) -> dict[str, np.ndarray]:
    """L1 norm of each unit's incoming weights over all fan-in dimensions (bias excluded)."""
    modules = dict(model.named_modules())
    return {g.name: incoming_l1(modules[g.producer], g.layer).double().cpu().numpy() for g in graph.groups}


def batchnorm_scores(model: nn.Module, graph: CouplingGraph) -> dict[str, np.ndarray]:
    """|gamma| of the norm layer that follows each producer (network slimming)."""
    modules = dict(model.named_modules())
    out = {}
    for g in graph.groups:
        # the first affine norm after the producer (a depthwise conv in between is not one)
        norm = next((modules[n] for n in g.norms if isinstance(modules[n], NORM_TYPES)
                     and getattr(modules[n], "weight", None) is not None), None)
        if norm is None:
            raise ValueError(f"criterion 'batchnorm' needs an affine norm after '{g.producer}', and it has none")
        out[g.name] = norm.weight.detach().abs().double().cpu().numpy()
    return out


def activation_scores(
    model: nn.Module,
    graph: CouplingGraph,
    batches: Iterable[torch.Tensor],
    max_examples: int = 1000,
    mode: str = "eval",
) -> dict[str, np.ndarray]:
    """Sum over examples and positions of |raw producer output| (before norm and non-linearity).

    ``mode="eval"`` (default) scores under ``no_grad`` with norms frozen; ``mode="train"`` is the
    paper's behaviour: dropout on and BN running statistics updated by the scoring pass.
    """
    if mode not in ("eval", "train"):
        raise ValueError(f"activation mode must be 'eval' or 'train', got {mode!r}")
    modules = dict(model.named_modules())
    sums = {g.name: torch.zeros(unit_count(modules[g.producer], g.layer), dtype=torch.float64) for g in graph.groups}
    hooks = []

    def make_hook(name: str, module: nn.Module):
        unit_dim = 1 if isinstance(module, nn.modules.conv._ConvNd) else -1

        def hook(_module, _inputs, output):
            if isinstance(module, RNN_TYPES):  # (output, state): hidden units of both directions
                y = output[0].detach().abs().double()
                y = y.reshape(*y.shape[:-1], 2 if module.bidirectional else 1, -1).movedim(-1, 0)
            else:
                y = output.detach().abs().double().movedim(unit_dim, 0)
            sums[name] += y.reshape(y.shape[0], -1).sum(1).cpu()

        return hook

    for g in graph.groups:  # refuse before any hook is attached: a refusal leaves the model untouched
        module = modules[g.producer]
        if isinstance(module, RNN_TYPES) and g.layer != module.num_layers - 1:
            raise ValueError(f"criterion 'activation' cannot observe inner layer {g.layer} of recurrent module "
                             f"'{g.producer}' (only its last layer's output is visible)")
    for g in graph.groups:
        hooks.append(modules[g.producer].register_forward_hook(make_hook(g.name, modules[g.producer])))
    was_training = model.training
    model.train(mode == "train")
    seen = 0
    try:
        with torch.set_grad_enabled(False):
            for x in batches:
                if seen >= max_examples:
                    break
                x = first_n(x, max_examples - seen)  # a tensor, or a tuple/dict of model inputs
                call_with(model, x)
                seen += batch_size(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    if seen == 0:
        raise ValueError("criterion 'activation' needs at least one example, and the data gave none")
    return {k: v.numpy() for k, v in sums.items()}


def random_scores(model: nn.Module, graph: CouplingGraph, seed: int) -> dict[str, np.ndarray]:
    """Uniform random scores: the random-unit control."""
    rng = np.random.default_rng(seed)
    modules = dict(model.named_modules())
    return {g.name: rng.random(unit_count(modules[g.producer], g.layer)) for g in graph.groups}


def score_units(model, graph, criterion: str, batches=None, seed: int = 0, activation_mode: str = "eval",
                max_examples: int = 1000) -> dict[str, np.ndarray]:
    if criterion == "magnitude":
        return magnitude_scores(model, graph)
    if criterion == "batchnorm":
        return batchnorm_scores(model, graph)
    if criterion == "activation":
        if batches is None:
            raise ValueError("criterion 'activation' needs data batches")
        return activation_scores(model, graph, batches, max_examples=max_examples, mode=activation_mode)
    if criterion == "random":
        return random_scores(model, graph, seed)
    raise ValueError(f"unknown criterion {criterion!r}; expected one of {CRITERIA}")
