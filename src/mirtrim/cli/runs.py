"""Commands of the lottery runs: train, prune, assess and time rounds; trim one's own model."""

from __future__ import annotations

import json
from pathlib import Path

from mirtrim.cli.registry import (COUNT, FEATURES, INDEX, PERCENT, POSITIVE, ROUND_INPUTS, SPEC, TASKS, TIMING, arg,
                                  command, set_torch_threads, threads)

ROUND_DIR = arg("--out-dir", required=True, help="round folder: model.pt, train.json (and plan.json)")
# what the workflow passes: the run's spec from the config (mirtrim.grid.spec)
SPEC_EXAMPLE = ('--spec "$(python -c \'import yaml; from mirtrim import grid; '
                'print(grid.spec_json(yaml.safe_load(open("config.yaml")), "onsets", "dense-s0"))\')"')


@command("train-dense", "round 0: train the dense model, save the rewind state",
         f"mirtrim train-dense {SPEC_EXAMPLE} --features results/features/drumloops-tiny.npz "
         "--out-dir results/runs/onsets/dense-s0/1a2b3c4d/round00 --rewind-out results/runs/onsets/dense-s0/1a2b3c4d/rewind.pt",
         SPEC, FEATURES, ROUND_DIR, threads(),
         arg("--rewind-out", required=True, help="where to save the epoch-k state (rewind.pt)"))
def train_dense(a):
    from mirtrim.train.rounds import run_dense

    set_torch_threads(a.threads)
    run_dense(a.spec, a.features, a.out_dir, a.rewind_out)


@command("prune-round", "round r >= 1: score, trim, rewind and retrain",
         f"mirtrim prune-round {SPEC_EXAMPLE} --features F.npz --prev RUN/round00/model.pt --rewind RUN/rewind.pt "
         "--round 1 --out-dir RUN/round01",
         SPEC, FEATURES, ROUND_DIR, threads(),
         arg("--prev", required=True, help="model.pt of round r-1"),
         arg("--rewind", required=True, help="rewind.pt of the run's round 0"),
         arg("--round", type=COUNT, required=True, help="this round's index (>= 1)"))
def prune_round(a):
    from mirtrim.train.rounds import run_prune_round

    set_torch_threads(a.threads)
    run_prune_round(a.spec, a.features, a.prev, a.rewind, a.round, a.out_dir)


ROUND_EXAMPLE = f"{SPEC_EXAMPLE} --features F.npz --model R/model.pt --train-log R/train.json --round 1"


@command("evaluate", "test metrics of one round's model (both fidelity variants)",
         f"mirtrim evaluate {ROUND_EXAMPLE} --out eval.json",
         *ROUND_INPUTS, arg("--out", required=True, help="the test-metrics record (JSON)"), threads())
def evaluate(a):
    from mirtrim.train.evaluation import evaluate_round
    from mirtrim.utils.atomic import write_json

    set_torch_threads(a.threads)
    record = evaluate_round(a.spec, a.features, a.model, a.train_log, a.round)
    write_json(a.out, record)
    print(json.dumps(record))


@command("profile", "params, MACs, paper FLOPs/memory, file sizes, eager and ONNX Runtime batch-1 CPU latency, "
                    "peak memory",
         "mirtrim profile --model R/model.pt --out profile.json",
         arg("--model", required=True, help="model.pt"), arg("--out", required=True, help="the record (JSON)"),
         threads("threads for the latency measurement"), *TIMING)
def profile(a):
    from mirtrim.profile.report import profile_round
    from mirtrim.utils.atomic import write_json

    record = profile_round(a.model, threads=a.threads, runs=a.runs, repeats=a.repeats, onnx=a.onnx)
    write_json(a.out, record)
    print(json.dumps(record))


@command("assess", "evaluate and profile one round's model in one process (the workflow's job)",
         f"mirtrim assess {ROUND_EXAMPLE} --eval-out eval.json --profile-out profile.json",
         *ROUND_INPUTS,
         arg("--eval-out", required=True, help="test-metrics record (as from evaluate)"),
         arg("--profile-out", required=True, help="efficiency record (as from profile)"),
         threads("torch threads for evaluation and peak memory"),
         arg("--no-onnx", dest="onnx", action="store_false", help="skip the ONNX export (its file size)"))
def assess(a):
    """Both records of a round in one process: torch and the model load once per round, and the
    workflow has one job per round instead of two. The cost record goes first so that its peak-memory
    reading sees a fresh process, as in ``profile``. Latency is not measured here: `time-rounds` does
    it with every core to itself."""
    from mirtrim.profile.report import cost_record
    from mirtrim.train.evaluation import evaluate_round
    from mirtrim.utils.atomic import write_json
    from mirtrim.utils.provenance import provenance

    profile_ = {**cost_record(a.model, threads=a.threads, onnx=a.onnx), **provenance(a.spec)}
    set_torch_threads(a.threads)
    # evaluation loads the checkpoint again (milliseconds): profiling exported and timed its copy
    record = evaluate_round(a.spec, a.features, a.model, a.train_log, a.round)
    write_json(a.profile_out, profile_)
    write_json(a.eval_out, record)  # last: its presence means the round is fully assessed
    print(json.dumps({"eval": record, "profile": profile_}))


@command("time-rounds", "batch-1 latency of many rounds' models, each architecture once (run it with the machine "
                        "to itself)",
         "mirtrim time-rounds --models R0/model.pt R1/model.pt --train-logs R0/train.json R1/train.json "
         "--out timing.json",
         arg("--models", nargs="+", required=True, help="model.pt of each round"),
         arg("--train-logs", nargs="+", required=True, help="train.json of the same rounds, in order"),
         arg("--out", required=True, help="the timing record (JSON)"),
         threads("threads of the latency measurement"), *TIMING)
def time_rounds(a):
    from mirtrim.profile.timing import time_rounds as measure
    from mirtrim.utils.atomic import write_json

    record = measure(a.models, a.train_logs, threads=a.threads, runs=a.runs, repeats=a.repeats, onnx=a.onnx)
    write_json(a.out, record)
    print(f"{len(record['rounds'])} rounds, {record['architectures']} architectures timed -> {a.out}")


@command("trim", "trim your own model: trace its coupling graph, verify it is exact, remove units",
         "mirtrim trim --model mypkg.nets:make_resnet --example-shape 1,3,64,64 --percent 30 --out small.pt",
         arg("--model", required=True, help="package.module:factory or path/to/file.py:factory (no arguments)"),
         arg("--weights", help="a state_dict (.pt) to load into the factory's model"),
         arg("--example-shape", required=True, help="input shape with the batch, e.g. 1,1,16000"),
         arg("--criterion", default="magnitude", choices=["magnitude", "activation", "batchnorm", "random"],
             help="how units are scored (default: magnitude)"),
         arg("--scope", default="local", choices=["local", "global"], help="per layer or one cut (default: local)"),
         arg("--percent", type=PERCENT, default=30.0, help="share of the current units removed per round"),
         arg("--rounds", type=COUNT, default=1, help="trimming rounds, no training in between (default: 1)"),
         arg("--keep", nargs="*", default=[], help="layers never trimmed (and the streams they feed)"),
         arg("--min-units", type=INDEX, default=3, help="a layer keeps all its units below this (default: 3)"),
         arg("--onnx", help="also export the trimmed model as ONNX to this path"),
         arg("--out", required=True, help="the trimmed module (torch.save); its plans go beside as .plan.json"))
def trim(a):
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


@command("model-info", "parameters and MACs of a task's model at a width",
         "mirtrim model-info --task pitch --width 0.5",
         arg("--task", required=True, choices=TASKS, help="one of the paper's tasks"),
         arg("--width", type=POSITIVE, default=1.0, help="width multiplier of every layer (default: 1)"),
         arg("--frame-readout", action="store_true",
             help="onsets and drums: with the default preset's frame readout (default: the paper's model)"),
         arg("--pooled-readout", action="store_true",
             help="singing and instrument: with the pooled readout of conv2 (default: the paper's model)"))
def model_info(a):
    from mirtrim.models import MODEL_SWITCHES, arch_for, build_model, input_shape
    from mirtrim.profile.counts import forward_costs

    arch = arch_for(a.task, a.width, **{name: getattr(a, name) for name in MODEL_SWITCHES})
    switches = {name: arch.get(name, False) for name in MODEL_SWITCHES}
    print(json.dumps({"task": a.task, "width": a.width, **switches,
                      **forward_costs(build_model(arch), input_shape(a.task))}))
