"""Shared model helpers: width scaling and the paper's initialisation."""

from __future__ import annotations

from torch import nn


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
