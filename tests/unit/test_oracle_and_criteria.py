"""Torch-Pruning as an oracle on pure-CNN graphs, recurrent couplings, and the criteria themselves."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from mirtrim.prune import CouplingError, CouplingGraph, apply_kept, make_plan, score_units, verify

from zoo import Conv1dFlatten, Conv2dMultiHead, ConvRecurrent, randomise_norms


@pytest.mark.parametrize("cls", [Conv1dFlatten, Conv2dMultiHead], ids=lambda c: c.__name__)
def test_torch_pruning_oracle_same_indices_same_model(cls):
    tp = pytest.importorskip("torch_pruning")
    torch.manual_seed(0)
    model = randomise_norms(cls()).eval()
    graph = model.coupling_graph()
    x = torch.randn(4, *model.input_shape)
    ours = copy.deepcopy(model)
    plan = make_plan(ours, graph, criterion="magnitude", scope="local", percent=40, round_index=1)
    kept = {name: g["kept"] for name, g in plan["groups"].items()}
    apply_kept(ours, graph, kept)

    theirs = copy.deepcopy(model)
    dg = tp.DependencyGraph().build_dependency(theirs, example_inputs=x)
    modules = dict(theirs.named_modules())
    for g in graph.groups:
        layer = modules[g.producer]
        n = layer.out_features if isinstance(layer, nn.Linear) else layer.out_channels
        removed = sorted(set(range(n)) - set(kept[g.name]))
        fn = tp.prune_linear_out_channels if isinstance(layer, nn.Linear) else tp.prune_conv_out_channels
        dg.get_pruning_group(layer, fn, idxs=removed).prune()
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert a.shape == b.shape, name
        assert torch.equal(a, b), name
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-6)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_recurrent_couplings_after_trimming(cell):
    model = ConvRecurrent(cell, bidirectional=True, layers=2)
    graph = model.coupling_graph()
    verify(graph, model, torch.randn(2, *model.input_shape))
    kept = {"c1": [0, 2, 5], "rnn.l0": [1, 3, 4, 8], "rnn.l1": [0, 5, 6, 9]}
    apply_kept(model, graph, kept)
    gates = 3 if cell == "gru" else 4
    assert model.rnn.hidden_size == 4 and model.rnn.input_size == 3 * 4
    assert model.rnn.weight_ih_l0.shape == (gates * 4, 12) and model.rnn.weight_hh_l1_reverse.shape == (gates * 4, 4)
    assert model.rnn.weight_ih_l1.shape == (gates * 4, 2 * 4) and model.fc.in_features == 2 * 4
    assert model(torch.randn(2, *model.input_shape)).shape == (2, 7, 3)


def test_stacked_recurrent_layers_keep_equal_counts_under_global_scope():
    torch.manual_seed(0)
    model = ConvRecurrent("gru", bidirectional=False, layers=3)
    with torch.no_grad():
        model.rnn.weight_hh_l2.mul_(0.01)  # layer 2 would lose far more units under a global cut
    graph = model.coupling_graph()
    plan = make_plan(model, graph, criterion="magnitude", scope="global", percent=50, round_index=1, min_units=1)
    counts = [plan["groups"][f"rnn.l{k}"]["units_after"] for k in range(3)]
    assert len(set(counts)) == 1 and counts[0] < 10
    apply_kept(model, graph, {n: g["kept"] for n, g in plan["groups"].items()})
    assert model(torch.randn(2, *model.input_shape)).shape == (2, 7, 3)


def test_partially_declared_recurrent_module_fails_loudly():
    model = ConvRecurrent("lstm", bidirectional=False, layers=2)
    groups = model.coupling_graph().groups[:2]  # conv + layer 0 only
    with pytest.raises(CouplingError, match="recurrent layer 'rnn' has 2 stacked layers"):
        CouplingGraph(groups, ("fc",)).validate(model)


def test_unequal_recurrent_counts_are_refused():
    model = ConvRecurrent("gru", bidirectional=False, layers=2)
    with pytest.raises(CouplingError, match="different hidden sizes"):
        apply_kept(model, model.coupling_graph(), {"rnn.l0": [0, 1, 2], "rnn.l1": [0, 1]})


def test_batchnorm_scores_are_abs_gamma_and_need_a_norm():
    model = randomise_norms(Conv2dMultiHead())
    model.b1.weight.data[2] = -3.0
    scores = score_units(model, model.coupling_graph(), "batchnorm")
    assert np.array_equal(scores["c1"], model.b1.weight.detach().abs().double().numpy())
    rnn = ConvRecurrent()
    with pytest.raises(ValueError, match="needs an affine norm after 'rnn'"):
        score_units(rnn, rnn.coupling_graph(), "batchnorm")


def test_magnitude_scores_are_incoming_l1():
    model = Conv2dMultiHead()
    scores = score_units(model, model.coupling_graph(), "magnitude")
    assert np.allclose(scores["c2"], model.c2.weight.detach().abs().sum(dim=(1, 2, 3)).double().numpy())
    assert np.allclose(scores["fc"], model.fc.weight.detach().abs().sum(1).double().numpy())


def test_activation_scores_sum_raw_outputs_and_eval_mode_leaves_bn_alone():
    torch.manual_seed(0)
    model = randomise_norms(Conv2dMultiHead())
    graph = model.coupling_graph()
    batches = [torch.randn(8, 1, 8, 8) for _ in range(3)]
    before = model.b1.running_mean.clone()
    scores = score_units(model, graph, "activation", batches=iter(batches))
    assert torch.equal(model.b1.running_mean, before)
    with torch.no_grad():
        expected = sum(model.c1(b).abs().sum(dim=(0, 2, 3)) for b in batches).double().numpy()
    assert np.allclose(scores["c1"], expected)
    score_units(model, graph, "activation", batches=iter(batches), activation_mode="train")
    assert not torch.equal(model.b1.running_mean, before)  # the paper's switch: BN statistics move


def test_activation_scores_cap_the_example_count():
    model = Conv2dMultiHead().eval()
    graph = model.coupling_graph()
    batches = [torch.randn(8, 1, 8, 8) for _ in range(3)]
    capped = score_units(model, graph, "activation", batches=iter(batches), max_examples=10)
    with torch.no_grad():
        expected = (model.c1(batches[0]).abs().sum(dim=(0, 2, 3)) + model.c1(batches[1][:2]).abs().sum(dim=(0, 2, 3)))
    assert np.allclose(capped["c1"], expected.double().numpy())


def test_random_scores_are_seeded():
    model = Conv2dMultiHead()
    graph = model.coupling_graph()
    a, b = score_units(model, graph, "random", seed=3), score_units(model, graph, "random", seed=3)
    c = score_units(model, graph, "random", seed=4)
    assert all(np.array_equal(a[k], b[k]) for k in a) and not np.array_equal(a["c1"], c["c1"])


def test_recurrent_activation_scores_use_both_directions():
    torch.manual_seed(0)
    model = ConvRecurrent("gru", bidirectional=True, layers=1).eval()
    graph = model.coupling_graph()
    x = torch.randn(3, *model.input_shape)
    scores = score_units(model, graph, "activation", batches=iter([x]))
    with torch.no_grad():
        h = torch.relu(model.b1(model.c1(x)))
        out, _ = model.rnn(h.permute(0, 3, 1, 2).reshape(3, 7, 24))
    expected = out.abs().reshape(3, 7, 2, 10).sum(dim=(0, 1, 2)).double().numpy()
    assert np.allclose(scores["rnn.l0"], expected)


def test_a_refused_activation_score_leaves_no_hook_on_the_model():
    """Stacked RNN: the inner layer's output is invisible, so the criterion refuses, and the model
    keeps no hook of the attempt (a later forward or verify would otherwise see stray hooks)."""
    model = ConvRecurrent("gru", bidirectional=True, layers=2).eval()
    with pytest.raises(ValueError, match="cannot observe inner layer 0"):
        score_units(model, model.coupling_graph(), "activation", batches=iter([torch.randn(2, *model.input_shape)]))
    assert all(not m._forward_hooks for m in model.modules())
