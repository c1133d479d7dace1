"""Consumers of a concatenation: each segment read at its current offset, fixed segments untouched."""

import copy

import pytest
import torch

from mirtrim.prune import Consumer, CouplingError, CouplingGraph, Group, apply_kept, kept_from_plan, make_plan, verify
from mirtrim.prune.trim import zero_removed

from zoo import FireConcat, MultiBranchFrontEnd, UNetSkip, randomise_norms


def _regraph(graph, producer, consumers):
    return CouplingGraph(tuple(Group(g.producer, g.norms, consumers) if g.producer == producer else g
                               for g in graph.groups), graph.boundary, graph.shared)


@pytest.mark.parametrize("cls", [FireConcat, UNetSkip, MultiBranchFrontEnd], ids=lambda c: c.__name__)
def test_two_planned_rounds_through_a_concat_are_exact(cls):
    """The second round's offsets come from the first round's trimmed widths."""
    torch.manual_seed(0)
    model = randomise_norms(cls()).eval()
    graph = model.coupling_graph()
    x = torch.randn(4, *model.input_shape)
    for r in (1, 2):
        plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=40, round_index=r, min_units=1)
        kept = kept_from_plan(plan)
        trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
        with torch.no_grad():
            assert torch.allclose(trimmed(x), zero_removed(copy.deepcopy(model), graph, kept)(x), atol=1e-6, rtol=0)
        assert sum(p.numel() for p in trimmed.parameters()) < sum(p.numel() for p in model.parameters())
        model = trimmed
    verify(graph, model, x)


def test_a_swapped_concat_order_that_still_runs_is_caught_by_verify():
    model = randomise_norms(FireConcat())
    graph = model.coupling_graph()
    swapped = ("expand3", "expand1")
    wrong = _regraph(_regraph(graph, "expand1", (Consumer("head", concat=swapped),)), "expand3",
                     (Consumer("head", concat=swapped),))
    wrong.validate(model)  # 6 + 5 inputs either way
    with pytest.raises(CouplingError, match="differs from zeroing") as err:
        verify(wrong, model, torch.randn(2, *model.input_shape))
    # the message gives the fix: the order the tracer sees
    assert "feeds 'head' as Consumer(module='head', layout='block', factor=1, layer=None, " \
           "concat=('expand1', 'expand3'))" in str(err.value)


def test_concat_declarations_are_checked_statically():
    model = FireConcat()
    graph = model.coupling_graph()
    cases = [
        (_regraph(graph, "expand3", (Consumer("head"),)), "name the same concat"),
        (_regraph(_regraph(graph, "expand1", (Consumer("head", concat=("expand1", 5)),)), "expand3",
                  (Consumer("head", concat=("expand1", 5)),)), "exactly once"),
        (_regraph(_regraph(graph, "expand1", (Consumer("head", concat=(2, "expand1", "expand3")),)), "expand3",
                  (Consumer("head", concat=(2, "expand1", "expand3")),)), "gives 13"),
    ]
    for wrong, message in cases:
        with pytest.raises(CouplingError, match=message):
            wrong.validate(model)


def test_the_fixed_segment_of_the_raw_input_is_never_sliced():
    model = MultiBranchFrontEnd()
    graph = model.coupling_graph()
    raw_weights = model.mix.weight[:, :1].detach().clone()
    apply_kept(model, graph, {"wide": [1, 4], "tall": [0, 3]})
    assert model.mix.in_channels == 1 + 2 + 2 and torch.equal(model.mix.weight[:, :1], raw_weights)
