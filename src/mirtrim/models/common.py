"""Shared model helpers: width scaling, the paper's initialisation, channels-last convolutions."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def scaled(units: int, width: float) -> int:
    """Units of a trimmable layer at a width multiplier (at least one)."""
    return max(1, int(round(units * width)))


def init_paper(model: nn.Module, strategy: str = "xavier") -> nn.Module:
    """The paper's ``InitializationStrategy``.

    ``xavier``: Linear and Conv2d get xavier-normal weights and N(0, 1) biases, Conv1d keeps
    PyTorch's default (the ``classic`` strategy drops that special case); norms get gamma ~ N(1, 0.02)
    and beta = 0.
    """
    if strategy not in ("xavier", "classic"):
        raise ValueError(f"init strategy must be 'xavier' or 'classic', got {strategy!r}")
    for m in model.modules():
        if isinstance(m, nn.Conv1d) and strategy == "xavier":
            m.reset_parameters()
        elif isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            nn.init.xavier_normal_(m.weight)
            if m.bias is not None:
                nn.init.normal_(m.bias, 0.0, 1.0)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return model


def functional_in_paper(module: nn.Module) -> nn.Module:
    """Mark a layer the paper's code applied functionally, so its hook-based statistics never saw it
    (the conv ReLUs of the chord CNN and CREPE); the paper-convention profile skips it likewise."""
    module.paper_uncounted = True
    return module


def _trains_in_channels_last(layer: nn.Module, input: torch.Tensor) -> bool:
    """The layout applies to CPU training steps only, where it was measured: inference (evaluation,
    latency, export) and other devices compute exactly as the plain layer."""
    return layer.channels_last and torch.is_grad_enabled() and input.device.type == "cpu"


class ChannelsLastConv2d(nn.Conv2d):
    """An ``nn.Conv2d`` that trains in the channels-last layout. On CPU, oneDNN back-propagates the
    transcription CNN's training steps 1.3-1.7x faster in that layout
    (docs/benchmarks/memory_format.md); its output stays channels-last, so the next convolution reads
    it without a reorder. Parameters, checkpoints and trimming are those of ``nn.Conv2d``."""

    channels_last = True  # False: always compute as nn.Conv2d (the layout benchmark's reference)

    def _conv_forward(self, input, weight, bias):
        if _trains_in_channels_last(self, input):
            weight = weight.clone(memory_format=torch.channels_last)
        return super()._conv_forward(input, weight, bias)


class ChannelsLastConv1d(nn.Conv1d):
    """An ``nn.Conv1d`` that trains as a channels-last 2-D convolution over a height of 1: on CPU that
    layout makes CREPE's training steps 1.4-1.5x faster and the waveform CNN's up to 1.2x
    (docs/benchmarks/memory_format.md). The output is an ordinary contiguous (batch, channels, time)
    tensor; parameters, checkpoints and trimming are those of ``nn.Conv1d``."""

    channels_last = True  # False: always compute as nn.Conv1d (the layout benchmark's reference)

    def _conv_forward(self, input, weight, bias):
        if not _trains_in_channels_last(self, input) or self.padding_mode != "zeros" or isinstance(self.padding, str):
            return super()._conv_forward(input, weight, bias)
        out = F.conv2d(input.unsqueeze(2), weight.unsqueeze(2).clone(memory_format=torch.channels_last), bias,
                       (1, self.stride[0]), (0, self.padding[0]), (1, self.dilation[0]), self.groups)
        return out.squeeze(2).contiguous()
