"""The seven paper models: exact dense statistics, and trim -> forward/backward -> save/reload -> ONNX."""


import numpy as np
import pytest
import torch

from mirtrim.models import arch_for, build_model, input_shape, paper_parameters
from mirtrim.taskdefs import TASK_DEFS
from mirtrim.profile.counts import forward_costs
from mirtrim.prune import apply_kept, kept_from_plan, make_plan, verify
from mirtrim.train.checkpoint import load_model, save_model

# paper.md §8, from the authors' stored result files (batch 1): params, FLOPs, memory read/write bytes, act. MB
PAPER_DENSE = {
    "singing": (1_360_779, 663_368_960, 12_708_512, 6_736_236, 8.566),
    "instrument": (796_558, 571_616_512, 11_175_160, 7_857_908, 9.991),
    "pitch": (486_552, 36_904_448, 2_174_560, 300_448, 0.429),
    "pitch_medium": (5_877_288, 386_693_120, 24_410_272, 1_197_472, 1.712),
    "chords": (416_207, 27_237_050, 1_942_260, 271_232, None),  # act. MB does not reproduce (paper.md §6)
    "drums": (8_038_701, 2_659_569_408, 49_447_732, 17_273_136, 21.169),
    "onsets": (5_730_405, 2.657e9, 40_181_780, 17_247_760, 21.14),
}


@pytest.mark.parametrize("task", sorted(PAPER_DENSE))
def test_dense_statistics_reproduce_the_paper(task):
    params, flops, read, write, act = PAPER_DENSE[task]
    stats = forward_costs(build_model(arch_for(task)), input_shape(task))
    assert stats["parameters"] == params == paper_parameters(task)
    # the stored FLOP totals were accumulated in float32 (paper.md §6)
    assert float(np.float32(stats["flops_paper"])) == pytest.approx(flops, rel=1e-6 if task != "onsets" else 1e-3)
    assert stats["memory_read"] == read and stats["memory_write"] == write
    if act is not None:
        assert stats["activation_mb"] == pytest.approx(act, abs=5e-3)


@pytest.mark.parametrize("task", sorted(TASK_DEFS))
@pytest.mark.parametrize("criterion", ["magnitude", "activation", "batchnorm", "random"])
def test_every_model_trims_trains_saves_and_reloads(task, criterion, tmp_path):
    torch.manual_seed(0)
    arch = arch_for(task, 0.25)
    model = build_model(arch)
    graph = model.coupling_graph()
    x = torch.randn(4, *input_shape(task))
    verify(graph, model, x[:2])
    before = sum(p.numel() for p in model.parameters())
    plan = make_plan(model, graph, criterion=criterion, scope="local", percent=25, round_index=1,
                     batches=iter([x]), min_units=1)
    kept_dense = kept_from_plan(plan, "kept_dense")
    apply_kept(model, graph, kept_from_plan(plan))
    assert sum(p.numel() for p in model.parameters()) < before
    model.train()
    out = model(x)
    out.float().pow(2).mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters() if p.requires_grad)
    save_model(tmp_path / "model.pt", model, arch, kept_dense)
    reloaded, _ = load_model(tmp_path / "model.pt")
    model.eval(), reloaded.eval()
    with torch.no_grad():
        assert torch.equal(model(x), reloaded(x))


@pytest.mark.parametrize("task", sorted(TASK_DEFS))
def test_trimmed_models_export_to_onnx(task, tmp_path):
    onnx = pytest.importorskip("onnx")
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.25))
    graph = model.coupling_graph()
    plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=25, round_index=1)
    apply_kept(model, graph, kept_from_plan(plan))
    model.eval()
    x = torch.randn(1, *input_shape(task))
    path = tmp_path / f"{task}.onnx"
    torch.onnx.export(model, (x,), str(path), dynamo=False, input_names=["x"], output_names=["y"])
    onnx.checker.check_model(onnx.load(str(path)))
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = model(x).numpy()
    assert np.allclose(session.run(None, {"x": x.numpy()})[0], expected, atol=1e-4)


def test_profile_record_of_a_trimmed_checkpoint(tmp_path):
    """Every efficiency field of a round, on a small trimmed chord model (ONNX Runtime included)."""
    pytest.importorskip("onnxruntime")
    from mirtrim.profile.report import profile_round

    torch.manual_seed(0)
    arch = arch_for("chords", 0.25)
    model = build_model(arch)
    graph = model.coupling_graph()
    kept = kept_from_plan(make_plan(model, graph, criterion="magnitude", scope="local", percent=20, round_index=1))
    apply_kept(model, graph, kept)
    save_model(tmp_path / "model.pt", model, arch, kept)
    rec = profile_round(str(tmp_path / "model.pt"), threads=1, runs=3, repeats=2)
    costs = forward_costs(model, input_shape("chords"))
    assert rec["parameters"] == costs["parameters"] and rec["macs"] == costs["macs"] and not rec["masked"]
    assert rec["checkpoint_bytes"] == (tmp_path / "model.pt").stat().st_size
    assert rec["onnx_bytes"] > 4 * rec["parameters"]  # float32 weights plus the graph
    assert rec["latency_ms"] > 0 and rec["ort_latency_ms"] > 0 and rec["real_time_factor"] > 0
    assert rec["peak_rss_mb"] >= rec["loaded_rss_mb"] > 50 and rec["forward_peak_mb"] >= 0


def test_peak_memory_sees_what_the_forward_pass_allocates():
    from mirtrim.profile.memory import peak_memory

    class Hungry(torch.nn.Module):
        """Touches 256 MB of activations and frees them before returning."""

        def forward(self, x):
            big = torch.ones(64 * 1024 * 1024) * x.mean()  # 256 MB float32, every page written
            return x + big[:1]

    rec = peak_memory(Hungry(), (4,), threads=1)
    assert 250 <= rec["forward_peak_mb"] <= 600, rec
    assert rec["peak_rss_mb"] >= rec["loaded_rss_mb"] + rec["forward_peak_mb"] - 1
    small = peak_memory(torch.nn.Linear(4, 4), (4,), threads=1)
    assert small["forward_peak_mb"] < 50, small


def test_recurrent_macs_match_hand_counts_and_the_flop_counter():
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    gru = nn.GRU(5, 4, batch_first=True)  # 3 gates * (5*4 + 4*4) per step, 7 steps
    assert forward_costs(gru, (7, 5))["macs"] == 3 * (5 * 4 + 4 * 4) * 7 == 756
    with torch.no_grad(), FlopCounterMode(display=False) as counter:  # counts the GRU's matmuls (2 FLOPs/MAC)
        gru(torch.rand(1, 7, 5))
    assert counter.get_total_flops() == 2 * 756
    # 2 layers x 2 directions; layer 1 reads 2*3 inputs. (FlopCounterMode counts 0 for the fused LSTM on CPU.)
    lstm = nn.LSTM(5, 3, num_layers=2, bidirectional=True, batch_first=True)
    hand = (4 * (5 * 3 + 3 * 3) + 4 * (6 * 3 + 3 * 3)) * 2 * 6
    assert forward_costs(lstm, (6, 5))["macs"] == hand == 2448
    # sequence-first: the batch-1 probe (1, 6, 5) is one step of a batch of 6, counted like a Linear's rows
    assert forward_costs(nn.LSTM(5, 3), (6, 5))["macs"] == 4 * (5 * 3 + 3 * 3) * 1 * 6
    with pytest.raises(ValueError, match="proj_size=2"):
        forward_costs(nn.LSTM(5, 3, proj_size=2, batch_first=True), (6, 5))


def test_forward_costs_of_a_crnn_add_the_recurrent_macs():
    from zoo import ConvRecurrent

    model = ConvRecurrent("lstm", bidirectional=True, layers=2)
    conv, fc = 6 * 9 * 4 * 7, 20 * 3 * 7  # Conv2d(1->6, 3x3) on 4x7, per-frame Linear(20->3)
    rnn = (4 * (24 * 10 + 100) + 4 * (20 * 10 + 100)) * 2 * 7
    assert forward_costs(model, model.input_shape)["macs"] == conv + rnn + fc


@pytest.mark.parametrize("conv", [
    dict(cls="1d", in_channels=1, out_channels=6, kernel_size=9, stride=4, padding=3),
    dict(cls="1d", in_channels=4, out_channels=5, kernel_size=5, stride=2, padding=1, dilation=2),
    dict(cls="1d", in_channels=4, out_channels=4, kernel_size=3, groups=4),
    dict(cls="2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
    dict(cls="1d", in_channels=2, out_channels=3, kernel_size=4, padding="same", batch=1),
    dict(cls="1d", in_channels=2, out_channels=3, kernel_size=3, padding=2, padding_mode="reflect"),
    dict(cls="2d", in_channels=6, out_channels=3, kernel_size=(3, 5), stride=(2, 1)),
    dict(cls="2d", in_channels=3, out_channels=4, kernel_size=3, padding=1, batch=1),
])
def test_channels_last_convolutions_compute_what_the_plain_ones_do(conv):
    """Same parameters, same output and same gradients (to float rounding) as nn.Conv1d/2d."""
    from mirtrim.models.common import ChannelsLastConv1d, ChannelsLastConv2d
    conv = dict(conv)
    kind, batch = conv.pop("cls"), conv.pop("batch", 3)
    fast_cls, plain_cls, shape = ((ChannelsLastConv1d, torch.nn.Conv1d, (batch, conv["in_channels"], 40)) if kind == "1d"
                                  else (ChannelsLastConv2d, torch.nn.Conv2d, (batch, conv["in_channels"], 12, 20)))
    torch.manual_seed(0)
    fast, plain = fast_cls(**conv), plain_cls(**conv)
    plain.load_state_dict(fast.state_dict())
    x = torch.randn(shape)
    outputs = []
    for layer in (fast, plain):
        xi = x.clone().requires_grad_()
        out = layer(xi)
        (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
        outputs.append((out, xi.grad, layer.weight.grad, layer.bias.grad))
    for a, b in zip(*outputs):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    if kind == "2d":  # trained in the fast layout, which the next layer inherits
        assert outputs[0][0].is_contiguous(memory_format=torch.channels_last)
    else:  # an ordinary (batch, channels, time) tensor, whatever ran underneath
        assert outputs[0][0].is_contiguous()
    with torch.inference_mode():  # inference computes exactly as the plain layer
        assert torch.equal(fast(x), plain(x))


@pytest.mark.parametrize("task", ["pitch", "singing", "onsets"])
def test_trimmed_models_train_in_channels_last_as_the_plain_layers_would(task):
    """A trimmed model's fast-layout training step gives the plain layers' outputs and gradients."""
    import copy
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.25))
    graph = model.coupling_graph()
    apply_kept(model, graph, kept_from_plan(make_plan(model, graph, criterion="magnitude", scope="local",
                                                      percent=50, round_index=1)))
    plain = copy.deepcopy(model)
    for module in plain.modules():
        if hasattr(module, "channels_last"):
            module.channels_last = False
    assert any(getattr(m, "channels_last", False) for m in model.modules())
    x = torch.randn(4, *input_shape(task))
    results = []
    for candidate in (model, plain):
        candidate.eval()  # no dropout: the two passes must see the same function
        out = candidate(x)
        out.float().pow(2).mean().backward()
        results.append([out] + [p.grad for p in candidate.parameters()])
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)
