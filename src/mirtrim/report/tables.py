"""Tables computed from results/: written as CSV and Markdown (and LaTeX where the paper needs it)."""

from __future__ import annotations

from pathlib import Path

from mirtrim.utils.atomic import read_json, write_csv_rows, write_text


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
    lines = ["| task | data | trivial baseline | baseline error | chance error (best constant) | dense model error |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['task']} | {r['dataset']} | {r['baseline']} | {r['baseline_error']:.3f} | "
              f"{r['chance_error']:.3f} ({r['chance_predictor']}) | {r['dense_model_error']:.3f} |" for r in rows]
    write_text(out_md, "\n".join(lines) + "\n")
