"""How far rounds of local trimming can compress a model, known before any training.

With local scope, how many units a round removes depends only on each layer's size, the rate and
the min-units guard, never on the scores (the criterion only picks *which* units go). So the
parameter compression after every round follows from the architecture alone: choose a rate and a
number of rounds that reach the compression an experiment is about before spending any training.
"""

from __future__ import annotations

import copy

from torch import nn

from mirtrim.prune.graph import CouplingGraph
from mirtrim.prune.plan import kept_from_plan, make_plan
from mirtrim.prune.trim import apply_kept


def _parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def compression_schedule(model: nn.Module, graph: CouplingGraph, percent: float, rounds: int,
                         min_units: int = 3) -> list[float]:
    """Dense parameters / parameters after each of ``rounds`` local trims of ``percent`` (a copy is trimmed)."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    trimmed = copy.deepcopy(model).eval()
    dense = _parameters(trimmed)
    out = []
    for r in range(1, rounds + 1):
        plan = make_plan(trimmed, graph, criterion="magnitude", scope="local", percent=percent,
                         min_units=min_units, round_index=r)
        trimmed = apply_kept(trimmed, graph, kept_from_plan(plan))
        out.append(dense / _parameters(trimmed))
    return out
