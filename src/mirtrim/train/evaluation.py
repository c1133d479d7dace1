"""Test metrics of one round's model, with every variant the task can report."""

from __future__ import annotations

from mirtrim.runspec import RunSpec
from mirtrim.train.checkpoint import load_model
from mirtrim.train.loop import evaluate, pick_device
from mirtrim.train.rounds import test_data
from mirtrim.train.chance import chance_level
from mirtrim.train.tasks import TranscriptionTask
from mirtrim.utils.atomic import read_json
from mirtrim.utils.provenance import provenance


def evaluate_round(spec: RunSpec, features: str, model_path: str, train_log: str, round_index: int) -> dict:
    model, _ = load_model(model_path)
    device = pick_device(spec.device)
    model.to(device)
    task, test = test_data(spec.task, spec.fidelity, features)
    log = read_json(train_log, "training log")
    if isinstance(task, TranscriptionTask) and task.decoder == "peaks":
        # the threshold the best-validation epoch chose: the test split never picks it
        task = task.with_threshold(log.get("decoder_threshold"))
        if task.threshold is None:
            raise SystemExit(f"error: {train_log} has no decoder_threshold (trained before peak picking, or with "
                             "fidelity.onset_decoder: argmax); retrain the round, or set onset_decoder: argmax")
    metrics = evaluate(model, task, test, device)
    # the chance level depends on the test split only: measured once per task and seed, in round 0
    chance = chance_level(task, test) if round_index == 0 else {}
    variants = {}
    if isinstance(task, TranscriptionTask):  # report both onset-F conventions whatever the switch says
        variants[f"onset_f_{task.metric}"] = metrics["f_mean"]
        other = "frame_index" if task.metric == "seconds" else "seconds"
        variants[f"onset_f_{other}"] = evaluate(model, task.with_metric(other), test, device)["f_mean"]
    selection = spec.fidelity["test_selection"]
    return {
        "task": spec.task, "run": spec.run, "round": round_index, "seed": spec.seed,
        "rate_percent": spec.rate_percent,
        "test_error": log["test_error_min_over_epochs"] if selection == "min_over_epochs" else metrics["error"],
        "test_selection": selection, **chance,
        **({"decoder_threshold": task.threshold} if getattr(task, "threshold", None) is not None else {}),
        "test_error_best_valid": metrics["error"],
        "test_error_min_over_epochs": log["test_error_min_over_epochs"],
        "valid_error": log["valid_error"], "best_epoch": log["best_epoch"], "epochs_trained": log["epochs_trained"],
        "train_seconds": log["seconds"],
        **{f"test_{k}": v for k, v in metrics.items() if k != "error"},
        **variants,
        **provenance(spec),
    }
