"""``SpectralTranscriptionCNN``: the drums (3 heads) and onsets (1 head) model on log-mel 64 x 50."""

from __future__ import annotations

import torch
from torch import nn

from mirtrim.models.common import ChannelsLastConv2d, scaled
from mirtrim.prune.graph import Consumer, CouplingGraph, Group


class SpectralTranscriptionCNN(nn.Module):
    """Conv-BN-ReLU x2 with frequency pooling, a 1-channel conv, an MLP and one head per output.

    Output: logits of shape (batch, 2, n_heads, n_frames); channel 1 is "onset at this frame".
    At width 1 the onsets model (1 head) has 5,730,405 parameters and the drums model (3 heads)
    8,038,701, as in the paper.

    ``frame_readout`` (not in the paper) adds to those logits a convolution over time of conv3's
    (n_mels / 4) x n_frames map, 3 frames wide: one shared detector for every frame position. The
    paper's heads read the window through fully connected layers, so they learn each of the 50 frame
    positions apart; the readout adds 98 parameters (onsets) or 294 (drums), reads a boundary tensor
    and so changes no coupling group.
    """

    def __init__(self, n_heads: int = 1, width: float = 1.0, n_mels: int = 64, n_frames: int = 50,
                 channels: int = 256, hidden: int = 1024, kernel: int = 5, frame_readout: bool = False):
        super().__init__()
        c, h = scaled(channels, width), scaled(hidden, width)
        pad = kernel // 2
        self.n_heads, self.n_frames = n_heads, n_frames
        self.conv1 = ChannelsLastConv2d(1, c, kernel, padding=pad)
        self.bn1 = nn.BatchNorm2d(c)
        self.act1 = nn.ReLU()
        self.drop1 = nn.Dropout2d(0.2)
        self.pool1 = nn.MaxPool2d((2, 1))
        self.conv2 = ChannelsLastConv2d(c, c, kernel, padding=pad)
        self.bn2 = nn.BatchNorm2d(c)
        self.act2 = nn.ReLU()
        self.drop2 = nn.Dropout2d(0.2)
        self.pool2 = nn.MaxPool2d((2, 1))
        self.conv3 = ChannelsLastConv2d(c, 1, kernel, padding=pad)
        self.flat_features = (n_mels // 4) * n_frames
        self.fc1 = nn.Linear(self.flat_features, h)
        self.bn_fc1 = nn.BatchNorm1d(h)
        self.act_fc1 = nn.ReLU()
        self.drop_fc1 = nn.Dropout(0.25)
        self.fc2 = nn.Linear(h, h)
        self.bn_fc2 = nn.BatchNorm1d(h)
        self.act_fc2 = nn.ReLU()
        self.drop_fc2 = nn.Dropout(0.25)
        self.fc3 = nn.Linear(h, hidden)  # unprunable in the paper: keeps its full width
        self.heads = nn.ModuleList(
            nn.Sequential(nn.Linear(hidden, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, 2 * n_frames))
            for _ in range(n_heads)
        )
        self.frame_readout = nn.Conv1d(n_mels // 4, 2 * n_heads, 3, padding=1) if frame_readout else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.unsqueeze(1)
        x = self.pool1(self.drop1(self.act1(self.bn1(self.conv1(x)))))
        x = self.pool2(self.drop2(self.act2(self.bn2(self.conv2(x)))))
        local = self.conv3(x)
        x = local.flatten(1)
        x = self.drop_fc1(self.act_fc1(self.bn_fc1(self.fc1(x))))
        x = self.drop_fc2(self.act_fc2(self.bn_fc2(self.fc2(x))))
        x = self.fc3(x)
        out = torch.stack([head(x).view(-1, 2, self.n_frames) for head in self.heads], dim=2)
        if self.frame_readout is not None:
            out = out + self.frame_readout(local.squeeze(1)).view(-1, 2, self.n_heads, self.n_frames)
        return out

    def coupling_graph(self) -> CouplingGraph:
        groups = [
            Group("conv1", ("bn1",), (Consumer("conv2"),)),
            Group("conv2", ("bn2",), (Consumer("conv3"),)),
            Group("fc1", ("bn_fc1",), (Consumer("fc2"),)),
            Group("fc2", ("bn_fc2",), (Consumer("fc3"),)),
        ]
        groups += [Group(f"heads.{i}.0", (f"heads.{i}.1",), (Consumer(f"heads.{i}.3"),)) for i in range(self.n_heads)]
        boundary = ("conv3", "fc3", *(f"heads.{i}.3" for i in range(self.n_heads)))
        if self.frame_readout is not None:
            boundary += ("frame_readout",)
        return CouplingGraph(tuple(groups), boundary)
