"""Wall time per rule and per job from Snakemake's ``benchmark:`` files (results/benchmarks/)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path


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


def markdown_summary(rows: list[dict], top: int = 5) -> str:
    by_rule = defaultdict(list)
    for r in rows:
        by_rule[r["rule"]].append(r["seconds"])
    total = sum(r["seconds"] for r in rows)
    lines = [f"Total job time: {total / 60:.1f} min over {len(rows)} jobs (jobs may run in parallel: "
             "this is the sum, not the wall clock).", "", "| rule | jobs | total s | mean s | max s |",
             "|---|---|---|---|---|"]
    for rule, secs in sorted(by_rule.items(), key=lambda kv: -sum(kv[1])):
        lines.append(f"| {rule} | {len(secs)} | {sum(secs):.1f} | {sum(secs) / len(secs):.1f} | {max(secs):.1f} |")
    lines += ["", f"The {top} most expensive jobs:", "", "| rule | job | s | max RSS MB |", "|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: -r["seconds"])[:top]:
        lines.append(f"| {r['rule']} | {r['job']} | {r['seconds']:.1f} | {r['max_rss_mb']:.0f} |")
    return "\n".join(lines) + "\n"
