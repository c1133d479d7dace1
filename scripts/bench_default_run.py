"""Benchmark of the main job: the default configuration from scratch, wall clock and time per rule.

    python scripts/bench_default_run.py --out docs/benchmarks/default_run.md [--cores 8]

Runs ``snakemake --cores N figures/all`` on config.yaml in a fresh working directory (nothing is
reused from results/), then writes the wall time and the per-rule / per-task job times read from
the ``benchmark:`` files, then Trim beside Mask per round on one compression basis and the dense
error per seed (report/footing.py). ``--summarise DIR --wall-seconds S`` only writes the table of a run
already made in DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from mirtrim.report.aggregate import read_csv  # noqa: E402
from mirtrim.report.benchmarks import markdown_summary, read_benchmarks  # noqa: E402
from mirtrim.report.footing import footing_markdown  # noqa: E402
from mirtrim.report.quality import quality_markdown, quality_summary  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402


def run(workdir: Path, cores: int) -> float:
    shutil.copy(ROOT / "config.yaml", workdir / "config.yaml")
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "snakemake"), "--snakefile", str(ROOT / "Snakefile"),
                    "--directory", str(workdir), "--cores", str(cores), "figures/all"], check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="Markdown file to write")
    ap.add_argument("--cores", type=int, default=8, help="as the README's command (the workflow caps at the real cores)")
    ap.add_argument("--workdir", help="working directory for the run (default: a new temporary one)")
    ap.add_argument("--summarise", help="only summarise the run made in this directory")
    ap.add_argument("--wall-seconds", type=float, help="with --summarise: the measured wall time")
    ap.add_argument("--commit", help="with --summarise: the commit the run was made from (default: this HEAD)")
    ap.add_argument("--note", help="with --summarise: a sentence under the wall time (e.g. how a resumed run was timed)")
    ap.add_argument("--quality", help="also write this quality JSON (and its Markdown beside it): report/quality.py")
    a = ap.parse_args()
    if a.summarise:
        workdir, wall = Path(a.summarise), a.wall_seconds
    else:
        workdir = Path(a.workdir or tempfile.mkdtemp(prefix="mirtrim-default-"))
        workdir.mkdir(parents=True, exist_ok=True)
        wall = run(workdir, a.cores)
    commit = a.commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True).stdout.strip()
    tasks = tuple(yaml.safe_load((ROOT / "config.yaml").read_text())["tasks"])
    rows = read_benchmarks(workdir / "results" / "benchmarks")
    head = (f"Default run (`snakemake --cores {a.cores} figures/all`, config.yaml) from scratch at commit {commit}, "
            f"{len(os.sched_getaffinity(0))}-core {platform.machine()} CPU.\n\n")
    if wall is not None:
        head += f"**Wall time: {wall / 60:.1f} min** ({wall:.0f} s) for {len(rows)} jobs.\n\n"
    if a.note:
        head += a.note.strip() + "\n\n"
    body = markdown_summary(rows, top=5, tasks=tasks)
    summary = workdir / "results" / "summary.csv"
    if summary.exists():  # what the run shows, beside what it cost
        body += "\n\n" + footing_markdown(read_csv(summary))
        if a.quality:
            baselines = {p.stem: json.loads(p.read_text()) for p in (workdir / "results/baselines").glob("*.json")}
            quality = quality_summary(read_csv(summary), baselines, wall / 60 if wall else None, commit)
            write_json(a.quality, quality)
            write_text(Path(a.quality).with_suffix(".md"), quality_markdown(quality))
    write_text(a.out, head + body)
    print(Path(a.out).read_text())


if __name__ == "__main__":
    main()
