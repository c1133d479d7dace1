"""Wall time per rule and per job from Snakemake's ``benchmark:`` files (results/benchmarks/)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from mirtrim.report.tables import markdown_table


def read_benchmarks(root: str | Path) -> list[dict]:
    """One row per job: rule, wildcards (the path below the rule folder), seconds, max RSS (MB)."""
    root = Path(root)
    rows = []
    for path in sorted(root.rglob("*.tsv")):
        with open(path, newline="") as fh:
            records = list(csv.DictReader(fh, delimiter="\t"))
        if not records:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        rule, job = parts[0], "/".join(parts[1:]) or "-"  # a rule without wildcards sits at the top
        rss = records[-1].get("max_rss", "-")
        rows.append({"rule": rule, "job": job, "seconds": float(records[-1]["s"]),
                     "max_rss_mb": float(rss) if rss not in ("-", "", None) else float("nan")})
    return rows


def _table(header: str, groups: dict[str, list[float]]) -> list[str]:
    return markdown_table([header, "jobs", "total s", "mean s", "max s"],
                          ([key, len(secs), f"{sum(secs):.1f}", f"{sum(secs) / len(secs):.1f}", f"{max(secs):.1f}"]
                           for key, secs in sorted(groups.items(), key=lambda kv: -sum(kv[1]))))


def markdown_summary(rows: list[dict], top: int = 5, tasks: tuple[str, ...] = ()) -> str:
    """Job time per rule, per task (when ``tasks`` are given: jobs whose first wildcard is a task;
    shared jobs such as data generation are grouped apart) and the costliest jobs."""
    by_rule, by_task = defaultdict(list), defaultdict(list)
    for r in rows:
        by_rule[r["rule"]].append(r["seconds"])
        first = r["job"].split("/")[0]
        by_task[first if first in tasks else "shared (data, tables, figures)"].append(r["seconds"])
    total = sum(r["seconds"] for r in rows)
    lines = [f"Total job time: {total / 60:.1f} min over {len(rows)} jobs (jobs may run in parallel: "
             "this is the sum, not the wall clock).", ""]
    lines += _table("rule", by_rule)
    if tasks:
        lines += ["", "Job time per task:", ""] + _table("task", by_task)
    lines += ["", f"The {top} most expensive jobs:", ""]
    lines += markdown_table(["rule", "job", "s", "max RSS MB"],
                            ([r["rule"], r["job"], f"{r['seconds']:.1f}", f"{r['max_rss_mb']:.0f}"]
                             for r in sorted(rows, key=lambda r: -r["seconds"])[:top]))
    return "\n".join(lines) + "\n"
