"""The efficiency table (dense vs trimmed model per task) and the latency-vs-MACs figure.

Both read only the aggregated per-task CSVs. The trimmed model of a task is chosen by a rule, not
by hand, and on validation only: among the Trim candidates (trim + rewind, not the random control;
one per (method, round), seeds averaged) the one with the fewest parameters whose seed-mean
validation error is at most ``tolerance`` x the dense seed-mean validation error. The table reports
its seed-mean test error and the test min-max over seeds.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from mirtrim.report.aggregate import read_csv
from mirtrim.report.seeds import candidates, dense_candidate, selection_error
from mirtrim.report.tables import latex_table, markdown_table
from mirtrim.utils.atomic import write_csv_rows, write_text

FIELDS = ["task", "model", "run", "round", "candidates", "seeds", "parameters", "activation_mb", "flops_paper",
          "memory_mb", "macs", "checkpoint_mb", "latency_ms", "ort_latency_ms", "peak_rss_mb", "valid_error",
          "test_error", "test_error_min", "test_error_max", "relative_error"]


def rows_by_task(summary_csvs: list[str | Path]) -> dict[str, list[dict]]:
    by_task = defaultdict(list)
    for path in summary_csvs:
        for row in read_csv(path):
            by_task[row["task"]].append(row)
    return by_task


def _describe(cand, model: str, dense_test: float, n_candidates: int) -> dict:
    row = cand.representative
    low, high = cand.spread("test_error")
    return {"task": row["task"], "model": model, "run": cand.method, "round": cand.round,
            "candidates": n_candidates, "seeds": cand.seeds, "parameters": int(row["parameters"]),
            "activation_mb": row["activation_mb"], "flops_paper": int(row["flops_paper"]),
            "memory_mb": (row["memory_read"] + row["memory_write"]) / 2**20, "macs": int(row["macs"]),
            "checkpoint_mb": row["checkpoint_bytes"] / 2**20, "latency_ms": row["latency_ms"],
            "ort_latency_ms": row.get("ort_latency_ms"), "peak_rss_mb": row.get("peak_rss_mb"),
            "valid_error": cand.mean("valid_error"), "test_error": cand.mean("test_error"),
            "test_error_min": low, "test_error_max": high, "relative_error": cand.mean("test_error") / dense_test}


def dense_reference(rows: list[dict]) -> tuple[dict, float]:
    """The dense round-0 row of the lowest seed, and the mean dense test error over seeds."""
    dense = dense_candidate(rows)
    return dense.representative, dense.mean("test_error")


def efficiency_rows(summary_csvs: list[str | Path], tolerance: float = 1.1) -> list[dict]:
    out = []
    for task, rows in sorted(rows_by_task(summary_csvs).items()):
        dense = dense_candidate(rows)
        dense_val, dense_test = selection_error(dense), dense.mean("test_error")
        out.append(_describe(dense, "dense", dense_test, 1))
        pool = candidates(rows, "Trim")
        ok = [c for c in pool if selection_error(c) <= tolerance * dense_val]
        if ok:
            best = min(ok, key=lambda c: (c.mean("parameters"), selection_error(c)))
            out.append(_describe(best, f"trimmed (valid. error <= {tolerance:g} x dense)", dense_test, len(pool)))
        else:
            out.append({"task": task, "model": f"no Trim round within {tolerance:g} x dense validation error",
                        "candidates": len(pool)})
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
    head = ["task", "model", "candidates", "seeds", "params", "size (act. MB)", "FLOPs", "mem (MB)", "MACs",
            "eager ms", "ORT ms", "peak RSS MB", "test error [min-max] (rel.)"]
    md_rows, tex_rows = [], []
    for r in rows:
        if "parameters" not in r:
            md_rows.append([r["task"], r["model"], r["candidates"], *["-"] * (len(head) - 3)])
            continue
        cells = [r["task"], r["model"] if r["model"] == "dense" else f"{r['run']} r{r['round']}",
                 str(r["candidates"]), str(r["seeds"]), engineering(r["parameters"]), f"{r['activation_mb']:.3g}", engineering(r["flops_paper"]), f"{r['memory_mb']:.3g}",
                 engineering(r["macs"]), f"{r['latency_ms']:.3g}", engineering(r["ort_latency_ms"]), engineering(r["peak_rss_mb"]),
                 f"{r['test_error']:.3f} [{r['test_error_min']:.3f}-{r['test_error_max']:.3f}] "
                 f"({r['relative_error']:.2f})"]
        md_rows.append(cells)
        tex_rows.append([cells[0], "dense" if r["model"] == "dense" else f"r{r['round']}", *cells[4:7], cells[7],
                         cells[9], cells[10], cells[11], f"{r['relative_error']:.2f}"])
    tex_head = ["task", "model", "param", "size", "FLOPs", "mem", "eager ms", "ORT ms", "peak MB", r"rel.\ err."]
    write_text(out_md, "\n".join(markdown_table(head, md_rows)) + "\n")
    write_text(out_tex, "\n".join(latex_table("llrrrrrrrr", tex_head, tex_rows)) + "\n")


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
