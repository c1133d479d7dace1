"""The tracer proposes the coupling graph by probing the model: it must find the hand-written graphs."""

import copy

import pytest
import torch

from mirtrim.models import arch_for, build_model, input_shape
from mirtrim.prune import CouplingError, apply_kept, kept_from_plan, make_plan, trace_coupling

import zoo

# the paper's policy, which no probe can see: the convs that fix a flatten width, drums' fc3
PAPER_KEEP = {"singing": ("conv3",), "instrument": ("conv3",), "pitch": ("blocks.5.0",),
              "pitch_medium": ("blocks.5.0",), "chords": ("conv3",), "drums": ("conv3", "fc3"),
              "onsets": ("conv3", "fc3")}
FEED_FORWARD_ZOO = [cls for cls in zoo.ZOO if not isinstance(getattr(cls(), "rnn", None), torch.nn.RNNBase)]


@pytest.mark.parametrize("task", sorted(PAPER_KEEP))
def test_the_papers_seven_models_trace_to_their_hand_written_graphs(task):
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.1)).eval()
    report = trace_coupling(model, torch.randn(2, *input_shape(task)), keep=PAPER_KEEP[task])
    assert report.graph == model.coupling_graph(), report.summary()


@pytest.mark.parametrize("cls", FEED_FORWARD_ZOO, ids=lambda c: c.__name__)
def test_every_feed_forward_zoo_model_traces_to_its_declaration_with_no_line_written(cls):
    torch.manual_seed(0)
    model = zoo.randomise_norms(cls()).eval()
    before = copy.deepcopy(model.state_dict())
    x = torch.randn(3, *model.input_shape)
    report = trace_coupling(model, x)
    assert report.graph == model.coupling_graph(), report.summary()
    report.graph.verify(model, x)  # exact: masked = trimmed
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules()
               if not hasattr(m, "parametrizations"))


def test_a_two_input_model_traces_from_a_tuple_example():
    model = zoo.randomise_norms(zoo.TwoInputFusion()).eval()
    report = trace_coupling(model, (torch.randn(2, 3, 10), torch.randn(2, 4)))
    assert report.graph == model.coupling_graph()


@pytest.mark.parametrize("make", [zoo.gru_bi, zoo.lstm_uni_stacked], ids=["gru_bi", "lstm_uni_stacked"])
def test_a_recurrent_layer_is_left_to_a_hand_declaration_and_said_so(make):
    model = make().eval()
    report = trace_coupling(model, torch.randn(2, *model.input_shape))
    assert "rnn" in report.graph.boundary and "declare its groups by hand" in report.unplaced["rnn"]
    # the conv before it is still found, reading the recurrent input in blocks of 4 frequency bins
    (group,) = report.graph.groups
    assert group.producer == "c1" and group.consumers[0].module == "rnn" and group.consumers[0].factor == 4
    report.graph.validate(model)


def test_a_kept_layer_keeps_its_whole_stream_and_the_report_says_why():
    model = zoo.ResidualCNN().eval()
    report = trace_coupling(model, torch.randn(2, *model.input_shape), keep=("stem",))
    assert {"stem", "b1c2", "b2c2"} <= set(report.graph.boundary)
    assert "stream with 'stem'" in report.unplaced["b1c2"] and report.unplaced["stem"].startswith("kept whole")
    plan = make_plan(model, report.graph, criterion="magnitude", scope="local", percent=30, round_index=1,
                     min_units=1)
    trimmed = apply_kept(copy.deepcopy(model), report.graph, kept_from_plan(plan))
    assert trimmed.stem.out_channels == 8 and trimmed.b3c2.out_channels < 12
    with pytest.raises(CouplingError, match="does not have"):
        trace_coupling(model, torch.randn(2, *model.input_shape), keep=("nope",))
