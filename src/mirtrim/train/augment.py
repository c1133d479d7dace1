"""Training-batch augmentations that change no label, or move the labels with the input."""

from __future__ import annotations

import torch


def _shifted(x: torch.Tensor, shifts: list[int], out: torch.Tensor) -> torch.Tensor:
    """``out`` with each row ``i`` of ``x`` moved by ``shifts[i]`` along the last axis (later when > 0)."""
    length = x.shape[-1]
    for i, s in enumerate(shifts):
        keep, to, frm = length - abs(s), max(s, 0), max(-s, 0)
        out[i, ..., to:to + keep] = x[i, ..., frm:frm + keep]
    return out


def _draw_shifts(n: int, reach: int, generator: torch.Generator) -> list[int]:
    return torch.randint(-reach, reach + 1, (n,), generator=generator).tolist()


def gain_shift(x: torch.Tensor, generator: torch.Generator, max_gain_db: float, max_shift: float) -> torch.Tensor:
    """Waveforms with a random gain (within +-max_gain_db), polarity and delay or advance (up to
    ``max_shift`` of their length, zero-filled)."""
    n = len(x)
    db = (torch.rand(n, generator=generator) * 2 - 1) * max_gain_db
    sign = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    scale = (sign * 10 ** (db / 20)).view(n, *([1] * (x.dim() - 1)))
    shifts = _draw_shifts(n, int(max_shift * x.shape[-1]), generator)
    return _shifted(x, shifts, torch.zeros_like(x)) * scale


def time_shift(x: torch.Tensor, y: torch.Tensor, generator: torch.Generator,
               max_shift: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Spectrogram windows (..., frames) and their frame labels (..., frames) moved together by up
    to ``max_shift`` of the window; uncovered frames get the window's quietest value and label 0."""
    n = len(x)
    shifts = _draw_shifts(n, int(max_shift * x.shape[-1]), generator)
    floor = x.flatten(1).min(1).values.view(n, *([1] * (x.dim() - 1))).expand_as(x).clone()
    return _shifted(x, shifts, floor), _shifted(y, shifts, torch.zeros_like(y))
