import copy
import json

import numpy as np
import pytest
import torch
from torch import nn

from mirtrim.models import arch_for, build_model, input_shape
from mirtrim.taskdefs import TASK_DEFS
from mirtrim.prune import (Consumer, CouplingError, CouplingGraph, Group, apply_kept, compose, kept_from_plan,
                           make_plan, rewound, select_units, unit_counts, verify)
from mirtrim.prune.layers import unit_count
from mirtrim.prune.selection import local_keep_count, percentile_nearest

from zoo import ZOO, gru_bi, randomise_norms


def random_kept(model, graph, seed):
    """Random surviving units; the layers of one recurrent module keep equal counts, the producers
    of one shared (added) stream the same indices."""
    rng = np.random.default_rng(seed)
    counts = unit_counts(model, graph)
    kept = {name: sorted(rng.choice(n, size=max(1, n // 2), replace=False).tolist()) for name, n in counts.items()}
    for names in graph.shared:
        for name in names[1:]:
            kept[name] = kept[names[0]]
    return kept


def masked_copy(model, graph, kept):
    """Zero every removed unit: filter, bias, and the norm's gamma AND beta (beta alone leaks ReLU(beta))."""
    masked = copy.deepcopy(model)
    modules = dict(masked.named_modules())
    with torch.no_grad():
        for g in graph.groups:
            prod = modules[g.producer]
            n = unit_count(prod, g.layer)
            removed = torch.tensor(sorted(set(range(n)) - set(kept[g.name])), dtype=torch.long)
            if len(removed) == 0:
                continue
            if isinstance(prod, nn.RNNBase):  # every gate row of the unit, both directions
                gates = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}[type(prod)]
                rows = torch.cat([removed + k * n for k in range(gates)])
                for name, p in prod.named_parameters():
                    if name.endswith(f"_l{g.layer}") or name.endswith(f"_l{g.layer}_reverse"):
                        p[rows] = 0
                continue
            if isinstance(prod, nn.modules.conv._ConvTransposeNd):  # (in, out, ...): outputs on dim 1
                prod.weight[:, removed] = 0
            elif hasattr(prod, "parametrizations"):  # weight norm: w = g v / |v|, so g = 0 zeroes the row
                prod.parametrizations.weight.original0[removed] = 0
            else:
                prod.weight[removed] = 0
            if prod.bias is not None:
                prod.bias[removed] = 0
            for norm in g.norms:  # a PReLU maps 0 to 0; a depthwise conv's filter and bias go like gamma, beta
                if not isinstance(modules[norm], nn.PReLU):
                    for p in (modules[norm].weight, modules[norm].bias):
                        if p is not None:
                            p[removed] = 0
    return masked


@pytest.mark.parametrize("cls", ZOO, ids=lambda c: c.__name__)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masked_equals_trimmed(cls, seed):
    torch.manual_seed(seed)
    model = randomise_norms(cls(), seed).eval()
    graph = model.coupling_graph()
    graph.validate(model)
    kept = random_kept(model, graph, seed)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    x = torch.randn(5, *model.input_shape)
    with torch.no_grad():
        assert torch.allclose(masked_copy(model, graph, kept)(x), trimmed(x), atol=1e-6, rtol=0)
    assert sum(p.numel() for p in trimmed.parameters()) < sum(p.numel() for p in model.parameters())


def test_masking_gamma_without_beta_is_not_equivalent():
    """The anchors' BN-beta trap: the test above would be vacuous if this were equal too."""
    torch.manual_seed(0)
    model = randomise_norms(ZOO[0]()).eval()
    graph = model.coupling_graph()
    kept = random_kept(model, graph, 0)
    masked = masked_copy(model, graph, kept)
    modules, source = dict(masked.named_modules()), dict(model.named_modules())
    for g in graph.groups:
        for norm in g.norms:
            modules[norm].bias.data = source[norm].bias.data.clone()
    x = torch.randn(5, *model.input_shape)
    with torch.no_grad():
        trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
        assert (masked(x) - trimmed(x)).abs().max() > 1e-3


def test_onset_model_masked_equals_trimmed_and_shapes_couple():
    torch.manual_seed(0)
    model = randomise_norms(build_model(arch_for("onsets", 0.125))).eval()
    graph = model.coupling_graph()
    verify(graph, model, torch.randn(2, 64, 50))
    kept = random_kept(model, graph, 3)
    trimmed = apply_kept(copy.deepcopy(model), graph, kept).eval()
    x = torch.randn(3, 64, 50)
    with torch.no_grad():
        assert torch.allclose(masked_copy(model, graph, kept)(x), trimmed(x), atol=1e-5, rtol=1e-6)
    assert trimmed.conv1.out_channels == trimmed.bn1.num_features == trimmed.conv2.in_channels
    assert trimmed.conv2.out_channels == trimmed.bn2.num_features == trimmed.conv3.in_channels
    assert trimmed.fc1.out_features == trimmed.bn_fc1.num_features == trimmed.fc2.in_features
    assert trimmed.heads[0][0].out_features == trimmed.heads[0][1].num_features == trimmed.heads[0][3].in_features
    assert trimmed.conv3.out_channels == 1 and trimmed.fc3.out_features == 1024  # boundary untouched
    assert torch.equal(trimmed.heads[0][3].bias, model.heads[0][3].bias)


def test_paper_parameter_counts_at_width_one():
    assert sum(p.numel() for p in build_model(arch_for("onsets")).parameters()) == 5_730_405
    assert sum(p.numel() for p in build_model(arch_for("drums")).parameters()) == 8_038_701


def drums_params(c, h):
    """Analytic parameter count of the drums model with c conv units and h MLP/head units."""
    conv = (25 * c + c + 2 * c) + (25 * c * c + c + 2 * c) + (25 * c + 1)
    mlp = (800 * h + h + 2 * h) + (h * h + h + 2 * h) + (h * 1024 + 1024)
    heads = 3 * ((1024 * h + h + 2 * h) + (h * 100 + 100))
    return conv + mlp + heads


def test_paper_worked_vectors_drums_local_25():
    """paper.md §3.7: units and parameter counts of drums over four 25 % local rounds."""
    torch.manual_seed(0)
    model = build_model(arch_for("drums"))
    graph = model.coupling_graph()
    expected = [(256, 1024, 8_038_701), (192, 768, 5_525_549), (144, 576, 3_861_101), (108, 432, 2_736_749),
                (81, 324, 1_963_226)]
    kept_dense = None
    for r, (c, h, params) in enumerate(expected):
        counts = unit_counts(model, graph)
        assert counts["conv1"] == counts["conv2"] == c and counts["fc1"] == counts["heads.2.0"] == h
        assert sum(p.numel() for p in model.parameters()) == params == drums_params(c, h)
        if r + 1 < len(expected):
            plan = make_plan(model, graph, criterion="magnitude", scope="local", percent=25, round_index=r + 1,
                             kept_dense_prev=kept_dense)
            kept_dense = kept_from_plan(plan, "kept_dense")
            apply_kept(model, graph, kept_from_plan(plan))


def test_local_keep_count_uses_the_papers_truncation():
    assert local_keep_count(64, 25) == 48
    assert local_keep_count(16, 20) == 12  # 12.8 -> 12
    assert local_keep_count(128, 11) == 113  # 113.92 -> 113


def test_local_selection_keeps_the_best_scores_and_the_guard():
    rng = np.random.default_rng(0)
    scores = {"a": rng.random(40), "b": rng.random(9), "c": rng.random(3)}
    kept = select_units(scores, 25, "local", min_units=3)
    for name, s in scores.items():
        removed = sorted(set(range(len(s))) - set(kept[name]))
        if removed:
            assert s[kept[name]].min() >= s[removed].max()
    assert len(kept["a"]) == 30 and len(kept["b"]) == 6
    assert kept["c"] == [0, 1, 2]  # int(0.75 * 3) = 2 < 3: the layer keeps all its units


def test_global_selection_respects_the_cutoff():
    rng = np.random.default_rng(1)
    scores = {"a": rng.random(50) * 10, "b": rng.random(20), "c": rng.random(30) * 3}
    kept = select_units(scores, 40, "global", min_units=1)
    norm = {k: v / v.max() for k, v in scores.items()}
    cutoff = percentile_nearest(np.concatenate(list(norm.values())), 40)
    for name, s in norm.items():
        assert int(np.argmax(s)) in kept[name]
        removed = sorted(set(range(len(s))) - set(kept[name]))
        assert all(s[i] > cutoff for i in kept[name] if i != int(np.argmax(s)))
        assert all(s[i] <= cutoff for i in removed)


def test_plan_json_round_trip_and_replay_on_a_fresh_model(tmp_path):
    torch.manual_seed(0)
    dense = build_model(arch_for("onsets", 0.125))
    dense_state = copy.deepcopy(dense.state_dict())
    graph = dense.coupling_graph()
    model, kept_dense = copy.deepcopy(dense), None
    for r in (1, 2, 3):
        plan = make_plan(model, graph, criterion="magnitude", scope="global", percent=30, round_index=r,
                         kept_dense_prev=kept_dense)
        path = tmp_path / f"plan{r}.json"
        path.write_text(json.dumps(plan))
        plan = json.loads(path.read_text())
        kept_dense = kept_from_plan(plan, "kept_dense")
        apply_kept(model, graph, kept_from_plan(plan))
    fresh = build_model(arch_for("onsets", 0.125))
    fresh.load_state_dict(dense_state)
    apply_kept(fresh, graph, kept_dense)
    assert unit_counts(fresh, graph) == unit_counts(model, graph)
    for (k, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        assert torch.equal(a, b), k


def test_rewind_equals_the_sliced_snapshot():
    torch.manual_seed(0)
    arch = arch_for("onsets", 0.125)
    snapshot_model = build_model(arch)
    snapshot = copy.deepcopy(snapshot_model.state_dict())
    graph = snapshot_model.coupling_graph()
    trained = copy.deepcopy(snapshot_model)
    for p in trained.parameters():
        p.data.add_(torch.randn_like(p))
    kept_dense = None
    for r in (1, 2):
        plan = make_plan(trained, graph, criterion="magnitude", scope="local", percent=25, round_index=r,
                         kept_dense_prev=kept_dense)
        kept_dense = kept_from_plan(plan, "kept_dense")
        trained = rewound(lambda: build_model(arch), graph, snapshot, kept_dense)
        modules = dict(trained.named_modules())
        for g in graph.groups:
            idx = torch.tensor(kept_dense[g.name])
            assert torch.equal(modules[g.producer].bias, snapshot[f"{g.producer}.bias"][idx])
            assert torch.equal(modules[g.norms[0]].weight, snapshot[f"{g.norms[0]}.weight"][idx])
            assert torch.equal(modules[g.norms[0]].running_mean, snapshot[f"{g.norms[0]}.running_mean"][idx])
        assert torch.equal(trained.conv1.weight, snapshot["conv1.weight"][torch.tensor(kept_dense["conv1"])])
        assert torch.equal(trained.conv2.weight, snapshot["conv2.weight"][torch.tensor(kept_dense["conv2"])][
            :, torch.tensor(kept_dense["conv1"])])
        for p in trained.parameters():
            p.data.add_(torch.randn_like(p))


def test_compose_maps_relative_indices_to_dense_ones():
    assert compose({"a": [1, 4, 6, 9]}, {"a": [0, 2, 3]}) == {"a": [1, 6, 9]}


def test_undeclared_layer_fails_loudly_with_its_name():
    model = ZOO[1]()
    graph = CouplingGraph(model.coupling_graph().groups[:2], ("head_a", "head_b"))
    with pytest.raises(CouplingError, match="'fc'"):
        graph.validate(model)


def test_wrong_flatten_factor_fails_loudly():
    model = ZOO[0]()
    graph = CouplingGraph((Group("c1", ("b1",), (Consumer("c2"),)), Group("c2", ("b2",), (Consumer("fc", "block", 1),))),
                          ("fc",))
    with pytest.raises(CouplingError, match="consumer 'fc' has 120 inputs"):
        graph.validate(model)


def test_forgotten_consumer_is_caught_by_verify():
    class TwoBranches(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.Linear(4, 6), nn.Linear(6, 3), nn.Linear(6, 3)

        def forward(self, x):
            h = self.a(x)
            return self.b(h) + self.c(h)

    model = TwoBranches()
    graph = CouplingGraph((Group("a", (), (Consumer("b"),)),), ("b", "c"))
    graph.validate(model)  # statically plausible ...
    with pytest.raises(CouplingError, match="group 'a' breaks the forward pass"):
        verify(graph, model, torch.randn(2, 4))  # ... but the forward pass proves it wrong


def test_plan_cannot_remove_every_unit():
    model = ZOO[0]()
    with pytest.raises(CouplingError, match="removes every unit of 'c1'"):
        apply_kept(model, model.coupling_graph(), {"c1": []})


@pytest.mark.parametrize("task", sorted(TASK_DEFS))
def test_verify_passes_on_every_package_model(task):
    torch.manual_seed(0)
    model = randomise_norms(build_model(arch_for(task, 0.25))).train()
    before = copy.deepcopy(model.state_dict())
    verify(model.coupling_graph(), model, torch.randn(2, *input_shape(task)))
    assert model.training and all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # untouched


@pytest.mark.parametrize("cls", ZOO, ids=lambda c: c.__name__)
def test_verify_passes_on_every_zoo_model(cls):
    torch.manual_seed(0)
    model = randomise_norms(cls())
    verify(model.coupling_graph(), model, torch.randn(3, *model.input_shape))


def wrong_layouts():
    """Declarations that pass ``validate`` and still run once trimmed, but read the wrong inputs."""
    flat = CouplingGraph((Group("c1", ("b1",), (Consumer("c2"),)),
                          Group("c2", ("b2",), (Consumer("fc", "strided", 20),))), ("fc",))
    freq = CouplingGraph((Group("c1", ("b1",), (Consumer("fc", "block", 4),)),), ("fc",))
    rnn = gru_bi()
    groups = list(rnn.coupling_graph().groups)
    groups[1] = Group("rnn", (), (Consumer("rnn", "block", 2, layer=1),), layer=0)  # bidirectional concat is strided
    return [(ZOO[0](), flat, "c2"), (ZOO[2](), freq, "c1"), (rnn, CouplingGraph(tuple(groups), ("fc",)), "rnn")]


@pytest.mark.parametrize("case", range(3))
def test_verify_rejects_a_wrong_layout_that_still_runs(case):
    torch.manual_seed(0)
    model, graph, group = wrong_layouts()[case]
    randomise_norms(model)
    graph.validate(model)
    with pytest.raises(CouplingError, match=f"group '{group}' differs from zeroing its removed units") as err:
        verify(graph, model, torch.randn(3, *model.input_shape))
    assert "the tracer sees: " in str(err.value) and "declared as Consumer(" in str(err.value)  # the right layout


def test_verify_rejects_a_declaration_that_silently_shrinks_the_output():
    class SkipOut(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 6), nn.Linear(6, 3)

        def forward(self, x):
            h = torch.relu(self.a(x))
            return torch.cat([self.b(h), h], dim=1)  # h is an output: its units cannot be removed

    model = SkipOut()
    graph = CouplingGraph((Group("a", (), (Consumer("b"),)),), ("b",))
    with pytest.raises(CouplingError, match=r"group 'a' changes the output shapes from \[\(2, 9\)\] to \[\(2, 6\)\]"):
        verify(graph, model, torch.randn(2, 4))
