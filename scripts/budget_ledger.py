"""Where a default run's minutes go, and what each of its costlier settings buys.

    python scripts/budget_ledger.py --run DIR --levers docs/benchmarks/budget_levers.yaml \\
        --wall-seconds S --commit C --out docs/benchmarks/budget.md

DIR is the working directory of a finished default run (``bench_default_run.py --workdir``), S its
measured wall time, C its commit; the levers file must describe that run's config. The script reads
the run's ``benchmark:`` files and writes two tables: the job time of every lottery run (dense
seeds, each method's rounds, their assessment) per task; and, for each setting the levers file
lists, the seed-mean validation error it bought against a leaner alternative (measured by a sweep,
cited) beside the job time it costs in this run. That cost is an estimate: a setting whose dense
training takes ``ratio`` times the alternative's seconds adds ``(1 - 1 / ratio)`` of the job time of
the task's full-budget trainings (dense, and the re-initialised rounds, which train every epoch) and
``(1 - 1 / rounds_ratio)`` of its rewound rounds' (``rounds_ratio`` defaults to ``ratio``; it differs
where the setting changes the share of the epochs a rewound round retrains). On a machine the run
keeps busy, wall time is about job time / cores.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from numbers import Real
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim.report.benchmarks import read_benchmarks  # noqa: E402
from mirtrim.report.tables import markdown_table  # noqa: E402
from mirtrim.utils.atomic import write_text  # noqa: E402

RUN_RULES = ("train_dense", "prune_round", "assess_round")
LEVER_TEXT = ("task", "setting", "alternative", "source")
LEVER_NUMBERS = ("ratio", "valid_setting", "valid_alternative", "spread_setting", "spread_alternative")


def _task_and_run(job: str) -> tuple[str, str]:
    """A job's first two wildcards: ``drums/dense-s0/<digest>`` -> (drums, dense-s0); "" for no run."""
    return tuple((job.split("/") + [""])[:2])


def run_job_seconds(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Seconds per lottery run (``dense-s0``, ``trim-...-s1``) and task, its assessment included."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        if r["rule"] in RUN_RULES:
            task, run = _task_and_run(r["job"])
            out[run][task] += r["seconds"]
    return out


def training_seconds(rows: list[dict]) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds per task of the full-budget trainings (dense, re-initialised rounds) and of the
    rewound rounds, which retrain only the epochs after the rewind point."""
    full: dict[str, float] = defaultdict(float)
    rewound: dict[str, float] = defaultdict(float)
    for r in rows:
        task, run = _task_and_run(r["job"])
        if r["rule"] == "train_dense" or (r["rule"] == "prune_round" and "-reinit-" in run):
            full[task] += r["seconds"]
        elif r["rule"] == "prune_round":
            rewound[task] += r["seconds"]
    return dict(full), dict(rewound)


def load_levers(path: str, tasks: set[str]) -> dict:
    """The levers file, each lever checked: one error line naming the file, the lever and the key."""
    try:
        spec = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as err:
        raise SystemExit(f"error: levers file {path}: {err}; give a YAML file with 'intro' and 'levers'") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("levers"), list) or "intro" not in spec:
        raise SystemExit(f"error: levers file {path}: expected a mapping with 'intro' and a list 'levers'")
    for i, lever in enumerate(spec["levers"]):
        where = f"error: levers file {path}: lever {i + 1}"
        missing = [k for k in (*LEVER_TEXT, *LEVER_NUMBERS) if k not in (lever or {})]
        if missing:
            raise SystemExit(f"{where}: missing {', '.join(missing)}")
        bad = [k for k in (*LEVER_NUMBERS, "rounds_ratio") if k in lever and not isinstance(lever[k], Real)]
        if bad or any(lever.get(k, 1) <= 0 for k in ("ratio", "rounds_ratio")):
            raise SystemExit(f"{where} ({lever['task']}): ratio, rounds_ratio and the errors must be numbers, "
                             "the ratios above 0")
        if lever["task"] not in tasks:
            raise SystemExit(f"{where}: task {lever['task']!r} has no training jobs in this run "
                             f"(it has {', '.join(sorted(tasks))})")
    return spec


def runs_table(per_run: dict, tasks: list[str], cores: int) -> str:
    body = []
    for run in sorted(per_run, key=lambda k: -sum(per_run[k].values())):
        secs = [per_run[run].get(t, 0.0) for t in tasks]
        body.append([f"`{run}`", *(f"{s:.0f}" for s in secs), f"{sum(secs):.0f}", f"{sum(secs) / cores / 60:.1f}"])
    return "\n".join(markdown_table(["lottery run", *tasks, "total s", f"min of wall time on {cores} cores (est.)"],
                                    body))


def levers_table(levers: list[dict], full: dict[str, float], rewound: dict[str, float],
                 cores: int) -> tuple[str, float]:
    body, total = [], 0.0
    for lv in levers:
        task, rounds_ratio = lv["task"], lv.get("rounds_ratio", lv["ratio"])
        added = full[task] * (1 - 1 / lv["ratio"]) + rewound.get(task, 0.0) * (1 - 1 / rounds_ratio)
        total += added
        body.append([task, lv["setting"], lv["alternative"], f"{lv['ratio']:.2f}x / {rounds_ratio:.2f}x",
                     f"{lv['valid_alternative']:.3f} -> {lv['valid_setting']:.3f}",
                     f"{lv['spread_alternative']:.3f} / {lv['spread_setting']:.3f}",
                     f"{full[task]:.0f} / {rewound.get(task, 0.0):.0f}", f"{added:.0f}", f"{added / cores / 60:.1f}",
                     lv["source"]])
    head = ["task", "setting", "leaner alternative", "seconds, setting / alternative: full budget / rewound",
            "seed-mean valid error, alternative -> setting", "seed spread, alternative / setting",
            "task's job s: full budget (dense, re-init rounds) / rewound rounds", "s the setting adds (est.)",
            f"min of wall time on {cores} cores (est.)", "measured in"]
    return "\n".join(markdown_table(head, body)), total


def ledger_markdown(rows: list[dict], spec: dict, wall_seconds: float, commit: str, cores: int) -> str:
    per_run = run_job_seconds(rows)
    levers, added = levers_table(spec["levers"], *training_seconds(rows), cores)
    wall, saved = wall_seconds / 60, added / cores / 60
    return "\n".join([
        "# Where the default run's minutes go, and what its costlier settings buy", "",
        f"The default run of commit {commit}: **{wall:.1f} min** of wall time, "
        f"{sum(r['seconds'] for r in rows) / 60:.1f} min of job time over {len(rows)} jobs. "
        f"{spec['intro'].strip()}", "",
        "## Job time per lottery run (training, trimming and assessment; seconds)", "",
        runs_table(per_run, sorted({t for v in per_run.values() for t in v}), cores), "",
        "## Settings that cost more than a leaner alternative measured beside them", "",
        levers, "",
        f"Together these settings add about {added:.0f} s of job time, about {saved:.1f} min of wall time on "
        f"{cores} cores: without any of them the run would have taken about {wall - saved:.0f} min. "
        f"{spec.get('conclusion', '').strip()}", ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="the working directory of a finished default run")
    ap.add_argument("--levers", required=True, help="YAML: intro, conclusion, and levers (task, setting, alternative, "
                                                    f"source, {', '.join(LEVER_NUMBERS)}, optional rounds_ratio)")
    ap.add_argument("--wall-seconds", type=float, required=True, help="the run's measured wall time (default_run.md)")
    ap.add_argument("--commit", required=True, help="the commit the run was made from")
    ap.add_argument("--cores", type=int, default=2, help="the cores the run kept busy (default: 2)")
    ap.add_argument("--out", required=True, help="Markdown file to write")
    a = ap.parse_args()
    run = Path(a.run)
    if not (run / "figures" / "all").is_file():
        raise SystemExit(f"error: {run} holds no figures/all: give the working directory of a finished default run")
    rows = read_benchmarks(run / "results" / "benchmarks")
    spec = load_levers(a.levers, set(training_seconds(rows)[0]))
    text = ledger_markdown(rows, spec, a.wall_seconds, a.commit, a.cores)
    write_text(a.out, text + f"\nWritten by `python scripts/budget_ledger.py --run DIR --levers {a.levers} "
                             f"--wall-seconds {a.wall_seconds:g} --commit {a.commit} --out {a.out}`.\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
