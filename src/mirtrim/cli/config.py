"""Commands of the configuration stage: check a config file before a run."""

from __future__ import annotations

import sys
from pathlib import Path

from mirtrim.cli.registry import arg, command

# src/mirtrim/cli/config.py -> the checkout's root, where the workflow's schema lives
DEFAULT_SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


@command("check-config", "check config files as the workflow would (YAML syntax, schema, relations between keys) "
                         "and print the grid each one runs",
         "mirtrim check-config my.yaml && snakemake --cores 8 figures/all --configfile my.yaml",
         arg("configs", nargs="+", metavar="CONFIG", help="config files (YAML), each checked on its own"),
         arg("--schema", default=str(DEFAULT_SCHEMA),
             help="the workflow's JSON schema (default: workflow/schemas/config.schema.yaml of this checkout)"))
def check_config_files(a):
    # Snakemake reads --configfile before the Snakefile runs: a missing file or a YAML syntax error
    # there gets Snakemake's own multi-line message. This gives the workflow's one-line ones.
    schema = Path(a.schema)
    if not schema.is_file():
        raise ValueError(f"{schema}: no such schema file; run from a checkout of mirtrim or pass --schema "
                         "path/to/workflow/schemas/config.schema.yaml")
    if len(a.configs) == 1:
        return _check_one(Path(a.configs[0]), schema)
    failed = []
    for path in a.configs:
        try:
            _check_one(Path(path), schema)
        except ValueError as err:  # one line per bad file; the others are still checked
            print(f"error: {err}", file=sys.stderr)
            failed.append(path)
    if failed:
        raise ValueError(f"{len(failed)} of {len(a.configs)} config files failed the check: {', '.join(failed)}")


def _check_one(path: Path, schema: Path) -> None:
    import yaml

    from mirtrim import grid
    from mirtrim.utils.config_check import check_config, check_yaml

    if not path.is_file():
        raise ValueError(f"{path}: no such config file; copy config.yaml and edit it, or fix the path")
    check_yaml(path)
    config = yaml.safe_load(path.read_text())
    if not isinstance(config, dict):
        raise ValueError(f"{path}: expected a YAML mapping of config keys (seeds, tasks, methods, ...), "
                         f"got {type(config).__name__}")
    check_config(config, schema, str(path))
    _fill_defaults(config, schema)
    grid.check(config)
    print(f"{path}: ok\n{grid.describe(config)}")


def _fill_defaults(config: dict, schema: Path) -> None:
    """The schema's defaults, filled in as the Snakefile's ``validate`` does (the grid needs them)."""
    try:
        from snakemake.utils import validate
    except ImportError:
        raise ValueError("check-config needs Snakemake for the schema's defaults; install the workflow extra "
                         "(pip install -e '.[workflow]')") from None
    validate(config, str(schema))
