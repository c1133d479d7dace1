"""Set the quality verdicts of two or more default runs side by side (one config, other machines or commits).

    python scripts/compare_quality.py --run "AMD EPYC=docs/benchmarks/quality.json" \\
        --run "Intel Xeon=docs/benchmarks/cross_cpu/quality_intel.json" --out docs/benchmarks/cross_cpu.md

Each ``--run`` is ``LABEL=PATH`` to a ``quality.json`` written by ``scripts/quality_benchmark.py``.
Training is deterministic on one machine but not across CPUs (their float kernels differ), so a
verdict that one machine's run gives may not survive another's: the page lists, per task, the dense
error (seed mean ± std) and every target of ``docs/benchmarks/quality.md`` for each run, and marks
the tasks whose verdict differs between the runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mirtrim.report.quality import VERDICTS, verdicts  # noqa: E402
from mirtrim.report.tables import markdown_table  # noqa: E402
from mirtrim.utils.atomic import write_text  # noqa: E402

TASK_KEYS = ("dense_error_mean", "dense_error_std", "targets")
TARGET_KEYS = ("dense_at_most_half_chance", "beats_baseline", "trim_at_least_4x", "trim_method_chosen_on_validation",
               "trim_compression_at_dense", "rewind_separation")
REWRITE = "rewrite it from its run with scripts/quality_benchmark.py"


def read_run(spec: str) -> tuple[str, dict]:
    label, sep, path = spec.partition("=")
    if not sep or not label or not path:
        raise SystemExit(f"error: --run {spec!r}: expected LABEL=PATH to a quality.json")
    try:
        quality = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SystemExit(f"error: --run {label}: {path} not found; write it from a finished run with "
                         "scripts/quality_benchmark.py") from None
    except json.JSONDecodeError as err:
        raise SystemExit(f"error: --run {label}: {path} is not JSON ({err}); {REWRITE}") from None
    if not isinstance(quality, dict) or not isinstance(quality.get("tasks"), dict):
        raise SystemExit(f"error: --run {label}: {path} has no 'tasks' object; {REWRITE}")
    for name, task in quality["tasks"].items():
        missing = [k for k in TASK_KEYS if k not in task] + [k for k in TARGET_KEYS if k not in task.get("targets", {})]
        if missing:
            raise SystemExit(f"error: --run {label}: {path}: task {name!r} lacks {', '.join(missing)} "
                             f"(written by an older version?); {REWRITE}")
    return label, quality


def verdict(task: dict, key: str) -> bool:
    return verdicts(task["targets"])[key]


def _trim_cell(task: dict) -> str:
    t = task["targets"]
    method = (t["trim_method_chosen_on_validation"] or "-").replace("trim-", "").replace("-local-rewind", "")
    at_dense = t["trim_compression_at_dense"]
    return f"{method}: {at_dense:.2f}x" if at_dense is not None else f"{method}: -"


def task_rows(runs: list[tuple[str, dict]]) -> list[list[str]]:
    """One row per task and run: dense error, the Trim criterion and its compression, each verdict."""
    tasks = sorted(set().union(*(q["tasks"] for _, q in runs)))
    rows = []
    for name in tasks:
        present = [(label, q["tasks"][name]) for label, q in runs if name in q["tasks"]]
        differs = len(present) > 1 and len({tuple(verdict(t, k) for _, k in VERDICTS) for _, t in present}) > 1
        for label, t in present:
            rows.append([name + (" **(verdicts differ)**" if differs else ""), label,
                         f"{t['dense_error_mean']:.3f} ± {t['dense_error_std']:.3f}",
                         ", ".join(f"{e:.3f}" for e in t.get("dense_errors", [])), _trim_cell(t),
                         *("yes" if verdict(t, k) else "no" for _, k in VERDICTS)])
    return rows


def count_rows(runs: list[tuple[str, dict]]) -> list[list[str]]:
    return [[label, *(f"{sum(verdict(t, k) for t in q['tasks'].values())} of {len(q['tasks'])}" for _, k in VERDICTS)]
            for label, q in runs]


def page(runs: list[tuple[str, dict]], title: str, intro: str = "") -> str:
    lines = [f"# {title}", "", *([intro.strip(), ""] if intro.strip() else []),
             "Runs: " + "; ".join(f"**{label}**: commit {q.get('commit')}, "
                                  f"{q.get('seeds')} seeds" for label, q in runs) + ".", "",
             "Tasks meeting each target:", "",
             *markdown_table(["run", *(v for v, _ in VERDICTS)], count_rows(runs)), "",
             "Per task (test errors; the Trim criterion is the one each run chose on validation, and its "
             "compression is the largest whose seed-mean test error stays within the dense mean + one dense std):", "",
             *markdown_table(["task", "run", "dense error", "dense seeds", "Trim criterion: compression at dense error",
                             *(v for v, _ in VERDICTS)], task_rows(runs)), ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="append", required=True, help="LABEL=PATH to a quality.json (two or more)")
    ap.add_argument("--title", default="The quality verdicts of one config on other runs")
    ap.add_argument("--intro", default="", help="a paragraph under the title: where and how the runs were made")
    ap.add_argument("--out", required=True, help="Markdown page")
    a = ap.parse_args()
    if len(a.run) < 2:
        raise SystemExit("error: --run: give two or more LABEL=PATH runs to compare")
    runs = [read_run(spec) for spec in a.run]
    labels = [label for label, _ in runs]
    if len(set(labels)) < len(labels):
        raise SystemExit(f"error: --run: labels must differ (got {', '.join(labels)}); name each run once")
    write_text(a.out, page(runs, a.title, a.intro))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
