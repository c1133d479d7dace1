"""One lottery round of training: Adam with a cosine (warm-up) or plateau learning-rate schedule,
early stopping, best-valid reload."""

from __future__ import annotations

import copy
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from mirtrim.utils.atomic import log
from mirtrim.prune.mask import apply_masks, mask_gradients
from mirtrim.train.tasks import Split


@dataclass
class TrainConfig:
    epochs: int
    lr: float
    batch_size: int = 64
    weight_decay: float = 1e-4
    patience: int = 30  # early stopping, in epochs without a better validation error
    scheduler_patience: int = 10  # plateau schedule: epochs without improvement before halving the rate
    schedule: str = "plateau"  # "plateau" (the paper's ReduceLROnPlateau) or "cosine" (per step, warm-up)
    warmup: float = 0.0  # cosine: fraction of the horizon spent ramping the rate up linearly
    start_step: int = 0  # cosine: steps the starting weights already carry (a rewound round starts at k)
    horizon: int | None = None  # cosine: the step, counted from initialisation, where the rate reaches 0
    rewind_epoch: int | None = None  # snapshot the full state after this many epochs (round 0 only)
    rewind_iteration: int | None = None  # ... or after this many optimiser steps (OpenLTH's "500it")
    track_test: bool = True  # test every epoch: needed only to select "min over epochs" (the paper's rule)
    max_steps: int | None = None  # stop after this many optimiser steps (a rewound round's equal budget)


@dataclass
class RoundResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = -1
    rewind_state: dict | None = None
    stopped_early: bool = False
    steps: int = 0  # optimiser steps taken in this round


def pick_device(requested: str = "auto") -> torch.device:
    """``auto`` uses the GPU the scheduler made visible (CUDA_VISIBLE_DEVICES), else the CPU."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(requested)


@torch.inference_mode()
def predict(model: nn.Module, x: torch.Tensor, device: torch.device, batch_size: int = 256) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch_size].to(device)).float().cpu() for i in range(0, len(x), batch_size)])


def evaluate(model, task, split: Split, device) -> dict:
    logits = predict(model, split.x, device)
    metrics = task.error(logits, split)
    metrics["loss"] = float(task.loss(logits, split.y, split))
    return metrics


def _test_at_valid_threshold(model, task, test: Split, device, val: dict) -> dict:
    """The per-epoch test score (the paper's selection rule) with the decoder threshold validation
    chose, never one tuned on the test split itself."""
    if "threshold" not in val:
        return evaluate(model, task, test, device)
    return evaluate(model, task.with_threshold(val["threshold"]), test, device)


def train_round(model: nn.Module, task, train: Split, valid: Split, test: Split, cfg: TrainConfig, *,
                seed: int, device: torch.device, log=log, masks: dict | None = None) -> RoundResult:
    """Train ``model`` in place; at the end it holds the best-validation weights.

    With ``masks`` (the masking baseline), masked weights get zero gradients and are re-zeroed
    after every step, so they stay exactly 0 whatever the optimiser does.
    """
    n_batches = _batches_per_epoch(cfg, len(train))
    model.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = _scheduler(optimiser, cfg, n_batches)
    gen = torch.Generator().manual_seed(seed)
    result = RoundResult()
    best_err, best_state, since_best, step = math.inf, None, 0, 0
    rewind_target = _rewind_epoch_target(cfg, n_batches)
    for epoch in range(cfg.epochs):
        if cfg.rewind_epoch is not None and epoch == cfg.rewind_epoch:
            result.rewind_state = copy.deepcopy(model.state_dict())
        start = time.perf_counter()
        loss_sum, done, step = _train_epoch(model, task, train, cfg, optimiser, gen, device, masks, result, epoch,
                                            step, n_batches)
        val = evaluate(model, task, valid, device)
        tst = _test_at_valid_threshold(model, task, test, device, val) if cfg.track_test else \
            {"loss": None, "error": None}
        if scheduler is not None:
            scheduler.step(val["error"])
        row = _epoch_row(epoch, loss_sum / max(done, 1), step, val, tst, optimiser.param_groups[0]["lr"],
                         time.perf_counter() - start)
        result.history.append(row)
        improved = val["error"] < best_err
        if improved:
            best_err, best_state, since_best, result.best_epoch = val["error"], copy.deepcopy(model.state_dict()), 0, epoch
        else:
            since_best += 1
        _log_epoch(log, row, cfg.track_test, improved)
        # never stop before the rewind snapshot exists: round 0 trains on to epoch k if needed
        waiting_for_rewind = rewind_target is not None and result.rewind_state is None and epoch + 1 < rewind_target
        if cfg.max_steps is not None and step >= cfg.max_steps:
            break
        if since_best >= cfg.patience and not waiting_for_rewind:
            result.stopped_early = True
            log(f"early stop after epoch {epoch}: no better validation error for {cfg.patience} epochs")
            break
    wants_rewind = cfg.rewind_epoch is not None or cfg.rewind_iteration is not None
    if wants_rewind and result.rewind_state is None:  # k == everything trained
        result.rewind_state = copy.deepcopy(model.state_dict())
    result.steps = step
    model.load_state_dict(best_state)
    return result


def _batches_per_epoch(cfg: TrainConfig, n_train: int) -> int:
    """Batches per epoch (drop_last, as the paper's loaders), after checking the budget fits."""
    if cfg.rewind_epoch is not None and cfg.rewind_epoch > cfg.epochs:
        raise ValueError(f"rewind epoch {cfg.rewind_epoch} is beyond the {cfg.epochs} training epochs")
    if n_train < cfg.batch_size:
        raise ValueError(f"{n_train} training examples are fewer than one batch of {cfg.batch_size}")
    n_batches = n_train // cfg.batch_size
    if cfg.rewind_iteration is not None:
        if cfg.rewind_epoch is not None:
            raise ValueError("give a rewind epoch or a rewind iteration, not both")
        if cfg.rewind_iteration > cfg.epochs * n_batches:
            raise ValueError(f"rewind iteration {cfg.rewind_iteration} is beyond the {cfg.epochs * n_batches} "
                             "training steps")
    return n_batches


def _rewind_epoch_target(cfg: TrainConfig, n_batches: int) -> int | None:
    """The epoch by which the rewind snapshot exists (None: no rewinding)."""
    if cfg.rewind_epoch is not None:
        return cfg.rewind_epoch
    return None if cfg.rewind_iteration is None else -(-cfg.rewind_iteration // n_batches)


def _train_epoch(model, task, train: Split, cfg: TrainConfig, optimiser, gen, device, masks, result: RoundResult,
                 epoch: int, step: int, n_batches: int) -> tuple[float, int, int]:
    """One pass over a seeded permutation; returns (summed loss, batches done, global step). Takes the
    rewind snapshot when the step reaches ``cfg.rewind_iteration``."""
    model.train()
    order = torch.randperm(len(train), generator=gen)
    loss_sum, done = 0.0, 0
    # a live progress bar on a terminal; log files get one line per epoch
    for b in tqdm(range(n_batches), desc=f"epoch {epoch}", leave=False, disable=not sys.stderr.isatty()):
        if cfg.max_steps is not None and step >= cfg.max_steps:
            break
        if step == cfg.rewind_iteration:
            result.rewind_state = copy.deepcopy(model.state_dict())
        step += 1
        idx = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
        xb, yb = train.x[idx], train.y[idx]
        if hasattr(task, "augment"):
            xb, yb = task.augment(xb, yb, gen)
        loss = task.loss(model(xb.to(device)), yb.to(device), train)
        if not torch.isfinite(loss.detach()):
            raise FloatingPointError(f"epoch {epoch}: training loss became {loss.item()} at batch {b}; "
                                     "lower the learning rate or check the input features")
        if cfg.schedule == "cosine":
            optimiser.param_groups[0]["lr"] = cosine_rate(cfg, cfg.start_step + step - 1)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        if masks:
            mask_gradients(model, masks)
        optimiser.step()
        if masks:
            apply_masks(model, masks)
        loss_sum += loss.item()
        done += 1
    return loss_sum, done, step


def _epoch_row(epoch: int, train_loss: float, step: int, val: dict, tst: dict, lr: float, seconds: float) -> dict:
    row = {"epoch": epoch, "train_loss": train_loss, "steps": step, "valid_loss": val["loss"],
           "valid_error": val["error"], "test_loss": tst["loss"], "test_error": tst["error"], "lr": lr,
           "seconds": seconds}
    if "threshold" in val:  # the onset decoder's threshold, chosen on this epoch's validation outputs
        row["valid_threshold"] = val["threshold"]
    return row


def _log_epoch(log, row: dict, track_test: bool, improved: bool) -> None:
    test_note = f"test err {row['test_error']:.4f}  " if track_test else ""
    log(f"epoch {row['epoch']:3d}  train {row['train_loss']:.4f}  valid err {row['valid_error']:.4f}  "
        f"{test_note}lr {row['lr']:.2e}  {row['seconds']:.1f}s{'  *' if improved else ''}")


def _scheduler(optimiser, cfg: TrainConfig, n_batches: int):
    if cfg.schedule == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimiser, factor=0.5, threshold=1e-6,
                                                          patience=cfg.scheduler_patience)
    if cfg.schedule != "cosine":
        raise ValueError(f"learning-rate schedule must be 'plateau' or 'cosine', got {cfg.schedule!r}")
    if cfg.horizon is None:  # a round of its own: the schedule spans exactly its steps
        cfg.horizon = cfg.start_step + (cfg.max_steps or cfg.epochs * n_batches)
    return None


def cosine_rate(cfg: TrainConfig, step: int) -> float:
    """The rate of optimiser step ``step`` (counted from initialisation): a linear warm-up over
    ``warmup`` x horizon steps, then a half cosine to 0 at the horizon. A rewound round resumes
    the curve at its rewind point, as it resumes the weights."""
    warm = max(1, round(cfg.warmup * cfg.horizon))
    ramp = min(1.0, (step + 1) / warm) if cfg.warmup > 0 else 1.0
    progress = min(max(step, 0), cfg.horizon) / cfg.horizon
    return cfg.lr * ramp * 0.5 * (1.0 + math.cos(math.pi * progress))


def summarise(history: list[dict], best_epoch: int) -> dict:
    """Per-round summary; the test columns are None when the test split was not tracked per epoch."""
    tracked = all(h["test_error"] is not None for h in history)
    test = np.array([h["test_error"] for h in history], dtype=float) if tracked else None
    return {"best_epoch": best_epoch, "epochs_trained": len(history),
            "valid_error": history[best_epoch]["valid_error"],
            "decoder_threshold": history[best_epoch].get("valid_threshold"),
            "test_error_best_valid": float(test[best_epoch]) if tracked else None,
            "test_error_min_over_epochs": float(test.min()) if tracked else None}
