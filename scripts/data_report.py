"""Data benchmark: generation + feature time per dataset (from benchmark files) and class balance.

    python scripts/data_report.py --results results --out docs/benchmarks/data_small.md
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mirtrim.report.benchmarks import read_benchmarks  # noqa: E402
from mirtrim.utils.atomic import write_text  # noqa: E402


def balance(meta: dict, split: str) -> str:
    entries = meta["splits"][split]
    key = next((k for k in ("label", "family", "style") if k in entries[0]), None)
    if meta["dataset"] == "drumloops":
        return f"{sum(e['n_onsets'] for e in entries) / len(entries):.1f} onsets/loop, {len({e['kit'] for e in entries})} kits"
    if key is None:
        return "-"
    counts = Counter(e[key] for e in entries)
    return f"{len(counts)} {key} values, {min(counts.values())}-{max(counts.values())} examples each"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--out")
    args = parser.parse_args()
    results = Path(args.results)
    times = {(r["rule"], r["job"]): r["seconds"] for r in read_benchmarks(results / "benchmarks")}
    lines = ["| dataset | train / test examples | generation s | features s | train balance | test balance |",
             "|---|---|---|---|---|---|"]
    for meta_path in sorted((results / "data").glob("*/metadata.json")):
        meta = json.loads(meta_path.read_text())
        name = meta_path.parent.name
        lines.append(f"| {name} | {len(meta['splits']['train'])} / {len(meta['splits']['test'])} | "
                     f"{times.get(('generate_data', name), float('nan')):.1f} | "
                     f"{times.get(('extract_features', name), float('nan')):.1f} | "
                     f"{balance(meta, 'train')} | {balance(meta, 'test')} |")
    text = "\n".join(lines) + "\n"
    if args.out:
        write_text(args.out, text)
    print(text, end="")


if __name__ == "__main__":
    main()
