"""``python -m mirtrim <command>``: the entry point of every workflow rule, and the manual debug tool.

Heavy imports (torch, librosa) happen inside the commands so that ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _spec(text: str) -> dict:
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"--spec is not valid JSON: {err}") from None
    if not isinstance(spec, dict) or "task" not in spec:
        raise argparse.ArgumentTypeError("--spec must be a JSON object with at least a 'task' key")
    return spec


def working_threads(claimed: int) -> int:
    """The threads a job computes with: the workflow scales its thread claims by MIRTRIM_CORE_SCALE
    (``--cores`` over the real cores, see workflow/rules/common.smk) and this undoes it."""
    scale = os.environ.get("MIRTRIM_CORE_SCALE", "1")
    if not scale.isdigit() or int(scale) < 1:
        raise SystemExit(f"error: MIRTRIM_CORE_SCALE must be a positive integer, got {scale!r}")
    return max(1, claimed // int(scale))


def _threads(n: int) -> None:
    import torch

    torch.set_num_threads(max(1, n))


def cmd_generate_data(a):
    from mirtrim.data.generate import generate

    meta = generate(a.dataset, a.scale, a.seed, a.out, melodies=a.melodies)
    print(json.dumps({split: len(v) for split, v in meta["splits"].items()}))


def cmd_download(a):
    from mirtrim.data.download import download_corpus, with_mirror
    from mirtrim.data.registry import corpus

    source = corpus(a.dataset)
    if a.mirror:
        source = with_mirror(source, a.mirror)
    cache = a.cache or os.path.join(os.path.dirname(os.path.abspath(a.out)), "downloads", a.dataset)
    try:
        download_corpus(source, a.out, cache, keep_archives=a.keep_archives)
    except OSError as err:  # disk full, permissions: still one line naming the file
        raise ValueError(f"{err.filename or a.out}: {err.strerror or err}") from None


def cmd_prepare_data(a):
    from mirtrim.data.real import prepare

    meta = prepare(a.dataset, a.raw, a.out, seed=a.seed, audio_dir=a.audio_dir)
    print(json.dumps({split: len(v) for split, v in meta["splits"].items()}))


def cmd_extract_features(a):
    from mirtrim.features.build import build_features

    print(json.dumps(build_features(a.data, a.out, workers=a.threads)))


def cmd_train_dense(a):
    from mirtrim.train.rounds import run_dense

    _threads(a.threads)
    run_dense(a.spec, a.features, a.out_dir, a.rewind_out)


def cmd_prune_round(a):
    from mirtrim.train.rounds import run_prune_round

    _threads(a.threads)
    run_prune_round(a.spec, a.features, a.prev, a.rewind, a.round, a.out_dir)


def cmd_evaluate(a):
    from mirtrim.train.evaluation import evaluate_round
    from mirtrim.utils.atomic import write_json

    _threads(a.threads)
    record = evaluate_round(a.spec, a.features, a.model, a.train_log, a.round)
    write_json(a.out, record)
    print(json.dumps(record))


def cmd_profile(a):
    from mirtrim.profile.report import profile_round
    from mirtrim.utils.atomic import write_json

    record = profile_round(a.model, threads=a.threads, runs=a.runs, repeats=a.repeats, onnx=a.onnx)
    write_json(a.out, record)
    print(json.dumps(record))


def cmd_assess(a):
    """Both records of a round in one process: torch and the model load once per round, and the
    workflow has one job per round instead of two. The cost record goes first so that its peak-memory
    reading sees a fresh process, as in ``profile``. Latency is not measured here: `time-rounds` does
    it with every core to itself."""
    from mirtrim.profile.report import cost_record
    from mirtrim.train.evaluation import evaluate_round
    from mirtrim.utils.atomic import write_json

    profile = cost_record(a.model, threads=a.threads, onnx=a.onnx)
    _threads(a.threads)
    # evaluation loads the checkpoint again (milliseconds): profiling exported and timed its copy
    record = evaluate_round(a.spec, a.features, a.model, a.train_log, a.round)
    write_json(a.profile_out, profile)
    write_json(a.eval_out, record)  # last: its presence means the round is fully assessed
    print(json.dumps({"eval": record, "profile": profile}))


def cmd_time_rounds(a):
    from mirtrim.profile.timing import time_rounds
    from mirtrim.utils.atomic import write_json

    record = time_rounds(a.models, a.train_logs, threads=a.threads, runs=a.runs, repeats=a.repeats, onnx=a.onnx)
    write_json(a.out, record)
    print(f"{len(record['rounds'])} rounds, {record['architectures']} architectures timed -> {a.out}")


def cmd_aggregate(a):
    from mirtrim.report.aggregate import aggregate, write_csv

    if len(a.eval) != len(a.profile):
        raise SystemExit(f"error: {len(a.eval)} --eval files but {len(a.profile)} --profile files; they pair up")
    rows = aggregate(list(zip(a.eval, a.profile)), a.timing)
    write_csv(a.out, rows)
    print(f"{len(rows)} rows -> {a.out}")


def cmd_merge_summaries(a):
    from mirtrim.report.aggregate import merge_csvs

    print(f"{merge_csvs(a.summaries, a.out)} rows -> {a.out}")


def cmd_plot_tradeoff(a):
    from mirtrim.report.figures import plot_tradeoff

    plot_tradeoff(a.summary, a.task, a.out)


def cmd_plot_data(a):
    from mirtrim.report.figures import plot_data_example

    plot_data_example(a.features, a.task, a.out)


def cmd_baseline(a):
    from mirtrim.metrics.baselines import run_baseline
    from mirtrim.utils.atomic import write_json

    record = run_baseline(a.data, a.task, features=a.features, fidelity=json.loads(a.fidelity))
    write_json(a.out, record)
    print(json.dumps(record))


def cmd_table_baselines(a):
    from mirtrim.report.tables import baseline_table

    baseline_table(a.baselines, a.dense_evals, a.out_csv, a.out_md)


def cmd_table_efficiency(a):
    from mirtrim.report.efficiency import write_efficiency_table

    write_efficiency_table(a.summaries, a.out_csv, a.out_md, a.out_tex, tolerance=a.tolerance)


def cmd_table_selection(a):
    from mirtrim.report.selection import write_selection_tables

    write_selection_tables(a.summaries, a.out_csv, a.out_md, a.out_tex, a.out_macros)


def cmd_plot_crosstask(a):
    from mirtrim.report.crosstask import plot_crosstask

    plot_crosstask(a.summaries, a.out_normalised, a.out_criteria, a.out_pareto)


def cmd_plot_latency(a):
    from mirtrim.report.efficiency import plot_latency_vs_macs

    plot_latency_vs_macs(a.summaries, a.out)


def cmd_benchmarks(a):
    from mirtrim.report.benchmarks import markdown_summary, read_benchmarks
    from mirtrim.utils.atomic import write_text

    text = markdown_summary(read_benchmarks(a.root), top=a.top, tasks=tuple(a.tasks))
    if a.out:
        write_text(a.out, text)
    print(text, end="")


def cmd_manifest(a):
    from mirtrim.report.manifest import write_manifest

    write_manifest(a.out, a.files)


def cmd_trim(a):
    from mirtrim.profile.own_model import trim_own_model

    r = trim_own_model(a.model, a.example_shape, a.out, weights=a.weights, criterion=a.criterion, scope=a.scope,
                       percent=a.percent, rounds=a.rounds, keep=tuple(a.keep), min_units=a.min_units, onnx=a.onnx)
    b, f = r["before"], r["after"]
    print(f"parameters {b['parameters']:,} -> {f['parameters']:,} ({b['parameters'] / f['parameters']:.2f}x), "
          f"MACs {b['macs']:,} -> {f['macs']:,} ({b['macs'] / max(f['macs'], 1):.2f}x)")
    for name, why in r["boundary"].items():
        print(f"  kept whole: {name}" + (f" ({why})" if why else ""))
    print(f"wrote {a.out} (torch.save of the module) and {Path(a.out).with_suffix('.plan.json')}"
          + (f" and {a.onnx}" if a.onnx else ""))


def cmd_model_info(a):
    from mirtrim.models import arch_for, build_model, input_shape
    from mirtrim.profile.counts import forward_costs

    model = build_model(arch_for(a.task, a.width))
    print(json.dumps({"task": a.task, "width": a.width, **forward_costs(model, input_shape(a.task))}))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mirtrim", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, metavar="command")

    def add(name, func, help_):
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    sp = add("trim", cmd_trim, "trim your own model: trace its coupling graph, verify it is exact, remove units "
             "(example: mirtrim trim --model mypkg.nets:make_resnet --example-shape 1,3,64,64 --percent 30 "
             "--out small.pt)")
    sp.add_argument("--model", required=True, help="package.module:factory or path/to/file.py:factory (no arguments)")
    sp.add_argument("--weights", help="a state_dict (.pt) to load into the factory's model")
    sp.add_argument("--example-shape", required=True, help="input shape with the batch, e.g. 1,1,16000")
    sp.add_argument("--criterion", default="magnitude", choices=["magnitude", "activation", "batchnorm", "random"],
                    help="how units are scored (default: magnitude)")
    sp.add_argument("--scope", default="local", choices=["local", "global"], help="per layer or one cut (default: local)")
    sp.add_argument("--percent", type=float, default=30.0, help="share of the current units removed per round")
    sp.add_argument("--rounds", type=int, default=1, help="trimming rounds, no training in between (default: 1)")
    sp.add_argument("--keep", nargs="*", default=[], help="layers never trimmed (and the streams they feed)")
    sp.add_argument("--min-units", type=int, default=3, help="a layer keeps all its units below this (default: 3)")
    sp.add_argument("--onnx", help="also export the trimmed model as ONNX to this path")
    sp.add_argument("--out", required=True, help="the trimmed module (torch.save); its plans go beside as .plan.json")

    sp = add("generate-data", cmd_generate_data, "render a seeded synthetic dataset into the shared on-disk layout")
    sp.add_argument("--dataset", required=True, help="synthetic dataset name (drumloops)")
    sp.add_argument("--scale", required=True, help="tiny | small | paper")
    sp.add_argument("--seed", type=int, required=True)
    sp.add_argument("--out", required=True, help="dataset folder to create")
    sp.add_argument("--melodies", type=float, default=0.0, help="notes only: fraction of legato melodies (continuous f0)")

    sp = add("download", cmd_download, "download, verify (size, md5) and unpack a public corpus of the registry; "
                                        "an interrupted transfer resumes on the next run")
    sp.add_argument("--dataset", required=True, help="registry name (mirtrim.data.registry)")
    sp.add_argument("--out", required=True, help="folder to create with the unpacked corpus (resources/<dataset>)")
    sp.add_argument("--cache", help="where transfers and their .part files live (default: <out>/../downloads/"
                                    "<dataset>)")
    sp.add_argument("--mirror", help="fetch every file from <mirror>/<file name> instead (same checksums)")
    sp.add_argument("--keep-archives", action="store_true", help="keep the downloaded files after unpacking")

    sp = add("prepare-data", cmd_prepare_data, "convert a downloaded corpus into the shared dataset layout")
    sp.add_argument("--dataset", required=True, help="registry name (mirtrim.data.registry)")
    sp.add_argument("--raw", required=True, help="the unpacked corpus (from the download command)")
    sp.add_argument("--out", required=True, help="dataset folder to create (results/data/<dataset>)")
    sp.add_argument("--seed", type=int, default=1234, help="seed of the seeded splits and subsets")
    sp.add_argument("--audio-dir", help="annotation-only corpora (isophonics_beatles, billboard, boeck_onsets): "
                                        "the folder holding their audio")

    sp = add("extract-features", cmd_extract_features, "compute model inputs and targets of a dataset (.npz)")
    sp.add_argument("--data", required=True, help="dataset folder (with metadata.json)")
    sp.add_argument("--out", required=True, help="feature file to write (.npz)")
    sp.add_argument("--threads", type=int, default=1, help="files processed in parallel (output is identical)")

    for name, func, help_ in (("train-dense", cmd_train_dense, "round 0: train the dense model, save the rewind state"),
                              ("prune-round", cmd_prune_round, "round r >= 1: score, trim, rewind and retrain")):
        sp = add(name, func, help_)
        sp.add_argument("--spec", type=_spec, required=True, help="run spec JSON (from mirtrim.grid.spec)")
        sp.add_argument("--features", required=True, help="feature file (.npz)")
        sp.add_argument("--out-dir", required=True, help="round folder: model.pt, train.json (and plan.json)")
        sp.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
        if name == "train-dense":
            sp.add_argument("--rewind-out", required=True, help="where to save the epoch-k state (rewind.pt)")
        else:
            sp.add_argument("--prev", required=True, help="model.pt of round r-1")
            sp.add_argument("--rewind", required=True, help="rewind.pt of the run's round 0")
            sp.add_argument("--round", type=int, required=True, help="this round's index (>= 1)")

    def evaluation_inputs(sp):
        sp.add_argument("--spec", type=_spec, required=True)
        sp.add_argument("--features", required=True)
        sp.add_argument("--model", required=True, help="model.pt")
        sp.add_argument("--train-log", required=True, help="train.json of the same round")
        sp.add_argument("--round", type=int, required=True)

    def profiling_options(sp):
        sp.add_argument("--runs", type=int, default=30, help="timed calls per repeat")
        sp.add_argument("--repeats", type=int, default=3)
        sp.add_argument("--no-onnx", dest="onnx", action="store_false", help="skip the ONNX export and its timing")

    sp = add("evaluate", cmd_evaluate, "test metrics of one round's model (both fidelity variants)")
    evaluation_inputs(sp)
    sp.add_argument("--out", required=True)
    sp.add_argument("--threads", type=int, default=1)

    sp = add("profile", cmd_profile, "params, MACs, paper FLOPs/memory, file sizes, eager and ONNX Runtime "
                                      "batch-1 CPU latency, peak memory")
    sp.add_argument("--model", required=True, help="model.pt")
    sp.add_argument("--out", required=True)
    sp.add_argument("--threads", type=int, default=1, help="threads for the latency measurement")
    profiling_options(sp)

    sp = add("assess", cmd_assess, "evaluate and profile one round's model in one process (the workflow's job)")
    evaluation_inputs(sp)
    sp.add_argument("--eval-out", required=True, help="test-metrics record (as from evaluate)")
    sp.add_argument("--profile-out", required=True, help="efficiency record (as from profile)")
    sp.add_argument("--threads", type=int, default=1, help="torch threads for evaluation and peak memory")
    sp.add_argument("--no-onnx", dest="onnx", action="store_false", help="skip the ONNX export (its file size)")

    sp = add("time-rounds", cmd_time_rounds, "batch-1 latency of many rounds' models, each architecture once "
                                              "(run it with the machine to itself)")
    sp.add_argument("--models", nargs="+", required=True, help="model.pt of each round")
    sp.add_argument("--train-logs", nargs="+", required=True, help="train.json of the same rounds, in order")
    sp.add_argument("--out", required=True)
    sp.add_argument("--threads", type=int, default=1, help="threads of the latency measurement")
    profiling_options(sp)

    sp = add("aggregate", cmd_aggregate, "join eval, profile and timing records into one tidy CSV")
    sp.add_argument("--eval", nargs="+", required=True)
    sp.add_argument("--profile", nargs="+", required=True)
    sp.add_argument("--timing", help="the task's time-rounds record (latency columns stay empty without it)")
    sp.add_argument("--out", required=True)

    sp = add("plot-tradeoff", cmd_plot_tradeoff, "relative error vs compression ratio of one task (PDF + PNG)")
    sp.add_argument("--summary", required=True, help="aggregated CSV")
    sp.add_argument("--task", required=True)
    sp.add_argument("--out", required=True, help="PDF path; the PNG goes beside it")

    sp = add("plot-data", cmd_plot_data, "picture of one model input of a task (PNG)")
    sp.add_argument("--features", required=True, help="feature file (.npz)")
    sp.add_argument("--task", required=True)
    sp.add_argument("--out", required=True, help="PNG path")

    sp = add("baseline", cmd_baseline, "score a trivial (non-deep) baseline on a dataset's test split")
    sp.add_argument("--data", required=True, help="dataset folder")
    sp.add_argument("--task", required=True)
    sp.add_argument("--features", help="the task's feature file (required for onsets, drums and pitch, which are "
                                       "scored on the model's own frames, examples and decoder)")
    sp.add_argument("--fidelity", default="{}", help="the run's fidelity switches (JSON): decoder, metric mode")
    sp.add_argument("--out", required=True)

    sp = add("table-baselines", cmd_table_baselines, "trivial baselines vs dense models, CSV + Markdown")
    sp.add_argument("--baselines", nargs="+", required=True)
    sp.add_argument("--dense-evals", nargs="+", required=True, help="round-0 eval records (one per task)")
    sp.add_argument("--out-csv", required=True)
    sp.add_argument("--out-md", required=True)

    sp = add("merge-summaries", cmd_merge_summaries, "one tidy CSV of every task x run x round")
    sp.add_argument("--summaries", nargs="+", required=True)
    sp.add_argument("--out", required=True)

    sp = add("table-efficiency", cmd_table_efficiency, "dense vs trimmed model per task: CSV, Markdown, LaTeX")
    sp.add_argument("--summaries", nargs="+", required=True, help="per-task summary CSVs (from aggregate)")
    sp.add_argument("--tolerance", type=float, default=1.1, help="trimmed model: error <= tolerance x dense")
    sp.add_argument("--out-csv", required=True)
    sp.add_argument("--out-md", required=True)
    sp.add_argument("--out-tex", required=True)

    sp = add("table-selection", cmd_table_selection, "the paper's Best / Optim / Small table and LaTeX macros")
    sp.add_argument("--summaries", nargs="+", required=True, help="per-task summary CSVs (from aggregate)")
    sp.add_argument("--out-csv", required=True)
    sp.add_argument("--out-md", required=True)
    sp.add_argument("--out-tex", required=True)
    sp.add_argument("--out-macros", required=True)

    sp = add("plot-crosstask", cmd_plot_crosstask, "across-task figures: normalised groups, criteria, Pareto")
    sp.add_argument("--summaries", nargs="+", required=True)
    sp.add_argument("--out-normalised", required=True, help="PDF paths; each PNG goes beside its PDF")
    sp.add_argument("--out-criteria", required=True)
    sp.add_argument("--out-pareto", required=True)

    sp = add("plot-latency", cmd_plot_latency, "speed-up vs MAC reduction, eager and ONNX Runtime (PDF + PNG)")
    sp.add_argument("--summaries", nargs="+", required=True)
    sp.add_argument("--out", required=True, help="PDF path; the PNG goes beside it")

    sp = add("benchmarks", cmd_benchmarks, "summarise Snakemake benchmark files: time per rule, costliest jobs")
    sp.add_argument("--root", default="results/benchmarks")
    sp.add_argument("--top", type=int, default=5)
    sp.add_argument("--tasks", nargs="*", default=[], help="also sum job time per task")
    sp.add_argument("--out", help="also write the Markdown table here")

    sp = add("manifest", cmd_manifest, "write the figures/all manifest (sha256 of every figure and table)")
    sp.add_argument("--out", required=True)
    sp.add_argument("files", nargs="+")

    sp = add("model-info", cmd_model_info, "parameters and MACs of a task's model at a width")
    sp.add_argument("--task", required=True)
    sp.add_argument("--width", type=float, default=1.0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "threads"):
        args.threads = working_threads(args.threads)
    try:
        args.func(args)
    except (ValueError, FloatingPointError) as err:
        # expected failures (bad input, diverged training): one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a full disk, a missing or unwritable path: outputs are atomic, nothing half-written
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    return 0
