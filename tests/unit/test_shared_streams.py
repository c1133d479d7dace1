"""Producers added (or multiplied) into one stream keep the same units: residual adds, SE gating."""

import copy

import numpy as np
import pytest
import torch

from mirtrim.prune import CouplingError, CouplingGraph, apply_kept, kept_from_plan, make_plan, select_units, verify
from mirtrim.prune.selection import normalise
from mirtrim.prune.trim import zero_removed

from zoo import InvertedResidual, ResidualCNN, SqueezeExcitation, randomise_norms


@pytest.mark.parametrize("cls", [ResidualCNN, SqueezeExcitation, InvertedResidual], ids=lambda c: c.__name__)
@pytest.mark.parametrize("criterion", ["magnitude", "batchnorm", "activation", "random"])
def test_a_planned_round_keeps_one_index_set_per_stream_and_is_exact(cls, criterion):
    torch.manual_seed(0)
    model = randomise_norms(cls()).eval()
    graph = model.coupling_graph()
    if criterion == "batchnorm" and any(not g.norms for g in graph.groups):
        pytest.skip("batchnorm scores need a norm on every group")
    x = torch.randn(6, *model.input_shape)
    plan = make_plan(model, graph, criterion=criterion, scope="local", percent=30, round_index=1,
                     batches=iter([x]), min_units=2)
    kept = kept_from_plan(plan)
    for names in graph.shared:
        assert all(kept[n] == kept[names[0]] for n in names) and len(kept[names[0]]) < plan["groups"][names[0]][
            "units_before"]
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    with torch.no_grad():
        want = zero_removed(copy.deepcopy(model), graph, kept)(x)
        assert torch.allclose(trimmed(x), want, atol=1e-6, rtol=0)
    assert sum(p.numel() for p in trimmed.parameters()) < sum(p.numel() for p in model.parameters())


def test_a_residual_model_declared_without_its_shared_stream_fails_verify():
    """Following the data flow layer by layer, but forgetting the adds: each producer alone is
    trimmed into a stream the others still fill at full width, and verify names the group."""
    from mirtrim.prune import Consumer, Group

    model = randomise_norms(ResidualCNN())
    graph = model.coupling_graph()
    naive = {"stem": (Consumer("b1c1"),), "b1c2": (Consumer("b2c1"),), "b2c2": (Consumer("b3c1"), Consumer("down")),
             "down": (Consumer("fc"),), "b3c2": ()}
    groups = tuple(Group(g.producer, g.norms, naive.get(g.name, g.consumers)) for g in graph.groups
                   if g.name != "b3c2")
    forgot = CouplingGraph(groups, ("fc", "b3c2"))
    forgot.validate(model)  # every width matches: only running it shows the add
    with pytest.raises(CouplingError, match="trimming group '(stem|b1c2|b2c2|down)' breaks the forward pass") as err:
        verify(forgot, model, torch.randn(2, *model.input_shape))
    # the message names the producers that meet in the add, and the declaration that fixes it
    assert "are added or multiplied into one stream: declare shared=((" in str(err.value)
    assert "'stem'" in str(err.value) and "'b1c2'" in str(err.value)
    verify(graph, model, torch.randn(2, *model.input_shape))


def test_shared_sets_are_checked_statically():
    model = ResidualCNN()
    graph = model.coupling_graph()
    for shared, message in [((("stem", "b3c2"),), "different unit counts"),
                            ((("stem", "b1c2"), ("b1c2", "b2c2")), "two shared sets"),
                            ((("stem", "nope"),), "not a group"), ((("stem",),), "at least two")]:
        with pytest.raises(CouplingError, match=message):
            CouplingGraph(graph.groups, graph.boundary, shared=shared).validate(model)


def test_a_plan_that_splits_a_stream_is_refused():
    model = ResidualCNN()
    graph = model.coupling_graph()
    kept = {"stem": [0, 1, 2, 3], "b1c2": [0, 1, 2, 3], "b2c2": [4, 5, 6, 7]}
    with pytest.raises(CouplingError, match="shared set"):
        apply_kept(model, graph, kept)


@pytest.mark.parametrize("scope", ["local", "global"])
def test_a_stream_is_chosen_on_the_sum_of_its_normalised_scores(scope):
    a = np.array([10.0, 0.0, 5.0, 1.0, 9.0])
    b = np.array([0.0, 1.0, 0.2, 0.9, 0.1])  # another scale: normalising keeps it from being ignored
    other = np.array([1.0, 2.0, 3.0, 4.0])
    kept = select_units({"a": a, "b": b, "o": other}, 40, scope=scope, min_units=1, shared=(("a", "b"),))
    joint = normalise(a) + normalise(b)
    alone = select_units({"ab": joint, "o": other}, 40, scope=scope, min_units=1)
    assert kept["a"] == kept["b"] == alone["ab"] and kept["o"] == alone["o"]
