"""Trim a model the project did not build: ``python -m mirtrim trim --model pkg.module:factory ...``.

The coupling graph is traced (prune/trace.py) and verified exact before the model is touched;
each round scores, plans and removes units; the trimmed module, its plans and (optionally) an ONNX
file are written atomically. Anything that cannot be trimmed exactly is refused with one line.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import torch
from torch import nn

from mirtrim.profile.counts import count_parameters, forward_costs
from mirtrim.prune import CouplingError, apply_kept, kept_from_plan, make_plan, trace_coupling, verify
from mirtrim.utils.atomic import atomic_path, write_json


def load_factory(spec: str):
    """``package.module:factory`` or ``path/to/file.py:factory`` -> the callable."""
    where, _, name = spec.rpartition(":")
    if not where or not name:
        raise ValueError(f"--model {spec!r}: expected 'package.module:factory' or 'file.py:factory'")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise ValueError(f"--model {spec!r}: no file {path}")
            module_spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[path.stem] = module  # so that torch.load finds the classes again
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except ImportError as err:
        raise ValueError(f"--model {spec!r}: cannot import {where!r} ({err}); check the name and PYTHONPATH") from None
    if not callable(getattr(module, name, None)):
        raise ValueError(f"--model {spec!r}: {where} has no callable {name!r}")
    return getattr(module, name)


def build(spec: str, weights: str | None) -> nn.Module:
    model = load_factory(spec)()
    if not isinstance(model, nn.Module):
        raise ValueError(f"--model {spec!r}: the factory returned a {type(model).__name__}, not an nn.Module")
    if weights:
        try:
            state = torch.load(weights, map_location="cpu", weights_only=True)
        except (OSError, RuntimeError, EOFError) as err:
            raise ValueError(f"--weights {weights}: not a readable state_dict ({err})") from None
        try:
            model.load_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)
        except (RuntimeError, AttributeError, TypeError) as err:
            raise ValueError(f"--weights {weights}: does not fit the model ({str(err).splitlines()[0]})") from None
    return model.eval()


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise ValueError(f"--example-shape {text!r}: expected comma-separated sizes such as 1,1,16000") from None
    if not shape or any(s < 1 for s in shape):
        raise ValueError(f"--example-shape {text!r}: every size must be >= 1")
    return shape


def costs(model: nn.Module, shape: tuple[int, ...]) -> dict:
    return {"parameters": count_parameters(model), "macs": forward_costs(model, shape[1:])["macs"]}


def trim_own_model(model_spec: str, example_shape: str, out: str, *, weights: str | None = None,
                   criterion: str = "magnitude", scope: str = "local", percent: float = 30.0, rounds: int = 1,
                   keep: tuple[str, ...] = (), min_units: int = 3, onnx: str | None = None, seed: int = 0) -> dict:
    if rounds < 1:
        raise ValueError(f"--rounds {rounds}: at least one round")
    if not 0 < percent < 100:
        raise ValueError(f"--percent {percent}: the share of units removed per round, in (0, 100)")
    model = build(model_spec, weights)
    shape = parse_shape(example_shape)
    example = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    report = trace_coupling(model, example, keep=keep)
    if not report.graph.groups:
        raise ValueError(f"nothing to trim in {model_spec}: every layer is on the boundary\n{report.summary()}")
    try:
        verify(report.graph, model, example)
    except CouplingError as err:
        raise ValueError(f"the traced graph of {model_spec} is not exact, nothing was trimmed: {err}") from None
    before, plans, kept_dense = costs(model, shape), [], None
    for r in range(1, rounds + 1):
        plan = make_plan(model, report.graph, criterion=criterion, scope=scope, percent=percent, round_index=r,
                         kept_dense_prev=kept_dense, batches=[example], seed=seed, min_units=min_units)
        apply_kept(model, report.graph, kept_from_plan(plan))
        kept_dense, plans = kept_from_plan(plan, "kept_dense"), plans + [plan]
    after = costs(model, shape)
    with atomic_path(out) as tmp:
        torch.save(model, tmp)
    record = {"model": model_spec, "example_shape": list(shape), "criterion": criterion, "scope": scope,
              "percent": percent, "rounds": rounds, "before": before, "after": after,
              "boundary": {name: report.unplaced.get(name, "") for name in report.graph.boundary}, "plans": plans}
    write_json(Path(out).with_suffix(".plan.json"), record)
    if onnx:
        from mirtrim.profile.deploy import export_onnx

        with atomic_path(onnx, suffix=".onnx") as tmp:
            export_onnx(model, shape[1:], tmp)
    return record
