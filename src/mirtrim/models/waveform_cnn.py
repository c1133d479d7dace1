"""``WaveformCNN``: the singing-technique and instrument classifiers on raw audio."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.models.common import ChannelsLastConv1d, scaled
from mirtrim.prune.graph import Consumer, CouplingGraph, Group


class WaveformCNN(nn.Module):
    """Three strided Conv1d (the last one 1 channel, fixing the flatten width), then a 2-layer MLP.

    Singing (132,300 samples, kernel 256, stride 16, 10 classes): 1,360,779 parameters at width 1;
    instrument (32,768 samples, kernel 64, stride 4, 13 classes): 796,558.

    ``pooled_readout`` (not in the paper) adds to the logits a linear map of conv2's channels, each
    averaged and max-pooled over time. The paper's model reads its input only through conv3's single
    channel, so a timbre that conv2 detects must survive that 1-channel bottleneck and a flatten that
    fixes where in the clip it occurs; the readout adds 2 x channels x classes + classes parameters
    (221 for instrument at width 0.125). It reads conv2's units, so trimming conv2 slices its inputs.
    """

    def __init__(self, n_samples: int, n_classes: int, kernel: int, width: float = 1.0, channels: int = 64,
                 hidden: int = 512, padding: int = 6, pooled_readout: bool = False):
        super().__init__()
        c, h, stride = scaled(channels, width), scaled(hidden, width), kernel // 16  # the paper: stride = kernel // 16
        self.n_samples = n_samples
        self.conv1, self.bn1 = ChannelsLastConv1d(1, c, kernel, stride=stride, padding=padding), nn.BatchNorm1d(c)
        self.act1, self.drop1 = nn.ReLU(), nn.Dropout1d(0.25)
        self.conv2, self.bn2 = ChannelsLastConv1d(c, c, kernel, stride=stride, padding=padding), nn.BatchNorm1d(c)
        self.act2, self.drop2 = nn.ReLU(), nn.Dropout1d(0.25)
        self.conv3 = ChannelsLastConv1d(c, 1, kernel, stride=stride, padding=padding)
        length = n_samples
        for _ in range(3):
            length = (length + 2 * padding - kernel) // stride + 1
        self.flat_features = length
        self.fc1, self.bn_fc1 = nn.Linear(length, h), nn.BatchNorm1d(h)
        self.act_fc1, self.drop_fc1 = nn.ReLU(), nn.Dropout(0.25)
        self.fc2, self.bn_fc2 = nn.Linear(h, h), nn.BatchNorm1d(h)
        self.act_fc2, self.drop_fc2 = nn.ReLU(), nn.Dropout(0.25)
        self.fc3 = nn.Linear(h, n_classes)
        self.pooled_readout = nn.Linear(2 * c, n_classes) if pooled_readout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.unsqueeze(1)
        x = self.drop1(self.act1(self.bn1(self.conv1(x))))
        features = self.drop2(self.act2(self.bn2(self.conv2(x))))
        x = self.conv3(features).flatten(1)
        x = self.drop_fc1(self.act_fc1(self.bn_fc1(self.fc1(x))))
        x = self.drop_fc2(self.act_fc2(self.bn_fc2(self.fc2(x))))
        out = self.fc3(x)
        if self.pooled_readout is not None:
            pooled = torch.cat([features.mean(dim=2), features.amax(dim=2)], dim=1)
            out = out + self.pooled_readout(pooled)
        return out

    def coupling_graph(self) -> CouplingGraph:
        conv2_readers, boundary = (Consumer("conv3"),), ("conv3", "fc3")
        if self.pooled_readout is not None:  # reads [mean of every channel, max of every channel]
            conv2_readers += (Consumer("pooled_readout", layout="strided", factor=2),)
            boundary += ("pooled_readout",)
        return CouplingGraph((
            Group("conv1", ("bn1",), (Consumer("conv2"),)),
            Group("conv2", ("bn2",), conv2_readers),
            Group("fc1", ("bn_fc1",), (Consumer("fc2"),)),
            Group("fc2", ("bn_fc2",), (Consumer("fc3"),)),
        ), boundary)
