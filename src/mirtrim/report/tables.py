"""Tables computed from results/ (CSV and Markdown, LaTeX where the paper needs it), and the one
Markdown and LaTeX table writer every report uses: cells in, lines out."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from mirtrim.utils.atomic import read_json, write_csv_rows, write_text


def markdown_table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A GitHub Markdown table: a header row, the ``---`` rule, one line per row."""
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)]


def latex_table(align: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A booktabs tabular; underscores in the body cells are escaped (task and run names)."""
    return [rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(head) + r" \\", r"\midrule",
            *(" & ".join(c.replace("_", r"\_") for c in row) + r" \\" for row in rows),
            r"\bottomrule", r"\end{tabular}"]


def baseline_table(baselines: list[str], dense_evals: list[str], out_csv: str | Path, out_md: str | Path) -> None:
    """Trivial baseline, chance level and the trained dense model, per task, on one test split and metric."""
    dense = {}
    for path in dense_evals:
        ev = read_json(path, "evaluation record")
        dense[ev["task"]] = ev
    rows = []
    for path in baselines:
        b = read_json(path, "baseline record")
        rows.append({"task": b["task"], "dataset": b.get("data", f"{b['dataset']}-{b['scale']}"), "baseline": b["baseline"],
                     "baseline_error": round(b["error"], 4),
                     "chance_error": round(dense[b["task"]]["chance_error"], 4),
                     "chance_predictor": dense[b["task"]]["chance_predictor"],
                     "dense_model_error": round(dense[b["task"]]["test_error"], 4)})
    rows.sort(key=lambda r: r["task"])
    write_csv_rows(out_csv, rows, list(rows[0]))
    head = ["task", "data", "trivial baseline", "baseline error", "chance error (best constant)", "dense model error"]
    lines = markdown_table(head, ([r["task"], r["dataset"], r["baseline"], f"{r['baseline_error']:.3f}",
                                   f"{r['chance_error']:.3f} ({r['chance_predictor']})",
                                   f"{r['dense_model_error']:.3f}"] for r in rows))
    write_text(out_md, "\n".join(lines) + "\n")
