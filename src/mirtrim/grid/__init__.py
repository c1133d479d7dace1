"""Config -> experiment grid. Standard library only: the Snakefile imports it at parse time.

One module per concept; ``grid.<name>`` is the API the workflow, the CLI and the tests use:

- ``presets``: fidelity presets and training defaults (``fidelity``);
- ``datasets``: dataset ids, their wildcard patterns and generation settings;
- ``runs``: run ids, seeds, rounds (``runs``, ``run_rounds``, ``parse_run``, ``describe``);
- ``specs``: a run's ``RunSpec`` and its hashed folder (``spec``, ``run_folder``);
- ``checks``: relations between keys the schema cannot express (``check``).
"""

from mirtrim.grid.checks import check, check_sources, check_tasks
from mirtrim.grid.datasets import (DATA_SEED, REAL_DATASET, SCALES, SYNTHETIC_DATASET, audio_dir, dataset_id, datasets,
                                   is_synthetic)
from mirtrim.grid.presets import FIDELITY_PRESETS, TASK_FIDELITY_KEYS, TRAIN_DEFAULTS, TRAIN_KEYS, fidelity
from mirtrim.grid.runs import (check_methods, dense_id, dense_seeds, describe, method_seeds, n_rounds, parse_run,
                               run_id, run_rounds, runs)
from mirtrim.grid.specs import FOLDER_DIGEST, checked_spec, run_folder, spec, spec_json

__all__ = ["DATA_SEED", "FIDELITY_PRESETS", "FOLDER_DIGEST", "REAL_DATASET", "SCALES", "SYNTHETIC_DATASET",
           "TASK_FIDELITY_KEYS", "TRAIN_DEFAULTS", "TRAIN_KEYS", "audio_dir", "check", "check_methods",
           "checked_spec", "check_sources", "check_tasks", "dataset_id", "datasets", "dense_id", "dense_seeds",
           "describe", "fidelity", "is_synthetic", "method_seeds", "n_rounds", "parse_run", "run_folder", "run_id",
           "run_rounds", "runs", "spec", "spec_json"]
