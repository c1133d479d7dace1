"""Test metrics of one round's model, in both fidelity variants."""

from __future__ import annotations

from mirtrim.train.checkpoint import load_model
from mirtrim.train.loop import evaluate, pick_device
from mirtrim.train.rounds import task_data
from mirtrim.utils.atomic import read_json


def evaluate_round(spec: dict, features: str, model_path: str, train_log: str, round_index: int) -> dict:
    model, _ = load_model(model_path)
    device = pick_device(spec["device"])
    model.to(device)
    task, _, _, test = task_data(spec, features)
    metrics = evaluate(model, task, test, device)
    other = "frame_index" if task.metric == "seconds" else "seconds"
    task.metric = other
    metrics_other = evaluate(model, task, test, device)
    log = read_json(train_log, "training log")
    selection = spec["fidelity"]["test_selection"]
    return {
        "task": spec["task"], "run": spec["run"], "round": round_index, "seed": spec["seed"],
        "test_error": log["test_error_min_over_epochs"] if selection == "min_over_epochs" else metrics["error"],
        "test_selection": selection,
        "test_error_best_valid": metrics["error"],
        "test_error_min_over_epochs": log["test_error_min_over_epochs"],
        "valid_error": log["valid_error"], "best_epoch": log["best_epoch"], "epochs_trained": log["epochs_trained"],
        "train_seconds": log["seconds"],
        f"onset_f_{'seconds' if other == 'frame_index' else 'frame_index'}": metrics["f_mean"],
        f"onset_f_{other}": metrics_other["f_mean"],
        "onset_f_micro": metrics["f_micro"], "precision": metrics["precision"], "recall": metrics["recall"],
        "test_loss": metrics["loss"],
    }
