"""Compare two results trees of the same configuration (e.g. the .test run before and after a refactor):
eval, profile and plan records, training logs and summary rows, leaving out what depends on the
machine's timing (seconds, latencies, memory peaks) and on provenance (spec digest, commit).

    python scripts/compare_results.py BEFORE/results AFTER/results --out docs/benchmarks/x.json

Prints, and writes as JSON with --out, the number of records equal and different per kind and the
files only one tree has. Exit status 1 when a shared record differs.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

TIMING = {"train_seconds", "seconds"}
PROVENANCE = {"spec", "spec_digest", "package_version", "source_commit"}
MEASURED = ("latency", "rss", "peak", "real_time", "seconds", "threads")  # profile keys timed on the machine
SCORES = ("task", "run", "round", "parameters", "macs", "alive_fraction", "test_error", "test_error_best_valid",
          "valid_error", "compression", "mac_reduction", "relative_error", "checkpoint_bytes", "onnx_bytes",
          "flops_paper", "memory_read", "memory_write", "chance_error")


def _record(path: Path, kind: str) -> dict:
    data = json.loads(path.read_text())
    if kind == "train":
        data["history"] = [{k: v for k, v in h.items() if k != "seconds"} for h in data.get("history", [])]
    if kind == "profile":
        data = {k: v for k, v in data.items() if not any(m in k for m in MEASURED)}
    return {k: v for k, v in data.items() if k not in TIMING | PROVENANCE}


def _summary(path: Path) -> dict:
    with open(path, newline="") as fh:
        return {(r["task"], r["run"], r["round"]): {k: r.get(k) for k in SCORES} for r in csv.DictReader(fh)}


def compare(before: Path, after: Path) -> dict:
    patterns = {"eval": "eval/**/*.json", "profile": "profile/**/*.json", "plan": "runs/**/plan.json",
                "train": "runs/**/train.json"}
    out = {"equal": {}, "different": {}, "only_before": [], "only_after": []}
    for kind, pattern in patterns.items():
        b = {p.relative_to(before) for p in before.glob(pattern)}
        a = {p.relative_to(after) for p in after.glob(pattern)}
        out["only_before"] += sorted(map(str, b - a))
        out["only_after"] += sorted(map(str, a - b))
        same = [f for f in sorted(a & b) if _record(before / f, kind) == _record(after / f, kind)]
        out["equal"][kind] = len(same)
        out["different"][kind] = sorted(str(f) for f in (a & b) - set(same))
    rows_b, rows_a = _summary(before / "summary.csv"), _summary(after / "summary.csv")
    shared = set(rows_a) & set(rows_b)
    out["equal"]["summary_rows"] = sum(rows_a[k] == rows_b[k] for k in shared)
    out["different"]["summary_rows"] = sorted("/".join(k) for k in shared if rows_a[k] != rows_b[k])
    out["summary_rows_only_before"] = len(set(rows_b) - shared)
    out["summary_rows_only_after"] = len(set(rows_a) - shared)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--out", type=Path, help="write the comparison here as JSON")
    args = ap.parse_args()
    for tree in (args.before, args.after):
        if not (tree / "summary.csv").is_file():
            sys.exit(f"error: {tree} has no summary.csv: pass the results/ folder of a finished run")
    result = compare(args.before, args.after)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 1 if any(result["different"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
