"""Fault injection: kill -9 the whole workflow at random points, resume, and check that nothing
finished is redone and nothing that looks complete is broken.

    python scripts/kill_resume.py --kills 20 --out docs/benchmarks/kill_resume.json

runs the `.test` configuration restricted to one task (``--task``, default onsets) in a temporary
directory. Each cycle unlocks, restarts Snakemake, waits until the n-th job of the cycle has started
(n random in 1-3, so the run moves on from cycle to cycle), sleeps a random 0-3 s and kills the
process group with SIGKILL (Snakemake and its running jobs, no clean-up). After
each kill every model, plan, record and figure on disk must load; at the end the run is completed
and every output that existed at a kill must still carry the same modification time (a finished
round retrained would have rewritten it). The test suite runs 10 kills; this script is for more.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FINISHED_PATTERNS = ("results/runs/**/model.pt", "results/runs/**/plan.json", "results/eval/**/*.json",
                     "results/profile/**/*.json", "results/timing/*.json", "results/summary/*.csv")


def snakemake_cmd(workdir: Path, *extra: str) -> list[str]:
    return [str(BIN / "snakemake"), "figures/all", "--directory", str(workdir), "--snakefile",
            str(ROOT / "Snakefile"), "--cores", "2", *extra]


def tiny_workdir(parent: Path, task: str, methods: int | None = None) -> Path:
    """.test restricted to one task (and to its first `methods` methods, when given)."""
    import yaml

    work = parent / "work"
    work.mkdir(parents=True)
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    config["tasks"] = {task: config["tasks"][task]}
    if methods is not None:
        config["methods"] = config["methods"][:methods]
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return work


def _env() -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def incomplete_outputs(workdir: Path) -> set[str]:
    """Outputs Snakemake itself marks incomplete (a job killed before it recorded completion, even
    one whose files were all written): it reruns those, which is not retraining a finished round."""
    marks = workdir / ".snakemake" / "incomplete"
    return {base64.urlsafe_b64decode(m.name).decode() for m in marks.iterdir()} if marks.exists() else set()


def finished_outputs(workdir: Path) -> dict[str, int]:
    """Every output that looks complete and that Snakemake recorded as complete, with its mtime (ns)."""
    incomplete = incomplete_outputs(workdir)
    found = {str(p.relative_to(workdir)): p.stat().st_mtime_ns
             for pattern in FINISHED_PATTERNS for p in workdir.glob(pattern)}
    return {p: m for p, m in found.items() if p not in incomplete}


def check_loadable(workdir: Path, paths) -> None:
    """What looks complete must be complete: models load, JSON parses, CSVs have a header and rows."""
    import torch

    for rel in paths:
        path = workdir / rel
        if path.suffix == ".pt":
            torch.load(path, map_location="cpu", weights_only=False)
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":
            assert len(path.read_text().splitlines()) >= 2, f"{path}: no rows"


def _rules_started(workdir: Path, started_after: float) -> list[str]:
    """Rules with a job log (re)written after ``started_after``: the jobs of this cycle."""
    rules = []
    for log in (workdir / "results/logs").rglob("*.log"):
        if log.stat().st_ctime > started_after:
            rules.append(log.relative_to(workdir / "results/logs").parts[0])
    return sorted(set(rules))


def kill_resume(workdir: Path, kills: int, seed: int = 0, max_delay: float = 3.0, timeout: float = 900) -> dict:
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    events = []
    for cycle in range(kills):
        subprocess.run(snakemake_cmd(workdir, "--unlock"), env=_env(), capture_output=True, check=True)
        start = time.time()
        logs_before = {p: p.stat().st_mtime_ns for p in (workdir / "results/logs").rglob("*.log")} \
            if (workdir / "results/logs").exists() else {}
        proc = subprocess.Popen(snakemake_cmd(workdir), env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        target = rng.randint(1, 3)  # kill during the target-th job this cycle starts: the run moves on
        while True:
            logs = (workdir / "results/logs").rglob("*.log") if (workdir / "results/logs").exists() else []
            started = sum(logs_before.get(p) != p.stat().st_mtime_ns for p in logs)
            if started >= target or proc.poll() is not None:
                break
            if time.time() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                raise TimeoutError(f"cycle {cycle}: fewer than {target} jobs started within {timeout} s")
            time.sleep(0.05)
        time.sleep(rng.uniform(0, max_delay))
        if proc.poll() is not None:
            events.append({"cycle": cycle, "killed": False, "note": "the workflow finished first"})
            break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done = finished_outputs(workdir)
        check_loadable(workdir, [p for p in done if p not in seen])
        seen.update({p: m for p, m in done.items() if p not in seen})
        events.append({"cycle": cycle, "killed": True, "after_s": round(time.time() - start, 2),
                       "rules_started": _rules_started(workdir, start), "finished_outputs": len(done)})
    subprocess.run(snakemake_cmd(workdir, "--unlock"), env=_env(), capture_output=True, check=True)
    final = subprocess.run(snakemake_cmd(workdir), env=_env(), capture_output=True, text=True)
    if final.returncode != 0:
        raise RuntimeError(f"the resumed run failed:\n{final.stdout[-3000:]}\n{final.stderr[-3000:]}")
    after = finished_outputs(workdir)
    rewritten = sorted(p for p, m in seen.items() if after.get(p) != m)
    return {"kills": sum(e["killed"] for e in events), "events": events, "outputs_seen_at_kills": len(seen),
            "rewritten_after_kill": rewritten,
            "retrained_rounds": sorted(p for p in rewritten if p.endswith("model.pt")),
            "complete": (workdir / "figures/all").exists()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--task", default="onsets")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="JSON report")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mirtrim-kill-") as tmp:
        started = time.time()
        report = kill_resume(tiny_workdir(Path(tmp), a.task), a.kills, a.seed)
        report.update(task=a.task, seed=a.seed, wall_seconds=round(time.time() - started, 1))
    text = json.dumps(report, indent=1)
    if a.out:
        sys.path.insert(0, str(ROOT / "src"))
        from mirtrim.utils.atomic import write_text

        write_text(a.out, text + "\n")
    print(text)


if __name__ == "__main__":
    main()
