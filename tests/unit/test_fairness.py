"""Every method on the same footing: one compression basis, equal training budgets, paired seeds."""

import pytest
import torch
from torch import nn

from mirtrim import grid
from mirtrim.report.aggregate import aggregate
from mirtrim.train.loop import TrainConfig
from mirtrim.runspec import RunSpec
from mirtrim.train.rounds import _train_config, steps_before
from mirtrim.utils.atomic import write_json
from test_training import fit


def _records(tmp_path, run, rnd, ev, pr):
    ev_path, pr_path = tmp_path / f"{run}-{rnd}-e.json", tmp_path / f"{run}-{rnd}-p.json"
    write_json(ev_path, {"task": "onsets", "run": run, "round": rnd, **ev})
    write_json(pr_path, pr)
    return str(ev_path), str(pr_path)


def test_masked_compression_is_dense_params_over_non_zero_params(tmp_path):
    dense = {"parameters": 1000, "parameters_nominal": 1000, "masked": False, "alive_fraction": 1.0, "macs": 500,
             "latency_ms": 2.0}
    # 600 of the 1000 parameters are maskable; 40 % of them alive: 400 + 240 = 640 non-zero
    masked = {"parameters": 1000, "parameters_nominal": 640, "masked": True, "alive_fraction": 0.4, "macs": 500,
              "latency_ms": 2.0}
    trimmed = {"parameters": 250, "parameters_nominal": 250, "masked": False, "alive_fraction": 1.0, "macs": 100,
               "latency_ms": 1.0}
    err = {"test_error": 0.2, "valid_error": 0.2, "chance_error": 0.6}
    pairs = [_records(tmp_path, "dense-s0", 0, err, dense),
             _records(tmp_path, "mask-magnitude-local-rewind-s0", 1, {**err, "test_error": 0.3}, masked),
             _records(tmp_path, "trim-magnitude-local-rewind-s0", 1, {**err, "test_error": 0.4}, trimmed)]
    rows = {(r["prune"], r["round"]): r for r in aggregate(pairs)}
    mask, trim = rows[("mask", 1)], rows[("trim", 1)]
    assert mask["compression"] == pytest.approx(1000 / 640)
    assert mask["compression_maskable"] == pytest.approx(1 / 0.4)  # the paper's convention, kept apart
    assert (mask["mac_reduction"], mask["speedup"]) == (1.0, 1.0)  # masking saves nothing
    assert trim["compression"] == trim["compression_maskable"] == pytest.approx(4.0)
    assert (trim["mac_reduction"], trim["speedup"]) == (5.0, 2.0)
    # the benchmark's side-by-side table shows the same ratios, both conventions for the mask
    from mirtrim.report.footing import footing_markdown

    text = footing_markdown(list(rows.values()))
    assert "| 1 | 4.00 | 1.56 | 2.50 | 5.00 | 1.00 | 2.00 | 1.00 |" in text
    assert "| onsets | 1 | 0.200 | 0.200 | 0.000 | 0.200 |" in text
    assert mask["chance_skill"] == pytest.approx(0.25) and trim["chance_skill"] == pytest.approx(0.5)


def _spec(budget="equal", unit="epoch", k=1):
    fid = {**grid.FIDELITY_PRESETS["default"], "rewind_budget": budget}
    return RunSpec.from_dict({"task": "onsets", "run": "trim-magnitude-local-rewind-s0", "seed": 0, "width": 0.25,
                              "fidelity": fid, "train": {"epochs": 5, "lr": 1e-3, "batch_size": 32, "patience": 30,
                                                         "rewind_epoch": k, "rewind_unit": unit}})


@pytest.mark.parametrize("unit,k", [("epoch", 1), ("epoch", 2), ("iteration", 7)])
def test_a_rewound_round_takes_as_many_steps_from_init_as_the_dense_round(unit, k):
    n_train = 256  # 8 batches of 32
    dense_cfg = _train_config(_spec(unit=unit, k=k), rewind=True, n_train=n_train)
    rewound_cfg = _train_config(_spec(unit=unit, k=k), rewind=False, n_train=n_train, rewound=True)
    reinit_cfg = _train_config(_spec(unit=unit, k=k), rewind=False, n_train=n_train, rewound=False)
    dense = fit(dense_cfg)[1].steps
    rewound = fit(rewound_cfg)[1].steps + steps_before(_spec(unit=unit, k=k), n_train, rewound=True)
    reinit = fit(reinit_cfg)[1].steps + steps_before(_spec(unit=unit, k=k), n_train, rewound=False)
    assert dense == rewound == reinit == 5 * 8


def test_the_paper_budget_trains_full_epochs_after_the_rewind():
    spec = _spec(budget="extra")
    cfg = _train_config(spec, rewind=False, n_train=256, rewound=True)
    assert fit(cfg)[1].steps + steps_before(spec, 256, rewound=True) == 6 * 8
    assert grid.fidelity({"fidelity": {"preset": "paper"}})["rewind_budget"] == "extra"
    assert grid.fidelity({})["rewind_budget"] == "equal"


def test_max_steps_stops_inside_an_epoch():
    _, result = fit(TrainConfig(epochs=3, lr=1e-3, batch_size=32, max_steps=11))
    assert result.steps == 11 and len(result.history) == 2 and result.history[-1]["steps"] == 11


def test_equal_budget_refuses_a_rewind_point_that_leaves_no_training():
    config = {"seeds": [0], "tasks": {"onsets": {"epochs": 3, "rewind_epoch": 3}}, "methods": []}
    with pytest.raises(ValueError, match="tasks.onsets.rewind_epoch: 3 leaves no epoch"):
        grid.check_tasks(config)
    grid.check_tasks({**config, "fidelity": {"rewind_budget": "extra"}})


def test_method_seeds_add_dense_seeds_and_pair_runs():
    config = {"seeds": [0], "tasks": {"onsets": {}},
              "methods": [{"prune": "trim", "criterion": "magnitude", "scope": "local", "reset": "rewind",
                           "seeds": [0, 1]},
                          {"prune": "mask", "criterion": "magnitude", "scope": "local", "reset": "rewind"}]}
    assert grid.dense_seeds(config) == [0, 1]
    assert grid.runs(config, "onsets") == ["trim-magnitude-local-rewind-s0", "mask-magnitude-local-rewind-s0",
                                           "trim-magnitude-local-rewind-s1"]


def test_reinit_initialises_the_trimmed_shapes_with_the_initialiser():
    from mirtrim.models.common import init_paper
    from mirtrim.prune import Consumer, CouplingGraph, Group
    from mirtrim.prune.rewind import reinitialised

    def build():
        return nn.Sequential(nn.Linear(400, 200), nn.ReLU(), nn.Linear(200, 2))

    graph = CouplingGraph(groups=(Group("0", consumers=(Consumer("2"),)),), boundary=("2",))
    kept = {"0": list(range(20))}
    sliced = reinitialised(build, graph, kept, seed=0)
    fresh = reinitialised(build, graph, kept, seed=0, initialise=lambda m: init_paper(m, "xavier"))
    assert fresh[2].weight.shape == (2, 20)
    # xavier-normal std of the trimmed consumer: sqrt(2 / (20 + 2)); a slice of the dense one keeps 1/sqrt(202)
    assert fresh[2].weight.std().item() == pytest.approx((2 / 22) ** 0.5, rel=0.35)
    assert sliced[2].weight.std().item() < 0.5 * fresh[2].weight.std().item()
    assert torch.equal(fresh[2].weight, reinitialised(build, graph, kept, seed=0,
                                                      initialise=lambda m: init_paper(m, "xavier"))[2].weight)
