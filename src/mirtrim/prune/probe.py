"""Probing a model: push one unit of a producer, freeze every other weighted layer, and record
which inputs of which layers change (see prune/trace.py)."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.prune.inputs import call_with, first_n, output_tensors
from mirtrim.prune.layers import RNN_TYPES, WEIGHTED_TYPES, is_channelwise

# layers with weights of their own whose input width trimming cannot change: a producer that
# reaches one stays whole (the tracer says which and why)
OPAQUE_TYPES = (nn.MultiheadAttention,)


def _feature_axis(module: nn.Module) -> int:
    if isinstance(module, (nn.Linear, nn.LayerNorm) + RNN_TYPES):
        return -1
    return 1


def _batch_axis(module: nn.Module) -> int:
    return 1 if isinstance(module, RNN_TYPES) and not module.batch_first else 0


def _replicate(example, copies: int):
    one = first_n(example, 1)
    if isinstance(one, dict):
        return {k: _replicate(v, copies) for k, v in one.items()}
    if isinstance(one, (tuple, list)):
        return type(one)(_replicate(v, copies) for v in one)
    return one.expand(copies, *one.shape[1:]).clone() if isinstance(one, torch.Tensor) else one


def _changed(x: torch.Tensor, batch_axis: int, feature_axis: int, copies: int) -> torch.Tensor:
    """(copies, features) bool: which features of each copy differ from copy 0 (untouched)."""
    x = _per_copy(x.detach().float().movedim((batch_axis, feature_axis % x.dim()), (0, -1)), copies)
    diff = (x - x[:1]).abs()
    scale = float(x.abs().max()) + 1.0
    return (diff > 1e-4 * scale).reshape(diff.shape[0], -1, diff.shape[-1]).any(dim=1)


def baseline_outputs(model: nn.Module, example, names: list[str]) -> dict:
    """Each weighted layer's output on the first example alone: what a frozen layer returns."""
    modules, cache, hooks = dict(model.named_modules()), {}, []
    for name in names:
        hooks.append(modules[name].register_forward_hook(
            lambda _m, _i, out, name=name: cache.__setitem__(name, _detached(out))))
    try:
        with torch.no_grad():
            call_with(model, first_n(example, 1))
    finally:
        for h in hooks:
            h.remove()
    return cache


def _detached(out):
    if isinstance(out, tuple):
        return tuple(_detached(o) for o in out)
    return out.detach() if isinstance(out, torch.Tensor) else out


def _expanded(cached, copies: int, module: nn.Module):
    """The cached single-example output repeated ``copies`` times along its batch axis."""
    if isinstance(cached, tuple):  # recurrent: (output, state); states have the batch on axis 1
        out, *state = cached
        return (_expanded(out, copies, module),
                *(tuple(_repeat(t, copies, 1) for t in st) if isinstance(st, tuple) else _repeat(st, copies, 1)
                  for st in state))
    return _repeat(cached, copies, _batch_axis(module))


def _repeat(t, copies: int, axis: int):
    if not isinstance(t, torch.Tensor) or t.dim() == 0:
        return t
    sizes = [1] * t.dim()
    sizes[axis] = copies
    return t.repeat(*sizes)


def _per_copy(x: torch.Tensor, copies: int) -> torch.Tensor:
    """``x`` with the batch on axis 0, as (copies, ...): a batch of copies x k rows (a model that
    folds time into the batch, ``reshape(b * t, f)``) is read as k rows per copy."""
    if x.shape[0] != copies and x.shape[0] % copies == 0:
        return x.reshape(copies, -1, *x.shape[1:])
    return x


def _pushed(t: torch.Tensor, batch_axis: int, feature_axis: int, units, positions, gen) -> torch.Tensor:
    """``t`` where copy 1 + 2k has a large positive and copy 2 + 2k a large negative offset on the
    features ``positions(u)`` of each unit u of ``units[k]``; copy 0 stays untouched."""
    delta = 100.0 * (float(t.detach().abs().max()) + 1.0)
    moved = t.movedim((batch_axis, feature_axis % t.dim()), (0, -1))
    view = _per_copy(moved, 1 + 2 * len(units))
    offset = torch.zeros_like(view)
    # varies over positions: a per-channel constant would vanish in an instance norm
    pattern = 0.5 + torch.rand(view.shape[1:-1], generator=gen).to(view)
    for k, us in enumerate(units):
        for u in us:
            for p in positions(u):
                offset[1 + 2 * k, ..., p] += delta * pattern
                offset[2 + 2 * k, ..., p] -= delta * pattern
    return (view + offset).reshape(moved.shape).movedim((0, -1), (batch_axis, feature_axis % t.dim()))


def _push_recurrent(rnn: nn.RNNBase, out: tuple, units, gen) -> tuple:
    """Push hidden unit u of the last stacked layer where it shows: the output sequence (features
    u and, bidirectional, hidden + u) and the final hidden state (its last layer's entries)."""
    seq, state = out
    hidden, dirs = rnn.hidden_size, 2 if rnn.bidirectional else 1
    seq = _pushed(seq, _batch_axis(rnn), -1, units, lambda u: [u + d * hidden for d in range(dirs)], gen)
    h = (state[0] if isinstance(state, tuple) else state).clone()
    h[-dirs:] = _pushed(h[-dirs:], 1, -1, units, lambda u: [u], gen)
    return seq, (h, *state[1:]) if isinstance(state, tuple) else h


def reach_of_kept(model: nn.Module, example, producer: str, n: int, frozen: dict) -> dict:
    """A kept layer's reach, every unit pushed at once in one copy: {module: positions}. Enough to
    find the streams it is added into, which must then stay whole too."""
    reached, _ = probe(model, example, producer, n, frozen, together=True)
    return {name: set().union(*per_unit.values()) for name, per_unit in reached.items()}


def probe(model: nn.Module, example, producer: str, n: int, frozen: dict, chunk: int = 32,
          together: bool = False) -> tuple[dict, set]:
    """Per module reached: {unit: set of input features that change}; and the units that reach the output.

    A recurrent producer's units are its last stacked layer's hidden units. Every other weighted
    layer returns its cached single-example output (``frozen``) without computing, so a pass costs
    little more than the producer and the weight-free layers after it."""
    modules = dict(model.named_modules())
    reached: dict[str, dict[int, set]] = {}
    to_output: set[int] = set()
    gen = torch.Generator().manual_seed(0)
    for start in range(0, n, n if together else chunk):
        units = [list(range(n))] if together else [[u] for u in range(start, min(n, start + chunk))]
        copies = 1 + 2 * len(units)
        hooks, saved = [], {}

        def push(_m, _inputs, out, units=units):
            if isinstance(out, tuple):  # recurrent: (output, state), the last layer's units in both
                return _push_recurrent(modules[producer], out, units, gen)
            return _pushed(out, 0, _feature_axis(modules[producer]), units, lambda u: [u], gen)

        def record(name):
            def hook(m, inputs):
                if not inputs or not isinstance(inputs[0], torch.Tensor):
                    return
                hit = _changed(inputs[0], _batch_axis(m), _feature_axis(m), copies)
                per_unit = reached.setdefault(name, {})
                for k, us in enumerate(units):
                    per_unit.setdefault(us[0], set()).update(
                        torch.nonzero(hit[1 + 2 * k] | hit[2 + 2 * k]).flatten().tolist())
            return hook

        hooks.append(modules[producer].register_forward_hook(push))
        hooks += [m.register_forward_pre_hook(record(name)) for name, m in modules.items()
                  if name and name != producer and (isinstance(m, WEIGHTED_TYPES + OPAQUE_TYPES) or is_channelwise(m))]
        for name, cached in frozen.items():
            if name != producer:
                saved[name] = modules[name].forward
                modules[name].forward = lambda *_a, cached=cached, m=modules[name], **_k: _expanded(cached, copies, m)
        try:
            with torch.no_grad():
                out = call_with(model, _replicate(example, copies))
        finally:
            for h in hooks:
                h.remove()
            for name, forward in saved.items():
                modules[name].forward = forward
        for t in output_tensors(out):
            if t.dim() == 0:
                continue
            flat = _per_copy(t.detach().float(), copies).reshape(copies, -1)
            moved = (flat - flat[:1]).abs() > 1e-4 * (float(flat.abs().max()) + 1.0)
            to_output.update(us[0] for k, us in enumerate(units)
                             if bool(moved[1 + 2 * k].any() | moved[2 + 2 * k].any()))
    return {name: per_unit for name, per_unit in reached.items() if any(per_unit.values())}, to_output
