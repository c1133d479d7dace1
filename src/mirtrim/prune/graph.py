"""The coupling graph: which tensors share a unit dimension.

A model declares its trimmable units explicitly as *groups*. A group is one producer layer whose
output units (channels, neurons, recurrent hidden units) are scored and removed, the norm layers
that normalise those units, and the consumer layers whose inputs read them. A consumer may read
each unit several times (``factor``): after ``flatten`` a conv channel feeds a block of ``F``
consecutive inputs (``layout="block"``); after a bidirectional concatenation or a frequency-major
reshape, unit ``c`` of ``n`` feeds inputs ``f * n + c`` (``layout="strided"``). Recurrent modules
are addressed per stacked layer (``layer=k``).

Producers whose outputs meet in an elementwise operation (a residual add, a gating product) form a
*shared* set: their unit ``i`` is one channel of the same stream, so they keep the same unit indices,
chosen on their summed (per-group normalised) scores. Each consumer of the stream is declared once,
under any one member.

Layers that are never trimmed (a model's outputs, the conv that fixes a flatten width) are listed
as the *boundary*. Every weighted layer must be a producer or on the boundary, so a model whose
structure the graph does not describe fails loudly instead of being trimmed into a wrong shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from mirtrim.prune.layers import (RNN_TYPES, WEIGHTED_TYPES, CouplingError, channelwise_width,
                                  check_supported, input_width, is_channelwise, unit_count)

LAYOUTS = ("block", "strided")

__all__ = ["Consumer", "CouplingError", "CouplingGraph", "Group", "unit_counts"]


@dataclass(frozen=True)
class Consumer:
    module: str
    layout: str = "block"
    factor: int = 1
    layer: int | None = None  # for a recurrent consumer: which stacked layer reads the units
    # the consumer reads torch.cat of these segments, in order: group names, and ints for inputs
    # from sources never trimmed (the model input, a boundary layer); every group it reads names
    # the same tuple. Empty: the consumer reads this group's units only.
    concat: tuple[str | int, ...] = ()

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise CouplingError(f"consumer '{self.module}': layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.factor < 1:
            raise CouplingError(f"consumer '{self.module}': factor must be >= 1, got {self.factor}")
        if any(isinstance(x, int) and x < 0 for x in self.concat):
            raise CouplingError(f"consumer '{self.module}': fixed concat segments are input counts >= 0")

    def input_indices(self, kept: torch.Tensor, n_units: int) -> torch.Tensor:
        """Input positions of this consumer that belong to the ``kept`` units (ascending)."""
        offsets = torch.arange(self.factor, dtype=torch.long)
        if self.layout == "block":
            return (kept[:, None] * self.factor + offsets[None, :]).reshape(-1)
        return (offsets[:, None] * n_units + kept[None, :]).reshape(-1)


@dataclass(frozen=True)
class Group:
    producer: str
    norms: tuple[str, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    layer: int | None = None  # for a recurrent producer: which stacked layer's hidden units

    @property
    def name(self) -> str:
        return self.producer if self.layer is None else f"{self.producer}.l{self.layer}"


@dataclass(frozen=True)
class CouplingGraph:
    groups: tuple[Group, ...]
    boundary: tuple[str, ...] = field(default_factory=tuple)
    shared: tuple[tuple[str, ...], ...] = field(default_factory=tuple)  # groups that keep the same indices

    @property
    def names(self) -> list[str]:
        return [g.name for g in self.groups]

    def shared_set(self, name: str) -> tuple[str, ...] | None:
        return next((s for s in self.shared if name in s), None)

    def readers(self) -> dict[tuple[str, int | None], list[tuple[Group, Consumer]]]:
        """Per consumer input (module, layer): the groups that read it, with their Consumer entries."""
        out: dict[tuple, list] = {}
        for g in self.groups:
            for c in g.consumers:
                out.setdefault((c.module, c.layer), []).append((g, c))
        return out

    def segments(self, model: nn.Module) -> dict[tuple[str, int | None], list[tuple[int, Group, Consumer]]]:
        """Per consumer input (module, layer): (offset, group, consumer entry) of every group it reads,
        offsets from the current widths (they move as earlier segments are trimmed)."""
        modules = dict(model.named_modules())
        width = {g.name: unit_count(modules[g.producer], g.layer) for g in self.groups}
        out = {}
        for key, feeds in self.readers().items():
            factors = {g.name: c.factor for g, c in feeds}
            placed = []
            for g, c in feeds:
                offset = 0
                for item in c.concat[:c.concat.index(g.name)] if c.concat else ():
                    offset += item if isinstance(item, int) else width[item] * factors[item]
                placed.append((offset, g, c))
            out[key] = placed
        return out

    def ties(self) -> list[list[str]]:
        """Groups that must keep equal unit counts: the layers of one recurrent module."""
        by_module: dict[str, list[str]] = {}
        for g in self.groups:
            if g.layer is not None:
                by_module.setdefault(g.producer, []).append(g.name)
        return [names for names in by_module.values() if len(names) > 1]

    def validate(self, model: nn.Module) -> None:
        """Static checks: names exist, types are supported, unit dimensions agree."""
        modules = dict(model.named_modules())

        def get(name: str, role: str) -> nn.Module:
            if name not in modules:
                raise CouplingError(f"{role} '{name}' is not a module of {type(model).__name__}")
            return modules[name]

        self._validate_shared(modules)
        readers = {key: len(entries) for key, entries in self.readers().items()}
        declared: dict[str, set] = {}
        members: set[str] = set()  # per-channel layers (a depthwise conv among them) sliced with a group
        for g in self.groups:
            prod = get(g.producer, "producer")
            check_supported(prod, g.producer, g.layer)
            shared = self.shared_set(g.name)
            if not g.consumers and not (shared and any(o.consumers for o in self.groups if o.name in shared)):
                raise CouplingError(f"producer '{g.name}' has no consumer: an output layer belongs to the boundary")
            n = unit_count(prod, g.layer)
            for norm_name in g.norms:
                norm = get(norm_name, f"norm of '{g.name}'")
                if not is_channelwise(norm):
                    raise CouplingError(f"norm '{norm_name}' of '{g.name}' is a {type(norm).__name__}; per-channel "
                                        f"layers supported: BatchNorm, InstanceNorm, LayerNorm, PReLU, depthwise conv")
                width = channelwise_width(norm)
                if width != n and not (isinstance(norm, nn.PReLU) and width == 1):
                    raise CouplingError(f"norm '{norm_name}' has {width} features but its producer "
                                        f"'{g.name}' has {n} units")
                members.add(norm_name)
            for c in g.consumers:
                cons = get(c.module, f"consumer of '{g.name}'")
                check_supported(cons, c.module, c.layer)
                alone = not c.concat and readers[(c.module, c.layer)] == 1  # several readers: a concat
                if alone and input_width(cons, c.layer) != n * c.factor:
                    raise CouplingError(f"consumer '{c.module}' has {input_width(cons, c.layer)} inputs but producer "
                                        f"'{g.name}' gives {n} units x factor {c.factor} = {n * c.factor}")
            declared.setdefault(g.producer, set()).add(g.layer)
        self._validate_concats(modules)
        for name in self.boundary:
            get(name, "boundary layer")
        for name, module in modules.items():
            if not isinstance(module, WEIGHTED_TYPES) or name in self.boundary or name in members:
                continue
            if name not in declared:
                raise CouplingError(f"layer '{name}' ({type(module).__name__}) is neither a producer in the coupling "
                                    f"graph nor on its boundary; declare it")
            if isinstance(module, RNN_TYPES) and declared[name] != set(range(module.num_layers)):
                raise CouplingError(f"recurrent layer '{name}' has {module.num_layers} stacked layers; declare a group "
                                    f"for each (layer=0..{module.num_layers - 1}) or put it on the boundary")

    def _validate_concats(self, modules: dict) -> None:
        """A consumer read by several groups must name one concat that holds each of them once and
        covers its inputs exactly."""
        for (module, layer), entries in self.readers().items():
            orders = {c.concat for _, c in entries}
            readers = [g.name for g, _ in entries]
            if len(entries) > 1 and (len(orders) > 1 or () in orders):
                raise CouplingError(f"consumer '{module}' reads groups {readers}: name the same "
                                    f"concat=(...) order in each of their Consumer entries")
            order = orders.pop()
            if not order:
                continue
            names = [x for x in order if isinstance(x, str)]
            if sorted(names) != sorted(readers) or len(set(names)) != len(names):
                raise CouplingError(f"consumer '{module}': concat {list(order)} must name each group that reads "
                                    f"into it exactly once (declared readers: {readers})")
            factor = {g.name: c.factor for g, c in entries}
            groups = {g.name: g for g, _ in entries}
            total = sum(x if isinstance(x, int) else
                        unit_count(modules[groups[x].producer], groups[x].layer) * factor[x] for x in order)
            if input_width(modules[module], layer) != total:
                raise CouplingError(f"consumer '{module}' has {input_width(modules[module], layer)} inputs but its "
                                    f"concat {list(order)} gives {total}")

    def _validate_shared(self, modules: dict) -> None:
        groups, seen = {g.name: g for g in self.groups}, set()
        for names in self.shared:
            if len(names) < 2:
                raise CouplingError(f"shared set {list(names)} needs at least two groups")
            for name in names:
                if name not in groups:
                    raise CouplingError(f"shared set {list(names)} names '{name}', which is not a group")
                if name in seen:
                    raise CouplingError(f"group '{name}' is in two shared sets; merge them into one")
                if groups[name].layer is not None:
                    raise CouplingError(f"group '{name}' is a recurrent layer; its units cannot be shared with "
                                        "other producers")
                seen.add(name)
            counts = {n: unit_count(modules[groups[n].producer]) for n in names if groups[n].producer in modules}
            if len(set(counts.values())) > 1:
                raise CouplingError(f"shared set {list(names)} has different unit counts {counts}: producers "
                                    "whose outputs are added must have the same width")


def unit_counts(model: nn.Module, graph: CouplingGraph) -> dict[str, int]:
    modules = dict(model.named_modules())
    return {g.name: unit_count(modules[g.producer], g.layer) for g in graph.groups}
