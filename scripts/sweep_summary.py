"""Render the JSON files of dense sweeps (scripts/sweep_dense.py) as one Markdown page, a table per task.

    python scripts/sweep_summary.py --notes docs/benchmarks/sweeps/default_notes.yaml \\
        --out docs/benchmarks/sweeps/default.md docs/benchmarks/sweeps/default/*.json

``--notes`` (YAML) holds the page's ``title`` and ``intro`` and, per task, the ``base`` settings the
rows vary and the ``chosen`` settings with why (or a ``finding`` where nothing was adopted): the choice is the author's, made on validation
error and cost; this script only lays out what the sweeps measured. The best validation row of
each task is marked, and each row shows its validation error epoch by epoch (with the plateau
schedule a shorter training is a prefix of that curve).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim.utils.atomic import write_text  # noqa: E402

FIXED = ("seed", "threads", "valid_error", "yardstick_valid_error", "test_error", "chance_error", "best_epoch",
         "epochs_trained", "steps", "parameters", "train_seconds", "valid_curve")


def _setting(row: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items() if k not in FIXED) or "(base)"


def _curve(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


def compared(row: dict) -> float:
    """The validation error rows are chosen on: on the ``--yardstick`` split where the sweep scored
    one (rows trained on different data then compare on one set of examples), else the row's own."""
    return row.get("yardstick_valid_error", row["valid_error"])


def seed_means(rows: list[tuple[str, dict]]) -> list[str]:
    """One line per (file, setting): the seed means, so settings compare at a glance."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for name, r in rows:
        groups.setdefault((name, _setting(r)), []).append(r)
    which = " (yardstick split)" if any("yardstick_valid_error" in r for _, r in rows) else ""
    sized = all("parameters" in r for _, r in rows)  # older sweeps did not record the model's size
    lines = [f"| file | setting | seeds | {'parameters | ' if sized else ''}mean valid error{which} | "
             "seed spread (valid) | mean test error | mean seconds |",
             "|---|---|---|---|---|---|---|" + ("---|" if sized else "")]
    for (name, setting), rs in groups.items():
        valid = [compared(r) for r in rs]
        mean = sum(valid) / len(valid)
        size = f"{rs[0]['parameters']:,} | " if sized else ""
        lines.append(f"| {name} | {setting} | {len(rs)} | {size}{mean:.3f} | {max(valid) - min(valid):.3f} | "
                     f"{sum(r['test_error'] for r in rs) / len(rs):.3f} | "
                     f"{sum(r['train_seconds'] for r in rs) / len(rs):.1f} |")
    return lines


def task_section(task: str, sweeps: list[tuple[str, dict]], notes: dict) -> list[str]:
    rows = [(name, r) for name, data in sweeps for r in data["rows"]]
    best = min(compared(r) for _, r in rows)
    lines = [f"## {task}", ""]
    if notes.get("base"):
        lines.append(f"Base: {notes['base']}.")
    if notes.get("chosen"):
        lines.append(f"Chosen: {notes['chosen']}.")
    if notes.get("finding"):  # a sweep that measured a lever without changing the config
        lines.append(f"Finding: {notes['finding']}.")
    lines += ["", *seed_means(rows)]
    yardstick = any("yardstick_valid_error" in r for _, r in rows)
    own = " (own split)" if yardstick else ""
    lines += ["", f"| file | setting | seed | threads | {'yardstick valid error | ' if yardstick else ''}valid error{own} | "
              "test error | chance | chance - test | best epoch | steps | seconds | valid error by epoch |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if yardstick else "")]
    for name, r in rows:
        mark = " **(best valid)**" if compared(r) == best else ""
        first = f"{compared(r):.3f} | " if yardstick else ""
        lines.append(f"| {name} | {_setting(r)}{mark} | {r['seed']} | {r.get('threads', 1)} | {first}{r['valid_error']:.3f} | "
                     f"{r['test_error']:.3f} | {r['chance_error']:.3f} | {r['chance_error'] - r['test_error']:.3f} | "
                     f"{r['best_epoch']} | {r['steps']} | {r['train_seconds']:.1f} | "
                     f"{_curve(r.get('valid_curve', []))} |")
    return lines + [""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sweeps", nargs="+", help="JSON files written by scripts/sweep_dense.py")
    ap.add_argument("--notes", help="YAML: title, intro, and per task base / chosen")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    notes = yaml.safe_load(Path(a.notes).read_text()) if a.notes else {}
    by_task: dict[str, list] = {}
    for path in sorted(a.sweeps):
        data = json.loads(Path(path).read_text())
        by_task.setdefault(data["task"], []).append((Path(path).name, data))
    lines = [f"# {notes.get('title', 'Dense sweeps')}", ""]
    if notes.get("intro"):
        lines += [notes["intro"].strip(), ""]
    for task in sorted(by_task):
        lines += task_section(task, by_task[task], notes.get("tasks", {}).get(task, {}))
    write_text(a.out, "\n".join(lines))
    print(f"wrote {a.out}: {sum(len(v) for v in by_task.values())} sweep files, {len(by_task)} tasks")


if __name__ == "__main__":
    main()
