"""CREPE (Kim et al. 2018) as used by the paper: tiny (capacity 4) and medium (capacity 16)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from mirtrim.models.common import ChannelsLastConv1d, functional_in_paper, scaled
from mirtrim.prune.graph import Consumer, CouplingGraph, Group

FILTER_FACTORS = (32, 4, 4, 4, 8, 16)
KERNELS = (512, 64, 64, 64, 64, 64)
N_BINS = 360  # 20-cent bins from 1997.38 cents


class SameConv1d(ChannelsLastConv1d):
    """Conv1d with TensorFlow 'same' padding (extra sample on the right), which PyTorch lacks for
    strided convolutions. Padding inside the layer keeps its hooked input the unpadded signal."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, k, s = x.shape[-1], self.kernel_size[0], self.stride[0]
        total = max((-(-n // s) - 1) * s + k - n, 0)
        return super().forward(F.pad(x, (total // 2, total - total // 2)))


class CREPE(nn.Module):
    """Six Conv1d -> ReLU -> BN -> MaxPool(2) -> Dropout blocks on a 1024-sample frame, then 360 logits.

    Only conv1-5 are trimmable (conv6 fixes the flatten width): tiny has 486,552 parameters at
    width 1 and medium 5,877,288, as in the paper.
    """

    def __init__(self, capacity: int = 4, width: float = 1.0, n_samples: int = 1024):
        super().__init__()
        filters = [capacity * f for f in FILTER_FACTORS]
        filters = [scaled(f, width) for f in filters[:5]] + [filters[5]]  # conv6 keeps its width
        self.blocks = nn.ModuleList()
        channels, length = 1, n_samples
        for i, (out, kernel) in enumerate(zip(filters, KERNELS)):
            stride = 4 if i == 0 else 1
            self.blocks.append(nn.Sequential(SameConv1d(channels, out, kernel, stride=stride),
                                             functional_in_paper(nn.ReLU()), nn.BatchNorm1d(out), nn.MaxPool1d(2),
                                             nn.Dropout(0.25)))
            channels, length = out, -(-length // stride) // 2
        self.flat_features = channels * length
        self.classifier = nn.Linear(self.flat_features, N_BINS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.unsqueeze(1)
        for block in self.blocks:
            x = block(x)
        return self.classifier(x.flatten(1))

    def coupling_graph(self) -> CouplingGraph:
        groups = tuple(Group(f"blocks.{i}.0", (f"blocks.{i}.2",), (Consumer(f"blocks.{i + 1}.0"),)) for i in range(5))
        return CouplingGraph(groups, ("blocks.5.0", "classifier"))
