"""Where a default run's minutes go, and what each of its costlier settings buys.

    python scripts/budget_ledger.py --run /tmp/mirtrim-default --levers docs/benchmarks/budget_levers.yaml \\
        --wall-minutes 83.1 --commit 709ba76 --out docs/benchmarks/budget.md

Reads the run's ``benchmark:`` files (``<run>/results/benchmarks``) and writes two tables: the job
time of every lottery run (dense seeds, each method's rounds, their assessment) per task; and, for
each setting the levers file lists, the seed-mean validation error it bought against its leaner
alternative (measured by a sweep, cited) beside the job time it costs in this run. That cost is an
estimate: every training job of a task (dense and rounds) trains on the same data for a fixed share
of its epochs, so its seconds scale with the dense training's, and a setting whose dense training
takes ``ratio`` times the alternative's adds ``(1 - 1 / ratio)`` of the task's training job time.
On a machine the run keeps busy, wall time is about job time / cores.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim.report.benchmarks import read_benchmarks  # noqa: E402
from mirtrim.report.tables import markdown_table  # noqa: E402
from mirtrim.utils.atomic import write_text  # noqa: E402

RUN_RULES = ("train_dense", "prune_round", "assess_round")
TRAINING_RULES = ("train_dense", "prune_round")


def run_job_seconds(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Seconds per lottery run (``dense-s0``, ``trim-...-s1``) and task, its assessment included."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        if r["rule"] in RUN_RULES:
            task, run = r["job"].split("/")[:2]
            out[run][task] += r["seconds"]
    return out


def training_seconds(rows: list[dict]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["rule"] in TRAINING_RULES:
            out[r["job"].split("/")[0]] += r["seconds"]
    return out


def runs_table(per_run: dict, tasks: list[str], cores: int) -> str:
    body = []
    for run in sorted(per_run, key=lambda k: -sum(per_run[k].values())):
        secs = [per_run[run].get(t, 0.0) for t in tasks]
        body.append([f"`{run}`", *(f"{s:.0f}" for s in secs), f"{sum(secs):.0f}", f"{sum(secs) / cores / 60:.1f}"])
    return "\n".join(markdown_table(["lottery run", *tasks, "total s", f"min of wall time on {cores} cores"], body))


def levers_table(levers: list[dict], train: dict[str, float], cores: int) -> tuple[str, float]:
    body, total = [], 0.0
    for lv in levers:
        added = train[lv["task"]] * (1 - 1 / lv["ratio"])
        total += added
        body.append([lv["task"], lv["setting"], lv["alternative"], f"{lv['ratio']:.2f}x",
                     f"{lv['valid_alternative']:.3f} -> {lv['valid_setting']:.3f}",
                     f"{lv['spread_alternative']:.3f} / {lv['spread_setting']:.3f}", f"{train[lv['task']]:.0f}",
                     f"{added:.0f}", f"{added / cores / 60:.1f}", lv["source"]])
    head = ["task", "setting", "leaner alternative", "dense seconds, setting / alternative",
            "seed-mean valid error, alternative -> setting", "seed spread, alternative / setting", "task's training job s", "s the setting adds (est.)",
            f"min of wall time on {cores} cores (est.)", "measured in"]
    return "\n".join(markdown_table(head, body)), total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="the default run's working directory")
    ap.add_argument("--levers", required=True, help="YAML: intro, and levers (task, setting, alternative, ratio, "
                                                    "valid_setting, valid_alternative, spread_setting, spread_alternative, source)")
    ap.add_argument("--wall-minutes", type=float, required=True, help="the run's measured wall time")
    ap.add_argument("--commit", required=True, help="the commit the run was made from")
    ap.add_argument("--cores", type=int, default=2, help="the cores the run kept busy (default: 2)")
    ap.add_argument("--out", required=True, help="Markdown file to write")
    a = ap.parse_args()
    spec = yaml.safe_load(Path(a.levers).read_text())
    rows = read_benchmarks(Path(a.run) / "results" / "benchmarks")
    if not rows:
        raise SystemExit(f"error: {a.run}/results/benchmarks holds no benchmark files; give the working "
                         "directory of a finished default run")
    per_run, train = run_job_seconds(rows), training_seconds(rows)
    tasks = sorted({t for v in per_run.values() for t in v})
    total_job = sum(r["seconds"] for r in rows)
    levers, added = levers_table(spec["levers"], train, a.cores)
    text = "\n".join([
        "# Where the default run's minutes go, and what its costlier settings buy", "",
        f"The default run of commit {a.commit}: **{a.wall_minutes:.1f} min** of wall time, "
        f"{total_job / 60:.1f} min of job time over {len(rows)} jobs. {spec['intro'].strip()}", "",
        "## Job time per lottery run (training, trimming and assessment; seconds)", "",
        runs_table(per_run, tasks, a.cores), "",
        "## Settings that cost more than their leanest measured alternative", "",
        levers, "",
        f"Together these settings add about {added:.0f} s of job time, about {added / a.cores / 60:.1f} min of "
        f"wall time on {a.cores} cores: without any of them the run would have taken about "
        f"{a.wall_minutes - added / a.cores / 60:.0f} min. {spec.get('conclusion', '').strip()}", "",
        f"Written by `python scripts/budget_ledger.py --run DIR --levers {a.levers} --wall-minutes "
        f"{a.wall_minutes} --commit {a.commit} --out {a.out}`.", ""])
    write_text(a.out, text)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
