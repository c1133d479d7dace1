"""Proof that a coupling graph is right for a model: trimming must remove exactly what zeroing removes.

When it does not, the error names the group, what went wrong, and what the tracer sees where the
declaration differs (the producers that meet in an add, the concatenation a consumer reads, a
consumer left out), so that the fix can be read off the message.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from mirtrim.prune.graph import CouplingError, CouplingGraph, Group
from mirtrim.prune.inputs import call_with, output_tensors
from mirtrim.prune.layers import unit_count
from mirtrim.prune.trace import trace_coupling
from mirtrim.prune.trim import apply_kept, zero_removed

__all__ = ["verify", "differences"]


def verify(graph: CouplingGraph, model: nn.Module, example, rel_tol: float = 1e-4) -> None:
    """Dynamic check that trimming with ``graph`` removes exactly what zeroing removes.

    For each group (the layers of one recurrent module together), and then for all groups at
    once, every other unit is removed (units 1, 3, 5, ...; a single-unit group is skipped).
    In eval mode the trimmed copy must run, give outputs of the same shapes as the dense
    model, and match the dense copy whose removed units are zeroed (see ``zero_removed``)
    within ``rel_tol`` times the output scale. This catches a forgotten consumer (the
    forward pass breaks), a wrong ``layout`` (values differ), and a declaration that
    silently shrinks an output (shapes differ). A group normalised by a LayerNorm only gets
    the shape check: LayerNorm mixes a unit's neighbours, so zeroing is not removal there.
    Non-linearities must map 0 to 0 (ReLU, tanh, pooling do); the model itself is unchanged.
    Raises ``CouplingError`` naming the group and, where the tracer sees it, the fix.
    """
    graph.validate(model)
    modules = dict(model.named_modules())
    batches: dict[str, list[Group]] = {}
    for g in graph.groups:  # what must go together: one recurrent module, one shared stream
        shared = graph.shared_set(g.name)
        key = g.producer if g.layer is not None else (" + ".join(shared) if shared else g.name)
        batches.setdefault(key, []).append(g)
    if len(batches) > 1:
        batches["all groups together"] = list(graph.groups)
    dense = copy.deepcopy(model).eval()
    for label, groups in batches.items():
        counts = {g.name: unit_count(modules[g.producer], g.layer) for g in groups}
        kept = {name: list(range(0, n, 2)) for name, n in counts.items() if n > 1}
        if not kept:
            continue
        exact = not any(isinstance(modules[n], nn.LayerNorm) for g in groups if g.name in kept for n in g.norms)
        problem = _compare(graph, dense, kept, example, exact, rel_tol)
        if problem:
            hints = differences(graph, dense, example)
            advice = ("; the tracer sees: " + "; ".join(hints)) if hints else (
                " (a consumer is undeclared or mis-declared: check its module, layout and factor; or producers whose "
                "outputs are added or multiplied are not declared as one shared set)")
            raise CouplingError(f"trimming group '{label}' {problem}{advice}")


def _compare(graph, dense: nn.Module, kept: dict, example, exact: bool, rel_tol: float) -> str | None:
    """What is wrong with trimming ``kept`` (None when it matches zeroing)."""
    try:
        with torch.no_grad():
            trimmed = output_tensors(call_with(apply_kept(copy.deepcopy(dense), graph, kept).eval(), example))
    except Exception as err:  # any failure means the declaration is wrong
        return f"breaks the forward pass: {err}"
    with torch.no_grad():
        zeroed = zero_removed(copy.deepcopy(dense), graph, kept) if exact else dense
        reference = output_tensors(call_with(zeroed, example))
    shapes = [tuple(t.shape) for t in trimmed], [tuple(t.shape) for t in reference]
    if shapes[0] != shapes[1]:
        return f"changes the output shapes from {shapes[1]} to {shapes[0]}"
    if not exact:
        return None
    for got, want in zip(trimmed, reference):
        scale = max(1.0, float(want.abs().max())) if want.numel() else 1.0
        gap = float((got.float() - want.float()).abs().max()) if want.numel() else 0.0
        if gap > rel_tol * scale:
            return f"differs from zeroing its removed units by {gap:.3g} (tolerance {rel_tol * scale:.3g})"
    return None


def differences(graph: CouplingGraph, model: nn.Module, example) -> list[str]:
    """Where the tracer's graph of ``model`` differs from ``graph``, each with the fix."""
    try:
        report = trace_coupling(model, example, keep=graph.boundary)
    except Exception:  # a model the tracer cannot run gives no hint; the failure itself stands
        return []
    traced = {g.name: g for g in report.graph.groups}
    hints = []
    for names in report.graph.shared:
        if graph.shared_set(names[0]) != names:
            hints.append(f"{list(names)} are added or multiplied into one stream: declare "
                         f"shared=({tuple(names)!r},)")
    for g in graph.groups:
        if g.name not in traced:
            if g.producer in report.unplaced:
                hints.append(f"'{g.name}' cannot be trimmed: {report.unplaced[g.producer]}; put it on the boundary")
            continue
        mine = {(c.module, c.layer): c for c in g.consumers}
        for c in traced[g.name].consumers:
            declared = mine.get((c.module, c.layer))
            if declared is None and graph.shared_set(g.name) is None:
                hints.append(f"'{g.name}' also feeds '{c.module}': add {c!r}")
            elif declared is not None and declared != c:
                hints.append(f"'{g.name}' feeds '{c.module}' as {c!r}, declared as {declared!r}")
    return hints[:4]
