"""Write docs/benchmarks/quality.{json,md} from a finished run's summaries and baselines.

    python scripts/quality_benchmark.py --workdir /tmp/mirtrim-default --wall-minutes 41.3 \\
        --out docs/benchmarks/quality.json

Reads ``results/summary.csv`` and ``results/baselines/<task>.json`` of the run in ``--workdir``
(see report/quality.py for what each number means) and writes the JSON and a Markdown table beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mirtrim.report.aggregate import read_csv  # noqa: E402
from mirtrim.report.quality import quality_markdown, quality_summary  # noqa: E402
from mirtrim.utils.atomic import write_json, write_text  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", required=True, help="the working directory of a finished run")
    ap.add_argument("--wall-minutes", type=float, help="its measured wall time")
    ap.add_argument("--commit", help="the commit it ran (default: this checkout's HEAD)")
    ap.add_argument("--out", required=True, help="JSON file; the Markdown table goes beside it")
    a = ap.parse_args()
    results = Path(a.workdir) / "results"
    summary = results / "summary.csv"
    if not summary.exists():
        raise SystemExit(f"error: {summary} not found; run `snakemake figures/all` in {a.workdir} first")
    baselines = {p.stem: json.loads(p.read_text()) for p in sorted((results / "baselines").glob("*.json"))}
    commit = a.commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                        text=True).stdout.strip()
    quality = quality_summary(read_csv(summary), baselines, a.wall_minutes, commit)
    write_json(a.out, quality)
    write_text(Path(a.out).with_suffix(".md"), quality_markdown(quality))
    print(Path(a.out).with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
