"""Masking-baseline invariants (after OpenLTH's and torch.nn.utils.prune's tests)."""

import copy

import pytest
import torch

from mirtrim.models import arch_for, build_model
from mirtrim.prune.mask import apply_masks, full_masks, mask_stats, maskable_parameters, next_masks
from mirtrim.runspec import RunSpec
from mirtrim.train import rounds
from mirtrim.train.loop import TrainConfig, train_round
from mirtrim.train.tasks import Split

from zoo import Conv2dMultiHead, ConvRecurrent


def test_maskable_weights_exclude_boundary_biases_and_norms():
    model = Conv2dMultiHead()
    names = set(maskable_parameters(model, model.coupling_graph()))
    assert names == {"c1.weight", "c2.weight", "fc.weight"}
    rnn = ConvRecurrent("lstm", True, 2)
    names = set(maskable_parameters(rnn, rnn.coupling_graph()))
    assert "rnn.weight_hh_l1_reverse" in names and not any("bias" in n for n in names) and "fc.weight" not in names


@pytest.mark.parametrize("scope", ["local", "global"])
def test_rounds_mask_p_percent_of_the_alive_weights_cumulatively(scope):
    torch.manual_seed(0)
    model = Conv2dMultiHead()
    graph = model.coupling_graph()
    masks = full_masks(model, graph)
    for r in range(1, 5):
        new = next_masks(model, graph, masks, 30, scope)
        for k in masks:
            assert not (new[k] & ~masks[k]).any()  # monotone: a masked weight never comes back
            if scope == "local":
                alive_before, alive_after = int(masks[k].sum()), int(new[k].sum())
                assert abs((alive_before - alive_after) - 0.3 * (alive_before - 1)) <= 1
                w = maskable_parameters(model, graph)[k].detach().abs()
                removed = masks[k] & ~new[k]
                assert w[new[k]].min() >= w[removed].max()  # kept |w| >= removed |w|
        masks = new
        apply_masks(model, masks)
        assert mask_stats(masks)["alive_fraction"] == pytest.approx(0.7 ** r, abs=0.02)


def test_masked_weights_stay_zero_through_training_and_protected_layers_move():
    torch.manual_seed(0)
    model = Conv2dMultiHead()
    graph = model.coupling_graph()
    masks = next_masks(model, graph, full_masks(model, graph), 60, "global")
    apply_masks(model, masks)
    head_before = model.head_a.weight.detach().clone()

    class Task:
        def loss(self, logits, y, split=None):
            return torch.nn.functional.cross_entropy(logits, y)

        def error(self, logits, split):
            return {"error": float((logits.argmax(1) != split.y).float().mean())}

    g = torch.Generator().manual_seed(0)
    data = Split(torch.randn(64, 1, 8, 8, generator=g), torch.randint(0, 5, (64,), generator=g))
    train_round(model, Task(), data, data, data, TrainConfig(epochs=3, lr=1e-2, batch_size=16), seed=0,
                device=torch.device("cpu"), log=lambda s: None, masks=masks)
    params = dict(model.named_parameters())
    for k, m in masks.items():
        assert (params[k][~m] == 0).all()
        assert (params[k][m] != 0).all()
    assert not torch.equal(model.head_a.weight, head_before)


def test_mask_round_starts_from_the_masked_rewind_snapshot():
    torch.manual_seed(0)
    arch = arch_for("onsets", 0.125)
    snapshot_model = build_model(arch)
    snapshot = copy.deepcopy(snapshot_model.state_dict())
    trained = copy.deepcopy(snapshot_model)
    for p in trained.parameters():
        p.data.add_(torch.randn_like(p))
    spec = RunSpec.from_dict({"task": arch["task"], "run": "mask-magnitude-local-rewind-s0", "seed": 0,
                              "width": arch["width"], "train": {"epochs": 2, "lr": 1e-3},
                              "method": {"prune": "mask", "criterion": "magnitude", "scope": "local",
                                         "reset": "rewind", "percent": 30},
                              "fidelity": {"rewind_bn_stats": True}})
    ckpt = {"arch": arch, "kept_dense": None}
    plan, model, _, masks = rounds._mask(trained, ckpt, trained.coupling_graph(), spec, 1, snapshot)
    state = model.state_dict()
    for k, v in snapshot.items():
        expected = v * masks[k] if k in masks else v
        assert torch.equal(state[k], expected), k
    assert plan["alive_fraction"] == pytest.approx(0.7, abs=0.01)
