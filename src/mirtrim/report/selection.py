"""The paper's Best / Optim / Small table (paper.md §7.3) and the LaTeX macros of the headline numbers.

Per task and method group (Trim, Mask, Prune, Random), the candidates are the group's (method, round)
pairs, their seeds averaged (``report.seeds``). Membership is decided on **validation** error against
the dense seed-mean validation error ``dense_val``: Best = error <= dense_val, Optim = error < 1.1 x
dense_val, Small = error < 1.6 x dense_val; the most compressed member is shown with its seed-mean
**test** error and the test min-max over seeds. The test split never decides a pick. Compression is
whole-model parameter compression (dense parameters / non-zero parameters) for every method. Each
row states how many candidates its group had: more candidates give a more optimistic pick.
A category that no candidate reaches still gets its row, marked ``none`` (empty numbers in the CSV,
dashes in the tables and the LaTeX macros), so a missing result is visible, not silent.
"""

from __future__ import annotations

import re
from pathlib import Path

from mirtrim.report.efficiency import engineering, rows_by_task
from mirtrim.report.seeds import Candidate, candidates, dense_candidate, selection_error
from mirtrim.report.tables import latex_table, markdown_table
from mirtrim.utils.atomic import write_csv_rows, write_text

CATEGORIES = (("Best", 1.0, True), ("Optim", 1.1, False), ("Small", 1.6, False))  # (name, x dense, inclusive)
CATEGORY_LIMITS = {name: (factor, inclusive) for name, factor, inclusive in CATEGORIES}
GROUPS = ("Trim", "Mask", "Prune", "Random")
FIELDS = ["task", "group", "category", "run", "round", "candidates", "seeds", "valid_error", "test_error",
          "test_error_min", "test_error_max", "relative_error", "compression", "parameters", "activation_mb",
          "flops_paper", "memory_bytes", "macs", "latency_ms", "ort_latency_ms"]


def _entry(task, group, category, cand: Candidate, dense_test: float, n_candidates: int) -> dict:
    row = cand.representative
    low, high = cand.spread("test_error")
    return {"task": task, "group": group, "category": category, "run": cand.method, "round": cand.round,
            "candidates": n_candidates, "seeds": cand.seeds, "valid_error": cand.mean("valid_error"),
            "test_error": cand.mean("test_error"), "test_error_min": low, "test_error_max": high,
            "relative_error": cand.mean("test_error") / dense_test,
            "compression": 1.0 if cand.round == 0 else cand.mean("compression"), "parameters": int(row["parameters"]),
            "activation_mb": row["activation_mb"], "flops_paper": int(row["flops_paper"]),
            "memory_bytes": int(row["memory_read"] + row["memory_write"]), "macs": int(row["macs"]),
            "latency_ms": row["latency_ms"], "ort_latency_ms": row.get("ort_latency_ms")}


def _member(cand: Candidate, limit: float, inclusive: bool) -> bool:
    err = selection_error(cand)
    return err <= limit if inclusive else err < limit


def selection_rows(summary_csvs: list[str | Path]) -> list[dict]:
    out = []
    for task, rows in sorted(rows_by_task(summary_csvs).items()):
        dense = dense_candidate(rows)
        dense_val, dense_test = selection_error(dense), dense.mean("test_error")
        out.append(_entry(task, "Original", "dense", dense, dense_test, 1))
        for group in GROUPS:
            pool = candidates(rows, group)
            if not pool:
                continue
            for name, factor, inclusive in CATEGORIES:
                ok = [c for c in pool if _member(c, factor * dense_val, inclusive)]
                if ok:
                    best = max(ok, key=lambda c: (c.mean("compression"), -selection_error(c)))
                    out.append(_entry(task, group, name, best, dense_test, len(pool)))
                else:
                    out.append({"task": task, "group": group, "category": name, "run": "none",
                                "candidates": len(pool)})
    return out


def _macro_name(*parts: str) -> str:
    """LaTeX command names take letters only: ``pitch_medium`` -> ``PitchMedium``."""
    return "".join(w.capitalize() for p in parts for w in re.split(r"[^A-Za-z]+", p) if w)


def write_selection_tables(summary_csvs: list[str | Path], out_csv: str | Path, out_md: str | Path,
                           out_tex: str | Path, out_macros: str | Path) -> None:
    rows = selection_rows(summary_csvs)
    write_csv_rows(out_csv, rows, FIELDS)
    head = ["task", "group", "category", "candidates", "model", "seeds", "test error [min-max] (rel.)",
            "compression", "params", "size (act. MB)", "FLOPs", "mem", "eager ms", "ORT ms"]
    md_rows, tex_rows = [], []
    macros = ["% headline numbers, generated from results/summary/*.csv by mirtrim table-selection"]
    for r in rows:
        if r["run"] == "none":
            factor, inclusive = CATEGORY_LIMITS[r["category"]]
            model = f"none (valid. error {'≤' if inclusive else '<'} {factor:g}× dense)"
            numbers = ["—"] * 9
            tex_numbers = ["--"] * 6
            headline = {"Compression": "--", "Error": "--", "Params": "--"}
        else:
            model = "dense" if r["run"] == "dense" else f"{r['run']} r{r['round']}"
            numbers = [str(r["seeds"]), f"{r['test_error']:.3f} [{r['test_error_min']:.3f}-{r['test_error_max']:.3f}]"
                       f" ({r['relative_error']:.2f})", f"x{r['compression']:.1f}",
                       engineering(r["parameters"]), f"{r['activation_mb']:.3g}", engineering(r["flops_paper"]),
                       engineering(r["memory_bytes"]), f"{r['latency_ms']:.3g}", engineering(r["ort_latency_ms"])]
            tex_numbers = [f"{r['test_error']:.3f}", *numbers[2:7]]
            headline = {"Compression": f"{r['compression']:.1f}", "Error": f"{r['test_error']:.3f}",
                        "Params": engineering(r["parameters"])}
        names = [r["task"], r["group"], r["category"]]
        md_rows.append([*names, str(r["candidates"]), model, *numbers])
        tex_rows.append([*names, *tex_numbers])
        if r["group"] in ("Original", "Trim"):
            stem = _macro_name(*names)
            macros += [rf"\newcommand{{\{stem}{what}}}{{{value}}}" for what, value in headline.items()]
    tex_head = ["task", "group", "cat.", "error", "ratio", "param", "size", "FLOPs", "mem"]
    write_text(out_md, "\n".join(markdown_table(head, md_rows)) + "\n")
    write_text(out_tex, "\n".join(latex_table("lllrrrrrr", tex_head, tex_rows)) + "\n")
    write_text(out_macros, "\n".join(macros) + "\n")
