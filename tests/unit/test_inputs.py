"""Models whose forward takes several inputs: verify and the activation criterion take a tuple or a dict."""

import copy

import pytest
import torch

from mirtrim.prune import apply_kept, kept_from_plan, make_plan, score_units, verify
from mirtrim.prune.trim import zero_removed

from zoo import TwoInputFusion, randomise_norms


@pytest.mark.parametrize("as_dict", [False, True], ids=["tuple", "dict"])
def test_a_two_input_model_is_verified_scored_and_trimmed_exactly(as_dict):
    torch.manual_seed(0)
    model = randomise_norms(TwoInputFusion()).eval()
    graph = model.coupling_graph()
    spec, side = torch.randn(6, 3, 10), torch.randn(6, 4)
    example = {"spec": spec, "side": side} if as_dict else (spec, side)
    verify(graph, model, example)
    batches = [{"spec": spec[:3], "side": side[:3]}, {"spec": spec[3:], "side": side[3:]}] if as_dict else \
        [(spec[:3], side[:3]), (spec[3:], side[3:])]
    plan = make_plan(model, graph, criterion="activation", scope="local", percent=40, round_index=1,
                     batches=iter(batches), min_units=1)
    kept = kept_from_plan(plan)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    with torch.no_grad():
        assert torch.allclose(trimmed(spec, side), zero_removed(copy.deepcopy(model), graph, kept)(spec, side),
                              atol=1e-6, rtol=0)
    assert trimmed.fc.in_features == len(kept["conv"]) + len(kept["embed"]) < 14


def test_the_activation_criterion_counts_examples_across_tuple_batches():
    model = TwoInputFusion().eval()
    graph = model.coupling_graph()
    seen = []
    model.embed.register_forward_hook(lambda _m, inputs, _o: seen.append(len(inputs[0])))
    batches = iter([(torch.randn(4, 3, 10), torch.randn(4, 4))] * 3)
    score_units(model, graph, "activation", batches=batches, max_examples=6)
    assert seen == [4, 2]
