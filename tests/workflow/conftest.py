import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def snakemake(*args, cwd=ROOT, check=True, timeout=2400):
    """Run Snakemake from this interpreter's environment; return the completed process."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([str(BIN / "snakemake"), *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n"
                             f"{proc.stderr[-4000:]}")
    return proc


def tiny_workdir(tmp: Path, tasks: tuple[str, ...] | None = None) -> Path:
    """A temporary copy of .test (optionally restricted to some tasks): the repository's results stay untouched."""
    work = tmp / "work"
    work.mkdir()
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    if tasks:
        config["tasks"] = {t: v for t, v in config["tasks"].items() if t in tasks}
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return work


def run_tiny(work: Path, *extra, check=True):
    return snakemake("figures/all", "--directory", str(work), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2",
                     *extra, check=check)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """One complete tiny end-to-end run, shared by the tests that inspect its outputs."""
    work = tiny_workdir(tmp_path_factory.mktemp("tiny"))
    run_tiny(work)
    return work


def run_folder(work: Path, task: str, run: str) -> str:
    """``<run>/<digest>``: where the config in ``work`` keeps a run (mirtrim.grid.run_folder)."""
    from mirtrim import grid

    return grid.run_folder(yaml.safe_load((work / "config.yaml").read_text()), task, run)
