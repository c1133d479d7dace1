"""The tracer proposes the coupling graph by probing the model: it must find the hand-written graphs."""

import copy

import pytest
import torch

from mirtrim.models import arch_for, build_model, input_shape
from mirtrim.prune import CouplingError, apply_kept, kept_from_plan, make_plan, trace_coupling, verify

import zoo

# the paper's policy, which no probe can see: the convs that fix a flatten width, drums' fc3
PAPER_KEEP = {"singing": ("conv3",), "instrument": ("conv3",), "pitch": ("blocks.5.0",),
              "pitch_medium": ("blocks.5.0",), "chords": ("conv3",), "drums": ("conv3", "fc3"),
              "onsets": ("conv3", "fc3")}


@pytest.mark.parametrize("task", sorted(PAPER_KEEP))
def test_the_papers_seven_models_trace_to_their_hand_written_graphs(task):
    torch.manual_seed(0)
    model = build_model(arch_for(task, 0.1)).eval()
    report = trace_coupling(model, torch.randn(2, *input_shape(task)), keep=PAPER_KEEP[task])
    assert report.graph == model.coupling_graph(), report.summary()


@pytest.mark.parametrize("cls", zoo.ZOO, ids=lambda c: c.__name__)
def test_every_zoo_model_traces_to_its_declaration_with_no_line_written(cls):
    torch.manual_seed(0)
    model = zoo.randomise_norms(cls()).eval()
    before = copy.deepcopy(model.state_dict())
    x = torch.randn(3, *model.input_shape)
    report = trace_coupling(model, x)
    assert report.graph == model.coupling_graph(), report.summary()
    verify(report.graph, model, x)  # exact: masked = trimmed
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules()
               if not hasattr(m, "parametrizations"))


def test_a_two_input_model_traces_from_a_tuple_example():
    model = zoo.randomise_norms(zoo.TwoInputFusion()).eval()
    report = trace_coupling(model, (torch.randn(2, 3, 10), torch.randn(2, 4)))
    assert report.graph == model.coupling_graph()


def test_an_lstm_with_a_projection_stays_whole_and_the_report_says_why():
    model = zoo.ConvRecurrent("lstm", False, 1)
    model.rnn = torch.nn.LSTM(24, 10, batch_first=True, proj_size=5)
    model.fc = torch.nn.Linear(5, 3)
    report = trace_coupling(model.eval(), torch.randn(2, *model.input_shape))
    assert set(report.graph.boundary) == {"c1", "rnn", "fc"} and not report.graph.groups
    assert "proj_size" in report.unplaced["rnn"]
    assert "it feeds 'rnn', an LSTM with proj_size" in report.unplaced["c1"]  # its input cannot shrink either
    report.graph.validate(model)


class RecurrentResidual(torch.nn.Module):
    """A GRU whose output is added to its input projection: recurrent units in a shared stream."""

    def __init__(self):
        super().__init__()
        self.proj, self.rnn, self.fc = torch.nn.Linear(4, 6), torch.nn.GRU(6, 6, batch_first=True), \
            torch.nn.Linear(6, 2)

    def forward(self, x):
        h = self.proj(x)
        return self.fc(h + self.rnn(h)[0])


def test_recurrent_units_added_to_another_stream_stay_whole_and_the_report_says_why():
    model = RecurrentResidual().eval()
    report = trace_coupling(model, torch.randn(2, 5, 4))
    assert {"rnn", "proj"} <= set(report.graph.boundary), report.summary()
    assert "recurrent units cannot be shared" in report.unplaced["rnn"]
    verify(report.graph, model, torch.randn(2, 5, 4))


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


def test_a_transformer_block_trims_its_feed_forward_and_says_why_the_stream_stays_whole():
    torch.manual_seed(0)
    model = zoo.TransformerBlock().eval()
    report = trace_coupling(model, torch.randn(2, *model.input_shape))
    assert "MultiheadAttention" in report.unplaced["embed"]
    assert "LayerNorm over the units" in report.unplaced["ff2"], report.summary()
    assert [g.producer for g in report.graph.groups] == ["ff1"]
