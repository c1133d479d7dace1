"""Trim plans: the JSON record of one round's decision, and their composition across rounds.

``kept`` indexes the units of the previous round; ``kept_dense`` indexes the dense (round-0)
units, so that replaying ``kept_dense`` on a fresh dense model rebuilds round ``r`` directly.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from mirtrim.prune.criteria import score_units
from mirtrim.prune.graph import CouplingGraph, unit_counts
from mirtrim.prune.selection import select_units

PLAN_FORMAT = "mirtrim-trim-plan/1"


def compose(kept_dense_prev: dict[str, list[int]] | None, kept: dict[str, list[int]]) -> dict[str, list[int]]:
    """Map this round's relative indices back to dense indices."""
    if kept_dense_prev is None:
        return {k: list(v) for k, v in kept.items()}
    return {name: [kept_dense_prev[name][i] for i in idx] for name, idx in kept.items()}


def make_plan(
    model: nn.Module,
    graph: CouplingGraph,
    *,
    criterion: str,
    scope: str,
    percent: float,
    min_units: int = 3,
    round_index: int,
    kept_dense_prev: dict[str, list[int]] | None = None,
    batches=None,
    seed: int = 0,
    activation_mode: str = "eval",
) -> dict:
    """Score the units of ``model`` and decide which survive: the round's plan document."""
    scores = score_units(model, graph, criterion, batches=batches, seed=seed, activation_mode=activation_mode)
    kept = select_units(scores, percent, scope=scope, min_units=min_units, ties=graph.ties(), shared=graph.shared)
    kept_dense = compose(kept_dense_prev, kept)
    before = unit_counts(model, graph)
    groups = {
        name: {
            "units_before": before[name],
            "units_after": len(kept[name]),
            "kept": kept[name],
            "kept_dense": kept_dense[name],
            "scores": [float(x) for x in np.asarray(scores[name])],
        }
        for name in graph.names
    }
    return {
        "format": PLAN_FORMAT,
        "round": round_index,
        "criterion": criterion,
        "scope": scope,
        "percent": percent,
        "min_units": min_units,
        "activation_mode": activation_mode if criterion == "activation" else None,
        "units_before": sum(before.values()),
        "units_after": sum(len(v) for v in kept.values()),
        "groups": groups,
    }


def kept_from_plan(plan: dict, key: str = "kept") -> dict[str, list[int]]:
    if plan.get("format") != PLAN_FORMAT:
        raise ValueError(f"not a trim plan (format {plan.get('format')!r}, expected {PLAN_FORMAT!r})")
    return {name: g[key] for name, g in plan["groups"].items()}
