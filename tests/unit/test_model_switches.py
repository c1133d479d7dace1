"""The models' additions to the paper (``MODEL_SWITCHES``: the onsets/drums frame readout, the
singing/instrument pooled readout): their size, their place in the coupling graph (masked = trimmed,
traced = declared), and that checkpoints keep them."""

import copy

import pytest
import torch

from mirtrim import grid
from mirtrim.models import MODEL_SWITCHES, arch_for, build_model, input_shape
from mirtrim.prune import apply_kept, kept_from_plan, make_plan, trace_coupling, verify
from mirtrim.train.checkpoint import load_model, save_model

from test_trace import PAPER_KEEP
from test_trim import masked_copy, random_kept
from zoo import randomise_norms

# (switch, task) -> parameters it adds at width 1 / 0.25, counted by hand
ADDED = {
    ("frame_readout", "onsets"): {1.0: 16 * 2 * 3 + 2, 0.25: 16 * 2 * 3 + 2},  # (64 / 4) mel rows x 2 x heads
    ("frame_readout", "drums"): {1.0: 16 * 6 * 3 + 6, 0.25: 16 * 6 * 3 + 6},  # x 3 kernel taps, + biases
    ("pooled_readout", "instrument"): {1.0: 2 * 64 * 13 + 13, 0.25: 2 * 16 * 13 + 13},  # [mean, max] of conv2
    ("pooled_readout", "singing"): {1.0: 2 * 64 * 10 + 10, 0.25: 2 * 16 * 10 + 10},
}
CASES = sorted(ADDED)


def parameters(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("switch,task", CASES)
@pytest.mark.parametrize("width", [0.25, 1.0])
def test_a_switch_adds_a_handful_of_parameters(switch, task, width):
    paper, added = build_model(arch_for(task, width)), build_model(arch_for(task, width, **{switch: True}))
    assert parameters(added) - parameters(paper) == ADDED[switch, task][width]
    x = torch.randn(2, *input_shape(task))
    assert added.eval()(x).shape == paper.eval()(x).shape


@pytest.mark.parametrize("switch", sorted(MODEL_SWITCHES))
def test_a_switch_leaves_the_other_models_and_old_checkpoints_alone(switch):
    own = {task for s, task in CASES if s == switch}
    for task in {"singing", "instrument", "pitch", "chords", "onsets", "drums"} - own:
        assert arch_for(task, 0.5, **{switch: True}) == arch_for(task, 0.5)
    for task in own:  # an older checkpoint's arch (no key) builds the paper's model
        assert switch not in arch_for(task, 0.5)
    assert grid.FIDELITY_PRESETS["paper"][switch] is False
    assert grid.FIDELITY_PRESETS["default"][switch] is True


def test_an_unknown_switch_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown model switch.*'pooled_readuot'"):
        arch_for("singing", 0.5, pooled_readuot=True)


@pytest.mark.parametrize("switch,task", CASES)
def test_masked_equals_trimmed_with_the_switch(switch, task):
    torch.manual_seed(0)
    model = randomise_norms(build_model(arch_for(task, 0.125, **{switch: True}))).eval()
    graph = model.coupling_graph()
    x = torch.randn(3, *input_shape(task))
    verify(graph, model, x[:2])
    kept = random_kept(model, graph, 5)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    with torch.no_grad():
        assert torch.allclose(masked_copy(model, graph, kept)(x), trimmed(x), atol=1e-5, rtol=1e-6)
    if switch == "frame_readout":  # on the boundary
        assert torch.equal(trimmed.frame_readout.weight, model.frame_readout.weight)
    else:  # reads conv2's kept channels, twice
        assert trimmed.pooled_readout.in_features == 2 * trimmed.conv2.out_channels < model.pooled_readout.in_features


@pytest.mark.parametrize("switch,task", CASES)
def test_the_tracer_finds_the_declared_graph_with_the_switch(switch, task):
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.1, **{switch: True})).eval()
    report = trace_coupling(model, torch.randn(2, *input_shape(task)), keep=PAPER_KEEP[task])
    assert report.graph == model.coupling_graph(), report.summary()


@pytest.mark.parametrize("switch,task", [("frame_readout", "drums"), ("pooled_readout", "instrument")])
def test_a_trimmed_model_with_the_switch_saves_and_reloads(tmp_path, switch, task):
    torch.manual_seed(0)
    arch = arch_for(task, 0.25, **{switch: True})
    model = build_model(arch)
    graph = model.coupling_graph()
    plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=25, round_index=1)
    apply_kept(model, graph, kept_from_plan(plan))
    save_model(tmp_path / "model.pt", model, arch, kept_from_plan(plan, "kept_dense"))
    reloaded, ckpt = load_model(tmp_path / "model.pt")
    assert ckpt["arch"][switch] is True and getattr(reloaded, switch) is not None
    x = torch.randn(2, *input_shape(task))
    with torch.no_grad():
        assert torch.equal(model.eval()(x), reloaded.eval()(x))
