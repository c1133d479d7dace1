"""Small models covering the layer patterns of MIR models, each with its coupling graph."""

import torch
from torch import nn

from mirtrim.prune import Consumer, CouplingGraph, Group


class Conv1dFlatten(nn.Module):
    """Conv1d -> BN1d -> ReLU -> Conv1d -> BN -> ReLU -> flatten -> Linear: a channel feeds a block of L inputs."""

    def __init__(self, length=20):
        super().__init__()
        self.c1, self.b1 = nn.Conv1d(2, 8, 3, padding=1), nn.BatchNorm1d(8)
        self.c2, self.b2 = nn.Conv1d(8, 6, 3, padding=1), nn.BatchNorm1d(6)
        self.fc = nn.Linear(6 * length, 4)
        self.input_shape = (2, length)

    def forward(self, x):
        x = torch.relu(self.b1(self.c1(x)))
        x = torch.relu(self.b2(self.c2(x)))
        return self.fc(x.flatten(1))

    def coupling_graph(self):
        return CouplingGraph((Group("c1", ("b1",), (Consumer("c2"),)),
                              Group("c2", ("b2",), (Consumer("fc", "block", 20),))), ("fc",))


class Conv2dMultiHead(nn.Module):
    """Conv2d -> BN2d -> pool -> Conv2d -> BN -> flatten -> Linear -> BN1d -> two heads."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6)
        self.c2, self.b2 = nn.Conv2d(6, 5, 3, padding=1), nn.BatchNorm2d(5)
        self.fc, self.bf = nn.Linear(5 * 4 * 4, 12), nn.BatchNorm1d(12)
        self.head_a, self.head_b = nn.Linear(12, 3), nn.Linear(12, 2)
        self.input_shape = (1, 8, 8)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.b1(self.c1(x))), 2)
        x = torch.relu(self.b2(self.c2(x)))
        x = torch.relu(self.bf(self.fc(x.flatten(1))))
        return torch.cat([self.head_a(x), self.head_b(x)], dim=1)

    def coupling_graph(self):
        return CouplingGraph((Group("c1", ("b1",), (Consumer("c2"),)),
                              Group("c2", ("b2",), (Consumer("fc", "block", 16),)),
                              Group("fc", ("bf",), (Consumer("head_a"), Consumer("head_b")))),
                             ("head_a", "head_b"))


class FrequencyMajorReshape(nn.Module):
    """CRNN-style per-frame head: (B, C, F, T) -> (B, T, F*C) puts channel c at inputs f*C + c."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(1, 7, 3, padding=1), nn.BatchNorm2d(7)
        self.fc = nn.Linear(4 * 7, 5)
        self.input_shape = (1, 4, 6)

    def forward(self, x):
        h = torch.relu(self.b1(self.c1(x)))  # (B, C, F, T)
        b, c, f, t = h.shape
        return self.fc(h.permute(0, 3, 2, 1).reshape(b, t, f * c))

    def coupling_graph(self):
        return CouplingGraph((Group("c1", ("b1",), (Consumer("fc", "strided", 4),)),), ("fc",))


ZOO = [Conv1dFlatten, Conv2dMultiHead, FrequencyMajorReshape]


def randomise_norms(model, seed=0):
    """Non-trivial BN statistics and affine parameters, so equivalence tests mean something."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.weight.data = torch.rand(m.num_features, generator=g) + 0.5
            m.bias.data = torch.rand(m.num_features, generator=g) * 0.8 + 0.2  # beta > 0: the masking trap
            m.running_mean = torch.randn(m.num_features, generator=g) * 0.1
            m.running_var = torch.rand(m.num_features, generator=g) + 0.5
    return model


class ConvRecurrent(nn.Module):
    """CRNN: Conv2d -> BN -> (B, T, C*F) -> stacked bidirectional GRU/LSTM -> per-frame Linear."""

    def __init__(self, cell="gru", bidirectional=True, layers=2):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6)
        rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.rnn = rnn(6 * 4, 10, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.dirs, self.layers = 2 if bidirectional else 1, layers
        self.fc = nn.Linear(10 * self.dirs, 3)
        self.input_shape = (1, 4, 7)

    def forward(self, x):
        h = torch.relu(self.b1(self.c1(x)))  # (B, C, F, T)
        b, c, f, t = h.shape
        out, _ = self.rnn(h.permute(0, 3, 1, 2).reshape(b, t, c * f))  # channel-major: c*F + f
        return self.fc(out)

    def coupling_graph(self):
        groups = [Group("c1", ("b1",), (Consumer("rnn", "block", 4, layer=0),))]
        layout = "strided" if self.dirs == 2 else "block"  # the same read when unidirectional
        for k in range(self.layers):
            nxt = Consumer("rnn", layout, self.dirs, layer=k + 1) if k + 1 < self.layers else \
                Consumer("fc", layout, self.dirs)
            groups.append(Group("rnn", (), (nxt,), layer=k))
        return CouplingGraph(tuple(groups), ("fc",))


def gru_bi():
    return ConvRecurrent("gru", True, 2)


def lstm_bi():
    return ConvRecurrent("lstm", True, 2)


def gru_uni():
    return ConvRecurrent("gru", False, 1)


def lstm_uni_stacked():
    return ConvRecurrent("lstm", False, 3)


ZOO += [gru_bi, lstm_bi, gru_uni, lstm_uni_stacked]


class ResidualCNN(nn.Module):
    """A ResNet-style stage (He et al. 2016, torchvision's BasicBlock, re-implemented small): a stem,
    two identity blocks whose second conv adds into the stem's stream, then a strided block whose
    1x1 downsample starts a new stream, global pooling and a Linear head."""

    def __init__(self):
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        for k in (1, 2):
            setattr(self, f"b{k}c1", nn.Conv2d(8, 6, 3, padding=1, bias=False))
            setattr(self, f"b{k}n1", nn.BatchNorm2d(6))
            setattr(self, f"b{k}c2", nn.Conv2d(6, 8, 3, padding=1, bias=False))
            setattr(self, f"b{k}n2", nn.BatchNorm2d(8))
        self.b3c1, self.b3n1 = nn.Conv2d(8, 10, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(10)
        self.b3c2, self.b3n2 = nn.Conv2d(10, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12)
        self.down, self.down_bn = nn.Conv2d(8, 12, 1, stride=2, bias=False), nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, 5)
        self.input_shape = (1, 8, 8)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(x)))
        for k in (1, 2):
            h = torch.relu(getattr(self, f"b{k}n1")(getattr(self, f"b{k}c1")(x)))
            x = torch.relu(x + getattr(self, f"b{k}n2")(getattr(self, f"b{k}c2")(h)))
        h = torch.relu(self.b3n1(self.b3c1(x)))
        x = torch.relu(self.down_bn(self.down(x)) + self.b3n2(self.b3c2(h)))
        return self.fc(x.mean(dim=(2, 3)))

    def coupling_graph(self):
        stream1 = (Consumer("b1c1"), Consumer("b2c1"), Consumer("b3c1"), Consumer("down"))
        groups = (
            Group("stem", ("stem_bn",), stream1),  # the stream's consumers, declared once
            Group("b1c1", ("b1n1",), (Consumer("b1c2"),)), Group("b1c2", ("b1n2",), ()),
            Group("b2c1", ("b2n1",), (Consumer("b2c2"),)), Group("b2c2", ("b2n2",), ()),
            Group("b3c1", ("b3n1",), (Consumer("b3c2"),)),
            Group("b3c2", ("b3n2",), (Consumer("fc"),)), Group("down", ("down_bn",), ()),
        )
        return CouplingGraph(groups, ("fc",), shared=(("stem", "b1c2", "b2c2"), ("b3c2", "down")))


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation gating (Hu et al. 2018, re-implemented small): the excitation Linear's
    sigmoid output multiplies the conv's channels, so the two producers share one unit set."""

    def __init__(self):
        super().__init__()
        self.c1, self.b1 = nn.Conv1d(2, 8, 3, padding=1), nn.BatchNorm1d(8)
        self.squeeze, self.excite = nn.Linear(8, 4), nn.Linear(4, 8)
        self.c2 = nn.Conv1d(8, 3, 1)
        self.input_shape = (2, 16)

    def forward(self, x):
        x = torch.relu(self.b1(self.c1(x)))
        gate = torch.sigmoid(self.excite(torch.relu(self.squeeze(x.mean(dim=2)))))
        return self.c2(x * gate[:, :, None])

    def coupling_graph(self):
        groups = (Group("c1", ("b1",), (Consumer("squeeze"), Consumer("c2"))),
                  Group("squeeze", (), (Consumer("excite"),)), Group("excite", (), ()))
        return CouplingGraph(groups, ("c2",), shared=(("c1", "excite"),))


ZOO += [ResidualCNN, SqueezeExcitation]


class FireConcat(nn.Module):
    """SqueezeNet's Fire module (Iandola et al. 2016, re-implemented small): a 1x1 squeeze feeds a 1x1
    and a 3x3 expand whose outputs are concatenated into the next conv."""

    def __init__(self):
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.squeeze = nn.Conv2d(8, 4, 1)
        self.expand1, self.expand3 = nn.Conv2d(4, 6, 1), nn.Conv2d(4, 5, 3, padding=1)
        self.head = nn.Conv2d(11, 3, 1)
        self.input_shape = (1, 6, 6)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(x)))
        s = torch.relu(self.squeeze(x))
        x = torch.cat([torch.relu(self.expand1(s)), torch.relu(self.expand3(s))], dim=1)
        return self.head(x).mean(dim=(2, 3))

    def coupling_graph(self):
        order = ("expand1", "expand3")
        return CouplingGraph((Group("stem", ("stem_bn",), (Consumer("squeeze"),)),
                              Group("squeeze", (), (Consumer("expand1"), Consumer("expand3"))),
                              Group("expand1", (), (Consumer("head", concat=order),)),
                              Group("expand3", (), (Consumer("head", concat=order),))), ("head",))


class UNetSkip(nn.Module):
    """A two-level U-Net (Ronneberger et al. 2015; Jansson et al. 2017 for spectrogram separation,
    re-implemented small): a strided encoder, a transposed-conv decoder, and a skip concatenation of
    the encoder's features with the upsampled ones, then flattened into a Linear head."""

    def __init__(self):
        super().__init__()
        self.enc, self.enc_bn = nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6)
        self.down, self.down_bn = nn.Conv2d(6, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8)
        self.up, self.up_bn = nn.ConvTranspose2d(8, 5, 2, stride=2), nn.BatchNorm2d(5)
        self.dec = nn.Conv2d(11, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 3)
        self.input_shape = (1, 8, 8)

    def forward(self, x):
        e = torch.relu(self.enc_bn(self.enc(x)))
        u = torch.relu(self.up_bn(self.up(torch.relu(self.down_bn(self.down(e))))))
        d = torch.relu(self.dec(torch.cat([u, e], dim=1)))
        return self.fc(d.flatten(1))

    def coupling_graph(self):
        order = ("up", "enc")
        return CouplingGraph((Group("enc", ("enc_bn",), (Consumer("down"), Consumer("dec", concat=order))),
                              Group("down", ("down_bn",), (Consumer("up"),)),
                              Group("up", ("up_bn",), (Consumer("dec", concat=order),)),
                              Group("dec", (), (Consumer("fc", "block", 64),))), ("fc",))


class MultiBranchFrontEnd(nn.Module):
    """A multi-branch front-end (Pons et al. 2017's musically motivated filter shapes, re-implemented
    small): two convs of different kernel shapes and the raw input, concatenated channel-wise; the
    raw input's channel is a fixed segment that trimming never touches."""

    def __init__(self):
        super().__init__()
        self.wide, self.wide_bn = nn.Conv2d(1, 6, (1, 5), padding=(0, 2)), nn.BatchNorm2d(6)
        self.tall, self.tall_bn = nn.Conv2d(1, 4, (5, 1), padding=(2, 0)), nn.BatchNorm2d(4)
        self.mix = nn.Conv2d(1 + 6 + 4, 3, 1)
        self.input_shape = (1, 6, 6)

    def forward(self, x):
        branches = [x, torch.relu(self.wide_bn(self.wide(x))), torch.relu(self.tall_bn(self.tall(x)))]
        return self.mix(torch.cat(branches, dim=1)).mean(dim=(2, 3))

    def coupling_graph(self):
        order = (1, "wide", "tall")
        return CouplingGraph((Group("wide", ("wide_bn",), (Consumer("mix", concat=order),)),
                              Group("tall", ("tall_bn",), (Consumer("mix", concat=order),))), ("mix",))


ZOO += [FireConcat, UNetSkip, MultiBranchFrontEnd]


class InvertedResidual(nn.Module):
    """MobileNetV2's inverted residual (Sandler et al. 2018, re-implemented small): a 1x1 expansion,
    a depthwise 3x3 (its channels are the expansion's units), a 1x1 projection added to the block's
    input stream; PReLU and InstanceNorm stand in for other per-channel layers."""

    def __init__(self):
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6)
        self.expand, self.expand_bn = nn.Conv2d(6, 12, 1, bias=False), nn.BatchNorm2d(12)
        self.act = nn.PReLU(12)
        self.dw, self.dw_bn = nn.Conv2d(12, 12, 3, padding=1, groups=12), nn.BatchNorm2d(12)
        self.project, self.project_bn = nn.Conv2d(12, 6, 1, bias=False), nn.BatchNorm2d(6)
        self.head_conv, self.head_norm = nn.Conv2d(6, 5, 1), nn.InstanceNorm2d(5, affine=True)
        self.fc = nn.Linear(5, 4)
        self.input_shape = (1, 6, 6)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(x)))
        h = self.act(self.expand_bn(self.expand(x)))
        h = torch.relu(self.dw_bn(self.dw(h)))
        x = x + self.project_bn(self.project(h))
        return self.fc(torch.relu(self.head_norm(self.head_conv(x))).mean(dim=(2, 3)))

    def coupling_graph(self):
        groups = (Group("stem", ("stem_bn",), (Consumer("expand"), Consumer("head_conv"))),
                  Group("expand", ("expand_bn", "act", "dw", "dw_bn"), (Consumer("project"),)),
                  Group("project", ("project_bn",), ()),
                  Group("head_conv", ("head_norm",), (Consumer("fc"),)))
        return CouplingGraph(groups, ("fc",), shared=(("stem", "project"),))


ZOO += [InvertedResidual]


class TwoInputFusion(nn.Module):
    """Audio features and a side input (a tag or conditioning vector, as in conditioned taggers),
    embedded separately and concatenated: ``forward(spec, side)``; not in ZOO (two inputs)."""

    def __init__(self):
        super().__init__()
        self.conv, self.conv_bn = nn.Conv1d(3, 8, 3, padding=1), nn.BatchNorm1d(8)
        self.embed = nn.Linear(4, 6)
        self.fc = nn.Linear(8 + 6, 2)

    def forward(self, spec, side):
        a = torch.relu(self.conv_bn(self.conv(spec))).mean(dim=2)
        return self.fc(torch.cat([a, torch.relu(self.embed(side))], dim=1))

    def coupling_graph(self):
        order = ("conv", "embed")
        return CouplingGraph((Group("conv", ("conv_bn",), (Consumer("fc", concat=order),)),
                              Group("embed", (), (Consumer("fc", concat=order),))), ("fc",))


class TCNWeightNorm(nn.Module):
    """A temporal convolutional network block (Bai et al. 2018, as in TCN beat trackers; re-implemented
    small): two weight-normed dilated causal convs, a weight-normed 1x1 downsample on the residual,
    their sum, and a Linear head on the last frame. ``parametrized=False`` uses the deprecated
    ``torch.nn.utils.weight_norm``, which trimming refuses."""

    def __init__(self, parametrized=True):
        super().__init__()
        import warnings

        from torch.nn.utils import parametrizations, weight_norm
        wn = parametrizations.weight_norm if parametrized else weight_norm
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self.c1 = wn(nn.Conv1d(2, 8, 3, padding=2, dilation=1))
            self.c2 = wn(nn.Conv1d(8, 6, 3, padding=4, dilation=2))
            self.down = wn(nn.Conv1d(2, 6, 1))
            self.fc = nn.Linear(6, 3)
        self.input_shape = (2, 12)

    def forward(self, x):
        t = x.shape[-1]
        h = torch.relu(self.c1(x)[..., :t])  # chomp: causal
        h = torch.relu(self.c2(h)[..., :t])
        return self.fc(torch.relu(h + self.down(x))[..., -1])

    def coupling_graph(self):
        return CouplingGraph((Group("c1", (), (Consumer("c2"),)), Group("c2", (), (Consumer("fc"),)),
                              Group("down", (), ())), ("fc",), shared=(("c2", "down"),))


ZOO += [TCNWeightNorm]


class VGGTagger(nn.Module):
    """A VGG-style music auto-tagger on a mel spectrogram (the FCN of Choi et al., ISMIR 2016, as in
    minzwon/sota-music-tagging-models; re-implemented small): 3x3 conv, BN, ReLU, max-pool blocks,
    a global max over the remaining time-frequency plane, and a sigmoid tag layer."""

    def __init__(self, widths=(8, 12, 16)):
        super().__init__()
        self.input_bn = nn.BatchNorm2d(1)
        chans = (1, *widths)
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1) for a, b in zip(chans, chans[1:]))
        self.bns = nn.ModuleList(nn.BatchNorm2d(b) for b in widths)
        self.tags = nn.Linear(widths[-1], 5)
        self.input_shape = (1, 16, 16)

    def forward(self, x):
        x = self.input_bn(x)
        for conv, bn in zip(self.convs, self.bns):
            x = torch.max_pool2d(torch.relu(bn(conv(x))), 2)
        return torch.sigmoid(self.tags(x.amax(dim=(2, 3))))

    def coupling_graph(self):
        n = len(self.convs)
        nxt = [Consumer(f"convs.{i + 1}") for i in range(n - 1)] + [Consumer("tags")]
        return CouplingGraph(tuple(Group(f"convs.{i}", (f"bns.{i}",), (nxt[i],)) for i in range(n)), ("tags",))


class TransformerBlock(nn.Module):
    """A post-norm transformer encoder layer over spectrogram frames (Vaswani et al. 2017, as
    ``torch.nn.TransformerEncoderLayer``; re-implemented small): a frame embedding, self-attention
    and a ReLU feed-forward, each added back into the stream and layer-normalised, and a per-frame head.
    The stream's width is tied to the attention's embedding and to both LayerNorms, so only the
    feed-forward's hidden units are trimmed (see the README's list of what is refused)."""

    def __init__(self, bins=12, width=16, heads=4, hidden=32):
        super().__init__()
        self.embed = nn.Linear(bins, width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.ff1, self.ff2 = nn.Linear(width, hidden), nn.Linear(hidden, width)
        self.head = nn.Linear(width, 3)
        self.input_shape = (6, bins)

    def forward(self, x):
        h = self.embed(x)
        h = self.norm1(h + self.attn(h, h, h, need_weights=False)[0])
        h = self.norm2(h + self.ff2(torch.relu(self.ff1(h))))
        return self.head(h)

    def coupling_graph(self):
        return CouplingGraph((Group("ff1", (), (Consumer("ff2"),)),), ("embed", "attn.out_proj", "ff2", "head"))


class BiLSTMSeparator(nn.Module):
    """A spectrogram-mask source separator (Open-Unmix, Stöter et al., JOSS 2019, sigsep/open-unmix-pytorch;
    re-implemented small and batch-first): an encoder Linear + BN + tanh, a stacked bidirectional
    LSTM whose output is concatenated with its input (the skip), two Linear + BN decoders, and a
    ReLU mask that multiplies the input magnitude."""

    def __init__(self, bins=10, hidden=12, layers=2):
        super().__init__()
        self.fc1, self.bn1 = nn.Linear(bins, hidden, bias=False), nn.BatchNorm1d(hidden)
        self.lstm = nn.LSTM(hidden, hidden // 2, num_layers=layers, batch_first=True, bidirectional=True)
        self.fc2, self.bn2 = nn.Linear(2 * hidden, hidden, bias=False), nn.BatchNorm1d(hidden)
        self.fc3, self.bn3 = nn.Linear(hidden, bins, bias=False), nn.BatchNorm1d(bins)
        self.layers = layers
        self.input_shape = (5, bins)

    def forward(self, mix):
        b, t, f = mix.shape
        h = torch.tanh(self.bn1(self.fc1(mix.reshape(b * t, f)))).reshape(b, t, -1)
        out, _ = self.lstm(h)
        h = torch.cat([h, out], dim=-1).reshape(b * t, -1)
        h = torch.relu(self.bn2(self.fc2(h)))
        mask = torch.relu(self.bn3(self.fc3(h))).reshape(b, t, f)
        return mask * mix

    def coupling_graph(self):
        last = f"lstm.l{self.layers - 1}"
        skip = ("fc1", last)
        groups = [Group("fc1", ("bn1",), (Consumer("lstm", layer=0), Consumer("fc2", concat=skip)))]
        groups += [Group("lstm", (), (Consumer("lstm", "strided", 2, layer=k + 1),), layer=k)
                   for k in range(self.layers - 1)]
        groups += [Group("lstm", (), (Consumer("fc2", "strided", 2, concat=skip),), layer=self.layers - 1),
                   Group("fc2", ("bn2",), (Consumer("fc3"),))]
        return CouplingGraph(tuple(groups), ("fc3",))


class GRUFinalState(nn.Module):
    """A GRU sequence classifier read from its final hidden state (as in many tagging CRNNs, e.g.
    Choi et al., ICASSP 2017): Conv1d front-end, two-layer GRU, a Linear on ``h_n`` of the last layer."""

    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv1d(3, 8, 3, padding=1), nn.BatchNorm1d(8)
        self.rnn = nn.GRU(8, 10, num_layers=2, batch_first=True)
        self.fc = nn.Linear(10, 4)
        self.input_shape = (3, 9)

    def forward(self, x):
        h = torch.relu(self.bn(self.conv(x)))
        _, state = self.rnn(h.transpose(1, 2))
        return self.fc(state[-1])

    def coupling_graph(self):
        return CouplingGraph((Group("conv", ("bn",), (Consumer("rnn", layer=0),)),
                              Group("rnn", (), (Consumer("rnn", layer=1),), layer=0),
                              Group("rnn", (), (Consumer("fc"),), layer=1)), ("fc",))


ZOO += [VGGTagger, TransformerBlock, BiLSTMSeparator, GRUFinalState]
