"""The coupling graph: which tensors share a unit dimension.

A model declares its trimmable units explicitly as *groups*. A group is one producer layer whose
output units (channels, neurons) are scored and removed, the norm layers that normalise those
units, and the consumer layers whose inputs read them. A consumer may read each unit several
times (``factor``): after ``flatten`` a conv channel feeds a block of ``F`` consecutive inputs
(``layout="block"``); after a bidirectional concatenation or a frequency-major reshape, unit ``c``
feeds inputs ``f * n + c`` (``layout="strided"``).

Layers that are never trimmed (a model's outputs, the conv that fixes a flatten width) are listed
as the *boundary*. Every weighted layer must be a producer or on the boundary, so a model whose
structure the graph does not describe fails loudly instead of being trimmed into a wrong shape.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
CONV_TRANSPOSE_TYPES = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
PRODUCER_TYPES = CONV_TYPES + CONV_TRANSPOSE_TYPES + (nn.Linear,)
NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm)
WEIGHTED_TYPES = PRODUCER_TYPES + (nn.RNNBase,)
LAYOUTS = ("block", "strided")


class CouplingError(ValueError):
    """The coupling graph does not describe the model; the message names the offending layer."""


@dataclass(frozen=True)
class Consumer:
    module: str
    layout: str = "block"
    factor: int = 1

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise CouplingError(f"consumer '{self.module}': layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.factor < 1:
            raise CouplingError(f"consumer '{self.module}': factor must be >= 1, got {self.factor}")

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

    @property
    def name(self) -> str:
        return self.producer


@dataclass(frozen=True)
class CouplingGraph:
    groups: tuple[Group, ...]
    boundary: tuple[str, ...] = field(default_factory=tuple)

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [g.name for g in self.groups]

    def validate(self, model: nn.Module) -> None:
        """Static checks: names exist, types are supported, unit dimensions agree."""
        modules = dict(model.named_modules())

        def get(name: str, role: str) -> nn.Module:
            if name not in modules:
                raise CouplingError(f"{role} '{name}' is not a module of {type(model).__name__}")
            return modules[name]

        producers = set()
        for g in self.groups:
            prod = get(g.producer, "producer")
            if not isinstance(prod, PRODUCER_TYPES):
                raise CouplingError(f"producer '{g.producer}' is a {type(prod).__name__}; "
                                    f"supported: {', '.join(t.__name__ for t in PRODUCER_TYPES)}")
            if getattr(prod, "groups", 1) != 1:
                raise CouplingError(f"producer '{g.producer}' is a grouped convolution, which trimming does not support")
            if not g.consumers:
                raise CouplingError(f"producer '{g.producer}' has no consumer: an output layer belongs to the boundary")
            n = unit_count(prod)
            for norm_name in g.norms:
                norm = get(norm_name, f"norm of '{g.producer}'")
                if not isinstance(norm, NORM_TYPES):
                    raise CouplingError(f"norm '{norm_name}' of '{g.producer}' is a {type(norm).__name__}; "
                                        f"supported: {', '.join(t.__name__ for t in NORM_TYPES)}")
                if norm_width(norm) != n:
                    raise CouplingError(f"norm '{norm_name}' has {norm_width(norm)} features but its producer "
                                        f"'{g.producer}' has {n} units")
            for c in g.consumers:
                cons = get(c.module, f"consumer of '{g.producer}'")
                if not isinstance(cons, PRODUCER_TYPES):
                    raise CouplingError(f"consumer '{c.module}' is a {type(cons).__name__}, which trimming does not support")
                if getattr(cons, "groups", 1) != 1:
                    raise CouplingError(f"consumer '{c.module}' is a grouped convolution, which trimming does not support")
                if input_width(cons) != n * c.factor:
                    raise CouplingError(f"consumer '{c.module}' has {input_width(cons)} inputs but producer "
                                        f"'{g.producer}' gives {n} units x factor {c.factor} = {n * c.factor}")
            producers.add(g.producer)
        for name in self.boundary:
            get(name, "boundary layer")
        for name, module in modules.items():
            if isinstance(module, WEIGHTED_TYPES) and name not in producers and name not in self.boundary:
                raise CouplingError(f"layer '{name}' ({type(module).__name__}) is neither a producer in the coupling "
                                    f"graph nor on its boundary; declare it")

    def verify(self, model: nn.Module, example: torch.Tensor) -> None:
        """Dynamic check: removing one unit of each group, one group at a time, must still run forward.

        This catches consumers the declaration forgot (a silent reshape would otherwise survive).
        """
        from mirtrim.prune.trim import apply_kept

        self.validate(model)
        modules = dict(model.named_modules())
        for g in self.groups:
            n = unit_count(modules[g.producer])
            if n < 2:
                continue
            probe = copy.deepcopy(model).eval()
            apply_kept(probe, self, {g.name: list(range(n - 1))})
            try:
                with torch.no_grad():
                    probe(example)
            except Exception as err:  # any failure means the declaration is wrong
                raise CouplingError(f"trimming group '{g.name}' breaks the forward pass "
                                    f"(a consumer is undeclared or mis-declared): {err}") from err


def unit_count(module: nn.Module) -> int:
    if isinstance(module, nn.Linear):
        return module.out_features
    return module.out_channels


def input_width(module: nn.Module) -> int:
    if isinstance(module, nn.Linear):
        return module.in_features
    return module.in_channels


def norm_width(module: nn.Module) -> int:
    if isinstance(module, nn.LayerNorm):
        return module.normalized_shape[-1]
    return module.num_features


def unit_counts(model: nn.Module, graph: CouplingGraph) -> dict[str, int]:
    modules = dict(model.named_modules())
    return {g.name: unit_count(modules[g.producer]) for g in graph.groups}
