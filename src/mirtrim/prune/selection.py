"""Selection: which units survive a round, given their scores."""

from __future__ import annotations

import numpy as np

SCOPES = ("local", "global")


def normalise(scores: np.ndarray) -> np.ndarray:
    """Per-layer max normalisation (the paper's ``prune_scale = normalize``)."""
    top = float(np.max(scores)) if len(scores) else 0.0
    return scores / top if top > 0 else np.zeros_like(scores, dtype=np.float64)


def percentile_nearest(values: np.ndarray, percent: float) -> float:
    """The paper's ``torch_percentile``: kthvalue with k = 1 + round(0.01 p (n - 1))."""
    ordered = np.sort(values, kind="stable")
    k = 1 + int(round(0.01 * percent * (len(ordered) - 1)))
    return float(ordered[k - 1])


def local_keep_count(n: int, percent: float) -> int:
    """The paper's exact expression, truncated by int(): 64 units at p = 25 keep 48."""
    return int((100 - percent) / 100 * n)


def _top(scores: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")  # ties keep the lower index: deterministic
    return sorted(int(i) for i in order[:k])


def select_units(
    scores: dict[str, np.ndarray], percent: float, scope: str = "local", min_units: int = 3,
    ties: list[list[str]] = (), shared: tuple[tuple[str, ...], ...] = (),
) -> dict[str, list[int]]:
    """Kept unit indices per group.

    ``percent`` of the *current* units go each round. The min-units guard keeps a layer whole
    when fewer than ``min_units`` units would survive (the paper's min-3 guard). Groups in one
    ``ties`` list (the stacked layers of one recurrent module) keep the same, smallest, count.
    Groups in one ``shared`` set (producers added into one stream) keep the same indices, chosen
    as one group on the sum of their normalised scores.
    """
    if shared:
        merged = merge_shared(scores, shared)
        kept = select_units(merged, percent, scope, min_units, ties)
        return {name: kept[next((s[0] for s in shared if name in s), name)] for name in scores}
    if not 0 <= percent < 100:
        raise ValueError(f"pruning rate must be in [0, 100) percent, got {percent}")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    norm = {name: normalise(np.asarray(s, dtype=np.float64)) for name, s in scores.items()}
    kept = {}
    if scope == "local":
        for name, s in norm.items():
            kept[name] = _top(s, local_keep_count(len(s), percent))
    else:
        cutoff = percentile_nearest(np.concatenate(list(norm.values())), percent)
        for name, s in norm.items():
            idx = set(np.flatnonzero(s > cutoff).tolist())
            idx.add(int(np.argmax(s)))  # each layer keeps at least its best unit
            kept[name] = sorted(idx)
    for name, s in norm.items():
        if len(kept[name]) < min_units:
            kept[name] = list(range(len(s)))
    for tie in ties:
        k = min(len(kept[name]) for name in tie)
        for name in tie:
            if len(kept[name]) > k:
                kept[name] = sorted(i for i in _top(np.where(np.isin(np.arange(len(norm[name])), kept[name]),
                                                             norm[name], -np.inf), k))
    return kept


def merge_shared(scores: dict[str, np.ndarray], shared: tuple[tuple[str, ...], ...]) -> dict[str, np.ndarray]:
    """One score vector per shared set (under its first member's name): the sum of the members'
    normalised scores, so no member's scale dominates the stream's choice."""
    merged = {}
    for name, s in scores.items():
        members = next((m for m in shared if name in m), None)
        if members is None:
            merged[name] = np.asarray(s, dtype=np.float64)
        elif name == members[0]:
            merged[name] = sum(normalise(np.asarray(scores[m], dtype=np.float64)) for m in members)
    return merged
