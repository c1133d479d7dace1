"""The typed description of one run: what a training or assessment job needs, and nothing else.

The workflow passes it to each job as JSON (``to_json``; the command parses it with ``from_json``);
every record keeps it with its digest, so a result says exactly what produced it. Standard library
only (the Snakefile builds specs at parse time).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping


@dataclass(frozen=True)
class TrainSpec:
    epochs: int
    lr: float
    batch_size: int = 64
    patience: int = 30
    rewind_epoch: int | None = None  # an epoch, or a step when rewind_unit is "iteration"
    rewind_unit: str = "epoch"
    scheduler_patience: int = 10
    warmup: float = 0.0

    @property
    def by_iteration(self) -> bool:
        return self.rewind_unit == "iteration"


@dataclass(frozen=True)
class MethodSpec:
    prune: str  # trim | mask
    criterion: str
    scope: str  # local | global
    reset: str  # rewind | reinit
    percent: float  # of the remaining units (trim) or weights (mask) removed per round
    min_units: int = 3

    @property
    def name(self) -> str:
        return f"{self.prune}-{self.criterion}-{self.scope}-{self.reset}"


@dataclass(frozen=True)
class RunSpec:
    task: str
    run: str  # the readable id: dense-s<seed> or <method name>-s<seed>
    seed: int
    width: float
    device: str
    train: TrainSpec
    fidelity: Mapping[str, Any]  # the switches of grid.FIDELITY_PRESETS, validated by the schema
    method: MethodSpec | None = None
    data: str = ""  # the dataset id (grid.dataset_id: kind and scale, or the real source)
    data_seed: int | None = None  # renders synthetic data and splits real corpora

    def __post_init__(self):
        object.__setattr__(self, "fidelity", MappingProxyType(dict(self.fidelity)))

    def to_dict(self) -> dict:
        out = {"task": self.task, "run": self.run, "seed": self.seed, "width": self.width, "device": self.device,
               "train": dataclasses.asdict(self.train), "fidelity": dict(self.fidelity)}
        if self.method is not None:
            out["method"] = dataclasses.asdict(self.method)
        if self.data:
            out.update(data=self.data, data_seed=self.data_seed)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping) -> RunSpec:
        """Refuses unknown or missing keys with a ``ValueError`` naming them."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown, missing = set(data) - fields, {"task", "run", "seed", "width", "train", "fidelity"} - set(data)
        if unknown or missing:
            raise ValueError(f"run spec: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
        method = data.get("method")
        # values kept as given (no int/float coercion): the JSON, a Snakemake param, must not change
        return cls(task=data["task"], run=data["run"], seed=data["seed"], width=data["width"],
                   device=data.get("device", "auto"), train=_build(TrainSpec, data["train"]),
                   fidelity=data["fidelity"], method=None if method is None else _build(MethodSpec, method),
                   data=data.get("data", ""), data_seed=data.get("data_seed"))

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        return cls.from_dict(json.loads(text))

    def digest(self) -> str:
        """12 hex digits of everything that changes results (the data too): not the run's name, not the device."""
        content = {k: v for k, v in self.to_dict().items() if k not in ("run", "device")}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]

    @property
    def rate_percent(self) -> float:
        return 0 if self.method is None else self.method.percent


def _build(kind, data: Mapping):
    names = {f.name for f in dataclasses.fields(kind)}
    if set(data) - names:
        raise ValueError(f"run spec: unknown {kind.__name__} keys {sorted(set(data) - names)}")
    try:
        return kind(**data)
    except TypeError as err:
        raise ValueError(f"run spec: {kind.__name__}: {err}") from None
