"""The efficiency table (dense vs trimmed model per task) and the latency-vs-MACs figure.

Both read only the aggregated per-task CSVs. The trimmed model of a task is chosen by a rule, not
by hand: the Trim model (trim + rewind, not the random control) with the fewest parameters whose
test error is at most ``tolerance`` x the mean dense error of the task's seeds.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from mirtrim.report.aggregate import read_csv
from mirtrim.utils.atomic import write_csv_rows, write_text

FIELDS = ["task", "model", "run", "round", "parameters", "activation_mb", "flops_paper", "memory_mb", "macs",
          "checkpoint_mb", "latency_ms", "ort_latency_ms", "peak_rss_mb", "test_error", "relative_error"]


def rows_by_task(summary_csvs: list[str | Path]) -> dict[str, list[dict]]:
    by_task = defaultdict(list)
    for path in summary_csvs:
        for row in read_csv(path):
            by_task[row["task"]].append(row)
    return by_task


def _describe(row: dict, model: str, dense_error: float) -> dict:
    return {"task": row["task"], "model": model, "run": "dense" if model == "dense" else row["run"],
            "round": int(row["round"]), "parameters": int(row["parameters"]),
            "activation_mb": row["activation_mb"], "flops_paper": int(row["flops_paper"]),
            "memory_mb": (row["memory_read"] + row["memory_write"]) / 2**20, "macs": int(row["macs"]),
            "checkpoint_mb": row["checkpoint_bytes"] / 2**20, "latency_ms": row["latency_ms"],
            "ort_latency_ms": row.get("ort_latency_ms"), "peak_rss_mb": row.get("peak_rss_mb"),
            "test_error": row["test_error"], "relative_error": row["test_error"] / dense_error}


def dense_reference(rows: list[dict]) -> tuple[dict, float]:
    """The dense round-0 row of the lowest seed, and the mean dense error over seeds (every run of a
    seed repeats that seed's dense row)."""
    by_seed = {r["seed"]: r for r in rows if r["round"] == 0}
    return by_seed[min(by_seed)], sum(r["test_error"] for r in by_seed.values()) / len(by_seed)


def efficiency_rows(summary_csvs: list[str | Path], tolerance: float = 1.1) -> list[dict]:
    out = []
    for task, rows in sorted(rows_by_task(summary_csvs).items()):
        dense, dense_error = dense_reference(rows)
        out.append(_describe(dense, "dense", dense_error))
        trims = [r for r in rows if r["method"] == "Trim" and r["round"] > 0
                 and r["test_error"] <= tolerance * dense_error]
        if trims:
            best = min(trims, key=lambda r: (r["parameters"], r["test_error"]))
            out.append(_describe(best, f"trimmed (error <= {tolerance:g} x dense)", dense_error))
        else:
            out.append({"task": task, "model": f"no Trim round within {tolerance:g} x dense error"})
    return out


def engineering(value, unit: str = "") -> str:
    """Engineering notation as in the paper's table: 797 K, 2.8 G."""
    if value is None or value == "":
        return "-"
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " K")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}{unit}"
    return f"{value:.3g}{unit}"


def write_efficiency_table(summary_csvs: list[str | Path], out_csv: str | Path, out_md: str | Path,
                           out_tex: str | Path, tolerance: float = 1.1) -> None:
    rows = efficiency_rows(summary_csvs, tolerance)
    write_csv_rows(out_csv, rows, FIELDS)
    head = ["task", "model", "params", "size (act. MB)", "FLOPs", "mem (MB)", "MACs", "eager ms", "ORT ms",
            "peak RSS MB", "error (rel.)"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    tex = [r"\begin{tabular}{llrrrrrrrr}", r"\toprule",
           r"task & model & param & size & FLOPs & mem & eager ms & ORT ms & peak MB & rel.\ err. \\", r"\midrule"]
    for r in rows:
        if "parameters" not in r:
            md.append(f"| {r['task']} | {r['model']} |" + " - |" * (len(head) - 2))
            continue
        cells = [r["task"], r["model"] if r["model"] == "dense" else f"{r['run']} r{r['round']}",
                 engineering(r["parameters"]), f"{r['activation_mb']:.3g}", engineering(r["flops_paper"]), f"{r['memory_mb']:.3g}",
                 engineering(r["macs"]), f"{r['latency_ms']:.3g}", engineering(r["ort_latency_ms"]), engineering(r["peak_rss_mb"]),
                 f"{r['test_error']:.3f} ({r['relative_error']:.2f})"]
        md.append("| " + " | ".join(cells) + " |")
        tex_cells = [cells[0], "dense" if r["model"] == "dense" else f"r{r['round']}", *cells[2:5], cells[5],
                     cells[7], cells[8], cells[9], f"{r['relative_error']:.2f}"]
        tex.append(" & ".join(c.replace("_", r"\_") for c in tex_cells) + r" \\")
    tex += [r"\bottomrule", r"\end{tabular}"]
    write_text(out_md, "\n".join(md) + "\n")
    write_text(out_tex, "\n".join(tex) + "\n")


def plot_latency_vs_macs(summary_csvs: list[str | Path], out_pdf: str | Path) -> None:
    """Speed-up (dense latency / latency) vs MAC reduction (dense MACs / MACs), eager and ONNX Runtime,
    with the ideal line where latency falls exactly as the MACs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mirtrim.report.figures import log_axis, save_figure

    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"]
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.8), sharey=True)
    top = 1.0
    for colour, (task, rows) in zip(colours, sorted(rows_by_task(summary_csvs).items())):
        dense, _ = dense_reference(rows)
        trims = [r for r in rows if r["prune"] == "trim"]
        for ax, key in zip(axes, ("latency_ms", "ort_latency_ms")):
            if not dense.get(key):
                continue
            pts = sorted({(dense["macs"] / r["macs"], dense[key] / r[key]) for r in [dense, *trims] if r.get(key)})
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", color=colour, markersize=3, label=task)
            top = max(top, *(p[0] for p in pts), *(p[1] for p in pts))
    for ax, title in zip(axes, ("eager PyTorch", "ONNX Runtime")):
        ax.plot([1, top], [1, top], color="0.3", linestyle="--", linewidth=0.8, label="ideal (latency ~ MACs)")
        log_axis(ax, "x")
        log_axis(ax, "y")
        ax.set_xlabel("MAC reduction (dense / trimmed)")
        ax.set_title(f"batch-1 CPU latency, {title}", fontsize=9)
        ax.grid(True, which="both", alpha=0.25, linewidth=0.5)
    axes[0].set_ylabel("speed-up (dense / trimmed latency)")
    axes[1].legend(fontsize=6, frameon=False, loc="upper left")
    save_figure(fig, out_pdf)
    plt.close(fig)
