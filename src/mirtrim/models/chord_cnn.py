"""``LotteryConvNetAce``: the chord-extraction CNN on 15-frame CQT windows (25 maj/min/N classes)."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.models.common import functional_in_paper, scaled
from mirtrim.prune.graph import Consumer, CouplingGraph, Group


class RelativeGaussianNoise(nn.Module):
    """Training-time noise proportional to the input (``ace_pytorch``'s GaussianNoise, sigma 0.3)."""

    def __init__(self, sigma: float = 0.3):
        super().__init__()
        self.sigma = sigma

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.sigma == 0:
            return x
        return x + torch.randn_like(x) * self.sigma * x.detach()


class ChordCNN(nn.Module):
    """BN(1) + noise, three Conv2d (the third fixes the flatten width), Linear 200, Linear 25.

    416,207 parameters at width 1, as in the paper.
    """

    def __init__(self, width: float = 1.0, n_bins: int = 105, n_frames: int = 15, n_classes: int = 25):
        super().__init__()
        c1, c2, h = scaled(16, width), scaled(20, width), scaled(200, width)
        self.bn_in, self.noise = nn.BatchNorm2d(1), RelativeGaussianNoise(0.3)
        self.conv1, self.bn1 = nn.Conv2d(1, c1, (25, 6), padding=1), nn.BatchNorm2d(c1)
        self.act1, self.drop1, self.pool1 = functional_in_paper(nn.ReLU()), nn.Dropout(0.6), nn.MaxPool2d((3, 1), stride=1)
        self.conv2, self.bn2 = nn.Conv2d(c1, c2, (27, 6)), nn.BatchNorm2d(c2)
        self.act2, self.drop2 = functional_in_paper(nn.ReLU()), nn.Dropout(0.6)
        self.conv3, self.bn3 = nn.Conv2d(c2, 24, (27, 6)), nn.BatchNorm2d(24)
        self.act3, self.drop3 = functional_in_paper(nn.ReLU()), nn.Dropout(0.6)
        f, t = n_bins + 2 - 25 + 1 - 2 - 26 - 26, n_frames + 2 - 6 + 1 - 5 - 5
        self.flat_features = 24 * f * t
        self.fc1, self.bn_fc1 = nn.Linear(self.flat_features, h), nn.BatchNorm1d(h)
        self.act_fc1, self.drop_fc1 = nn.ReLU(), nn.Dropout(0.6)
        self.fc2 = nn.Linear(h, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.noise(self.bn_in(x.unsqueeze(1)))
        x = self.pool1(self.drop1(self.act1(self.bn1(self.conv1(x)))))
        x = self.drop2(self.act2(self.bn2(self.conv2(x))))
        x = self.drop3(self.act3(self.bn3(self.conv3(x)))).flatten(1)
        x = self.drop_fc1(self.act_fc1(self.bn_fc1(self.fc1(x))))
        return self.fc2(x)

    def coupling_graph(self) -> CouplingGraph:
        return CouplingGraph((
            Group("conv1", ("bn1",), (Consumer("conv2"),)),
            Group("conv2", ("bn2",), (Consumer("conv3"),)),
            Group("fc1", ("bn_fc1",), (Consumer("fc2"),)),
        ), ("conv3", "fc2"))
