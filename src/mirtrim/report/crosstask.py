"""Figures across tasks, from the aggregated per-task CSVs only.

- ``normalised``: the poster's across-task comparison: mean (line) and min-max (band) over tasks and
  runs of the error relative to dense, against the compression ratio, for Trim, Mask, Prune, Random;
- ``criteria``: the same for the trimming criteria (magnitude, activation, batchnorm) of Trim runs;
- ``pareto``: test error against batch-1 CPU latency per task, every round of every run, with the
  Pareto front (no other model is both faster and more accurate).

Curves are put on one grid of log compression by linear interpolation inside each run's own range,
never extrapolated, so a run only counts where it was measured (compression is whole-model parameter
compression for every method); a task whose dense model is within 0.1 of chance is left out of the
means, and the title names it; a mean line is solid where at least
half of its runs contribute and dotted beyond (there it averages the few tasks that get that far).
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from mirtrim.report.efficiency import rows_by_task
from mirtrim.report.seeds import dense_candidate
from mirtrim.report.figures import GROUP_STYLE, save_figure, log_axis

CRITERION_STYLE = {"magnitude": "#0072B2", "activation": "#D55E00", "batchnorm": "#009E73"}


def curves(rows: list[dict], key) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """label -> one (log10 compression, relative error) curve per (task, run), sorted by compression."""
    per_run = defaultdict(list)
    for r in rows:
        label = key(r)
        if label is not None:
            per_run[(label, r["task"], r["run"])].append((math.log10(r["compression"]), r["relative_error"]))
    out = defaultdict(list)
    for (label, _, _), pts in sorted(per_run.items()):
        pts.sort()
        x, y = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
        if len(x) >= 2 and np.all(np.isfinite(y)):
            out[label].append((x, y))
    return out


def band(runs: list[tuple[np.ndarray, np.ndarray]], points: int = 60):
    """Mean, min, max and the number of contributing runs on a shared grid; each run contributes
    only inside its range."""
    lo, hi = min(x[0] for x, _ in runs), max(x[-1] for x, _ in runs)
    grid = np.linspace(lo, hi, points)
    values = np.full((len(runs), points), np.nan)
    for i, (x, y) in enumerate(runs):
        inside = (grid >= x[0]) & (grid <= x[-1])
        values[i, inside] = np.interp(grid[inside], x, y)
    seen = ~np.all(np.isnan(values), axis=0)
    grid, values = grid[seen], values[:, seen]
    return (10 ** grid, np.nanmean(values, axis=0), np.nanmin(values, axis=0), np.nanmax(values, axis=0),
            np.sum(~np.isnan(values), axis=0))


def _plot_bands(ax, groups: dict, colours: dict, title: str) -> None:
    for label, runs in groups.items():
        x, mean, low, high, count = band(runs)
        colour = colours.get(label, "0.3")
        # where fewer than half the runs reach a ratio the mean is over a few tasks only: dotted
        most = count * 2 >= len(runs)
        ax.plot(x, np.where(most, mean, np.nan), color=colour, linewidth=1.4, label=f"{label} ({len(runs)} runs)")
        ax.plot(x, mean, color=colour, linewidth=1.0, linestyle=":")
        ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
    ax.axhline(1.0, color="0.4", linestyle="--", linewidth=0.8)
    log_axis(ax)
    ax.set_xlabel("compression ratio")
    ax.set_ylabel("error / dense error (mean, min-max)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.25, linewidth=0.5)
    ax.legend(fontsize=7, frameon=False)


NEAR_CHANCE = 0.1  # a dense model this close to its chance error has not learned: its ratios mean nothing


def near_chance_tasks(by_task: dict[str, list[dict]]) -> list[str]:
    """Tasks whose seed-mean dense test error is within ``NEAR_CHANCE`` of the chance error."""
    out = []
    for task, rows in sorted(by_task.items()):
        dense = dense_candidate(rows)
        chance = dense.representative.get("chance_error")
        if chance not in (None, "") and chance - dense.mean("test_error") < NEAR_CHANCE:
            out.append(task)
    return out


def pareto_front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(latency, error) points no other point beats on both, by increasing latency."""
    front, best = [], math.inf
    for lat, err in sorted(points):
        if err < best:
            front.append((lat, err))
            best = err
    return front


def plot_crosstask(summary_csvs: list[str | Path], out_normalised: str | Path, out_criteria: str | Path,
                   out_pareto: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_task = rows_by_task(summary_csvs)
    left_out = near_chance_tasks(by_task)
    rows = [r for task, task_rows in by_task.items() if task not in left_out for r in task_rows]
    tasks = f"{len(by_task) - len(left_out)} tasks" + (
        f"\n(left out, dense within {NEAR_CHANCE} of chance: {', '.join(left_out)})" if left_out else "")

    fig, ax = plt.subplots(figsize=(3.6, 2.8))
    _plot_bands(ax, curves(rows, lambda r: r["method"]), {g: s[0] for g, s in GROUP_STYLE.items()},
                f"method groups across {tasks}")
    save_figure(fig, out_normalised)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(3.6, 2.8))
    trim = curves(rows, lambda r: r["criterion"] if r["method"] == "Trim" else None)
    if trim:
        _plot_bands(ax, trim, CRITERION_STYLE, f"Trim criteria across {tasks}")
    else:
        ax.text(0.5, 0.5, "no Trim runs in this configuration", ha="center", va="center", transform=ax.transAxes)
    save_figure(fig, out_criteria)
    plt.close(fig)

    n = len(by_task)
    cols = min(3, n)
    fig, axes = plt.subplots(math.ceil(n / cols), cols, figsize=(2.4 * cols, 2.1 * math.ceil(n / cols)),
                             squeeze=False)
    for ax, (task, task_rows) in zip(axes.flat, sorted(by_task.items())):
        key = "ort_latency_ms" if all(r.get("ort_latency_ms") for r in task_rows) else "latency_ms"
        for group, (colour, marker) in GROUP_STYLE.items():
            pts = [(r[key], r["test_error"]) for r in task_rows if r["method"] == group and r["round"] > 0]
            if pts:
                ax.scatter(*zip(*pts), s=8, color=colour, marker=marker, label=group, alpha=0.8)
        dense = [(r[key], r["test_error"]) for r in task_rows if r["round"] == 0]
        ax.scatter(*zip(*dense), s=30, color="black", marker="*", label="dense")
        front = pareto_front([(r[key], r["test_error"]) for r in task_rows])
        ax.plot(*zip(*front), color="0.2", linewidth=0.8, drawstyle="steps-post")
        log_axis(ax)
        ax.set_title(task, fontsize=8)
        ax.set_xlabel(f"{'ONNX Runtime' if key.startswith('ort') else 'eager'} ms (batch 1)", fontsize=7)
        ax.set_ylabel("test error", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.grid(True, which="both", alpha=0.25, linewidth=0.5)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, frameon=False)
    fig.tight_layout()
    save_figure(fig, out_pareto)
    plt.close(fig)
