"""The onsets/drums model's frame readout (fidelity ``frame_readout``): its size, its place on the
trimming boundary (masked = trimmed, traced = declared), and that checkpoints keep it."""

import copy

import pytest
import torch

from mirtrim import grid
from mirtrim.models import arch_for, build_model, input_shape
from mirtrim.prune import apply_kept, kept_from_plan, make_plan, trace_coupling, verify
from mirtrim.train.checkpoint import load_model, save_model

from test_trace import PAPER_KEEP
from test_trim import masked_copy, random_kept
from zoo import randomise_norms

READOUT_PARAMETERS = {"onsets": 16 * 2 * 3 + 2, "drums": 16 * 6 * 3 + 6}  # (64 / 4) mel rows x 2 classes x heads


def parameters(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("task", sorted(READOUT_PARAMETERS))
@pytest.mark.parametrize("width", [0.25, 1.0])
def test_the_readout_adds_a_fixed_handful_of_parameters(task, width):
    paper, readout = build_model(arch_for(task, width)), build_model(arch_for(task, width, frame_readout=True))
    assert parameters(readout) - parameters(paper) == READOUT_PARAMETERS[task]
    x = torch.randn(2, *input_shape(task))
    assert readout.eval()(x).shape == paper.eval()(x).shape


def test_the_switch_leaves_the_other_models_and_old_checkpoints_alone():
    for task in ("singing", "instrument", "pitch", "chords"):
        assert arch_for(task, 0.5, frame_readout=True) == arch_for(task, 0.5)
    assert "frame_readout" not in arch_for("onsets", 0.5)  # an older checkpoint's arch builds the paper's model
    assert grid.FIDELITY_PRESETS["default"]["frame_readout"] is True
    assert grid.FIDELITY_PRESETS["paper"]["frame_readout"] is False


@pytest.mark.parametrize("task", sorted(READOUT_PARAMETERS))
def test_masked_equals_trimmed_with_the_readout(task):
    torch.manual_seed(0)
    model = randomise_norms(build_model(arch_for(task, 0.125, frame_readout=True))).eval()
    graph = model.coupling_graph()
    x = torch.randn(3, *input_shape(task))
    verify(graph, model, x[:2])
    kept = random_kept(model, graph, 5)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    with torch.no_grad():
        assert torch.allclose(masked_copy(model, graph, kept)(x), trimmed(x), atol=1e-5, rtol=1e-6)
    assert torch.equal(trimmed.frame_readout.weight, model.frame_readout.weight)  # on the boundary


@pytest.mark.parametrize("task", sorted(READOUT_PARAMETERS))
def test_the_tracer_finds_the_declared_graph_with_the_readout(task):
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.1, frame_readout=True)).eval()
    report = trace_coupling(model, torch.randn(2, *input_shape(task)), keep=PAPER_KEEP[task])
    assert report.graph == model.coupling_graph(), report.summary()


def test_a_trimmed_model_with_the_readout_saves_and_reloads(tmp_path):
    torch.manual_seed(0)
    arch = arch_for("drums", 0.25, frame_readout=True)
    model = build_model(arch)
    graph = model.coupling_graph()
    plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=25, round_index=1)
    apply_kept(model, graph, kept_from_plan(plan))
    save_model(tmp_path / "model.pt", model, arch, kept_from_plan(plan, "kept_dense"))
    reloaded, ckpt = load_model(tmp_path / "model.pt")
    assert ckpt["arch"]["frame_readout"] is True and reloaded.frame_readout is not None
    x = torch.randn(2, 64, 50)
    with torch.no_grad():
        assert torch.equal(model.eval()(x), reloaded.eval()(x))
