"""Propose a model's coupling graph by probing it, instead of declaring it by hand.

Each candidate producer's units are pushed one at a time (a large positive and a large negative
offset on unit ``u``, each in its own copy of the example, beside an untouched copy), while every
other weighted layer is frozen to its untouched output. Whatever changes downstream was reached
through weight-free operations only: the per-channel layers that see exactly unit ``u`` are the
group's norms; the weighted layers whose inputs change are its consumers, and the positions that
change give the layout (``block`` of ``factor`` inputs per unit, or ``strided``) and, where several
producers fill one input, the concatenation order; producers that reach the same positions meet in
an add or a product and form a shared set. A producer whose units reach the model output directly,
or whose consumer could not be placed, goes on the boundary, with the reason in the report.

Probing follows the code the model actually runs (reshapes, permutes, custom forwards), so it
needs no symbolic trace; it assumes eval-mode behaviour that does not mix examples of a batch, and
that a unit's offset survives its non-linearities in at least one sign (ReLU, pooling, sigmoid do).
A recurrent layer's last stacked layer is probed through its output sequence and final hidden
state; its inner layers feed the next stacked layer (``layer=k + 1``, strided when bidirectional).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from torch import nn

from mirtrim.prune.graph import Consumer, CouplingGraph, Group
from mirtrim.prune.layers import (RNN_TYPES, WEIGHTED_TYPES, CouplingError, input_width, is_channelwise, is_depthwise,
                                  unit_count)
from mirtrim.prune.probe import OPAQUE_TYPES, baseline_outputs, probe, reach_of_kept

__all__ = ["TraceReport", "trace_coupling"]


@dataclass
class TraceReport:
    graph: CouplingGraph
    unplaced: dict[str, str] = field(default_factory=dict)  # weighted layer -> why it is on the boundary

    def summary(self) -> str:
        lines = [f"{len(self.graph.groups)} groups, boundary: {', '.join(self.graph.boundary) or '-'}"]
        lines += [f"  {name}: {why}" for name, why in self.unplaced.items()]
        return "\n".join(lines)


def _units(module: nn.Module) -> int:
    """Units a probe pushes: a recurrent layer's are its last stacked layer's hidden units."""
    return unit_count(module, module.num_layers - 1) if isinstance(module, RNN_TYPES) else unit_count(module)


def _layout(positions: dict[int, set], n: int) -> tuple[str, int, int] | None:
    """(layout, factor, offset) when unit u's positions are a block or a stride pattern, else None."""
    sets = [sorted(positions.get(u, ())) for u in range(n)]
    factor = len(sets[0])
    if factor == 0 or any(len(s) != factor for s in sets):
        return None
    offset = sets[0][0]
    if all(s == list(range(offset + u * factor, offset + (u + 1) * factor)) for u, s in enumerate(sets)):
        return "block", factor, offset
    if all(s == [offset + f * n + u for f in range(factor)] for u, s in enumerate(sets)):
        return "strided", factor, offset
    return None


def _positions(placed: tuple[str, int, int], n: int) -> set[int]:
    layout, factor, offset = placed
    return set(range(offset, offset + n * factor))


def _candidates(model: nn.Module, unplaced: dict) -> list[str]:
    """Layers whose units may be probed: feed-forward and recurrent layers (kept ones too: their
    segments place the others), not depthwise convs (members of a group), not grouped convs."""
    out = []
    for name, m in model.named_modules():
        if not isinstance(m, WEIGHTED_TYPES) or is_depthwise(m):
            continue
        if isinstance(m, RNN_TYPES) and getattr(m, "proj_size", 0):
            unplaced[name] = "an LSTM with proj_size, which trimming does not support"
        elif getattr(m, "groups", 1) != 1:
            unplaced[name] = f"grouped convolution ({m.groups} groups)"
        else:
            out.append(name)
    return out


def _assign(model: nn.Module, probes: dict, counts: dict, unplaced: dict) -> tuple[dict, dict]:
    """Per producer: members (per-channel layers), consumer segments {module: (layout, factor, offset)}."""
    modules = dict(model.named_modules())
    members, segments = {}, {}
    for name, (reached, to_output) in probes.items():
        n = counts[name]
        members[name], segments[name] = [], {}
        for target, positions in reached.items():
            m = modules[target]
            refused = _refused_reader(m)
            if refused:
                unplaced.setdefault(name, f"it feeds '{target}', {refused}")
                continue
            if is_channelwise(m) and not isinstance(m, WEIGHTED_TYPES) or is_depthwise(m):
                if all(positions.get(u, set()) == {u} for u in range(n)):
                    members[name].append(target)
                continue
            placed = _layout(positions, n)
            if placed is None:
                unplaced.setdefault(name, f"its units reach '{target}' in a pattern that is neither a block nor a "
                                          f"stride (a reshape, or a LayerNorm over the units, mixes them)")
            elif getattr(m, "groups", 1) != 1 and not is_depthwise(m):
                unplaced.setdefault(name, f"it feeds the grouped convolution '{target}'")
            else:
                segments[name][target] = placed
        if to_output:
            unplaced.setdefault(name, "its units reach the model output")
        elif not segments[name] and name not in unplaced:
            unplaced.setdefault(name, "its units reach no weighted layer")
    return members, segments


def _refused_reader(module: nn.Module) -> str | None:
    """Why a layer's input cannot be trimmed, or None when it can."""
    if isinstance(module, OPAQUE_TYPES):
        return (f"a {type(module).__name__}, whose embedding width is also its heads' width and its output's: "
                "mirtrim does not trim it")
    if isinstance(module, RNN_TYPES) and getattr(module, "proj_size", 0):
        return "an LSTM with proj_size, which trimming does not support"
    return None


def _shared_sets(segments: dict) -> list[tuple[str, ...]]:
    """Producers that fill the same positions of a consumer meet in an add or a product."""
    parent = {p: p for p in segments}

    def root(p):
        while parent[p] != p:
            p = parent[p]
        return p

    by_spot: dict[tuple, list[str]] = {}
    for p, targets in segments.items():
        for target, (layout, factor, offset) in targets.items():
            by_spot.setdefault((target, layout, factor, offset), []).append(p)
    for same in by_spot.values():
        for other in same[1:]:
            parent[root(other)] = root(same[0])
    sets: dict[str, list[str]] = {}
    for p in segments:
        sets.setdefault(root(p), []).append(p)
    return [tuple(s) for s in sets.values() if len(s) > 1]


def trace_coupling(model: nn.Module, example, keep: tuple[str, ...] = ()) -> TraceReport:
    """Probe ``model`` (not modified) on ``example`` (a tensor, tuple or dict of inputs) and propose
    its coupling graph. ``keep``: layers never trimmed (a policy the model cannot show, such as the
    paper's flatten-width convs); they and every producer that cannot be placed go on the boundary."""
    work = copy.deepcopy(model).eval()
    modules = dict(work.named_modules())
    unknown = sorted(set(keep) - set(modules))
    if unknown:
        raise CouplingError(f"keep names layers {type(model).__name__} does not have: {unknown}")
    unplaced: dict[str, str] = {}
    order = _candidates(work, unplaced)
    counts = {name: _units(modules[name]) for name in order}
    frozen_names = [name for name, m in modules.items() if isinstance(m, WEIGHTED_TYPES) and not is_depthwise(m)]
    frozen = baseline_outputs(work, example, frozen_names)
    kept = [name for name in order if name in keep]
    probes = {name: probe(work, example, name, counts[name], frozen) for name in order if name not in keep}
    members, segments = _assign(work, probes, counts, unplaced)
    for name in kept:  # a stream fed by a kept layer stays whole
        unplaced[name] = "kept whole (keep=...)"
        for target, spots in reach_of_kept(work, example, name, counts[name], frozen).items():
            for p, placed in segments.items():
                if target in placed and p not in unplaced and spots & _positions(placed[target], counts[p]):
                    unplaced[p] = f"it is added into one stream with '{name}', which stays whole"
    shared = _shared_sets(segments)
    for s in shared:
        for p in s:
            if isinstance(modules[p], RNN_TYPES) and p not in unplaced:
                unplaced[p] = (f"its units are added or multiplied with those of {[o for o in s if o != p]}; "
                               "recurrent units cannot be shared with other producers")
    for s in shared:  # a stream is trimmed whole or not at all
        blocked = [p for p in s if p in unplaced]
        for p in s:
            if blocked and p not in unplaced:
                unplaced[p] = f"it is added into one stream with '{blocked[0]}', which stays whole"
    shared = [s for s in shared if not any(p in unplaced for p in s)]
    groups = _groups(work, order, members, segments, shared, unplaced, counts)
    boundary = tuple(name for name, m in modules.items() if isinstance(m, WEIGHTED_TYPES) and not is_depthwise(m)
                     and name not in {g.producer for g in groups})
    return TraceReport(CouplingGraph(tuple(groups), boundary, tuple(shared)), unplaced)


def _groups(model, order, members, segments, shared, unplaced, counts) -> list[Group]:
    modules = dict(model.named_modules())
    lead = {p: s[0] for s in shared for p in s}  # the member that lists the stream's consumers
    readers: dict[str, list[tuple[int, str | None, int]]] = {}  # consumer -> (offset, group or None, width)
    for p in order:
        for target, (layout, factor, offset) in segments.get(p, {}).items():
            if lead.get(p, p) == p:
                name = None if p in unplaced else Group(p, layer=_last_layer(modules[p])).name
                readers.setdefault(target, []).append((offset, name, counts[p] * factor))
    concat = {}
    for target, parts in readers.items():
        parts = sorted(set(parts))
        if len(parts) > 1 or parts[0][0] != 0 or parts[0][1] is None:
            concat[target] = _concat_order(model, target, parts)
    taken, groups = set(), []
    for p in order:
        if p in unplaced:
            continue
        norms = tuple(m for m in members[p] if m not in taken)
        taken.update(norms)
        consumers = () if lead.get(p, p) != p else tuple(
            Consumer(t, layout, factor, layer=0 if isinstance(modules[t], RNN_TYPES) else None,  # its input
                     concat=concat.get(t, ()))
            for t, (layout, factor, _) in segments[p].items())
        groups += _recurrent_inner(modules[p], p) + [Group(p, norms, consumers, layer=_last_layer(modules[p]))]
    return groups


def _last_layer(module: nn.Module) -> int | None:
    return module.num_layers - 1 if isinstance(module, RNN_TYPES) else None


def _recurrent_inner(module: nn.Module, name: str) -> list[Group]:
    """Each inner stacked layer's hidden units feed the next layer (both directions, when bidirectional)."""
    if not isinstance(module, RNN_TYPES):
        return []
    dirs = 2 if module.bidirectional else 1
    return [Group(name, (), (Consumer(name, "strided" if dirs == 2 else "block", dirs, layer=k + 1),), layer=k)
            for k in range(module.num_layers - 1)]


def _concat_order(model, target: str, parts: list) -> tuple:
    """Segments of a consumer's input in order: group names, and ints for untrimmed stretches."""
    width, at, order = input_width(dict(model.named_modules())[target]), 0, []
    for offset, name, span in parts:
        if offset > at:
            order.append(offset - at)
        order.append(name if name is not None else span)
        at = offset + span
    if at < width:
        order.append(width - at)
    return tuple(order)
