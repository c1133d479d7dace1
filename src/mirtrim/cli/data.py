"""Commands of the data stage: synthetic datasets, real corpora, features, trivial baselines."""

from __future__ import annotations

import json
import os

from mirtrim.cli.registry import FRACTION, INDEX, SCALES, TASKS, arg, command, threads
from mirtrim.data.registry import REGISTRY

REGISTRY_NAME = "public corpus of the registry (mirtrim.data.registry)"


@command("generate-data", "render a seeded synthetic dataset into the shared on-disk layout",
         "mirtrim generate-data --dataset drumloops --scale tiny --seed 1234 --out results/data/drumloops-tiny",
         arg("--dataset", required=True, choices=("drumloops", "instruments", "voices", "notes", "songs"),
             help="synthetic dataset"),
         arg("--scale", required=True, choices=SCALES, help="dataset size"),
         arg("--seed", type=INDEX, required=True, help="seed of everything the generator draws"),
         arg("--out", required=True, help="dataset folder to create"),
         arg("--melodies", type=FRACTION, default=0.0, help="notes only: fraction of legato melodies (continuous f0)"))
def generate_data(a):
    from mirtrim.data.generate import generate

    meta = generate(a.dataset, a.scale, a.seed, a.out, melodies=a.melodies)
    print(json.dumps({split: len(v) for split, v in meta["splits"].items()}))


@command("download", "download, verify (size, md5) and unpack a public corpus of the registry; an interrupted "
                     "transfer resumes on the next run",
         "mirtrim download --dataset tinysol --out resources/tinysol",
         arg("--dataset", required=True, choices=sorted(REGISTRY), help=REGISTRY_NAME),
         arg("--out", required=True, help="folder to create with the unpacked corpus (resources/<dataset>)"),
         arg("--cache", help="where transfers and their .part files live (default: <out>/../downloads/<dataset>)"),
         arg("--mirror", help="fetch every file from <mirror>/<file name> instead (same checksums)"),
         arg("--keep-archives", action="store_true", help="keep the downloaded files after unpacking"))
def download(a):
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


@command("prepare-data", "convert a downloaded corpus into the shared dataset layout",
         "mirtrim prepare-data --dataset tinysol --raw resources/tinysol --out results/data/tinysol",
         arg("--dataset", required=True, choices=sorted(REGISTRY), help=REGISTRY_NAME),
         arg("--raw", required=True, help="the unpacked corpus (from the download command)"),
         arg("--out", required=True, help="dataset folder to create (results/data/<dataset>)"),
         arg("--seed", type=INDEX, default=1234, help="seed of the seeded splits and subsets"),
         arg("--audio-dir", help="annotation-only corpora (isophonics_beatles, billboard, boeck_onsets): the folder "
                                 "holding their audio"))
def prepare_data(a):
    from mirtrim.data.real import prepare

    meta = prepare(a.dataset, a.raw, a.out, seed=a.seed, audio_dir=a.audio_dir)
    print(json.dumps({split: len(v) for split, v in meta["splits"].items()}))


@command("extract-features", "compute model inputs and targets of a dataset (.npz)",
         "mirtrim extract-features --data results/data/drumloops-tiny --out results/features/drumloops-tiny.npz",
         arg("--data", required=True, help="dataset folder (with metadata.json)"),
         arg("--out", required=True, help="feature file to write (.npz)"),
         threads("files processed in parallel (output is identical)"))
def extract_features(a):
    from mirtrim.features.build import build_features

    print(json.dumps(build_features(a.data, a.out, workers=a.threads)))


@command("baseline", "score a trivial (non-deep) baseline on a dataset's test split",
         "mirtrim baseline --data results/data/songs-tiny --task chords --out results/baselines/chords.json",
         arg("--data", required=True, help="dataset folder"),
         arg("--task", required=True, choices=TASKS, help="the task the baseline stands in for"),
         arg("--features", help="the task's feature file (required for onsets, drums and pitch, which are scored on "
                                "the model's own frames, examples and decoder)"),
         arg("--fidelity", default="{}", help="the run's fidelity switches (JSON): decoder, metric mode"),
         arg("--out", required=True, help="the baseline's record (JSON)"))
def baseline(a):
    from mirtrim.baselines.run import run_baseline
    from mirtrim.utils.atomic import write_json

    record = run_baseline(a.data, a.task, features=a.features, fidelity=json.loads(a.fidelity))
    write_json(a.out, record)
    print(json.dumps(record))
