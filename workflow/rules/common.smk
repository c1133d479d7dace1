# Helpers only: paths, the run grid and input functions. No rules here.
import json
import os
import shlex
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

SRC = str(Path(workflow.basedir) / "src")
PAPER_TEX = str(Path(workflow.basedir) / "paper" / "main.tex")
from mirtrim import grid  # standard library only (the Snakefile put src/ on sys.path)
from mirtrim.data.registry import REGISTRY
from mirtrim.utils.imports import closure_digest, module_closure

REAL_CORPORA = sorted(REGISTRY)
# hashes of the code that training and assessment results depend on: rule params, so an edit of that
# code reruns those jobs (Snakemake's params trigger; `--list-params-changes` lists them)
TRAIN_CODE = closure_digest(SRC, "train/rounds.py")
ASSESS_CODE = closure_digest(SRC, "train/evaluation.py", "profile/report.py")

# Jobs call `python -m mirtrim`: put the interpreter running Snakemake first on PATH so that a
# non-activated virtual environment still provides it (conda envs, when used, prepend their own).
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def given_cores(workflow):
    """--cores of a local run; None on a cluster (jobs get their own nodes there)."""
    if not workflow.local_exec:
        return None
    try:
        return workflow.cores
    except WorkflowError:
        return None


REAL_CORES = len(os.sched_getaffinity(0))
TRAIN_THREADS = 1  # small CNNs: two 1-thread jobs on two cores beat one 2-thread job
# feature extraction is a few seconds per dataset: on two cores, a 2-thread claim would wait for
# both cores to drain while training jobs hold one, leaving a core idle for minutes
FEATURE_THREADS = 2 if REAL_CORES > 2 else 1
DATA_PRIORITY = 10  # data and features first: every task's training is then ready to fill the cores
# Snakemake scales thread claims down to --cores, never up to the machine: scale them by
# --cores / real cores so that `--cores 8` on a 2-core laptop still runs two 1-thread jobs at a
# time. Jobs divide their `{threads}` by this scale again (mirtrim.cli), so they compute with the
# threads each job is written for. Cluster runs give no --cores, so the scale is 1 there.
_GIVEN_CORES = given_cores(workflow)
if _GIVEN_CORES == 0:
    sys.exit(
        "error: --cores 0: no job could ever start; give --cores N with N >= 1, or --cores all"
    )
CORE_SCALE = -(-_GIVEN_CORES // REAL_CORES) if _GIVEN_CORES else 1
os.environ.update(MIRTRIM_CORE_SCALE=str(CORE_SCALE))  # set for the jobs, not read from the user


def claim(n):
    """Threads a job claims in Snakemake's accounting for ``n`` working threads."""
    return n * CORE_SCALE


def run_folder(task, run):
    """``<run>/<digest>``: the run id and a short digest of its settings (grid.run_folder)."""
    return grid.run_folder(config, task, run)


def round_dir(task, run, rnd):
    return f"results/runs/{task}/{run_folder(task, run)}/round{int(rnd):02d}"


def features_of(wildcards):
    return f"results/features/{grid.dataset_id(config, wildcards.task)}.npz"


def fidelity_json(wildcards):
    """The run's fidelity switches, so a baseline decodes and scores as the models do."""
    return json.dumps(grid.fidelity(config), sort_keys=True)


def run_spec(wildcards):
    """This run's settings only, so a config edit reruns just the runs it touches; a folder whose
    digest is not the config's is refused (it would hold a run of other settings)."""
    return grid.checked_spec(config, wildcards.task, wildcards.run, wildcards.digest).to_json()


def dense_run(wildcards):
    return grid.dense_id(grid.parse_run(wildcards.run)[1])


def previous_model(wildcards):
    rnd = int(wildcards.round)
    run = dense_run(wildcards) if rnd == 1 else wildcards.run
    return f"{round_dir(wildcards.task, run, rnd - 1)}/model.pt"


def rewind_state(wildcards):
    return f"results/runs/{wildcards.task}/{run_folder(wildcards.task, dense_run(wildcards))}/rewind.pt"


def dataset_of(wildcards):
    return f"results/data/{grid.dataset_id(config, wildcards.task)}"


def dense_evals():
    """Round 0 of the first seed of every task: the dense reference in summary tables."""
    seed = config["seeds"][0]
    return [
        f"results/eval/{task}/{run_folder(task, grid.dense_id(seed))}/round00.json"
        for task in config["tasks"]
    ]


def dataset_settings(wildcards):
    return grid.datasets(config)[wildcards.dataset]


def user_audio_option(wildcards):
    """``--audio-dir <folder>`` for annotation-only corpora (config tasks.<task>.audio_dir)."""
    folder = grid.audio_dir(config, wildcards.dataset)
    return f"--audio-dir {shlex.quote(folder)}" if folder else ""


def run_rounds(task):
    return grid.run_rounds(config, task)


def eval_records(wildcards):
    return [
        f"results/eval/{wildcards.task}/{run_folder(wildcards.task, run)}/round{r:02d}.json"
        for run, r in run_rounds(wildcards.task)
    ]


def profile_records(wildcards):
    return [
        f"results/profile/{wildcards.task}/{run_folder(wildcards.task, run)}/round{r:02d}.json"
        for run, r in run_rounds(wildcards.task)
    ]


def round_files(name):
    """Input function: file ``name`` (model.pt, train.json) of every round a task reports."""

    def files(wildcards):
        return [
            f"{round_dir(wildcards.task, run, r)}/{name}" for run, r in run_rounds(wildcards.task)
        ]

    return files


def figure_files():
    out = []
    for task in config["tasks"]:
        out += [f"figures/tradeoff_{task}.pdf", f"figures/tradeoff_{task}.png"]
    out += [f"results/summary/{task}.csv" for task in config["tasks"]] + ["results/summary.csv"]
    out += [f"figures/data/{task}.png" for task in config["tasks"]]
    out += ["figures/table_baselines.csv", "figures/table_baselines.md"]
    out += [f"figures/table_efficiency.{ext}" for ext in ("csv", "md", "tex")]
    out += [f"figures/table_best_optim_small.{ext}" for ext in ("csv", "md", "tex")]
    out += ["figures/macros.tex", "figures/latency_vs_macs.pdf", "figures/latency_vs_macs.png"]
    out += [
        f"figures/{name}.{ext}"
        for name in ("normalised", "criteria", "pareto")
        for ext in ("pdf", "png")
    ]
    return out


def training_runtime(wildcards, attempt):
    """Minutes; grows with each --retries attempt so a job killed at a time limit gets more."""
    return 120 * attempt


def package_closure(relative):
    """A package module and every package module it imports, transitively, as inputs (absolute
    paths: the working directory may be elsewhere), so that editing any of them reruns the rule."""
    return module_closure(SRC, relative)


def cli(template, **values):
    """A params function giving a report step's mirtrim command: ``template`` formatted with the job's
    wildcards, input and output (lists space-separated, as in shell:) and ``values``."""

    def command(wildcards, input, output):
        return template.format(wildcards=wildcards, input=input, output=output, **values)

    return command


def source_root(wildcards, input):
    """The package's source folder, derived from a rule's `code` input (src/mirtrim/<module> first)."""
    first = input.code if isinstance(input.code, str) else input.code[0]
    return str(Path(first).parents[2])
