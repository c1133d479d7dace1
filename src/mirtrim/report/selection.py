"""The paper's Best / Optim / Small table (paper.md §7.3) and the LaTeX macros of the headline numbers.

Per task, ``mean_err`` is the mean dense (round-0) test error over the task's seeds; per method group
(Trim, Mask, Prune, Random) the most compressed model of any run of the group is found in each category:
Best = error <= mean_err, Optim = error < 1.1 x mean_err, Small = error < 1.6 x mean_err. Compression is
physical parameters for trimming and the measured alive fraction for masking (the aggregate's
``compression`` column). No run is kept or dropped by hand: every row of the summaries takes part.
A category that no model of a group reaches still gets its row, marked ``none`` (empty numbers in
the CSV, dashes in the tables and the LaTeX macros), so a missing result is visible, not silent.
"""

from __future__ import annotations

import re
from pathlib import Path

from mirtrim.report.efficiency import dense_reference, engineering, rows_by_task
from mirtrim.utils.atomic import write_csv_rows, write_text

CATEGORIES = (("Best", 1.0, True), ("Optim", 1.1, False), ("Small", 1.6, False))  # (name, x dense, inclusive)
CATEGORY_LIMITS = {name: (factor, inclusive) for name, factor, inclusive in CATEGORIES}
GROUPS = ("Trim", "Mask", "Prune", "Random")
FIELDS = ["task", "group", "category", "run", "round", "test_error", "relative_error", "compression", "parameters",
          "activation_mb", "flops_paper", "memory_bytes", "macs", "latency_ms", "ort_latency_ms"]


def _entry(task, group, category, row, mean_err) -> dict:
    return {"task": task, "group": group, "category": category, "run": row["run"], "round": int(row["round"]),
            "test_error": row["test_error"], "relative_error": row["test_error"] / mean_err,
            "compression": row["compression"], "parameters": int(row["parameters"]),
            "activation_mb": row["activation_mb"], "flops_paper": int(row["flops_paper"]),
            "memory_bytes": int(row["memory_read"] + row["memory_write"]), "macs": int(row["macs"]),
            "latency_ms": row["latency_ms"], "ort_latency_ms": row.get("ort_latency_ms")}


def selection_rows(summary_csvs: list[str | Path]) -> list[dict]:
    out = []
    for task, rows in sorted(rows_by_task(summary_csvs).items()):
        reference, mean_err = dense_reference(rows)
        out.append(_entry(task, "Original", "dense", {**reference, "run": "dense", "compression": 1.0}, mean_err))
        for group in GROUPS:
            candidates = [r for r in rows if r["method"] == group and r["round"] > 0]
            if not candidates:
                continue
            for name, factor, inclusive in CATEGORIES:
                limit = factor * mean_err
                ok = [r for r in candidates if (r["test_error"] <= limit if inclusive else r["test_error"] < limit)]
                if ok:
                    best = max(ok, key=lambda r: (r["compression"], -r["test_error"]))
                    out.append(_entry(task, group, name, best, mean_err))
                else:
                    out.append({"task": task, "group": group, "category": name, "run": "none"})
    return out


def _macro_name(*parts: str) -> str:
    """LaTeX command names take letters only: ``pitch_medium`` -> ``PitchMedium``."""
    return "".join(w.capitalize() for p in parts for w in re.split(r"[^A-Za-z]+", p) if w)


def write_selection_tables(summary_csvs: list[str | Path], out_csv: str | Path, out_md: str | Path,
                           out_tex: str | Path, out_macros: str | Path) -> None:
    rows = selection_rows(summary_csvs)
    write_csv_rows(out_csv, rows, FIELDS)
    head = ["task", "group", "category", "model", "error (rel.)", "compression", "params", "size (act. MB)",
            "FLOPs", "mem", "eager ms", "ORT ms"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    tex = [r"\begin{tabular}{lllrrrrrr}", r"\toprule",
           r"task & group & cat. & error & ratio & param & size & FLOPs & mem \\", r"\midrule"]
    macros = ["% headline numbers, generated from results/summary/*.csv by mirtrim table-selection"]
    for r in rows:
        if r["run"] == "none":
            factor, inclusive = CATEGORY_LIMITS[r["category"]]
            model = f"none (error {'≤' if inclusive else '<'} {factor:g}× dense)"
            numbers = ["—"] * 8
            tex_numbers = ["--"] * 6
            headline = {"Compression": "--", "Error": "--", "Params": "--"}
        else:
            model = "dense" if r["run"] == "dense" else f"{r['run']} r{r['round']}"
            numbers = [f"{r['test_error']:.3f} ({r['relative_error']:.2f})", f"x{r['compression']:.1f}",
                       engineering(r["parameters"]), f"{r['activation_mb']:.3g}", engineering(r["flops_paper"]),
                       engineering(r["memory_bytes"]), f"{r['latency_ms']:.3g}", engineering(r["ort_latency_ms"])]
            tex_numbers = [f"{r['test_error']:.3f}", *numbers[1:6]]
            headline = {"Compression": f"{r['compression']:.1f}", "Error": f"{r['test_error']:.3f}",
                        "Params": engineering(r["parameters"])}
        names = [r["task"], r["group"], r["category"]]
        md.append("| " + " | ".join([*names, model, *numbers]) + " |")
        tex.append(" & ".join(c.replace("_", r"\_") for c in (*names, *tex_numbers)) + r" \\")
        if r["group"] in ("Original", "Trim"):
            stem = _macro_name(*names)
            macros += [rf"\newcommand{{\{stem}{what}}}{{{value}}}" for what, value in headline.items()]
    tex += [r"\bottomrule", r"\end{tabular}"]
    write_text(out_md, "\n".join(md) + "\n")
    write_text(out_tex, "\n".join(tex) + "\n")
    write_text(out_macros, "\n".join(macros) + "\n")
