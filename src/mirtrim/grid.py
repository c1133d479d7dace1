"""Config -> experiment grid: run ids, datasets, per-run specs. Standard library only (parsed by the Snakefile).

Round 0 (dense training and the rewind snapshot) depends only on the task settings and the seed,
so every method of a task and seed shares it: it lives under the run id ``dense-s<seed>``.
"""

from __future__ import annotations

from mirtrim.data.registry import REGISTRY
from mirtrim.runspec import MethodSpec, RunSpec, TrainSpec
from mirtrim.taskdefs import task_def

FIDELITY_PRESETS = {
    # the better behaviour (paper.md §10)
    "default": {"test_selection": "best_valid", "onset_metric": "seconds", "onset_empty": "one",
                "activation_mode": "eval", "rewind_bn_stats": True, "transcription_loss": "bce",
                "chord_loss": "weighted_ce", "chord_metric": "majmin", "rewind_budget": "equal",
                "lr_schedule": "cosine", "onset_decoder": "peaks", "onset_positive_weight": 1.0,
                "waveform_augment": "none", "spectrogram_augment": "none"},
    # the original code's behaviour; onset_empty only acts on the seconds metric (frame_index scores
    # silence 0 by itself) and the original chord code used class-weighted CE, so both stay
    "paper": {"test_selection": "min_over_epochs", "onset_metric": "frame_index", "onset_empty": "one",
              "activation_mode": "train", "rewind_bn_stats": False, "transcription_loss": "ce_on_sigmoid_sum",
              "chord_loss": "weighted_ce", "chord_metric": "accuracy", "rewind_budget": "extra",
              "lr_schedule": "plateau", "onset_decoder": "argmax", "onset_positive_weight": 1.0,
              "waveform_augment": "none", "spectrogram_augment": "none"},
}
DATA_SEED = 1234  # the schema's default for data_seed
TRAIN_DEFAULTS = {"batch_size": 64, "patience": 30, "rewind_unit": "epoch", "scheduler_patience": 10,
                  "warmup": 0.0}  # as in the schema
TRAIN_KEYS = ("epochs", "lr", "batch_size", "patience", "rewind_epoch", "rewind_unit", "scheduler_patience",
              "warmup")


TASK_FIDELITY_KEYS = ("lr_schedule",)  # switches a task may set for itself (schema: tasks.<task>.<key>)


def fidelity(config: dict, task: str | None = None) -> dict:
    """The run's switches: the preset, the config's fidelity block, then (given a task) its own overrides."""
    settings = dict(config.get("fidelity", {}))
    preset = settings.pop("preset", "default")
    own = config["tasks"][task] if task is not None else {}
    return {**FIDELITY_PRESETS[preset], **settings, **{k: own[k] for k in TASK_FIDELITY_KEYS if k in own}}


def dense_id(seed: int) -> str:
    return f"dense-s{seed}"


def run_id(method: dict, seed: int) -> str:
    return f"{method['prune']}-{method['criterion']}-{method['scope']}-{method['reset']}-s{seed}"


def dataset_id(config: dict, task: str) -> str:
    t = config["tasks"][task]
    if t.get("source", "synthetic") != "synthetic":
        return f"{t['source']}"
    melodies = t.get("melodies", 0)
    return f"{task_def(task).dataset}-{t['scale']}" + (f"-melodies{round(100 * melodies)}" if melodies else "")


# dataset ids as rule wildcards: synthetic ones are rendered (generate_data), real ones prepared from a
# download (prepare_real_data); the patterns are disjoint so that no dataset matches both rules
SCALES = ("tiny", "small", "medium", "paper")  # synthetic data sizes: each generator's SCALES keys, the schema's enum
SYNTHETIC_DATASET = rf"(drumloops|instruments|voices|notes|songs)-({'|'.join(SCALES)})(-melodies\d+)?"
REAL_DATASET = "|".join(sorted(REGISTRY))


def is_synthetic(config: dict, task: str) -> bool:
    return config["tasks"][task].get("source", "synthetic") == "synthetic"


def datasets(config: dict) -> dict[str, dict]:
    """Synthetic dataset id -> generation settings (two tasks may share one dataset)."""
    out = {}
    for task, t in config["tasks"].items():
        if not is_synthetic(config, task):
            continue
        out[dataset_id(config, task)] = {"generator": task_def(task).dataset, "scale": t["scale"],
                                         "seed": config.get("data_seed", DATA_SEED), "melodies": t.get("melodies", 0)}
    return out


def check_tasks(config: dict) -> None:
    """Task settings the schema cannot relate to each other; one error line naming the key."""
    for task, t in config["tasks"].items():
        if t.get("rewind_unit", "epoch") == "epoch" and t["rewind_epoch"] > t["epochs"]:
            raise ValueError(f"config tasks.{task}.rewind_epoch: {t['rewind_epoch']} is beyond the "
                             f"{t['epochs']} training epochs; expected 0..{t['epochs']}")
        if (fidelity(config)["rewind_budget"] == "equal" and t.get("rewind_unit", "epoch") == "epoch"
                and t["rewind_epoch"] >= t["epochs"]):
            raise ValueError(f"config tasks.{task}.rewind_epoch: {t['rewind_epoch']} leaves no epoch after the "
                             f"rewind under the equal budget; expected 0..{t['epochs'] - 1}, or set "
                             "fidelity.rewind_budget: extra")
        if t.get("melodies") and task_def(task).dataset != "notes":
            raise ValueError(f"config tasks.{task}.melodies: only the pitch tasks have melodies")


def check_sources(config: dict) -> None:
    """A real source must serve the task, and annotation-only corpora need the user's audio folder."""
    dirs: dict[str, str] = {}
    for task, t in config["tasks"].items():
        if is_synthetic(config, task):
            if "audio_dir" in t:
                raise ValueError(f"config tasks.{task}.audio_dir: only for real sources that publish no audio")
            continue
        corpus = REGISTRY[t["source"]]
        if task not in corpus.tasks:
            raise ValueError(f"config tasks.{task}.source: {corpus.name} serves {', '.join(corpus.tasks)}, "
                             f"not {task}")
        if corpus.user_audio and not t.get("audio_dir"):
            raise ValueError(f"config tasks.{task}.audio_dir: {corpus.name} publishes annotations only; "
                             f"give the folder holding its audio")
        if not corpus.user_audio and "audio_dir" in t:
            raise ValueError(f"config tasks.{task}.audio_dir: {corpus.name} comes with its audio")
        if t.get("audio_dir") and dirs.setdefault(corpus.name, t["audio_dir"]) != t["audio_dir"]:
            raise ValueError(f"config tasks.{task}.audio_dir: tasks sharing {corpus.name} name different folders")


def audio_dir(config: dict, dataset: str) -> str | None:
    """The user's audio folder of an annotation-only corpus (from any task using it)."""
    return next((t["audio_dir"] for t in config["tasks"].values()
                 if t.get("source") == dataset and t.get("audio_dir")), None)


def check_methods(config: dict) -> None:
    """Combinations the schema cannot express; one error line naming the entry."""
    seen = set()
    for i, m in enumerate(config["methods"]):
        if m["prune"] == "mask" and m["criterion"] != "magnitude":
            raise ValueError(f"config methods[{i}]: masking supports only criterion 'magnitude', got {m['criterion']!r}")
        key = run_id(m, 0)
        if key in seen:
            raise ValueError(f"config methods[{i}]: duplicate method {key[:-3]}")
        seen.add(key)


def check(config: dict) -> None:
    """Every relation between keys the schema cannot express; one error line naming the key."""
    check_tasks(config)
    check_methods(config)
    check_sources(config)


def describe(config: dict) -> str:
    """The grid this config runs, printed when the workflow starts: task x method x seed."""
    lines = [f"mirtrim grid: {len(config['tasks'])} tasks x {len(config['methods'])} methods, "
             f"dense seeds {dense_seeds(config)}"]
    for task, t in config["tasks"].items():
        lines.append(f"  {task}: {dataset_id(config, task)}, width {t['width']}, {t['epochs']} epochs, "
                     f"{n_rounds(config, task)} rounds, {len(runs(config, task))} pruning runs")
    for m in config["methods"]:
        lines.append(f"  method {run_id(m, 0)[:-3]}: seeds {method_seeds(config, m)}")
    return "\n".join(lines)


def method_seeds(config: dict, method: dict) -> list[int]:
    """A method's own ``seeds`` if it names them, else the run's: extra seeds where the budget allows."""
    return list(method.get("seeds", config["seeds"]))


def dense_seeds(config: dict) -> list[int]:
    """Every seed some method runs: each needs its dense round 0 (same seed = same data order)."""
    return sorted({s for m in config["methods"] for s in method_seeds(config, m)} | set(config["seeds"]))


def runs(config: dict, task: str) -> list[str]:
    """Pruning run ids of a task (dense runs excluded)."""
    check_methods(config)
    return [run_id(m, s) for s in dense_seeds(config) for m in config["methods"] if s in method_seeds(config, m)]


def run_rounds(config: dict, task: str) -> list[tuple[str, int]]:
    """(run, round) of every record a task reports: the shared dense round 0 and each run's rounds."""
    out = [(dense_id(s), 0) for s in dense_seeds(config)]
    for run in runs(config, task):
        out += [(run, r) for r in range(1, n_rounds(config, task))]
    return out


def n_rounds(config: dict, task: str) -> int:
    """Total rounds including round 0, as the paper counts them (15 = dense + 14)."""
    return int(config["tasks"][task]["rounds"])


def parse_run(run: str) -> tuple[dict | None, int]:
    parts = run.split("-")
    seed = int(parts[-1][1:])
    if parts[0] == "dense":
        return None, seed
    return dict(zip(("prune", "criterion", "scope", "reset"), parts[:4])), seed


def spec(config: dict, task: str, run: str) -> RunSpec:
    """Everything a job of (task, run) needs, and nothing else: a config edit reruns only what it touches."""
    method, seed = parse_run(run)
    t = config["tasks"][task]
    if method is not None:
        percent = t["mask_percent"] if method["prune"] == "mask" else t["trim_percent"]
        method = MethodSpec(**method, percent=percent, min_units=t.get("min_units", 3))
    return RunSpec(task=task, run=run, seed=seed, width=t["width"], device=config.get("device", "auto"),
                   train=TrainSpec(**{k: t.get(k, TRAIN_DEFAULTS.get(k)) for k in TRAIN_KEYS}),
                   fidelity=fidelity(config, task), method=method, data=dataset_id(config, task),
                   data_seed=config.get("data_seed", DATA_SEED))


def spec_json(config: dict, task: str, run: str) -> str:
    return spec(config, task, run).to_json()


FOLDER_DIGEST = 8  # hex digits of the spec digest in a run's folder name


def run_folder(config: dict, task: str, run: str) -> str:
    """``<run>/<digest>``: the readable run id, then a short digest of everything that changes its
    results (RunSpec.digest), so runs of two configs that differ in epochs, width or data coexist."""
    return f"{run}/{spec(config, task, run).digest()[:FOLDER_DIGEST]}"


def check_run_folder(config: dict, task: str, run: str, digest: str) -> None:
    """A requested ``<run>/<digest>`` must be the config's: a job never writes one config's run into
    another's folder (an old target, or a path typed by hand)."""
    expected = run_folder(config, task, run)
    if expected != f"{run}/{digest}":
        raise ValueError(f"results/runs/{task}/{run}/{digest}: this folder holds a run of other settings than the "
                         f"config's ({expected}); ask for figures/all, or for a path under {expected}")
