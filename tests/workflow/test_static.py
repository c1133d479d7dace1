"""Lint, format and dry-run checks: catch wiring, ambiguity and grid bugs without compute."""

import json
import os
import re
import subprocess
import sys

import yaml

from conftest import BIN, ROOT, run_folder, snakemake


def job_counts(output: str) -> dict[str, int]:
    table = output[output.index("Job stats:"):]
    counts = {}
    for line in table.splitlines()[3:]:
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not m:
            break
        counts[m.group(1)] = int(m.group(2))
    return counts


def test_snakemake_lint_is_clean():
    proc = snakemake("--lint", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakefmt_is_clean():
    proc = subprocess.run([str(BIN / "snakefmt"), "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dry_run_of_the_default_config_has_the_expected_jobs():
    proc = snakemake("figures/all", "-n", "--forceall")  # all jobs, whatever results already exist
    # config.yaml: six tasks on six datasets (onsets on the medium drum loops, drums on the small), 6 methods of seed 0 and
    # the headline method's seed 1, 3 pruning rounds each: 6 * 7 * 3 = 126 pruning rounds; two dense
    # seeds per task: 12 dense trainings; records 126 + 12 = 138
    assert job_counts(proc.stdout) == {
        "generate_data": 6, "extract_features": 6, "baseline_task": 6, "plot_data": 6, "train_dense": 12,
        "prune_round": 126, "assess_round": 138, "time_task": 6, "aggregate_task": 6, "plot_tradeoff": 6,
        "table_baselines": 1, "table_efficiency": 1, "table_selection": 1, "plot_latency": 1, "plot_crosstask": 1,
        "merge_summaries": 1, "figures_all": 1, "total": 325}


def test_the_full_grid_runs_three_seeds_of_every_method():
    """config/full.yaml: the default scale with 10 methods x 3 seeds: 6 * 30 * 3 pruning rounds."""
    proc = snakemake("figures/all", "-n", "--forceall", "--quiet", "rules", "--configfile=config/full.yaml")
    counts = job_counts(proc.stdout)
    assert (counts["train_dense"], counts["prune_round"], counts["assess_round"]) == (18, 540, 558)


def test_thread_claims_follow_the_real_cores_not_cores():
    """`--cores` 4x the machine: every claim is scaled 4x (so no more jobs run than there are cores)
    and the jobs divide it back (MIRTRIM_CORE_SCALE), computing with the threads the rule asks for."""
    real = len(os.sched_getaffinity(0))
    dense = run_folder(ROOT, "chords", "dense-s0")
    proc = snakemake(f"results/runs/chords/{dense}/round00/model.pt", "-n", "-p", "--forceall",
                     f"--cores={4 * real}")
    claims = dict(re.findall(r"rule (\w+):.*?threads: (\d+)", proc.stdout, flags=re.S))
    # feature extraction takes one thread on a 2-core machine (two would wait for both cores to drain)
    assert claims == {"generate_data": "4", "extract_features": str(4 * (2 if real > 2 else 1)), "train_dense": "4"}


def test_a_run_without_target_builds_the_manifest():
    proc = snakemake("-n")
    counts = job_counts(proc.stdout)
    assert counts["all"] == counts["figures_all"] == 1 and counts["total"] > 100


def test_invalid_config_fails_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "config.yaml").read_text().replace("scope: local", "scope: everywhere"))
    proc = snakemake("figures/all", "-n", f"--configfile={bad}", check=False)
    assert proc.returncode != 0
    assert "everywhere" in proc.stdout + proc.stderr and "Job stats" not in proc.stdout


def test_dry_run_of_the_paper_grid_has_the_expected_jobs():
    """config/paper.yaml: 7 task models x 10 methods x 3 seeds x 14 pruning rounds, plus shared round 0;
    four public corpora (pitch and pitch_medium share NSynth) and one synthetic set (drums and onsets)."""
    proc = snakemake("figures/all", "-n", "--forceall", "--quiet", "rules", "--configfile=config/paper.yaml")
    runs, seeds = 7 * 10 * 3, 7 * 3
    assert job_counts(proc.stdout) == {
        **{f"download_{corpus}": 1 for corpus in ("vocalset", "tinysol", "nsynth", "guitarset")},
        "prepare_real_data": 4, "generate_data": 1, "extract_features": 5, "baseline_task": 7, "plot_data": 7,
        "train_dense": seeds,
        "prune_round": runs * 14, "assess_round": runs * 14 + seeds, "time_task": 7,
        "aggregate_task": 7, "plot_tradeoff": 7, "table_baselines": 1, "table_efficiency": 1, "table_selection": 1,
        "plot_latency": 1, "plot_crosstask": 1, "merge_summaries": 1, "figures_all": 1, "total": 5978}


def _user_config(tmp_path, edit) -> str:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    edit(config)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_a_user_configfile_replaces_the_default_one(tmp_path):
    """A config naming one task and one method runs that task and method only (no merge onto config.yaml),
    and the run states its grid first."""
    def one_task(config):
        config["tasks"] = {"chords": config["tasks"]["chords"]}
        config["methods"] = config["methods"][:1]
        config["seeds"] = [0]
        for method in config["methods"]:
            method.pop("seeds", None)

    proc = snakemake("figures/all", "-n", "--forceall", "--quiet", "rules", f"--configfile={_user_config(tmp_path, one_task)}")
    counts = job_counts(proc.stdout)
    assert (counts["train_dense"], counts["generate_data"], counts["plot_tradeoff"]) == (1, 1, 1)
    assert "mirtrim grid: 1 tasks x 1 methods" in proc.stderr and "  chords: songs-small" in proc.stderr


def test_a_mistyped_key_is_one_line_naming_the_key_and_the_fix(tmp_path):
    def typo(config):
        config["tasks"]["chords"]["epocs"] = config["tasks"]["chords"].pop("epochs")

    proc = snakemake("figures/all", "-n", f"--configfile={_user_config(tmp_path, typo)}", check=False)
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert proc.returncode != 0 and len(errors) == 1, proc.stderr
    assert errors[0].startswith("error: config tasks.chords: unknown key 'epocs' (did you mean 'epochs'?)")
    assert "mine.yaml" in errors[0]


def test_zero_cores_and_unconfigured_task_targets_are_refused():
    proc = snakemake("figures/all", "-n", "--cores", "0", check=False)
    assert proc.returncode != 0 and "error: --cores 0: no job could ever start" in proc.stderr
    proc = snakemake("results/runs/nosuchtask/dense-s0/round00/model.pt", "-n", check=False)
    assert proc.returncode != 0 and "KeyError" not in proc.stdout + proc.stderr
    assert "MissingRuleException" in proc.stdout + proc.stderr


def test_a_run_folder_of_other_settings_is_refused_before_any_job():
    """A target whose digest is not the config's (another config's run) would be written with this
    config's settings: the dry run stops with one line naming the folder and the config's own."""
    dense = run_folder(ROOT, "chords", "dense-s0")
    stale = "00000000" if not dense.endswith("/00000000") else "11111111"
    proc = snakemake(f"results/runs/chords/dense-s0/{stale}/round00/model.pt", "-n", check=False)
    assert proc.returncode != 0
    assert (f"results/runs/chords/dense-s0/{stale}: this folder holds a run of other settings than the config's "
            f"({dense})") in proc.stdout + proc.stderr


TOY_TASK = '''
"""A seventh task, as a plugin module would add it: onsets under another name."""
import dataclasses

from mirtrim.taskdefs import register, task_def

register(dataclasses.replace(task_def("onsets"), name="toy_onsets", error="1 - onset F-measure (toy)"))
'''


def test_a_registered_task_runs_through_the_grid_and_a_dry_run(tmp_path, monkeypatch):
    """Adding a task that reuses existing kinds is one TaskDef: registered (here by a module imported at
    interpreter start), it is a valid config task, has a grid, a model, an adapter and a full DAG."""
    (tmp_path / "sitecustomize.py").write_text(TOY_TASK)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{ROOT / 'src'}")
    config = yaml.safe_load((ROOT / ".test/config.yaml").read_text())
    config["tasks"] = {"toy_onsets": config["tasks"]["onsets"]}
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(config))
    probe = ("import json, yaml, mirtrim.grid as g; from mirtrim.models import arch_for, build_model; "
             "from mirtrim.train.tasks import make_task; c = yaml.safe_load(open('%s')); g.check(c); "
             "s = g.spec(c, 'toy_onsets', 'dense-s0'); m = build_model(arch_for('toy_onsets', 0.25)); "
             "print(json.dumps([g.dataset_id(c, 'toy_onsets'), s.task, type(make_task('toy_onsets')).__name__, "
             "sum(p.numel() for p in m.parameters())]))" % path)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    dataset, task, adapter, parameters = json.loads(out)
    assert (dataset, task, adapter) == ("drumloops-tiny", "toy_onsets", "TranscriptionTask") and parameters > 0
    proc = snakemake("figures/all", "-n", "--forceall", "--quiet", "rules", f"--configfile={path}")
    counts = job_counts(proc.stdout)
    rounds = config["tasks"]["toy_onsets"]["rounds"] - 1
    assert (counts["train_dense"], counts["prune_round"], counts["plot_tradeoff"]) == (1, 2 * rounds, 1)
    assert "toy_onsets: drumloops-tiny" in proc.stderr


def test_a_yaml_syntax_error_in_the_default_config_is_one_line(tmp_path):
    (tmp_path / "config.yaml").write_text("seeds: [0\ntasks: {}\n")
    proc = snakemake("figures/all", "-n", "--directory", str(tmp_path), "--snakefile", str(ROOT / "Snakefile"),
                     check=False)
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert proc.returncode != 0 and errors == [
        "error: config config.yaml:2:6: YAML syntax error: expected ',' or ']', but got ':'; fix that line "
        "(YAML needs spaces, not tabs, and closed brackets and quotes)"], proc.stderr
