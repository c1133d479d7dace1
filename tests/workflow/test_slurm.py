"""The SLURM profile against a real one-node SLURM cluster (slurmctld, slurmd, slurmdbd + MariaDB) on
localhost: every computing job goes through sbatch and is accounted by sacct, a failing job is
reported as failed, and every daemon is stopped afterwards.

Needs root and the Debian packages munge slurmctld slurmd slurm-client slurmdbd mariadb-server, which
`scripts/bootstrap.sh test` installs when run as root; elsewhere the test skips and says why.
"""

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, ROOT

DAEMONS = ("munged", "mariadbd", "slurmdbd", "slurmctld", "slurmd")
MISSING = [d for d in DAEMONS if not shutil.which(d, path="/usr/sbin:/usr/bin")]
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or bool(MISSING) or importlib.util.find_spec("snakemake_executor_plugin_slurm") is None,
    reason=f"needs root, the SLURM/MariaDB/munge daemons (missing: {MISSING}) and the executor plugin")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("slurm")
    script = ROOT / "scripts/slurm_cluster.sh"
    try:
        proc = subprocess.run(["bash", str(script), "start", str(state)], capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield {**os.environ, "SLURM_CONF": str(state / "slurm.conf"),
               "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    finally:
        subprocess.run(["bash", str(script), "stop", str(state)], capture_output=True, timeout=120)
        alive = []
        for pid_file in state.glob("*.pid"):
            alive.append(pid_file.name)
        for daemon in ("slurmctld", "slurmd", "slurmdbd"):
            if subprocess.run(["pgrep", "-f", f"/usr/sbin/{daemon}"], capture_output=True).returncode == 0:
                alive.append(daemon)
        assert not alive, f"daemons left running: {alive}"


def workdir(tmp_path: Path) -> Path:
    """The onsets task of .test, cut to the dense round and one trimming round of one method."""
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    config["tasks"] = {"onsets": {**config["tasks"]["onsets"], "epochs": 2, "rewind_epoch": 1, "rounds": 2}}
    config["methods"] = config["methods"][:1]
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return work


def local_rules() -> set[str]:
    """The rules the workflow declares `localrules` (cheap aggregation, tables and plots)."""
    names = set()
    for smk in (ROOT / "workflow/rules").glob("*.smk"):
        for block in re.findall(r"^localrules:\n((?:[ \t]+\w+,?\n)+)", smk.read_text(), flags=re.M):
            names |= set(re.findall(r"\w+", block))
    return names


def through_slurm(work: Path, env: dict, check=True):
    """The workflow with the SLURM profile, adjusted for a 2-core node with no GPU and no accounts
    (`gpu=0` drops sbatch's --gpus: the rules themselves ask for one GPU per training job)."""
    cmd = [str(BIN / "snakemake"), "figures/all", "--directory", str(work), "--snakefile", str(ROOT / "Snakefile"),
           "--workflow-profile", str(ROOT / "profiles/slurm"), "--jobs", "2", "--max-threads", "1",
           "--latency-wait", "5", "--retries", "0", "--slurm-init-seconds-before-status-checks", "2",
           "--default-resources", "slurm_partition=debug", "runtime=20", "mem_mb=1500",
           "--set-resources", "train_dense:mem_mb=3000", "prune_round:mem_mb=3000", "train_dense:gpu=0",
           "prune_round:gpu=0"]
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=1500)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc


def accounted_jobs(env: dict) -> list[dict]:
    out = subprocess.run(["sacct", "-X", "-n", "-P", "--format=JobID,State,Comment%200", "-S", "now-1days"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return [dict(zip(("id", "state", "comment"), line.split("|"))) for line in out.splitlines() if line.strip()]


def test_every_computing_job_goes_through_sbatch_and_a_failure_is_reported(cluster, tmp_path):
    work = workdir(tmp_path)
    proc = through_slurm(work, cluster)
    jobs = accounted_jobs(cluster)
    ran = {p.relative_to(work / "results/benchmarks").parts[0].removesuffix(".tsv")
           for p in (work / "results/benchmarks").rglob("*.tsv")}
    assert {"generate_data", "extract_features", "train_dense", "prune_round",
            "assess_round"} <= ran
    submitted = {rule for rule in ran if any(f"rule_{rule}" in j["comment"] for j in jobs)}
    local = local_rules()
    assert {"plot_tradeoff", "aggregate_task"} <= local and not local & {"train_dense", "prune_round", "assess_round"}
    # every rule not declared local went through sbatch; the local ones ran on the submitting machine
    assert submitted == ran - local, f"ran outside SLURM: {sorted(ran - local - submitted)}\n{proc.stderr[-2000:]}"
    assert not submitted & local, f"local rules submitted: {sorted(submitted & local)}"
    assert all(j["state"] == "COMPLETED" for j in jobs), jobs
    assert (work / "figures/all").exists()

    # a deliberately failing job: a batch larger than the training set fails train_dense at once
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["tasks"]["onsets"]["batch_size"] = 100_000
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    failed = through_slurm(work, cluster, check=False)
    assert failed.returncode != 0
    assert "Error in rule train_dense" in failed.stdout + failed.stderr
    new = [j for j in accounted_jobs(cluster) if j["id"] not in {k["id"] for k in jobs}]
    assert any("rule_train_dense" in j["comment"] and j["state"] == "FAILED" for j in new), new
    listing = subprocess.run(["sacct", "-X", "--format=JobID,State,ExitCode,Elapsed,Comment%60", "-S", "now-1days"],
                             env=cluster, capture_output=True, text=True).stdout
    (tmp_path / "sacct.txt").write_text(listing)  # kept with pytest's temporary files, for the record
