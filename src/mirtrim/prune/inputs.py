"""Model inputs and outputs of any shape: a tensor, or (nested) tuples, lists and dicts of them."""

from __future__ import annotations

import torch
from torch import nn


def call_with(model: nn.Module, example):
    """Run ``model`` on an example given as a tensor, a tuple/list of positional inputs, or a dict
    of keyword inputs."""
    if isinstance(example, dict):
        return model(**example)
    if isinstance(example, (tuple, list)):
        return model(*example)
    return model(example)


def output_tensors(out) -> list[torch.Tensor]:
    """The tensors of a model output (a tensor, or nested tuples, lists and dicts of them)."""
    if isinstance(out, torch.Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in output_tensors(item)]
    return []


def first_n(example, n: int):
    """The first ``n`` examples of every tensor in a (tuple/list/dict) batch."""
    if isinstance(example, dict):
        return {k: first_n(v, n) for k, v in example.items()}
    if isinstance(example, (tuple, list)):
        return type(example)(first_n(v, n) for v in example)
    return example[:n] if isinstance(example, torch.Tensor) else example


def batch_size(example) -> int:
    """Examples in a batch: the leading size of its first tensor."""
    if isinstance(example, torch.Tensor):
        return len(example)
    values = example.values() if isinstance(example, dict) else example
    return next(batch_size(v) for v in values if isinstance(v, (torch.Tensor, tuple, list, dict)))
