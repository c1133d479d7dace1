"""Subcommands declared next to their handlers: ``@command(name, help, example, *arguments)``."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from typing import Callable

from mirtrim import grid
from mirtrim.runspec import RunSpec
from mirtrim.taskdefs import TASK_DEFS


@dataclass(frozen=True)
class Argument:
    flags: tuple[str, ...]
    options: dict


@dataclass(frozen=True)
class Command:
    name: str
    run: Callable
    help: str
    example: str
    arguments: tuple[Argument, ...]


COMMANDS: list[Command] = []


def arg(*flags: str, **options) -> Argument:
    return Argument(flags, options)


def command(name: str, help_: str, example: str, *arguments: Argument):
    """Register the decorated handler as ``mirtrim <name>``; ``example`` is shown by its ``--help``."""

    def register(run: Callable) -> Callable:
        COMMANDS.append(Command(name, run, help_, example, arguments))
        return run

    return register


def run_spec(text: str) -> RunSpec:
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"--spec is not valid JSON: {err}") from None
    if not isinstance(spec, dict) or "task" not in spec:
        raise argparse.ArgumentTypeError("--spec must be a JSON object with at least a 'task' key")
    try:
        return RunSpec.from_dict(spec)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--spec: {err} (print one with mirtrim.grid.spec_json)") from None


def number(kind: type, low: float, high: float | None = None, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: ``kind`` within [low, high] (``low_open``: low excluded), refused in one line."""
    bounds = f"{'>' if low_open else '>='} {low:g}" + ("" if high is None else f" and <= {high:g}")

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind.__name__} {bounds}, got {text!r}") from None
        if value < low or (low_open and value == low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {kind.__name__} {bounds}, got {text!r}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


COUNT = number(int, 1)  # at least one
INDEX = number(int, 0)  # seeds, round indices
FRACTION = number(float, 0, 1)
PERCENT = number(float, 0, 100, low_open=True)
POSITIVE = number(float, 0, low_open=True)
TASKS = tuple(TASK_DEFS)
SCALES = grid.SCALES


def threads(help_: str = "torch intra-op threads") -> Argument:
    return arg("--threads", type=COUNT, default=1, help=help_)


# the arguments several commands share, declared once
SPEC = arg("--spec", type=run_spec, required=True, help="run spec JSON (from mirtrim.grid.spec)")
FEATURES = arg("--features", required=True, help="the task's feature file (.npz)")
ROUND_INPUTS = (SPEC, FEATURES, arg("--model", required=True, help="model.pt of the round"),
                arg("--train-log", required=True, help="train.json of the same round"),
                arg("--round", type=INDEX, required=True, help="the round's index (0: dense)"))
TIMING = (arg("--runs", type=COUNT, default=30, help="timed calls per repeat (default: 30)"),
          arg("--repeats", type=COUNT, default=3, help="repeats; the median is kept (default: 3)"),
          arg("--no-onnx", dest="onnx", action="store_false", help="skip the ONNX export and its timing"))
SUMMARIES = arg("--summaries", nargs="+", required=True, help="per-task summary CSVs (from aggregate)")


def working_threads(claimed: int) -> int:
    """The threads a job computes with: the workflow scales its thread claims by MIRTRIM_CORE_SCALE
    (``--cores`` over the real cores, see workflow/rules/common.smk) and this undoes it."""
    scale = os.environ.get("MIRTRIM_CORE_SCALE", "1")
    if not scale.isdigit() or int(scale) < 1:
        raise SystemExit(f"error: MIRTRIM_CORE_SCALE must be a positive integer, got {scale!r}")
    return max(1, claimed // int(scale))


def set_torch_threads(n: int) -> None:
    import torch

    torch.set_num_threads(max(1, n))
