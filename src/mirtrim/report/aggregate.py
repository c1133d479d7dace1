"""One tidy CSV of every run x round, joined from the eval and profile records."""

from __future__ import annotations

import csv
from pathlib import Path

from mirtrim.grid import parse_run
from mirtrim.utils.atomic import read_json, write_csv_rows

COLUMNS = ["task", "run", "method", "prune", "criterion", "scope", "reset", "seed", "rate_percent", "round",
           "parameters", "macs",
           "flops_paper", "memory_read", "memory_write", "activation_mb", "checkpoint_bytes", "onnx_bytes",
           "latency_ms", "latency_spread", "ort_latency_ms", "ort_latency_spread", "real_time_factor",
           "ort_real_time_factor", "peak_rss_mb", "forward_peak_mb", "parameters_nominal", "alive_fraction",
           "test_error", "test_error_best_valid", "test_error_min_over_epochs", "valid_error", "chance_error",
           "compression", "compression_maskable", "mac_reduction", "speedup", "relative_error", "chance_skill",
           "train_seconds"]


def method_group(prune: str, criterion: str, reset: str) -> str:
    """The paper's figure groups, with the random-unit control apart."""
    if criterion == "random":
        return "Random"
    if prune == "mask":
        return "Mask"
    return "Trim" if reset == "rewind" else "Prune"


def compression_basis(dense: dict, rec: dict) -> dict:
    """One basis for every method: dense parameters / non-zero parameters of the whole model
    (``parameters_nominal``: a masked model's surviving weights, a trimmed model's physical ones).
    ``compression_maskable`` keeps the paper's convention (masking: 1 / alive fraction of the maskable
    weights only; trimming: physical parameters); MACs and latency show what a model really saves."""
    nonzero = rec.get("parameters_nominal") or rec["parameters"]
    latency = rec.get("latency_ms")
    return {"compression": dense["parameters"] / nonzero,
            "compression_maskable": (1.0 / rec["alive_fraction"] if rec.get("masked") else
                                     dense["parameters"] / rec["parameters"]),
            "mac_reduction": dense["macs"] / rec["macs"] if rec.get("macs") else None,
            "speedup": dense["latency_ms"] / latency if latency and dense.get("latency_ms") else None}


def chance_skill(error: float, dense_error: float, chance_error: float | None) -> float | None:
    """(error - dense) / (chance - dense): 0 at the dense model, 1 at the best constant predictor;
    comparable across tasks whose dense models sit at different distances from chance."""
    if chance_error is None or chance_error - dense_error <= 0:
        return None
    return (error - dense_error) / (chance_error - dense_error)


def timing_by_round(path: str | Path | None) -> dict:
    """(task, run, round) -> latency fields of a time-rounds record ({} without one)."""
    if path is None:
        return {}
    record = read_json(path, "timing record")
    return {(t["task"], t["run"], t["round"]): t for t in record["rounds"]}


def aggregate(pairs: list[tuple[str, str]], timing: str | Path | None = None) -> list[dict]:
    """``pairs``: (eval json, profile json) per (task, run, round); round 0 of run ``dense-s<seed>``
    is the dense reference of every run of that task and seed. ``timing``: the task's latency record."""
    records, timed = {}, timing_by_round(timing)
    for eval_path, profile_path in pairs:
        ev, pr = read_json(eval_path, "evaluation record"), read_json(profile_path, "profile record")
        key = (ev["task"], ev["run"], ev["round"])
        if timed and key not in timed:
            raise SystemExit(f"error: {timing} has no latency for {ev['task']} {ev['run']} round {ev['round']}; "
                             f"rerun its time_task job")
        records[key] = {**pr, **timed.get(key, {}), **ev}
    rows = []
    prune_runs = sorted({(task, run) for task, run, _ in records if parse_run(run)[0] is not None})
    for task, run in prune_runs:
        method, seed = parse_run(run)
        dense = records.get((task, f"dense-s{seed}", 0))
        if dense is None:
            raise SystemExit(f"error: no dense round-0 record for {task} seed {seed}; cannot normalise run {run}")
        rounds = {0: dense, **{r: rec for (t, n, r), rec in records.items() if (t, n) == (task, run)}}
        run_rate = next((rec.get("rate_percent") for r, rec in sorted(rounds.items()) if r > 0), None)
        for rnd, rec in sorted(rounds.items()):
            row = {k: rec.get(k) for k in COLUMNS}
            # the chance level belongs to the test split, not the model: measured once, in round 0
            row.update(chance_error=dense.get("chance_error"), chance_predictor=dense.get("chance_predictor"))
            row.update(task=task, run=run, round=rnd, seed=seed, **method, rate_percent=run_rate,
                       method=method_group(method["prune"], method["criterion"], method["reset"]))
            row.update(compression_basis(dense, rec))
            row["relative_error"] = rec["test_error"] / dense["test_error"] if dense["test_error"] > 0 else float("nan")
            row["chance_skill"] = chance_skill(rec["test_error"], dense["test_error"], dense.get("chance_error"))
            rows.append(row)
    return rows


def write_csv(path: str | Path, rows: list[dict]) -> None:
    write_csv_rows(path, rows, COLUMNS)


def read_csv(path: str | Path) -> list[dict]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for k, v in row.items():
            if k not in ("task", "run", "method", "prune", "criterion", "scope", "reset") and v not in ("", None):
                row[k] = float(v)
    return rows


def merge_csvs(paths: list[str | Path], out: str | Path) -> int:
    """Concatenate per-task summaries (same columns) into one tidy table; returns the row count."""
    rows = []
    for path in paths:
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != COLUMNS:
                raise SystemExit(f"error: {path}: columns differ from this version's summary; rerun aggregate_task")
            rows += list(reader)
    write_csv_rows(out, rows, COLUMNS)
    return len(rows)
