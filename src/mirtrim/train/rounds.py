"""The two jobs of a lottery run: dense round 0, and one pruning round (score -> plan -> reset -> train)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Mapping

import numpy as np
import torch

from mirtrim.models import MODEL_SWITCHES, arch_for, build_model
from mirtrim.models.common import init_paper
from mirtrim.prune.mask import apply_masks, full_masks, mask_stats, next_masks
from mirtrim.prune.plan import kept_from_plan, make_plan
from mirtrim.prune.rewind import copy_norm_statistics, reinitialised, rewound
from mirtrim.runspec import RunSpec
from mirtrim.train.checkpoint import load_model, read_rewind, save_model
from mirtrim.train.loop import TrainConfig, pick_device, summarise, train_round
from mirtrim.train.tasks import make_task
from mirtrim.utils.atomic import atomic_path, log, rebuild_hint, write_json
from mirtrim.utils.provenance import provenance

VALID_FRACTION = 0.2  # validation = 20 % of the training groups (at least one)
VALID_SEED = 20200720  # fixed: every run of a task validates on the same examples


def _npz_problem(err: Exception) -> str:
    """numpy's message, without its advice to unpickle: feature files hold plain arrays only."""
    text = str(err)
    if "Object arrays cannot be loaded" in text:
        return "it holds Python objects, not plain arrays"
    if "allow_pickle" in text:  # numpy reads anything that is neither zip nor .npy as a pickle
        return "neither a zip of arrays nor a .npy file"
    return text


def load_features(path: str | Path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise SystemExit(f"error: feature file not found: {path}") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        why = _npz_problem(err)
        raise SystemExit(f"error: feature file {path} is corrupted or not an .npz archive ({why}); "
                         f"{rebuild_hint(path)}") from None
    for key, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise SystemExit(f"error: feature file {path}: non-finite values in '{key}'; {rebuild_hint(path)}")
    return arrays


def _load_split(task, features: dict, split: str, path):
    try:
        return task.load(features, split)
    except KeyError as err:
        raise SystemExit(f"error: feature file {path} has no array {err}; rebuild it with extract-features") from None


def test_data(task_name: str, fidelity: Mapping, features_path: str | Path):
    """The task adapter and its test split only (evaluation needs no training data in memory)."""
    task = make_task(task_name, fidelity)
    return task, _load_split(task, load_features(features_path), "test", features_path)


def task_data(task_name: str, fidelity: Mapping, features_path: str | Path):
    """The task adapter and its train, validation and test splits."""
    task = make_task(task_name, fidelity)
    feats = load_features(features_path)
    train_all, test = _load_split(task, feats, "train", features_path), _load_split(task, feats, "test", features_path)
    valid = validation_rows(train_all.groups, len(train_all), features_path)
    rest = np.setdiff1d(np.arange(len(train_all)), valid)
    return task, train_all.subset(rest), train_all.subset(valid), test


def validation_rows(groups: np.ndarray | None, n: int, where) -> np.ndarray:
    """Whole groups (singers, kits, players, programs, songs) held out for validation, as the test
    split holds them out: no window of one song or frame of one note lies on both sides."""
    rng = np.random.default_rng(VALID_SEED)
    names = None if groups is None else np.unique(groups)
    if names is None or len(names) < 2:
        why = ("has no group ids (written by an older version; rebuild data and features)" if names is None else
               f"has one training group ({names[0]}; name at least two 'group' ids in metadata.json)")
        log(f"warning: {where} {why}: validation is a random {VALID_FRACTION:.0%} of the examples, "
            f"not held out by group")
        return np.sort(rng.permutation(n)[:max(1, int(VALID_FRACTION * n))])
    held = rng.permutation(names)[:max(1, int(VALID_FRACTION * len(names)))]
    return np.flatnonzero(np.isin(groups, held))


def _train_config(spec: RunSpec, rewind: bool, n_train: int, rewound: bool = False) -> TrainConfig:
    """``rewind``: round 0, which keeps the epoch-k snapshot. ``rewound``: a round restarted from that
    snapshot; with the equal budget it trains only the steps left after k, so that it, the dense model
    and the re-initialised control all see the same number of optimiser steps."""
    t, fid = spec.train, spec.fidelity
    epochs, max_steps = t.epochs, None
    if rewound and fid.get("rewind_budget", "equal") == "equal":
        if t.by_iteration:
            max_steps = t.epochs * (n_train // t.batch_size) - t.rewind_epoch
        else:
            epochs = t.epochs - t.rewind_epoch
    if epochs < 1 or (max_steps is not None and max_steps < 1):
        raise SystemExit(f"error: run {spec.run}: rewind point {t.rewind_epoch} leaves no training after "
                         f"the rewind; lower tasks.{spec.task}.rewind_epoch below epochs, or set "
                         "fidelity.rewind_budget: extra")
    # the cosine schedule runs over the whole budget from initialisation: a rewound round resumes it
    start = steps_before(spec, n_train, rewound)
    horizon = start + (max_steps or epochs * (n_train // t.batch_size))
    return TrainConfig(epochs=epochs, lr=t.lr, batch_size=t.batch_size, patience=t.patience,
                       rewind_epoch=t.rewind_epoch if rewind and not t.by_iteration else None,
                       rewind_iteration=t.rewind_epoch if rewind and t.by_iteration else None,
                       track_test=fid["test_selection"] == "min_over_epochs", max_steps=max_steps,
                       schedule=fid.get("lr_schedule", "plateau"), scheduler_patience=t.scheduler_patience,
                       warmup=t.warmup, start_step=start, horizon=horizon)


def steps_before(spec: RunSpec, n_train: int, rewound: bool) -> int:
    """Optimiser steps a round's starting weights already carry: k epochs (or steps) when rewound."""
    if not rewound:
        return 0
    per_epoch = 1 if spec.train.by_iteration else n_train // spec.train.batch_size
    return spec.train.rewind_epoch * per_epoch


def _write_train_log(path, spec, round_index, result, seconds, model, steps_before: int = 0) -> None:
    write_json(path, {"task": spec.task, "run": spec.run, "round": round_index, **provenance(spec),
                      "history": result.history, "stopped_early": result.stopped_early, "seconds": seconds,
                      "steps": result.steps, "steps_since_init": steps_before + result.steps,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      **summarise(result.history, result.best_epoch)})


def spec_arch(spec: RunSpec) -> dict:
    """The ``arch`` a run trains: its task and width, and the fidelity's model switches."""
    return arch_for(spec.task, spec.width, **{name: spec.fidelity.get(name, False) for name in MODEL_SWITCHES})


def run_dense(spec: RunSpec, features: str, out_dir: str, rewind_out: str, log=log) -> None:
    """Round 0: train the dense model, keep the full state after ``rewind_epoch`` epochs."""
    start = time.perf_counter()
    task, train, valid, test = task_data(spec.task, spec.fidelity, features)
    torch.manual_seed(spec.seed)
    arch = spec_arch(spec)
    model = build_model(arch)
    device = pick_device(spec.device)
    log(f"round 0 of {spec.task}/{spec.run}: {sum(p.numel() for p in model.parameters()):,} parameters, "
        f"{len(train)}/{len(valid)}/{len(test)} train/valid/test examples on {device}")
    cfg = _train_config(spec, rewind=True, n_train=len(train))
    result = train_round(model, task, train, valid, test, cfg, seed=spec.seed, device=device, log=log)
    out = Path(out_dir)
    with atomic_path(rewind_out, suffix=".pt") as tmp:
        torch.save({"format": "mirtrim-rewind/1", "arch": arch, "at": spec.train.rewind_epoch,
                    "unit": spec.train.rewind_unit,
                    "state_dict": {k: v.cpu() for k, v in result.rewind_state.items()}}, tmp)
    _write_train_log(out / "train.json", spec, 0, result, time.perf_counter() - start, model)
    save_model(out / "model.pt", model, arch, None)  # written last: its presence means the round is complete


def _trim(prev, ckpt, graph, spec, round_index, train, valid, snapshot):
    """Score and trim: the plan, and the reset (rewound or re-initialised) trimmed model."""
    method, fid, arch, seed = spec.method, spec.fidelity, ckpt["arch"], spec.seed * 1000 + round_index
    # eval-mode activation scores use training examples; the paper's train mode used validation data
    score_split = valid if fid["activation_mode"] == "train" else train
    batches = (score_split.x[i:i + 64] for i in range(0, len(score_split), 64))
    plan = make_plan(prev, graph, criterion=method.criterion, scope=method.scope, percent=method.percent,
                     min_units=method.min_units, round_index=round_index, kept_dense_prev=ckpt["kept_dense"],
                     batches=batches, seed=seed, activation_mode=fid["activation_mode"])
    kept_dense = kept_from_plan(plan, "kept_dense")
    if snapshot is not None:
        model = rewound(lambda: build_model(arch), graph, snapshot, kept_dense,
                        rewind_norm_stats=fid["rewind_bn_stats"], trained=prev, kept=kept_from_plan(plan))
    else:
        model = reinitialised(lambda: build_model(arch), graph, kept_dense, seed=seed,
                              initialise=lambda m: init_paper(m, arch.get("init", "xavier")))
    return plan, model, kept_dense, None


def _mask(prev, ckpt, graph, spec, round_index, snapshot):
    """Extend the cumulative magnitude masks, then reset the dense model and apply them."""
    method, fid, arch = spec.method, spec.fidelity, ckpt["arch"]
    before = ckpt.get("masks") or full_masks(prev, graph)
    masks = next_masks(prev, graph, before, method.percent, method.scope)
    torch.manual_seed(spec.seed * 1000 + round_index)
    model = build_model(arch)
    if snapshot is not None:
        model.load_state_dict(snapshot)
        if not fid["rewind_bn_stats"]:
            copy_norm_statistics(model, prev)
    apply_masks(model, masks)
    plan = {"format": "mirtrim-mask-plan/1", "round": round_index, "criterion": method.criterion,
            "scope": method.scope, "percent": method.percent, **mask_stats(masks),
            "tensors": {k: {"size": m.numel(), "alive_before": int(before[k].sum()), "alive_after": int(m.sum())}
                        for k, m in masks.items()}}
    return plan, model, None, masks


def run_prune_round(spec: RunSpec, features: str, prev_model: str, rewind_path: str, round_index: int,
                    out_dir: str, log=log) -> None:
    """Round r >= 1: score the previous round's trained model, trim or mask, reset, retrain."""
    start = time.perf_counter()
    method, seed = spec.method, spec.seed * 1000 + round_index
    task, train, valid, test = task_data(spec.task, spec.fidelity, features)
    prev, ckpt = load_model(prev_model)
    graph = prev.coupling_graph()
    snapshot = None
    if method.reset == "rewind":
        snapshot = read_rewind(rewind_path)
    if method.prune == "trim":
        plan, model, kept_dense, masks = _trim(prev, ckpt, graph, spec, round_index, train, valid, snapshot)
        log(f"round {round_index} of {spec.task}/{spec.run}: units {plan['units_before']} -> "
            f"{plan['units_after']}, {sum(p.numel() for p in model.parameters()):,} parameters")
    else:
        plan, model, kept_dense, masks = _mask(prev, ckpt, graph, spec, round_index, snapshot)
        log(f"round {round_index} of {spec.task}/{spec.run}: {plan['alive']:,} of {plan['maskable']:,} "
            f"maskable weights alive ({plan['alive_fraction']:.3f})")
    torch.manual_seed(seed)
    rewound_round = method.reset == "rewind"
    cfg = _train_config(spec, rewind=False, n_train=len(train), rewound=rewound_round)
    result = train_round(model, task, train, valid, test, cfg,
                         seed=seed, device=pick_device(spec.device), log=log,
                         masks=masks)
    out = Path(out_dir)
    write_json(out / "plan.json", plan)
    _write_train_log(out / "train.json", spec, round_index, result, time.perf_counter() - start, model,
                     steps_before(spec, len(train), rewound_round))
    save_model(out / "model.pt", model, ckpt["arch"], kept_dense, {"masks": masks} if masks else None)
