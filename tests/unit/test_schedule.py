"""The cosine schedule spans the budget from initialisation; a rewound round resumes it at k."""

import math

import pytest

from mirtrim import grid
from mirtrim.train.loop import TrainConfig, cosine_rate
from mirtrim.runspec import RunSpec
from mirtrim.train.rounds import _train_config
from test_training import fit


def _spec(schedule="cosine", budget="equal", warmup=0.0, scheduler_patience=10):
    fid = {**grid.FIDELITY_PRESETS["default"], "lr_schedule": schedule, "rewind_budget": budget}
    return RunSpec.from_dict({"task": "onsets", "run": "trim-magnitude-local-rewind-s0", "seed": 0, "width": 0.25,
                              "fidelity": fid, "train": {"epochs": 5, "lr": 1e-2, "batch_size": 32, "patience": 30,
                                                         "rewind_epoch": 2, "rewind_unit": "epoch", "warmup": warmup,
                                                         "scheduler_patience": scheduler_patience}})


def test_cosine_rate_warms_up_then_decays_to_zero_at_the_horizon():
    cfg = TrainConfig(epochs=1, lr=1.0, schedule="cosine", warmup=0.1, horizon=100)
    assert cosine_rate(cfg, 0) == pytest.approx(0.1 * 0.5 * (1 + math.cos(0)))
    assert cosine_rate(cfg, 9) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.09)))
    assert cosine_rate(cfg, 50) == pytest.approx(0.5) and cosine_rate(cfg, 100) == pytest.approx(0.0)
    rates = [cosine_rate(cfg, s) for s in range(10, 101)]
    assert rates == sorted(rates, reverse=True)


@pytest.mark.parametrize("budget, horizon", [("equal", 5 * 8), ("extra", 7 * 8)])
def test_a_rewound_round_resumes_the_dense_schedule_at_its_rewind_point(budget, horizon):
    n_train = 256  # 8 batches of 32
    dense = _train_config(_spec(budget=budget), rewind=True, n_train=n_train)
    rewound = _train_config(_spec(budget=budget), rewind=False, n_train=n_train, rewound=True)
    reinit = _train_config(_spec(budget=budget), rewind=False, n_train=n_train, rewound=False)
    assert (dense.start_step, dense.horizon) == (0, 40) and (reinit.start_step, reinit.horizon) == (0, 40)
    assert (rewound.start_step, rewound.horizon) == (16, horizon)
    if budget == "equal":  # the same curve: the rewound round's first step has the dense step-16 rate
        assert cosine_rate(rewound, rewound.start_step) == cosine_rate(dense, 16)


def test_training_follows_the_cosine_curve_and_ends_near_zero():
    cfg = _train_config(_spec(warmup=0.2), rewind=False, n_train=256)
    _model, result = fit(cfg)
    lrs = [h["lr"] for h in result.history]
    assert lrs == sorted(lrs, reverse=True) and lrs[-1] == pytest.approx(cosine_rate(cfg, 39))
    assert lrs[-1] < 0.01 * cfg.lr


def test_the_paper_preset_keeps_the_plateau_schedule_with_its_patience_from_the_config():
    spec = _spec(schedule="plateau", scheduler_patience=3)
    cfg = _train_config(spec, rewind=True, n_train=256)
    assert cfg.schedule == "plateau" and cfg.scheduler_patience == 3
    assert grid.FIDELITY_PRESETS["paper"]["lr_schedule"] == "plateau"


def test_a_task_sets_its_own_schedule_over_the_fidelity_one_and_only_its_own_runs_change():
    task = {"scale": "small", "width": 0.25, "lr": 0.002, "epochs": 10, "rewind_epoch": 4, "rounds": 3,
            "trim_percent": 30}
    config = {"fidelity": {"preset": "default"},
              "tasks": {"onsets": dict(task), "drums": {**task, "lr_schedule": "plateau"}}}
    assert grid.FIDELITY_PRESETS["default"]["lr_schedule"] == "cosine"
    onsets, drums = (grid.spec(config, t, grid.dense_id(0)) for t in ("onsets", "drums"))
    assert onsets.fidelity["lr_schedule"] == "cosine" and drums.fidelity["lr_schedule"] == "plateau"
    assert _train_config(drums, True, 480).schedule == "plateau"
    # the onsets run is the same run whether or not another task overrides its schedule
    alone = {**config, "tasks": {"onsets": dict(task)}}
    assert grid.spec(alone, "onsets", grid.dense_id(0)).to_json() == onsets.to_json()


def test_every_switch_a_task_may_override_is_a_task_key_of_the_schema():
    import yaml
    from pathlib import Path

    schema = yaml.safe_load((Path(__file__).parents[2] / "workflow/schemas/config.schema.yaml").read_text())
    task_keys = schema["properties"]["tasks"]["additionalProperties"]["properties"]
    for key in grid.TASK_FIDELITY_KEYS:
        assert key in task_keys and key in grid.FIDELITY_PRESETS["default"]
        assert set(task_keys[key]["enum"]) == set(schema["properties"]["fidelity"]["properties"][key]["enum"])
