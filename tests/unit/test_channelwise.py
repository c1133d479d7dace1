"""Per-channel layers sliced with their group: depthwise convs, PReLU, InstanceNorm; grouped convs refused."""

import pytest
import torch
from torch import nn

from mirtrim.prune import Consumer, CouplingError, CouplingGraph, Group, apply_kept

from zoo import InvertedResidual


def test_a_depthwise_conv_follows_its_inputs_units():
    model = InvertedResidual()
    apply_kept(model, model.coupling_graph(), {"expand": [0, 3, 4, 9, 11]})
    assert (model.dw.in_channels, model.dw.out_channels, model.dw.groups) == (5, 5, 5)
    assert model.dw.weight.shape == (5, 1, 3, 3) and model.act.num_parameters == 5
    assert model.project.in_channels == 5 and model(torch.randn(2, 1, 6, 6)).shape == (2, 4)


def test_a_depthwise_conv_declared_as_a_producer_is_refused_with_the_fix():
    model = InvertedResidual()
    g = model.coupling_graph()
    wrong = CouplingGraph(g.groups[:1] + (Group("expand", ("expand_bn", "act"), (Consumer("dw"),)),
                                          Group("dw", ("dw_bn",), (Consumer("project"),))) + g.groups[2:],
                          g.boundary, g.shared)
    with pytest.raises(CouplingError, match="depthwise convolution.*norms"):
        wrong.validate(model)


def test_an_undeclared_depthwise_conv_and_a_grouped_conv_are_named():
    model = InvertedResidual()
    g = model.coupling_graph()
    forgot = CouplingGraph(tuple(Group(x.producer, tuple(n for n in x.norms if n != "dw"), x.consumers)
                                 for x in g.groups), g.boundary, g.shared)
    with pytest.raises(CouplingError, match="layer 'dw'"):
        forgot.validate(model)
    grouped = nn.Sequential(nn.Conv1d(2, 8, 3), nn.Conv1d(8, 8, 3, groups=4), nn.Conv1d(8, 2, 1))
    graph = CouplingGraph((Group("0", (), (Consumer("1"),)), Group("1", (), (Consumer("2"),))), ("2",))
    with pytest.raises(CouplingError, match="grouped convolution \\(4 groups\\)"):
        graph.validate(grouped)


def test_weight_norm_slices_g_and_v_keeping_every_kept_weight():
    from zoo import TCNWeightNorm

    torch.manual_seed(0)
    model = TCNWeightNorm()
    w1, w2 = model.c1.weight.detach().clone(), model.c2.weight.detach().clone()
    apply_kept(model, model.coupling_graph(), {"c1": [1, 2, 6], "c2": [0, 5], "down": [0, 5]})
    # rows of the producer and columns of the consumer are exactly the dense weights' (g rescaled)
    assert torch.allclose(model.c1.weight, w1[[1, 2, 6]], atol=1e-6)
    assert torch.allclose(model.c2.weight, w2[[0, 5]][:, [1, 2, 6]], atol=1e-6)
    assert model.c2.parametrizations.weight.original1.shape == (2, 3, 3)


def test_the_deprecated_weight_norm_is_refused_with_the_fix():
    from zoo import TCNWeightNorm

    model = TCNWeightNorm(parametrized=False)
    with pytest.raises(CouplingError, match="layer 'c1'.*parametrizations.weight_norm"):
        model.coupling_graph().validate(model)
